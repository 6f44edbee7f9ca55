#pragma once

#include "domain/message.h"
#include "store/store.h"
#include "store/usagequeries.h"

#include <QFuture>

namespace arbor::usage {

using store::usage::ByConversation;
using store::usage::ByDay;
using store::usage::ByModel;
using store::usage::ByProvider;
using store::usage::estimateTokens;
using store::usage::Group;
using store::usage::Price;
using store::usage::Row;
using store::usage::Totals;

/** @brief Options of a usage report (arbord usage, the Usage page). */
struct ReportOptions
{
    QString sinceDay;                 ///< local day "YYYY-MM-DD", inclusive; empty: from the start
    QString untilDay;                 ///< inclusive; empty: to now
    int groups = store::usage::ByDay; ///< store::usage::Group flags
    bool byCost = false;              ///< largest cost first instead of by keys
    int limit = 0;                    ///< > 0: at most this many rows
};

/**
 * @brief Usage and cost as a use case, for the window and `arbord usage` / `arbord prices`:
 * reports read from the totals the store keeps (never by scanning messages), a conversation's
 * totals, and the price list. Reading only: what a read-only backend hands out.
 */
class UsageMonitor
{
public:
    explicit UsageMonitor(store::StoreReader store);

    QFuture<QList<Row>> report(ReportOptions options);
    /** @brief The whole usage of a conversation, one entry per currency ("" = unpriced). */
    QFuture<QList<Totals>> conversationTotals(const QString &conversationId);
    /** @brief The usage of its visible path (the branch being read), one entry per currency. */
    QFuture<QList<Totals>> pathTotals(const QString &conversationId);
    QFuture<QList<Price>> prices();

protected:
    store::StoreReader m_reader;
};

/** @brief UsageMonitor plus editing the price list. Prices apply to replies that finish from
 *  then on; a stored cost is never rewritten. */
class UsageService : public UsageMonitor
{
public:
    explicit UsageService(store::Store &store);

    /** @brief Why @p price cannot be stored ("" when it can): names, a date, prices ≥ 0. */
    static QString check(const Price &price);
    /** @brief Adds or replaces a price (check() it first). */
    QFuture<void> setPrice(Price price);
    /** @brief Removes prices (all dates when @p validFrom is empty); answers how many. */
    QFuture<int> removePrices(QString provider, QString model, QString validFrom = {});

private:
    store::Store &m_store;
};

/** @brief @p nanos billionths of a currency unit as a number of units. */
inline double costUnits(qint64 nanos)
{
    return double(nanos) / 1e9;
}

/** @brief A cost for people: "$0.0042", "€1.25", "12.50 CHF"; "—" when @p currency is empty
 *  (no price was known: the cost is unknown, never 0). */
QString costText(qint64 nanos, const QString &currency);
/** @brief A whole number for people, with group separators: "127,490". */
QString countText(qint64 count);
/** @brief A token count for people: "950", "12.3k", "1.20M". */
QString tokenText(qint64 tokens);
/** @brief One message's usage for people ("2,006 in (1,920 cached) · 300 out (64 reasoning) ·
 *  $0.0065", "≈" first when estimated); "" when it has none. */
QString messageUsageText(const domain::Message &message);
/** @brief @p rows of a report grouped by @p groups as CSV (RFC 4180, a header line; cost empty
 *  when unknown), for the Usage page's export. */
QByteArray toCsv(const QList<Row> &rows, int groups);

} // namespace arbor::usage
