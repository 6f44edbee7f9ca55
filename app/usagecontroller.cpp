#include "usagecontroller.h"

#include "async.h"

#include "chat/chatevents.h"
#include "core/backend.h"
#include "domain/message.h"
#include "usage/usageservice.h"

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
        if (t.currency.isEmpty()) {
            f.unpriced = true;
        } else if (f.currency.isEmpty()) {
            f.currency = t.currency;
            f.costNanos = t.costNanos;
        } else {
            f.mixed = true;
        }
    }
    return f;
}

QString UsageController::Figure::costText() const
{
    // A cost that leaves out unpriced replies would look complete: unknown instead.
    if (unpriced || mixed || currency.isEmpty())
        return QStringLiteral("—");
    return usage::costText(costNanos, currency);
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
    return m_total.costText();
}

QString UsageController::branchText() const
{
    // Only when the branch is not the whole: other branches of the tree have usage too.
    if (m_branch.replies == m_total.replies)
        return {};
    return usage::tokenText(m_branch.tokens()) + QStringLiteral(" tokens · ") + m_branch.costText();
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
    if (!m_total.currency.isEmpty() && !m_total.mixed)
        lines << tr("Cost: %1").arg(usage::costText(m_total.costNanos, m_total.currency))
                + (m_total.unpriced ? tr(" for the replies with a price; some have none")
                                    : QString());
    else if (m_total.mixed)
        lines << tr("Cost: in more than one currency (see the Usage page)");
    else
        lines << tr("Cost: unknown (no price for these models; see arbord prices)");
    if (m_branch.replies != m_total.replies)
        lines << tr("This branch (%n replies): %1 input tokens, %2 output tokens, cost %3", "",
                    int(m_branch.replies))
                     .arg(usage::countText(m_branch.input), usage::countText(m_branch.output),
                          m_branch.costText());
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
    whenDone(
        this, m_backend->usage().report(byDay),
        [this](const QList<usage::Row> &rows) {
            m_csv = usage::toCsv(rows, usage::ByDay | usage::ByProvider | usage::ByModel);
            // Models by cost, then tokens, largest first; days in order.
            QHash<QString, QPair<qint64, qint64>> perModel; // cost, tokens
            QStringList days;
            QString currency;
            qint64 cost = 0;
            qint64 tokens = 0;
            bool unpriced = false;
            for (const usage::Row &r : rows) {
                const QString model = r.provider + QLatin1Char('/') + r.model;
                auto &m = perModel[model];
                m.first += r.totals.currency.isEmpty() ? 0 : r.totals.costNanos;
                m.second += r.totals.inputTokens + r.totals.outputTokens;
                if (days.isEmpty() || days.constLast() != r.day)
                    days << r.day;
                tokens += r.totals.inputTokens + r.totals.outputTokens;
                if (r.totals.currency.isEmpty())
                    unpriced = true;
                else if (currency.isEmpty() || currency == r.totals.currency) {
                    currency = r.totals.currency;
                    cost += r.totals.costNanos;
                }
            }
            m_models = perModel.keys();
            std::sort(m_models.begin(), m_models.end(), [&](const QString &a, const QString &b) {
                return perModel.value(a) > perModel.value(b);
            });
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
                if (!r.totals.currency.isEmpty())
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
                    {QStringLiteral("tokens"), usage::tokenText(perModel.value(model).second)},
                    {QStringLiteral("cost"),
                     currency.isEmpty() ? QStringLiteral("—")
                                        : usage::costText(perModel.value(model).first, currency)}};
            m_totalText =
                tr("%1 tokens · %2")
                    .arg(usage::tokenText(tokens),
                         currency.isEmpty() ? QStringLiteral("—")
                                            : usage::costText(cost, currency)
                                 + (unpriced ? tr(" (and replies with no price)") : QString()));
            Q_EMIT reportChanged();
        },
        [](const QString &error) { qCWarning(lcUsage) << "usage report failed:" << error; });
    whenDone(
        this, m_backend->usage().report(byConversation),
        [this](const QList<usage::Row> &rows) {
            m_topConversations.clear();
            for (const usage::Row &r : rows)
                m_topConversations
                    << QVariantMap{{QStringLiteral("title"),
                                    r.conversationTitle.isEmpty() ? tr("Untitled conversation")
                                                                  : r.conversationTitle},
                                   {QStringLiteral("tokens"),
                                    usage::tokenText(r.totals.inputTokens + r.totals.outputTokens)},
                                   {QStringLiteral("cost"),
                                    usage::costText(r.totals.costNanos, r.totals.currency)}};
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
