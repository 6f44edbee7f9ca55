#include "usagecontroller.h"

#include "async.h"

#include "chat/chatevents.h"
#include "core/backend.h"
#include "domain/message.h"
#include "usage/usageservice.h"

#include <QDate>
#include <QFile>
#include <QLoggingCategory>
#include <QSet>

Q_LOGGING_CATEGORY(lcUsage, "arbor.app.usage", QtInfoMsg)

namespace arbor::app {

UsageController::UsageController(core::Backend *backend, QObject *parent)
    : QObject(parent)
    , m_backend(backend)
{
    m_liveTimer.setSingleShot(true);
    m_liveTimer.setInterval(250);
    connect(&m_liveTimer, &QTimer::timeout, this, &UsageController::figuresChanged);
    if (!m_backend)
        return;
    chat::ChatEvents &events = m_backend->events();
    const auto grow = [this](QHash<QString, qint64> &chars, const QString &conversationId,
                             const QString &messageId, qsizetype offset, const QString &text) {
        if (conversationId != m_conversationId)
            return;
        chars.insert(messageId, std::max<qint64>(chars.value(messageId), offset + text.size()));
        if (!m_liveTimer.isActive())
            m_liveTimer.start();
    };
    connect(&events, &chat::ChatEvents::messageDelta, this,
            [this, grow](const QString &c, const QString &m, qsizetype offset, const QString &t) {
                grow(m_liveChars, c, m, offset, t);
            });
    connect(&events, &chat::ChatEvents::reasoningDelta, this,
            [this, grow](const QString &c, const QString &m, qsizetype offset, const QString &t) {
                grow(m_liveReasoning, c, m, offset, t);
            });
    connect(&events, &chat::ChatEvents::messageStateChanged, this,
            [this](const QString &conversationId, const QString &messageId, const QString &status) {
                if (conversationId != m_conversationId)
                    return;
                if (domain::isLive(domain::messageStatusFromString(status)))
                    return;
                // Finished: its stored usage replaces the estimate.
                m_liveChars.remove(messageId);
                m_liveReasoning.remove(messageId);
                refreshTotals();
            });
    // A branch deleted or restored, a teammate's rows pulled: the kept totals moved.
    connect(&events, &chat::ChatEvents::pathChanged, this, [this](const QString &conversationId) {
        if (conversationId == m_conversationId)
            refreshTotals();
    });
}

void UsageController::setConversation(const QString &conversationId)
{
    if (conversationId == m_conversationId)
        return;
    m_conversationId = conversationId;
    m_liveChars.clear();
    m_liveReasoning.clear();
    m_total = m_branch = Figure();
    Q_EMIT figuresChanged();
    refreshTotals();
}

UsageController::Figure UsageController::Figure::from(const QList<usage::Totals> &totals)
{
    Figure f;
    for (const usage::Totals &t : totals) {
        f.replies += t.messages;
        f.input += t.inputTokens;
        f.output += t.outputTokens;
        f.cached += t.cachedTokens;
        f.reasoning += t.reasoningTokens;
        f.estimatedReplies += t.estimated;
    }
    f.costs.add(totals);
    return f;
}

void UsageController::refreshTotals()
{
    if (!m_backend || m_conversationId.isEmpty())
        return;
    const quint64 generation = ++m_generation;
    const auto failed = [](const QString &error) {
        qCWarning(lcUsage) << "reading usage failed:" << error;
    };
    whenDone(
        this, m_backend->usage().conversationTotals(m_conversationId),
        [this, generation](const QList<usage::Totals> &totals) {
            if (generation != m_generation)
                return;
            m_total = Figure::from(totals);
            Q_EMIT figuresChanged();
        },
        failed);
    whenDone(
        this, m_backend->usage().pathTotals(m_conversationId),
        [this, generation](const QList<usage::Totals> &totals) {
            if (generation != m_generation)
                return;
            m_branch = Figure::from(totals);
            Q_EMIT figuresChanged();
        },
        failed);
}

qint64 UsageController::liveTokens() const
{
    qint64 chars = 0;
    for (const qint64 c : m_liveChars)
        chars += c;
    for (const qint64 c : m_liveReasoning)
        chars += c;
    return usage::estimateTokens(chars);
}

QString UsageController::tokensText() const
{
    const qint64 live = liveTokens();
    return (live > 0 ? QStringLiteral("≈ ") : QString()) + usage::tokenText(m_total.tokens() + live)
        + QStringLiteral(" tokens");
}

QString UsageController::costText() const
{
    return m_total.costs.text();
}

QString UsageController::branchText() const
{
    // Only when the branch is not the whole: other branches of the tree have usage too.
    if (m_branch.replies == m_total.replies)
        return {};
    return usage::tokenText(m_branch.tokens()) + QStringLiteral(" tokens · ")
        + m_branch.costs.text();
}

QVariantList UsageController::models() const
{
    QVariantList out;
    for (const QString &m : m_models)
        out << m;
    return out;
}

bool UsageController::estimated() const
{
    return liveTokens() > 0 || m_total.estimatedReplies > 0;
}

bool UsageController::hasUsage() const
{
    return m_total.tokens() > 0 || liveTokens() > 0;
}

QString UsageController::detail() const
{
    QStringList lines;
    lines << tr("This conversation: %1 input tokens (%2 cached), %3 output tokens (%4 reasoning)")
                 .arg(usage::countText(m_total.input), usage::countText(m_total.cached),
                      usage::countText(m_total.output), usage::countText(m_total.reasoning));
    if (!m_total.costs.priced())
        lines << tr("Cost: unknown (no price for these models; see arbord prices)");
    else
        lines << tr("Cost: %1").arg(m_total.costs.text())
                + (m_total.costs.unpriced ? tr(" (— : replies whose model has no price)")
                                          : QString());
    if (m_branch.replies != m_total.replies)
        lines << tr("This branch (%n replies): %1 input tokens, %2 output tokens, cost %3", "",
                    int(m_branch.replies))
                     .arg(usage::countText(m_branch.input), usage::countText(m_branch.output),
                          m_branch.costs.text());
    if (m_total.estimatedReplies > 0)
        lines << tr("%n replies estimated (their vendor sent no usage)", "",
                    int(m_total.estimatedReplies));
    if (const qint64 live = liveTokens(); live > 0)
        lines << tr("≈ %1 tokens of a reply being written, estimated until its usage arrives")
                     .arg(usage::countText(live));
    return lines.join(QLatin1Char('\n'));
}

void UsageController::loadReport(const QString &since, const QString &until)
{
    if (!m_backend)
        return;
    usage::ReportOptions byDay;
    byDay.sinceDay = since;
    byDay.untilDay = until;
    byDay.groups = usage::ByDay | usage::ByProvider | usage::ByModel;
    usage::ReportOptions byConversation = byDay;
    byConversation.groups = usage::ByConversation;
    byConversation.byCost = true;
    byConversation.limit = 10;
    // The reports of a range asked for before may come after this one's (two readers, a longer
    // range): only the newest range's reach the page.
    const quint64 generation = ++m_reportGeneration;
    whenDone(
        this, m_backend->usage().report(byDay),
        [this, generation, since, until](const QList<usage::Row> &rows) {
            if (generation != m_reportGeneration)
                return;
            m_csv = usage::toCsv(rows, usage::ByDay | usage::ByProvider | usage::ByModel);
            // Models by cost, then tokens, largest first; days in order.
            QHash<QString, usage::Costs> modelCosts;
            QHash<QString, qint64> modelTokens;
            QStringList days;
            usage::Costs rangeCosts;
            qint64 tokens = 0;
            for (const usage::Row &r : rows) {
                const QString model = r.provider + QLatin1Char('/') + r.model;
                modelCosts[model].add(r.totals.costNanos, r.totals.currency);
                modelTokens[model] += r.totals.inputTokens + r.totals.outputTokens;
                if (days.isEmpty() || days.constLast() != r.day)
                    days << r.day;
                tokens += r.totals.inputTokens + r.totals.outputTokens;
                rangeCosts.add(r.totals.costNanos, r.totals.currency);
            }
            // The chart stacks amounts of one currency: the largest one of the range.
            m_chartCurrency =
                rangeCosts.priced() ? rangeCosts.currencies().constFirst() : QString();
            const auto rank = [&](const QString &model) {
                return std::pair(modelCosts.value(model).nanos.value(m_chartCurrency),
                                 modelTokens.value(model));
            };
            m_models = modelTokens.keys();
            std::sort(m_models.begin(), m_models.end(),
                      [&](const QString &a, const QString &b) { return rank(a) > rank(b); });
            // Every day of the range gets its slot, used or not: a day's bar keeps its width and
            // place whatever the other days did (a range of at most ten years).
            const QDate first = QDate::fromString(since, Qt::ISODate);
            const QDate last = QDate::fromString(until, Qt::ISODate);
            if (first.isValid() && last.isValid() && first <= last && first.daysTo(last) < 3660) {
                days.clear();
                for (QDate d = first; d <= last; d = d.addDays(1))
                    days << d.toString(Qt::ISODate);
            }
            QHash<QString, QVariantMap> byDayIndex;
            m_days.clear();
            for (const QString &day : std::as_const(days)) {
                QVariantList zeros;
                for (qsizetype i = 0; i < m_models.size(); ++i)
                    zeros << 0.0;
                byDayIndex.insert(day,
                                  {{QStringLiteral("day"), day},
                                   {QStringLiteral("costs"), zeros},
                                   {QStringLiteral("tokens"), zeros}});
            }
            for (const usage::Row &r : rows) {
                QVariantMap &d = byDayIndex[r.day];
                const qsizetype i = m_models.indexOf(r.provider + QLatin1Char('/') + r.model);
                QVariantList costs = d.value(QStringLiteral("costs")).toList();
                QVariantList counts = d.value(QStringLiteral("tokens")).toList();
                if (r.totals.currency == m_chartCurrency && !m_chartCurrency.isEmpty())
                    costs[i] = costs.at(i).toDouble() + usage::costUnits(r.totals.costNanos);
                counts[i] =
                    counts.at(i).toDouble() + double(r.totals.inputTokens + r.totals.outputTokens);
                d.insert(QStringLiteral("costs"), costs);
                d.insert(QStringLiteral("tokens"), counts);
            }
            for (const QString &day : std::as_const(days))
                m_days << byDayIndex.value(day);
            m_topModels.clear();
            for (const QString &model :
                 std::as_const(m_models).first(std::min<qsizetype>(10, m_models.size())))
                m_topModels << QVariantMap{
                    {QStringLiteral("model"), model},
                    {QStringLiteral("tokens"), usage::tokenText(modelTokens.value(model))},
                    {QStringLiteral("cost"), modelCosts.value(model).text()}};
            m_totalText = tr("%1 tokens · %2").arg(usage::tokenText(tokens), rangeCosts.text());
            Q_EMIT reportChanged();
        },
        [](const QString &error) { qCWarning(lcUsage) << "usage report failed:" << error; });
    whenDone(
        this, m_backend->usage().report(byConversation),
        [this, generation](const QList<usage::Row> &rows) {
            if (generation != m_reportGeneration)
                return;
            // One row per conversation and currency: one line per conversation, its costs
            // side by side.
            QStringList order;
            QHash<QString, usage::Costs> costs;
            QHash<QString, qint64> tokens;
            QHash<QString, QString> titles;
            for (const usage::Row &r : rows) {
                if (!titles.contains(r.conversationId))
                    order << r.conversationId;
                titles.insert(r.conversationId, r.conversationTitle);
                costs[r.conversationId].add(r.totals.costNanos, r.totals.currency);
                tokens[r.conversationId] += r.totals.inputTokens + r.totals.outputTokens;
            }
            m_topConversations.clear();
            for (const QString &id : std::as_const(order))
                m_topConversations << QVariantMap{
                    {QStringLiteral("title"),
                     titles.value(id).isEmpty() ? tr("Untitled conversation") : titles.value(id)},
                    {QStringLiteral("tokens"), usage::tokenText(tokens.value(id))},
                    {QStringLiteral("cost"), costs.value(id).text()}};
            Q_EMIT reportChanged();
        },
        [](const QString &error) { qCWarning(lcUsage) << "usage report failed:" << error; });
}

bool UsageController::exportCsv(const QUrl &file)
{
    QFile out(file.isLocalFile() ? file.toLocalFile() : file.toString());
    if (!out.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    return out.write(m_csv) == m_csv.size();
}

} // namespace arbor::app
