#include "usagequeries.h"

#include "sql.h"

#include <cmath>

namespace arbor::store::usage {

namespace {

const QString SumColumns = QStringLiteral(
    "sum(u.messages) AS messages, sum(u.estimated) AS estimated, "
    "sum(u.input_tokens) AS input_tokens, sum(u.output_tokens) AS output_tokens, "
    "sum(u.cached_tokens) AS cached_tokens, sum(u.reasoning_tokens) AS reasoning_tokens, "
    "sum(u.cost_nanos) AS cost_nanos, u.currency AS currency");

struct TotalsColumns
{
    explicit TotalsColumns(const Columns &c)
        : messages(c["messages"])
        , estimated(c["estimated"])
        , input(c["input_tokens"])
        , output(c["output_tokens"])
        , cached(c["cached_tokens"])
        , reasoning(c["reasoning_tokens"])
        , cost(c["cost_nanos"])
        , currency(c["currency"])
    {
    }
    Totals read(const QSqlQuery &q) const
    {
        Totals t;
        t.currency = q.value(currency).toString();
        t.messages = q.value(messages).toLongLong();
        t.estimated = q.value(estimated).toLongLong();
        t.inputTokens = q.value(input).toLongLong();
        t.outputTokens = q.value(output).toLongLong();
        t.cachedTokens = q.value(cached).toLongLong();
        t.reasoningTokens = q.value(reasoning).toLongLong();
        t.costNanos = q.value(cost).toLongLong();
        return t;
    }
    int messages, estimated, input, output, cached, reasoning, cost, currency;
};

QVariant orNull(double value)
{
    return value < 0 ? QVariant() : QVariant(value);
}

Price readPrice(const QSqlQuery &q, const Columns &c)
{
    Price p;
    p.provider = q.value(c["provider"]).toString();
    p.model = q.value(c["model"]).toString();
    p.validFrom = q.value(c["valid_from"]).toString();
    p.input = q.value(c["input"]).toDouble();
    p.output = q.value(c["output"]).toDouble();
    const QVariant cached = q.value(c["cached_input"]);
    p.cachedInput = cached.isNull() ? -1 : cached.toDouble();
    const QVariant reasoning = q.value(c["reasoning"]);
    p.reasoning = reasoning.isNull() ? -1 : reasoning.toDouble();
    p.currency = q.value(c["currency"]).toString();
    return p;
}

const QString PriceColumns = QStringLiteral(
    "p.provider, p.model, p.valid_from, p.input, p.output, p.cached_input, p.reasoning, "
    "p.currency");

} // namespace

qint64 costNanos(const Price &price, const Tokens &tokens)
{
    const double input = std::max(0, tokens.input);
    const double output = std::max(0, tokens.output);
    const double cached = std::min(input, double(std::max(0, tokens.cached)));
    const double reasoning = std::min(output, double(std::max(0, tokens.reasoning)));
    const double cachedPrice = price.cachedInput < 0 ? price.input : price.cachedInput;
    const double reasoningPrice = price.reasoning < 0 ? price.output : price.reasoning;
    // Per million tokens, in billionths: tokens × price × 10^9 / 10^6.
    const double nanos = ((input - cached) * price.input + cached * cachedPrice
                          + (output - reasoning) * price.output + reasoning * reasoningPrice)
        * 1000.0;
    return qint64(std::llround(nanos));
}

int estimateTokens(qint64 characters)
{
    return int(std::min<qint64>((std::max<qint64>(0, characters) + 3) / 4, INT_MAX));
}

std::optional<Price> priceFor(const QSqlDatabase &db, const QString &providerId,
                              const QString &model, const QString &day)
{
    CachedQuery q(db,
                  QStringLiteral("SELECT %1 FROM prices p"
                                 " WHERE (p.provider = ? OR p.provider ="
                                 "   (SELECT kind FROM providers WHERE id = ?))"
                                 " AND ? GLOB p.model AND p.valid_from <= ?"
                                 " ORDER BY p.provider = ? DESC, length(p.model) DESC,"
                                 " p.valid_from DESC LIMIT 1")
                      .arg(PriceColumns),
                  {providerId, providerId, model, day, providerId});
    if (!q->next())
        return std::nullopt;
    const Price p = readPrice(*q, Columns(*q));
    q->finish();
    return p;
}

QList<Price> prices(const QSqlDatabase &db)
{
    QSqlQuery q =
        exec(db,
             QStringLiteral("SELECT %1 FROM prices p ORDER BY p.provider, p.model, p.valid_from")
                 .arg(PriceColumns));
    const Columns c(q);
    QList<Price> out;
    while (q.next())
        out.append(readPrice(q, c));
    return out;
}

void setPrice(const QSqlDatabase &db, const Price &p)
{
    exec(db,
         QStringLiteral("INSERT OR REPLACE INTO prices (provider, model, valid_from, input, output,"
                        " cached_input, reasoning, currency) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
         {p.provider, p.model, p.validFrom, p.input, p.output, orNull(p.cachedInput),
          orNull(p.reasoning), p.currency.isEmpty() ? QStringLiteral("USD") : p.currency});
}

int removePrices(const QSqlDatabase &db, const QString &provider, const QString &model,
                 const QString &validFrom)
{
    QSqlQuery q = validFrom.isEmpty()
        ? exec(db, QStringLiteral("DELETE FROM prices WHERE provider = ? AND model = ?"),
               {provider, model})
        : exec(db,
               QStringLiteral(
                   "DELETE FROM prices WHERE provider = ? AND model = ? AND valid_from = ?"),
               {provider, model, validFrom});
    return q.numRowsAffected();
}

void rebuildTotals(const QSqlDatabase &db, const QString &zone)
{
    // The same keys and sums the triggers of migration 0013 keep.
    const QString select =
        QStringLiteral(" date(coalesce(finished_at, created_at) / 1000, 'unixepoch', 'localtime'),"
                       " provider, model,"
                       " CASE WHEN cost_nanos IS NULL THEN '' ELSE coalesce(currency, '') END,"
                       " count(*), sum(usage_estimated), sum(coalesce(prompt_tokens, 0)),"
                       " sum(coalesce(completion_tokens, 0)), sum(coalesce(cached_tokens, 0)),"
                       " sum(coalesce(reasoning_tokens, 0)), sum(coalesce(cost_nanos, 0))"
                       " FROM messages WHERE deleted_at IS NULL"
                       " AND (prompt_tokens IS NOT NULL OR completion_tokens IS NOT NULL)");
    exec(db, QStringLiteral("DELETE FROM usage_days"));
    exec(db, QStringLiteral("DELETE FROM usage_conversation_days"));
    exec(db,
         QStringLiteral("INSERT INTO usage_days (day, provider, model, currency, messages,"
                        " estimated, input_tokens, output_tokens, cached_tokens, reasoning_tokens,"
                        " cost_nanos) SELECT")
             + select + QStringLiteral(" GROUP BY 1, 2, 3, 4"));
    exec(db,
         QStringLiteral("INSERT INTO usage_conversation_days (conversation_id, day, provider,"
                        " model, currency, messages, estimated, input_tokens, output_tokens,"
                        " cached_tokens, reasoning_tokens, cost_nanos) SELECT conversation_id,")
             + select + QStringLiteral(" GROUP BY 1, 2, 3, 4, 5"));
    exec(db, QStringLiteral("UPDATE usage_clock SET zone = ?"), {zone});
}

bool ensureZone(const QSqlDatabase &db, const QString &zone)
{
    QSqlQuery q = exec(db, QStringLiteral("SELECT zone FROM usage_clock"));
    if (q.next() && q.value(0).toString() == zone)
        return false;
    q.finish();
    exec(db, QStringLiteral("BEGIN IMMEDIATE"));
    try {
        rebuildTotals(db, zone);
        exec(db, QStringLiteral("COMMIT"));
    } catch (...) {
        QSqlQuery(db).exec(QStringLiteral("ROLLBACK"));
        throw;
    }
    return true;
}

QList<Row> report(const QSqlDatabase &db, const QString &sinceDay, const QString &untilDay,
                  int groups, bool byCost, int limit)
{
    const bool byConversation = groups & ByConversation;
    QStringList keys;
    if (groups & ByDay)
        keys << QStringLiteral("u.day");
    if (groups & ByProvider)
        keys << QStringLiteral("u.provider");
    if (groups & ByModel)
        keys << QStringLiteral("u.model");
    if (byConversation)
        keys << QStringLiteral("u.conversation_id");
    keys << QStringLiteral("u.currency");
    QString sql =
        QStringLiteral("SELECT %1, %2%3 FROM %4 u")
            .arg(keys.join(QStringLiteral(", ")), SumColumns,
                 byConversation ? QStringLiteral(", coalesce(c.title, '') AS title") : QString(),
                 byConversation ? QStringLiteral("usage_conversation_days")
                                : QStringLiteral("usage_days"));
    if (byConversation)
        sql += QStringLiteral(" LEFT JOIN conversations c ON c.id = u.conversation_id");
    sql += QStringLiteral(" WHERE u.day >= ? AND u.day <= ? GROUP BY ")
        + keys.join(QStringLiteral(", ")) + QStringLiteral(" HAVING sum(u.messages) > 0");
    sql += byCost ? QStringLiteral(" ORDER BY sum(u.cost_nanos) DESC,"
                                   " sum(u.input_tokens + u.output_tokens) DESC")
                  : QStringLiteral(" ORDER BY ") + keys.join(QStringLiteral(", "));
    if (limit > 0)
        sql += QStringLiteral(" LIMIT %1").arg(limit);
    // Days sort as text; '' and '9999-12-31' leave a side open.
    QSqlQuery q =
        exec(db, sql, {sinceDay, untilDay.isEmpty() ? QStringLiteral("9999-12-31") : untilDay});
    const Columns c(q);
    const TotalsColumns totals(c);
    const int day = groups & ByDay ? c["day"] : -1;
    const int provider = groups & ByProvider ? c["provider"] : -1;
    const int model = groups & ByModel ? c["model"] : -1;
    const int conversation = byConversation ? c["conversation_id"] : -1;
    const int title = byConversation ? c["title"] : -1;
    QList<Row> out;
    while (q.next()) {
        Row r;
        if (day >= 0)
            r.day = q.value(day).toString();
        if (provider >= 0)
            r.provider = q.value(provider).toString();
        if (model >= 0)
            r.model = q.value(model).toString();
        if (conversation >= 0) {
            r.conversationId = q.value(conversation).toString();
            r.conversationTitle = q.value(title).toString();
        }
        r.totals = totals.read(q);
        out.append(r);
    }
    return out;
}

QList<Totals> conversationTotals(const QSqlDatabase &db, const QString &conversationId)
{
    CachedQuery q(db,
                  QStringLiteral("SELECT %1 FROM usage_conversation_days u"
                                 " WHERE u.conversation_id = ? GROUP BY u.currency"
                                 " HAVING sum(u.messages) > 0 ORDER BY u.currency DESC")
                      .arg(SumColumns),
                  {conversationId});
    const TotalsColumns c{Columns(*q)};
    QList<Totals> out;
    while (q->next())
        out.append(c.read(*q));
    return out;
}

QList<Totals> walkedPathTotals(const QSqlDatabase &db, const QString &conversationId)
{
    // The visible path, leaf to root, through the parent index: one row per node of the path,
    // never the rest of the tree. Counted as the kept totals count (store/migrations/0013).
    CachedQuery q(
        db,
        QStringLiteral(
            "WITH RECURSIVE path(id, parent_id) AS ("
            " SELECT m.id, m.parent_id FROM conversations c JOIN messages m"
            "  ON m.id = c.current_leaf_id WHERE c.id = ?"
            " UNION ALL"
            " SELECT m.id, m.parent_id FROM messages m JOIN path p ON m.id = p.parent_id)"
            " SELECT count(*) AS messages, sum(m.usage_estimated) AS estimated,"
            " sum(coalesce(m.prompt_tokens, 0)) AS input_tokens,"
            " sum(coalesce(m.completion_tokens, 0)) AS output_tokens,"
            " sum(coalesce(m.cached_tokens, 0)) AS cached_tokens,"
            " sum(coalesce(m.reasoning_tokens, 0)) AS reasoning_tokens,"
            " sum(coalesce(m.cost_nanos, 0)) AS cost_nanos,"
            " CASE WHEN m.cost_nanos IS NULL THEN '' ELSE coalesce(m.currency, '') END AS currency"
            " FROM path JOIN messages m ON m.id = path.id"
            " WHERE m.deleted_at IS NULL"
            "  AND (m.prompt_tokens IS NOT NULL OR m.completion_tokens IS NOT NULL)"
            " GROUP BY 8 ORDER BY 8 DESC"),
        {conversationId});
    const TotalsColumns c{Columns(*q)};
    QList<Totals> out;
    while (q->next())
        out.append(c.read(*q));
    return out;
}

QList<Totals> messagePathTotals(const QSqlDatabase &db, const QString &messageId)
{
    CachedQuery q(
        db,
        QStringLiteral("SELECT u.messages AS messages, u.estimated AS estimated,"
                       " u.input_tokens AS input_tokens, u.output_tokens AS output_tokens,"
                       " u.cached_tokens AS cached_tokens,"
                       " u.reasoning_tokens AS reasoning_tokens,"
                       " u.cost_nanos AS cost_nanos, u.currency AS currency"
                       " FROM usage_paths u WHERE u.message_id = ? AND u.messages > 0"
                       " ORDER BY u.currency DESC"),
        {messageId});
    const TotalsColumns c{Columns(*q)};
    QList<Totals> out;
    while (q->next())
        out.append(c.read(*q));
    return out;
}

QList<Totals> pathTotals(const QSqlDatabase &db, const QString &conversationId)
{
    // The leaf's kept sums (migration 0019) count every message of the path, tombstoned ones
    // too; they are the branch's total when no message of the path is tombstoned, which holds
    // when the leaf is live and no live message of the conversation has a tombstoned parent.
    QString leaf;
    bool walk = false;
    {
        CachedQuery q(db,
                      QStringLiteral("SELECT m.id AS leaf, m.deleted_at IS NOT NULL AS deleted,"
                                     " coalesce((SELECT b.live_under_deleted FROM"
                                     " usage_path_breaks b WHERE b.conversation_id = c.id), 0)"
                                     " AS breaks FROM conversations c JOIN messages m"
                                     " ON m.id = c.current_leaf_id WHERE c.id = ?"),
                      {conversationId});
        if (!q->next())
            return {};
        const Columns c(*q);
        leaf = q->value(c["leaf"]).toString();
        walk = q->value(c["deleted"]).toBool() || q->value(c["breaks"]).toLongLong() != 0;
        q->finish();
    }
    return walk ? walkedPathTotals(db, conversationId) : messagePathTotals(db, leaf);
}

} // namespace arbor::store::usage
