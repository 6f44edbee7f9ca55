#include "messagequeries.h"

#include "conversationqueries.h"
#include "sql.h"
#include "treequeries.h"
#include "usagequeries.h"

#include "domain/ids.h"

#include <QDateTime>
#include <QHash>

namespace arbor::store::messages {

namespace {

// Content of a streaming message is its stored prefix plus the chunks not folded in yet.
const QString kColumns = QStringLiteral(
    "m.id, m.conversation_id, m.parent_id, m.role, m.author, m.provider, m.model, "
    "CASE WHEN m.status = 'streaming' THEN m.content || coalesce((SELECT group_concat(c.text, '') "
    "FROM (SELECT text FROM message_chunks WHERE message_id = m.id ORDER BY seq) c), '') "
    "ELSE m.content END AS content, "
    "m.status, m.error, m.finish_reason, m.prompt_tokens, m.completion_tokens, m.created_at, "
    "m.finished_at, "
    "coalesce(m.label, '') AS label, "
    "CASE WHEN m.status = 'streaming' THEN m.reasoning || coalesce((SELECT group_concat(r.text, "
    "'') FROM (SELECT text FROM message_reasoning_chunks WHERE message_id = m.id ORDER BY seq) r), "
    "'') ELSE m.reasoning END AS reasoning, "
    "m.reasoning_ms, m.reasoning_data, m.tool_calls, m.cached_tokens, m.reasoning_tokens, "
    "m.usage_estimated, m.cost_nanos, m.currency, m.first_token_at, m.fused_from, m.params, "
    "m.request, m.source_id");

/** @brief Where the fields of kColumns are in a result. */
struct MessageColumns
{
    explicit MessageColumns(const Columns &c)
        : id(c["id"])
        , conversationId(c["conversation_id"])
        , parentId(c["parent_id"])
        , role(c["role"])
        , author(c["author"])
        , provider(c["provider"])
        , model(c["model"])
        , content(c["content"])
        , status(c["status"])
        , error(c["error"])
        , finishReason(c["finish_reason"])
        , promptTokens(c["prompt_tokens"])
        , completionTokens(c["completion_tokens"])
        , createdAt(c["created_at"])
        , finishedAt(c["finished_at"])
        , label(c["label"])
        , reasoning(c["reasoning"])
        , reasoningMs(c["reasoning_ms"])
        , reasoningData(c["reasoning_data"])
        , toolCalls(c["tool_calls"])
        , cachedTokens(c["cached_tokens"])
        , reasoningTokens(c["reasoning_tokens"])
        , usageEstimated(c["usage_estimated"])
        , costNanos(c["cost_nanos"])
        , currency(c["currency"])
        , firstTokenAt(c["first_token_at"])
        , fusedFrom(c["fused_from"])
        , params(c["params"])
        , request(c["request"])
        , sourceId(c["source_id"])
    {
    }

    Message read(const QSqlQuery &q) const
    {
        Message m;
        m.id = q.value(id).toString();
        m.conversationId = q.value(conversationId).toString();
        m.parentId = q.value(parentId).toString();
        m.role = q.value(role).toString();
        m.author = q.value(author).toString();
        m.provider = q.value(provider).toString();
        m.model = q.value(model).toString();
        m.content = q.value(content).toString();
        m.status = domain::messageStatusFromString(q.value(status).toString());
        m.error = q.value(error).toString();
        m.finishReason = q.value(finishReason).toString();
        const QVariant prompt = q.value(promptTokens);
        m.promptTokens = prompt.isNull() ? -1 : prompt.toInt();
        const QVariant completion = q.value(completionTokens);
        m.completionTokens = completion.isNull() ? -1 : completion.toInt();
        m.createdAt = q.value(createdAt).toLongLong();
        const QVariant finished = q.value(finishedAt);
        m.finishedAt = finished.isNull() ? 0 : finished.toLongLong();
        m.label = q.value(label).toString();
        m.reasoning = q.value(reasoning).toString();
        const QVariant thought = q.value(reasoningMs);
        m.reasoningMs = thought.isNull() ? -1 : thought.toLongLong();
        m.reasoningData = q.value(reasoningData).toString();
        m.toolCalls = q.value(toolCalls).toString();
        const QVariant cached = q.value(cachedTokens);
        m.cachedTokens = cached.isNull() ? -1 : cached.toInt();
        const QVariant reasoned = q.value(reasoningTokens);
        m.reasoningTokens = reasoned.isNull() ? -1 : reasoned.toInt();
        m.usageEstimated = q.value(usageEstimated).toBool();
        const QVariant cost = q.value(costNanos);
        m.costNanos = cost.isNull() ? -1 : cost.toLongLong();
        m.currency = q.value(currency).toString();
        m.firstTokenAt = q.value(firstTokenAt).toLongLong(); // NULL: 0
        m.fusedFrom = q.value(fusedFrom).toString();
        m.params = q.value(params).toString();
        m.request = q.value(request).toString();
        m.sourceId = q.value(sourceId).toString();
        return m;
    }

    int id, conversationId, parentId, role, author, provider, model, content, status, error,
        finishReason, promptTokens, completionTokens, createdAt, finishedAt, label, reasoning,
        reasoningMs, reasoningData, toolCalls, cachedTokens, reasoningTokens, usageEstimated,
        costNanos, currency, firstTokenAt, fusedFrom, params, request, sourceId;
};

} // namespace

std::optional<Message> get(const QSqlDatabase &db, const QString &id)
{
    QSqlQuery q =
        exec(db, QStringLiteral("SELECT %1 FROM messages m WHERE m.id = ?").arg(kColumns), {id});
    const MessageColumns columns{Columns(q)};
    if (!q.next())
        return std::nullopt;
    return columns.read(q);
}

QList<Message> getMany(const QSqlDatabase &db, const QStringList &ids)
{
    if (ids.isEmpty())
        return {};
    const QStringList marks(ids.size(), QStringLiteral("?"));
    QVariantList values;
    values.reserve(ids.size());
    for (const QString &id : ids)
        values.append(id);
    CachedQuery cached(db,
                       QStringLiteral("SELECT %1 FROM messages m WHERE m.id IN (%2)")
                           .arg(kColumns, marks.join(QLatin1Char(','))),
                       values);
    QSqlQuery &q = *cached;
    const MessageColumns columns{Columns(q)};
    QHash<QString, Message> byId;
    byId.reserve(ids.size());
    while (q.next()) {
        Message m = columns.read(q);
        byId.insert(m.id, std::move(m));
    }
    QList<Message> out;
    out.reserve(byId.size());
    for (const QString &id : ids) {
        auto it = byId.find(id);
        if (it != byId.end())
            out.append(std::move(it.value()));
    }
    return out;
}

QList<Message> children(const QSqlDatabase &db, const QString &parentId)
{
    QSqlQuery q = exec(db,
                       QStringLiteral("SELECT %1 FROM messages m WHERE m.parent_id = ? AND "
                                      "m.deleted_at IS NULL ORDER BY m.created_at, m.id")
                           .arg(kColumns),
                       {parentId});
    const MessageColumns columns{Columns(q)};
    QList<Message> out;
    while (q.next())
        out.append(columns.read(q));
    for (qsizetype i = 0; i < out.size(); ++i) {
        out[i].siblingIndex = int(i);
        out[i].siblingCount = int(out.size());
    }
    return out;
}

QList<Message> pathTo(const QSqlDatabase &db, const QString &leafId)
{
    return pathBelow(db, {}, leafId);
}

QString currentLeaf(const QSqlDatabase &db, const QString &conversationId)
{
    QSqlQuery q = exec(db, QStringLiteral("SELECT current_leaf_id FROM conversations WHERE id = ?"),
                       {conversationId});
    return q.next() ? q.value(0).toString() : QString();
}

QList<Message> pathBelow(const QSqlDatabase &db, const QString &ancestorId, const QString &leafId)
{
    // Walk up from the leaf (one indexed lookup per level), then count siblings per node with
    // the (conversation_id, parent_id, created_at, id) index: only the path is read, never the
    // tree.
    QSqlQuery q =
        exec(db,
             QStringLiteral(
                 "WITH RECURSIVE path(id, depth) AS ("
                 "  SELECT id, 0 FROM messages WHERE id = ? AND id <> ?"
                 "  UNION ALL"
                 "  SELECT m.parent_id, p.depth + 1 FROM path p JOIN messages m ON m.id = p.id"
                 "  WHERE m.parent_id IS NOT NULL AND m.parent_id <> ?),"
                 " counted AS (SELECT p.depth, p.id,"
                 "  CASE WHEN m.parent_id IS NULL THEN (SELECT count(*) FROM messages s WHERE "
                 "s.conversation_id = m.conversation_id"
                 "     AND s.parent_id IS NULL AND s.deleted_at IS NULL)"
                 "   ELSE (SELECT pm.child_count FROM messages pm WHERE pm.id = m.parent_id) END "
                 "AS siblings"
                 "  FROM path p JOIN messages m ON m.id = p.id)"
                 " SELECT %1,"
                 "  CASE WHEN c.siblings > 1 THEN (SELECT count(*) FROM messages s WHERE "
                 "s.conversation_id = m.conversation_id"
                 "     AND s.parent_id IS m.parent_id AND s.deleted_at IS NULL"
                 "     AND (s.created_at < m.created_at OR (s.created_at = m.created_at AND s.id < "
                 "m.id))) ELSE 0 END AS sibling_index,"
                 "  c.siblings AS sibling_count"
                 " FROM counted c JOIN messages m ON m.id = c.id ORDER BY c.depth DESC")
                 .arg(kColumns),
             {leafId, ancestorId, ancestorId});
    const Columns columns(q);
    const MessageColumns fields(columns);
    const int siblingIndex = columns["sibling_index"];
    const int siblingCount = columns["sibling_count"];
    QList<Message> out;
    while (q.next()) {
        Message m = fields.read(q);
        m.siblingIndex = q.value(siblingIndex).toInt();
        m.siblingCount = std::max(1, q.value(siblingCount).toInt());
        out.append(std::move(m));
    }
    return out;
}

QString visibleLeaf(const QSqlDatabase &db, const QString &conversationId)
{
    // Team sync: teammates' messages may continue below the leaf this copy last showed, and a
    // conversation that arrived from them has no leaf here yet. Both show the newest path from
    // there (locally the current leaf is always a leaf, so nothing changes for it).
    QString leaf = currentLeaf(db, conversationId);
    if (leaf.isEmpty()) {
        QSqlQuery q =
            exec(db,
                 QStringLiteral(
                     "SELECT id FROM messages WHERE conversation_id = ? AND parent_id IS NULL"
                     " AND deleted_at IS NULL"
                     " ORDER BY coalesce(visited_at, 0) DESC, created_at DESC, id DESC LIMIT 1"),
                 {conversationId});
        if (!q.next())
            return {};
        leaf = q.value(0).toString();
    }
    return tree::latestLeafUnder(db, leaf);
}

QList<Message> visiblePath(const QSqlDatabase &db, const QString &conversationId)
{
    const QString leaf = visibleLeaf(db, conversationId);
    return leaf.isEmpty() ? QList<Message>() : pathTo(db, leaf);
}

QStringList pathIds(const QSqlDatabase &db, const QString &leafId)
{
    QSqlQuery q =
        exec(db,
             QStringLiteral(
                 "WITH RECURSIVE path(id, depth) AS ("
                 "  SELECT id, 0 FROM messages WHERE id = ?"
                 "  UNION ALL"
                 "  SELECT m.parent_id, p.depth + 1 FROM path p JOIN messages m ON m.id = p.id"
                 "  WHERE m.parent_id IS NOT NULL)"
                 " SELECT id FROM path ORDER BY depth DESC"),
             {leafId});
    QStringList ids;
    while (q.next())
        ids.append(q.value(0).toString());
    return ids;
}

qint64 pathLength(const QSqlDatabase &db, const QString &leafId)
{
    QSqlQuery q =
        exec(db,
             QStringLiteral(
                 "WITH RECURSIVE up(id) AS (SELECT ? UNION ALL SELECT m.parent_id FROM messages m"
                 " JOIN up ON m.id = up.id WHERE m.parent_id IS NOT NULL)"
                 " SELECT coalesce(sum(length(m.content)), 0) AS chars FROM up"
                 " JOIN messages m ON m.id = up.id"),
             {leafId});
    return q.next() ? q.value(QStringLiteral("chars")).toLongLong() : 0;
}

QString latestReplyModel(const QSqlDatabase &db, const QString &parentId)
{
    QSqlQuery q = exec(db,
                       QStringLiteral("SELECT provider, model FROM messages WHERE parent_id = ?"
                                      " AND role = 'assistant' ORDER BY created_at DESC LIMIT 1"),
                       {parentId});
    if (!q.next())
        return {};
    return q.value(QStringLiteral("provider")).toString() + QLatin1Char('/')
        + q.value(QStringLiteral("model")).toString();
}

namespace {

QStringList ids(QSqlQuery &q)
{
    const int id = Columns(q)["id"];
    QStringList out;
    while (q.next())
        out.append(q.value(id).toString());
    return out;
}

} // namespace

QStringList idsInBatch(const QSqlDatabase &db, const QString &batch)
{
    QSqlQuery q =
        exec(db, QStringLiteral("SELECT id FROM messages WHERE deleted_batch = ?"), {batch});
    return ids(q);
}

QStringList liveIds(const QSqlDatabase &db, const QString &conversationId)
{
    QSqlQuery q = exec(db,
                       QStringLiteral("SELECT id FROM messages WHERE conversation_id = ? AND "
                                      "status IN ('queued','streaming')"),
                       {conversationId});
    return ids(q);
}

bool isLocalLiveReply(const QSqlDatabase &db, const QString &id)
{
    QSqlQuery q =
        exec(db,
             QStringLiteral("SELECT 1 FROM messages WHERE id = ? AND role = 'assistant'"
                            " AND status IN ('queued', 'streaming') AND synced_at IS NULL"),
             {id});
    return q.next();
}

QList<Unattended> unattendedLive(const QSqlDatabase &db)
{
    QSqlQuery q = exec(db, QStringLiteral(R"sql(
        SELECT m.id, m.content <> '' OR m.reasoning <> '' OR m.tool_calls IS NOT NULL
                     OR EXISTS (SELECT 1 FROM message_chunks k WHERE k.message_id = m.id)
                     OR EXISTS (SELECT 1 FROM message_reasoning_chunks r
                                WHERE r.message_id = m.id) AS has_text
        FROM messages m
        WHERE m.status IN ('queued', 'streaming')
          AND m.synced_at IS NULL -- a teammate's reply streams on their machine, not here
          AND NOT EXISTS (SELECT 1 FROM jobs j
                          WHERE j.subject_id = m.id AND j.state IN ('queued', 'running')))sql"));
    const Columns columns(q);
    const int id = columns["id"];
    const int hasText = columns["has_text"];
    QList<Unattended> out;
    while (q.next())
        out.append({q.value(id).toString(), q.value(hasText).toBool()});
    return out;
}

void insert(const QSqlDatabase &db, const Message &m)
{
    conversations::requireWritable(db, m.conversationId);
    exec(db,
         QStringLiteral(
             "INSERT INTO messages (id, conversation_id, parent_id, role, author, provider, model, "
             "content,"
             " status, error, created_at, visited_at, reasoning, reasoning_ms, reasoning_data,"
             " tool_calls, fused_from, params, request)"
             " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
         {m.id, m.conversationId, nullIfEmpty(m.parentId), m.role, m.author, m.provider, m.model,
          domain::withoutNul(m.content), domain::toString(m.status), domain::withoutNul(m.error),
          m.createdAt, m.createdAt, domain::withoutNul(m.reasoning),
          m.reasoningMs < 0 ? QVariant() : QVariant(m.reasoningMs),
          nullIfEmpty(domain::withoutNulInJson(m.reasoningData)),
          nullIfEmpty(domain::withoutNulInJson(m.toolCalls)), nullIfEmpty(m.fusedFrom),
          nullIfEmpty(m.params), nullIfEmpty(domain::withoutNulInJson(m.request))});
}

void setStatus(const QSqlDatabase &db, const QString &id, MessageStatus status)
{
    exec(db,
         QStringLiteral(
             "UPDATE messages SET status = ? WHERE id = ? AND status IN ('queued', 'streaming')"),
         {domain::toString(status), id});
}

void requeue(const QSqlDatabase &db, const QString &id, const QString &note)
{
    exec(db,
         QStringLiteral("UPDATE messages SET status = 'queued', error = ? WHERE id = ? AND status "
                        "IN ('queued', 'streaming')"),
         {domain::withoutNul(note), id});
}

void appendChunk(const QSqlDatabase &db, const QString &id, int seq, const QString &text)
{
    // Prepared once: a streaming reply stores a chunk every few milliseconds.
    execCached(
        db, QStringLiteral("INSERT INTO message_chunks (message_id, seq, text) VALUES (?, ?, ?)"),
        {id, seq, domain::withoutNul(text)});
}

void appendReasoningChunk(const QSqlDatabase &db, const QString &id, int seq, const QString &text)
{
    execCached(db,
               QStringLiteral(
                   "INSERT INTO message_reasoning_chunks (message_id, seq, text) VALUES (?, ?, ?)"),
               {id, seq, domain::withoutNul(text)});
}

void setReasoningMs(const QSqlDatabase &db, const QString &id, qint64 ms)
{
    exec(db,
         QStringLiteral("UPDATE messages SET reasoning_ms = ? WHERE id = ? AND status IN "
                        "('queued', 'streaming')"),
         {ms, id});
}

void setFirstTokenAt(const QSqlDatabase &db, const QString &id, qint64 ms)
{
    exec(db,
         QStringLiteral("UPDATE messages SET first_token_at = ? WHERE id = ? AND first_token_at IS "
                        "NULL AND status IN ('queued', 'streaming')"),
         {ms, id});
}

void setToolCalls(const QSqlDatabase &db, const QString &id, const QString &toolCalls)
{
    exec(db,
         QStringLiteral("UPDATE messages SET tool_calls = ? WHERE id = ? AND status IN "
                        "('queued', 'streaming')"),
         {nullIfEmpty(domain::withoutNulInJson(toolCalls)), id});
}

QString toolCalls(const QSqlDatabase &db, const QString &id)
{
    QSqlQuery q = exec(db, QStringLiteral("SELECT tool_calls FROM messages WHERE id = ?"), {id});
    return q.next() ? q.value(0).toString() : QString();
}

namespace {

QVariant orNull(int count)
{
    return count < 0 ? QVariant() : QVariant(count);
}

/** The UTC day of @p ms, as prices are dated. */
QString utcDay(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).date().toString(Qt::ISODate);
}

/** Cost and currency of @p tokens for the message's provider and model on @p day. */
std::pair<QVariant, QVariant> costOf(const QSqlDatabase &db, const QString &provider,
                                     const QString &model, const QString &day,
                                     const usage::Tokens &tokens)
{
    const auto price = usage::priceFor(db, provider, model, day);
    if (!price)
        return {};
    return {usage::costNanos(*price, tokens), price->currency};
}

} // namespace

bool finish(const QSqlDatabase &db, const QString &id, const Finish &f)
{
    QString provider, model, parentId;
    {
        CachedQuery live(db,
                         QStringLiteral("SELECT provider, model, parent_id FROM messages"
                                        " WHERE id = ? AND status IN ('queued', 'streaming')"),
                         {id});
        if (live->next()) {
            provider = live->value(0).toString();
            model = live->value(1).toString();
            parentId = live->value(2).toString();
        }
        live->finish();
    }
    const qint64 now = domain::nowMs();
    const bool reported = f.promptTokens >= 0 || f.completionTokens >= 0;
    const usage::Tokens tokens{f.promptTokens, f.completionTokens, f.cachedTokens,
                               f.reasoningTokens};
    const auto [cost, currency] = reported ? costOf(db, provider, model, utcDay(now), tokens)
                                           : std::pair<QVariant, QVariant>{};
    // Prepared once per writer connection: compiling it compiles every trigger it wakes (search,
    // tree, sync, usage totals), which costs more than running it.
    CachedQuery q(
        db,
        QStringLiteral(
            "UPDATE messages SET"
            " content = content || coalesce((SELECT group_concat(c.text, '') FROM"
            "   (SELECT text FROM message_chunks WHERE message_id = ? ORDER BY seq) c), ''),"
            " reasoning = reasoning || coalesce((SELECT group_concat(r.text, '') FROM"
            "   (SELECT text FROM message_reasoning_chunks WHERE message_id = ? ORDER BY seq) r),"
            "   ''),"
            " reasoning_ms = coalesce(?, reasoning_ms),"
            " reasoning_data = coalesce(?, reasoning_data),"
            " tool_calls = coalesce(?, tool_calls),"
            " status = ?, error = ?, finish_reason = ?,"
            " prompt_tokens = ?, completion_tokens = ?, cached_tokens = ?, reasoning_tokens = ?,"
            " cost_nanos = ?, currency = ?, finished_at = ?"
            " WHERE id = ? AND status IN ('queued', 'streaming')"),
        {id, id, f.reasoningMs < 0 ? QVariant() : QVariant(f.reasoningMs),
         nullIfEmpty(domain::withoutNulInJson(f.reasoningData)),
         nullIfEmpty(domain::withoutNulInJson(f.toolCalls)), domain::toString(f.status),
         domain::withoutNul(f.error), f.finishReason, orNull(f.promptTokens),
         orNull(f.completionTokens), orNull(f.cachedTokens), orNull(f.reasoningTokens), cost,
         currency, now, id});
    const bool changed = q->numRowsAffected() > 0;
    execCached(db, QStringLiteral("DELETE FROM message_chunks WHERE message_id = ?"), {id});
    execCached(db, QStringLiteral("DELETE FROM message_reasoning_chunks WHERE message_id = ?"),
               {id});
    if (changed && !reported)
        estimateUsage(db, id, provider, model, parentId, utcDay(now));
    return changed;
}

void estimateUsage(const QSqlDatabase &db, const QString &id, const QString &provider,
                   const QString &model, const QString &parentId, const QString &day)
{
    QSqlQuery q = exec(db,
                       QStringLiteral("SELECT length(content) + length(reasoning) AS chars,"
                                      " length(reasoning) AS reasoning FROM messages WHERE id = ?"),
                       {id});
    if (!q.next())
        return;
    const qint64 chars = q.value(QStringLiteral("chars")).toLongLong();
    const qint64 reasoningChars = q.value(QStringLiteral("reasoning")).toLongLong();
    q.finish();
    if (chars == 0)
        return; // nothing arrived: nothing to charge
    const usage::Tokens tokens{
        usage::estimateTokens(parentId.isEmpty() ? 0 : pathLength(db, parentId)),
        usage::estimateTokens(chars), 0,
        reasoningChars > 0 ? usage::estimateTokens(reasoningChars) : 0};
    const auto [cost, currency] = costOf(db, provider, model, day, tokens);
    exec(db,
         QStringLiteral("UPDATE messages SET prompt_tokens = ?, completion_tokens = ?,"
                        " cached_tokens = NULL, reasoning_tokens = ?, usage_estimated = 1,"
                        " cost_nanos = ?, currency = ? WHERE id = ?"),
         {tokens.input, tokens.output, tokens.reasoning, cost, currency, id});
}

} // namespace arbor::store::messages
