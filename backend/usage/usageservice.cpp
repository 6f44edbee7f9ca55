#include "usageservice.h"

#include <QDate>
#include <QLocale>

#include <cmath>

namespace arbor::usage {

UsageMonitor::UsageMonitor(store::StoreReader store)
    : m_reader(store)
{
}

QFuture<QList<Row>> UsageMonitor::report(ReportOptions o)
{
    return m_reader.read([o](QSqlDatabase &db) {
        return store::usage::report(db, o.sinceDay, o.untilDay, o.groups, o.byCost, o.limit);
    });
}

QFuture<QList<Totals>> UsageMonitor::conversationTotals(const QString &conversationId)
{
    return m_reader.read([conversationId](QSqlDatabase &db) {
        return store::usage::conversationTotals(db, conversationId);
    });
}

QFuture<QList<Totals>> UsageMonitor::pathTotals(const QString &conversationId)
{
    return m_reader.read([conversationId](QSqlDatabase &db) {
        return store::usage::pathTotals(db, conversationId);
    });
}

QFuture<QList<Price>> UsageMonitor::prices()
{
    return m_reader.read([](QSqlDatabase &db) { return store::usage::prices(db); });
}

UsageService::UsageService(store::Store &store)
    : UsageMonitor(store::StoreReader(store))
    , m_store(store)
{
}

QString UsageService::check(const Price &p)
{
    if (p.provider.trimmed().isEmpty())
        return QStringLiteral("a price needs a provider (an id such as openai-work, or a kind: "
                              "openai, anthropic, gemini, ollama)");
    if (p.model.trimmed().isEmpty())
        return QStringLiteral("a price needs a model (an id, or a pattern such as gpt-4o*)");
    if (!QDate::fromString(p.validFrom, Qt::ISODate).isValid())
        return QStringLiteral("the date a price is valid from is YYYY-MM-DD (“%1” is not)")
            .arg(p.validFrom);
    if (!(p.input >= 0) || !(p.output >= 0) || std::isnan(p.cachedInput) || std::isnan(p.reasoning))
        return QStringLiteral("prices are numbers of 0 or more per million tokens");
    if (p.currency.size() != 3 || p.currency.toUpper() != p.currency)
        return QStringLiteral("the currency is a three-letter code such as USD or EUR");
    return {};
}

QFuture<void> UsageService::setPrice(Price price)
{
    return m_store.write([price](QSqlDatabase &db) { store::usage::setPrice(db, price); });
}

QFuture<int> UsageService::removePrices(QString provider, QString model, QString validFrom)
{
    return m_store.write([provider, model, validFrom](QSqlDatabase &db) {
        return store::usage::removePrices(db, provider, model, validFrom);
    });
}

QString costText(qint64 nanos, const QString &currency)
{
    if (currency.isEmpty())
        return QStringLiteral("—");
    const double units = costUnits(nanos);
    // Small costs keep four decimals: a reply often costs less than a cent.
    const QString number = QLocale::c().toString(units, 'f', units != 0 && units < 1 ? 4 : 2);
    if (currency == u"USD")
        return QStringLiteral("$") + number;
    if (currency == u"EUR")
        return QStringLiteral("€") + number;
    if (currency == u"GBP")
        return QStringLiteral("£") + number;
    return number + QLatin1Char(' ') + currency;
}

QString countText(qint64 count)
{
    QLocale c = QLocale::c();
    c.setNumberOptions(QLocale::DefaultNumberOptions); // the C locale omits separators
    return c.toString(count);
}

QString tokenText(qint64 tokens)
{
    const QLocale c = QLocale::c();
    if (tokens < 10'000)
        return countText(tokens);
    if (tokens < 1'000'000)
        return c.toString(double(tokens) / 1e3, 'f', 1) + QLatin1Char('k');
    return c.toString(double(tokens) / 1e6, 'f', 2) + QLatin1Char('M');
}

QString messageUsageText(const domain::Message &m)
{
    if (m.promptTokens < 0 && m.completionTokens < 0)
        return {};
    QString in = QStringLiteral("%1 in").arg(countText(std::max(0, m.promptTokens)));
    if (m.cachedTokens > 0)
        in += QStringLiteral(" (%1 cached)").arg(countText(m.cachedTokens));
    QString out = QStringLiteral("%1 out").arg(countText(std::max(0, m.completionTokens)));
    if (m.reasoningTokens > 0)
        out += QStringLiteral(" (%1 reasoning)").arg(countText(m.reasoningTokens));
    const QString text = in + QStringLiteral(" · ") + out + QStringLiteral(" · ")
        + costText(std::max<qint64>(0, m.costNanos), m.costNanos < 0 ? QString() : m.currency);
    return m.usageEstimated ? QStringLiteral("≈ ") + text + QStringLiteral(" (estimated)") : text;
}

namespace {

QByteArray csvField(const QString &text)
{
    if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"'))
        && !text.contains(QLatin1Char('\n')) && !text.contains(QLatin1Char('\r')))
        return text.toUtf8();
    QString quoted = text;
    quoted.replace(QLatin1Char('"'), QStringLiteral("\"\""));
    return '"' + quoted.toUtf8() + '"';
}

} // namespace

QByteArray toCsv(const QList<Row> &rows, int groups)
{
    QList<QByteArray> header;
    if (groups & store::usage::ByDay)
        header << "day";
    if (groups & store::usage::ByProvider)
        header << "provider";
    if (groups & store::usage::ByModel)
        header << "model";
    if (groups & store::usage::ByConversation)
        header << "conversation_id"
               << "title";
    header << "messages"
           << "estimated_messages"
           << "input_tokens"
           << "output_tokens"
           << "cached_tokens"
           << "reasoning_tokens"
           << "cost"
           << "currency";
    QByteArray out = header.join(',') + "\r\n";
    for (const Row &r : rows) {
        QList<QByteArray> f;
        if (groups & store::usage::ByDay)
            f << csvField(r.day);
        if (groups & store::usage::ByProvider)
            f << csvField(r.provider);
        if (groups & store::usage::ByModel)
            f << csvField(r.model);
        if (groups & store::usage::ByConversation)
            f << csvField(r.conversationId) << csvField(r.conversationTitle);
        const Totals &t = r.totals;
        f << QByteArray::number(t.messages) << QByteArray::number(t.estimated)
          << QByteArray::number(t.inputTokens) << QByteArray::number(t.outputTokens)
          << QByteArray::number(t.cachedTokens) << QByteArray::number(t.reasoningTokens)
          << (t.currency.isEmpty() ? QByteArray()
                                   : QByteArray::number(costUnits(t.costNanos), 'f', 9))
          << csvField(t.currency);
        out += f.join(',') + "\r\n";
    }
    return out;
}

} // namespace arbor::usage
