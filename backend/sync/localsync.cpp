#include "localsync.h"

#include "domain/ids.h"
#include "store/sql.h"
#include "store/store.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QSqlQuery>

#include <sqlite3.h>

#include <utility>

namespace arbor::sync::local {

Q_LOGGING_CATEGORY(lcLocalSync, "arbor.sync.local", QtInfoMsg)

using store::exec;
using store::execCached;
using store::nullIfEmpty;

namespace {

std::optional<qint64> optionalInt(const QVariant &v)
{
    if (v.isNull())
        return std::nullopt;
    return v.toLongLong();
}

QVariant variant(const std::optional<qint64> &v)
{
    return v ? QVariant(*v) : QVariant();
}

QString textOrEmpty(const QVariant &v)
{
    return v.isNull() ? QString() : v.toString();
}

QString textColumn(sqlite3_stmt *st, int column)
{
    return QString::fromUtf8(reinterpret_cast<const char *>(sqlite3_column_text(st, column)),
                             sqlite3_column_bytes(st, column));
}

/** @brief Reads the row of a conversation outbox entry; false when there is nothing to push. */
bool readConversation(QSqlDatabase &db, const QString &id, RemoteConversation &rc)
{
    // A fork's origin is sent only when it is a conversation of the same workspace: an origin
    // in another workspace (or a personal one) names ids the teammates must not learn.
    store::CachedQuery cached = execCached(
        db,
        QStringLiteral(
            "SELECT c.workspace_id, c.title, c.current_leaf_id, c.settings, "
            "CASE WHEN o.workspace_id IS c.workspace_id THEN c.forked_from_conversation_id END "
            "  AS origin_conversation, "
            "CASE WHEN o.workspace_id IS c.workspace_id THEN c.forked_from_message_id END "
            "  AS origin_message, "
            "c.created_at, c.updated_at, c.deleted_at, c.source_format, c.source_id "
            "FROM conversations c LEFT JOIN conversations o ON o.id = "
            "c.forked_from_conversation_id "
            "WHERE c.id = ?"),
        {id});
    QSqlQuery &c = *cached;
    const store::Columns at(c);
    const bool found = c.next() && !c.value(at["workspace_id"]).isNull();
    if (found) {
        rc.id = id;
        rc.workspaceId = c.value(at["workspace_id"]).toString();
        rc.title = c.value(at["title"]).toString();
        rc.currentLeafId = textOrEmpty(c.value(at["current_leaf_id"]));
        rc.settings = c.value(at["settings"]).toString();
        rc.forkedFromConversationId = textOrEmpty(c.value(at["origin_conversation"]));
        rc.forkedFromMessageId = textOrEmpty(c.value(at["origin_message"]));
        rc.createdAt = c.value(at["created_at"]).toLongLong();
        rc.updatedAt = c.value(at["updated_at"]).toLongLong();
        rc.deletedAt = optionalInt(c.value(at["deleted_at"]));
        rc.sourceFormat = textOrEmpty(c.value(at["source_format"]));
        rc.sourceId = textOrEmpty(c.value(at["source_id"]));
    }
    c.finish(); // a cached statement left mid-rows would pin this reader's snapshot
    return found;
}

/** @brief Reads the row of a message outbox entry; false when there is nothing to push. */
bool readMessage(QSqlDatabase &db, const QString &id, RemoteMessage &rm)
{
    // Streaming text lives in chunks until the reply ends: push content + chunks.
    store::CachedQuery cached = execCached(
        db,
        QStringLiteral(
            "SELECT c.workspace_id, m.conversation_id, m.parent_id, m.role, m.provider, "
            "m.model, m.content || coalesce((SELECT group_concat(text, '') FROM "
            "(SELECT text FROM message_chunks WHERE message_id = m.id ORDER BY seq)), '') "
            "  AS content, "
            "m.status, m.error, m.finish_reason, m.prompt_tokens, m.completion_tokens, "
            "m.label, m.created_at, m.finished_at, m.deleted_at, m.deleted_batch, "
            "m.reasoning || coalesce((SELECT group_concat(text, '') FROM "
            "(SELECT text FROM message_reasoning_chunks WHERE message_id = m.id ORDER BY seq)), "
            "'') AS reasoning, m.reasoning_ms, m.reasoning_data, m.tool_calls, m.cached_tokens, "
            "m.reasoning_tokens, m.usage_estimated, m.cost_nanos, m.currency, m.source_id, "
            "m.first_token_at, m.fused_from, m.params, m.request "
            "FROM messages m JOIN conversations c ON c.id = m.conversation_id "
            "WHERE m.id = ?"),
        {id});
    QSqlQuery &m = *cached;
    const store::Columns at(m);
    const bool found = m.next() && !m.value(at["workspace_id"]).isNull();
    if (found) {
        rm.id = id;
        rm.workspaceId = m.value(at["workspace_id"]).toString();
        rm.conversationId = m.value(at["conversation_id"]).toString();
        rm.parentId = textOrEmpty(m.value(at["parent_id"]));
        rm.role = m.value(at["role"]).toString();
        rm.provider = m.value(at["provider"]).toString();
        rm.model = m.value(at["model"]).toString();
        rm.content = m.value(at["content"]).toString();
        rm.status = m.value(at["status"]).toString();
        rm.error = m.value(at["error"]).toString();
        rm.finishReason = m.value(at["finish_reason"]).toString();
        rm.promptTokens = optionalInt(m.value(at["prompt_tokens"]));
        rm.completionTokens = optionalInt(m.value(at["completion_tokens"]));
        rm.label = textOrEmpty(m.value(at["label"]));
        rm.createdAt = m.value(at["created_at"]).toLongLong();
        rm.finishedAt = optionalInt(m.value(at["finished_at"]));
        rm.deletedAt = optionalInt(m.value(at["deleted_at"]));
        rm.deletedBatch = textOrEmpty(m.value(at["deleted_batch"]));
        rm.reasoning = m.value(at["reasoning"]).toString();
        rm.reasoningMs = optionalInt(m.value(at["reasoning_ms"]));
        rm.reasoningData = textOrEmpty(m.value(at["reasoning_data"]));
        rm.toolCalls = textOrEmpty(m.value(at["tool_calls"]));
        rm.cachedTokens = optionalInt(m.value(at["cached_tokens"]));
        rm.reasoningTokens = optionalInt(m.value(at["reasoning_tokens"]));
        rm.usageEstimated = m.value(at["usage_estimated"]).toBool();
        rm.costNanos = optionalInt(m.value(at["cost_nanos"]));
        rm.currency = textOrEmpty(m.value(at["currency"]));
        rm.sourceId = textOrEmpty(m.value(at["source_id"]));
        rm.firstTokenAt = optionalInt(m.value(at["first_token_at"]));
        rm.fusedFrom = textOrEmpty(m.value(at["fused_from"]));
        rm.params = textOrEmpty(m.value(at["params"]));
        rm.request = textOrEmpty(m.value(at["request"]));
    }
    m.finish();
    return found;
}

void refusePulled(QSqlDatabase &db, Applied &applied, const QString &entity, const QString &id,
                  const QString &workspaceId, const QString &reason)
{
    qCWarning(lcLocalSync).noquote()
        << "refused the server's" << entity << id << "of workspace" << workspaceId << ":" << reason;
    execCached(db,
               QStringLiteral("INSERT INTO sync_pull_refusals (entity, entity_id, workspace_id, "
                              "reason, seen_at) VALUES (?, ?, ?, ?, ?) "
                              "ON CONFLICT (entity, entity_id) DO UPDATE SET "
                              "workspace_id = excluded.workspace_id, reason = excluded.reason, "
                              "seen_at = excluded.seen_at"),
               {entity, id, workspaceId, reason, domain::nowMs()});
    ++applied.refused;
}

void applyConversation(QSqlDatabase &db, Applied &applied, const RemoteConversation &c)
{
    store::CachedQuery local = execCached(
        db,
        QStringLiteral("SELECT workspace_id, left_workspace_id FROM conversations WHERE id = ?"),
        {c.id});
    QString here;
    QString left;
    const store::Columns at(*local);
    const bool exists = local->next();
    if (exists) {
        here = textOrEmpty(local->value(at["workspace_id"]));
        left = textOrEmpty(local->value(at["left_workspace_id"]));
    }
    local->finish();
    if (exists && here != c.workspaceId) {
        // The same workspace it left: this person was added back, the copy re-attaches.
        if (here.isEmpty() && left == c.workspaceId) {
            exec(db,
                 QStringLiteral(
                     "UPDATE conversations SET workspace_id = ?, left_workspace_id = NULL, "
                     "left_workspace_name = NULL WHERE id = ?"),
                 {c.workspaceId, c.id});
            // What this person wrote here meanwhile (or never pushed) goes out again; what the
            // server already has comes back unchanged.
            exec(db,
                 QStringLiteral("INSERT INTO sync_outbox (entity, entity_id) SELECT 'message', id "
                                "FROM messages WHERE conversation_id = ? AND synced_at IS NULL "
                                "ORDER BY created_at, rowid "
                                "ON CONFLICT (entity, entity_id) DO UPDATE SET "
                                "version = version + 1, error = ''"),
                 {c.id});
        } else {
            refusePulled(db, applied, QStringLiteral("conversation"), c.id, c.workspaceId,
                         here.isEmpty()
                             ? QStringLiteral("a personal conversation here has the same id")
                             : QStringLiteral("a conversation of another workspace here has the "
                                              "same id"));
            return;
        }
    }
    // The current leaf is each person's own position in the tree: a new copy starts at none (the
    // newest path), an existing one keeps the local position.
    store::CachedQuery q = execCached(
        db,
        QStringLiteral(
            "INSERT INTO conversations (id, workspace_id, title, current_leaf_id, settings, "
            "created_by, forked_from_conversation_id, forked_from_message_id, created_at, "
            "updated_at, deleted_at, source_format, source_id) "
            "VALUES (?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET created_by = excluded.created_by, "
            "title = excluded.title, settings = excluded.settings, "
            "source_format = coalesce(conversations.source_format, excluded.source_format), "
            "source_id = coalesce(conversations.source_id, excluded.source_id), "
            "updated_at = max(updated_at, excluded.updated_at), "
            "deleted_at = coalesce(deleted_at, excluded.deleted_at) "
            "WHERE conversations.workspace_id IS excluded.workspace_id "
            "AND NOT EXISTS (SELECT 1 FROM sync_outbox o WHERE o.entity = 'conversation' "
            "AND o.entity_id = excluded.id) "
            "AND (excluded.updated_at > conversations.updated_at "
            "OR (conversations.deleted_at IS NULL AND excluded.deleted_at IS NOT NULL))"),
        {c.id, c.workspaceId, c.title, c.settings, nullIfEmpty(c.createdBy),
         nullIfEmpty(c.forkedFromConversationId), nullIfEmpty(c.forkedFromMessageId), c.createdAt,
         c.updatedAt, variant(c.deletedAt), nullIfEmpty(c.sourceFormat), nullIfEmpty(c.sourceId)});
    if (q->numRowsAffected() > 0 || (exists && here.isEmpty())) {
        ++applied.conversations;
        applied.conversationIds.insert(c.id);
    }
}

// Messages written here (synced_at NULL) are pushed from here: the server copy never overwrites
// them. Messages that came from the server follow the server, in their own conversation only.
// RETURNING names the rows inserted or really updated.
const QByteArray MessageColumns = QByteArrayLiteral(
    "id, conversation_id, parent_id, role, author, provider, model, content, status, error, "
    "finish_reason, prompt_tokens, completion_tokens, label, created_at, finished_at, "
    "deleted_at, deleted_batch, reasoning, reasoning_ms, reasoning_data, tool_calls, "
    "cached_tokens, reasoning_tokens, usage_estimated, cost_nanos, currency, source_id, "
    "first_token_at, fused_from, params, request");
const QByteArray MessageUpsertTail = QByteArrayLiteral(
    " ON CONFLICT (id) DO UPDATE SET content = excluded.content, "
    "reasoning = excluded.reasoning, reasoning_ms = excluded.reasoning_ms, "
    "reasoning_data = excluded.reasoning_data, tool_calls = excluded.tool_calls, "
    "status = excluded.status, error = excluded.error, "
    "finish_reason = excluded.finish_reason, prompt_tokens = excluded.prompt_tokens, "
    "completion_tokens = excluded.completion_tokens, label = excluded.label, "
    "finished_at = excluded.finished_at, deleted_at = excluded.deleted_at, "
    "deleted_batch = excluded.deleted_batch, cached_tokens = excluded.cached_tokens, "
    "reasoning_tokens = excluded.reasoning_tokens, usage_estimated = excluded.usage_estimated, "
    "cost_nanos = excluded.cost_nanos, currency = excluded.currency, "
    "source_id = coalesce(messages.source_id, excluded.source_id), "
    "first_token_at = excluded.first_token_at, fused_from = excluded.fused_from, "
    "params = excluded.params, request = excluded.request "
    "WHERE messages.synced_at IS NOT NULL "
    "AND messages.conversation_id = excluded.conversation_id "
    "AND NOT EXISTS (SELECT 1 FROM sync_outbox o WHERE o.entity = 'message' "
    "AND o.entity_id = excluded.id) "
    "AND NOT EXISTS (SELECT 1 FROM message_chunks k WHERE k.message_id = excluded.id) "
    "AND (messages.content IS NOT excluded.content OR messages.status IS NOT "
    "excluded.status OR messages.label IS NOT excluded.label "
    "OR messages.deleted_at IS NOT excluded.deleted_at "
    "OR messages.error IS NOT excluded.error "
    "OR messages.finish_reason IS NOT excluded.finish_reason "
    "OR messages.completion_tokens IS NOT excluded.completion_tokens "
    "OR messages.reasoning IS NOT excluded.reasoning "
    "OR messages.reasoning_ms IS NOT excluded.reasoning_ms "
    "OR messages.reasoning_data IS NOT excluded.reasoning_data "
    "OR messages.tool_calls IS NOT excluded.tool_calls "
    "OR messages.prompt_tokens IS NOT excluded.prompt_tokens "
    "OR messages.cached_tokens IS NOT excluded.cached_tokens "
    "OR messages.reasoning_tokens IS NOT excluded.reasoning_tokens "
    "OR messages.usage_estimated IS NOT excluded.usage_estimated "
    "OR messages.cost_nanos IS NOT excluded.cost_nanos "
    "OR messages.currency IS NOT excluded.currency "
    "OR messages.source_id IS NOT excluded.source_id "
    "OR messages.first_token_at IS NOT excluded.first_token_at "
    "OR messages.fused_from IS NOT excluded.fused_from "
    "OR messages.params IS NOT excluded.params "
    "OR messages.request IS NOT excluded.request) "
    "RETURNING id, conversation_id");

void bindMessage(sqlite3_stmt *st, const RemoteMessage &m)
{
    // Text without a copy (each string outlives the step); a null QString is '' for the NOT
    // NULL columns, an empty optional id is NULL.
    const auto text = [st](int i, const QString &v) {
        sqlite3_bind_text16(st, i, v.utf16(), int(v.size() * sizeof(char16_t)), SQLITE_STATIC);
    };
    const auto optionalText = [st, &text](int i, const QString &v) {
        if (v.isEmpty())
            sqlite3_bind_null(st, i);
        else
            text(i, v);
    };
    const auto number = [st](int i, const std::optional<qint64> &v) {
        if (v)
            sqlite3_bind_int64(st, i, *v);
        else
            sqlite3_bind_null(st, i);
    };
    text(1, m.id);
    text(2, m.conversationId);
    optionalText(3, m.parentId);
    text(4, m.role);
    text(5, m.author);
    text(6, m.provider);
    text(7, m.model);
    text(8, m.content);
    text(9, m.status);
    text(10, m.error);
    text(11, m.finishReason);
    number(12, m.promptTokens);
    number(13, m.completionTokens);
    optionalText(14, m.label);
    number(15, m.createdAt);
    number(16, m.finishedAt);
    number(17, m.deletedAt);
    optionalText(18, m.deletedBatch);
    text(19, m.reasoning);
    number(20, m.reasoningMs);
    optionalText(21, m.reasoningData);
    optionalText(22, m.toolCalls);
    number(23, m.cachedTokens);
    number(24, m.reasoningTokens);
    sqlite3_bind_int(st, 25, m.usageEstimated ? 1 : 0);
    number(26, m.costNanos);
    optionalText(27, m.currency);
    optionalText(28, m.sourceId);
    number(29, m.firstTokenAt);
    optionalText(30, m.fusedFrom);
    optionalText(31, m.params);
    optionalText(32, m.request);
}

/** @brief The messages that may be applied, parents before children (clocks of different
 *  machines may disagree on created_at). The others are refused. */
QList<RemoteMessage> admissibleMessages(QSqlDatabase &db, Applied &applied,
                                        QList<RemoteMessage> messages)
{
    // A message goes only into a conversation of its own workspace here.
    QHash<QString, bool> conversationOk;
    const auto inItsWorkspace = [&db, &conversationOk](const RemoteMessage &m) {
        const auto known = conversationOk.constFind(m.conversationId);
        if (known != conversationOk.cend())
            return *known;
        store::CachedQuery q = execCached(
            db, QStringLiteral("SELECT 1 FROM conversations WHERE id = ? AND workspace_id = ?"),
            {m.conversationId, m.workspaceId});
        const bool ok = q->next();
        q->finish();
        conversationOk.insert(m.conversationId, ok);
        return ok;
    };
    // An existing message keeps its conversation. One look-up for the whole page (an initial
    // pull brings thousands of rows per page).
    QHash<QString, QString> existing; // id → its conversation here
    {
        QJsonArray ids;
        for (const RemoteMessage &m : std::as_const(messages))
            ids.append(m.id);
        store::CachedQuery q =
            execCached(db,
                       QStringLiteral("SELECT m.id, m.conversation_id FROM json_each(?) j "
                                      "JOIN messages m ON m.id = j.value"),
                       {QString::fromUtf8(QJsonDocument(ids).toJson(QJsonDocument::Compact))});
        const store::Columns columns(*q);
        const int id = columns["id"];
        const int conversation = columns["conversation_id"];
        while (q->next())
            existing.insert(q->value(id).toString(), q->value(conversation).toString());
    }
    const auto sameConversationHere = [&existing](const RemoteMessage &m) {
        const auto found = existing.constFind(m.id);
        return found == existing.cend() || *found == m.conversationId;
    };
    const auto parentHere = [&db](const RemoteMessage &m) {
        store::CachedQuery q = execCached(
            db, QStringLiteral("SELECT 1 FROM messages WHERE id = ? AND conversation_id = ?"),
            {m.parentId, m.conversationId});
        const bool ok = q->next();
        q->finish();
        return ok;
    };

    QList<RemoteMessage> candidates;
    candidates.reserve(messages.size());
    QHash<QString, QString> inBatch; // id → conversation
    for (RemoteMessage &m : messages) {
        if (!inItsWorkspace(m)) {
            refusePulled(db, applied, QStringLiteral("message"), m.id, m.workspaceId,
                         QStringLiteral("its conversation is not shared in that workspace here"));
        } else if (!sameConversationHere(m)) {
            refusePulled(db, applied, QStringLiteral("message"), m.id, m.workspaceId,
                         QStringLiteral("a message of another conversation here has the same id"));
        } else {
            inBatch.insert(m.id, m.conversationId);
            candidates.append(std::move(m));
        }
    }
    QList<RemoteMessage> ordered;
    ordered.reserve(candidates.size());
    QSet<QString> placed;
    while (!candidates.isEmpty()) {
        QList<RemoteMessage> waiting;
        const qsizetype before = candidates.size();
        for (RemoteMessage &m : candidates) {
            const auto batchParent = inBatch.constFind(m.parentId);
            const bool parentInBatch = batchParent != inBatch.cend();
            if (m.parentId.isEmpty()
                || (parentInBatch && placed.contains(m.parentId)
                    && *batchParent == m.conversationId)
                || (!parentInBatch && parentHere(m))) {
                placed.insert(m.id);
                ordered.append(std::move(m));
            } else {
                waiting.append(std::move(m));
            }
        }
        candidates = std::move(waiting);
        if (candidates.size() == before) {
            // Parents that are neither here nor in the batch (the client fetches missing
            // parents before applying), or in another conversation: never hang a message
            // under a node of another conversation.
            for (const RemoteMessage &m : std::as_const(candidates))
                refusePulled(db, applied, QStringLiteral("message"), m.id, m.workspaceId,
                             QStringLiteral("its parent is not in its conversation here"));
            break;
        }
    }
    return ordered;
}

} // namespace

QString outcomeKey(const QString &entity, const QString &id)
{
    return entity + u'/' + id;
}

QList<OutboxRow> readOutbox(QSqlDatabase &db, int limit)
{
    QList<OutboxRow> rows;
    QSqlQuery q = exec(db,
                       QStringLiteral("SELECT seq, version, entity, entity_id FROM sync_outbox "
                                      "WHERE error = '' ORDER BY seq LIMIT ?"),
                       {limit});
    const store::Columns columns(q);
    const int seq = columns["seq"];
    const int version = columns["version"];
    const int entity = columns["entity"];
    const int entityId = columns["entity_id"];
    while (q.next()) {
        OutboxRow row;
        row.seq = q.value(seq).toLongLong();
        row.version = q.value(version).toLongLong();
        row.entity = q.value(entity).toString();
        row.entityId = q.value(entityId).toString();
        rows.append(row);
    }
    for (OutboxRow &row : rows) {
        row.missing = row.entity == u"conversation"
            ? !readConversation(db, row.entityId, row.conversation)
            : !readMessage(db, row.entityId, row.message);
    }
    return rows;
}

PushRecord recordPush(QSqlDatabase &db, const QList<OutboxRow> &rows,
                      const QHash<QString, PushedRow> &outcomes)
{
    PushRecord record;
    for (const OutboxRow &row : rows) {
        const auto found = outcomes.constFind(outcomeKey(row.entity, row.entityId));
        const bool answered = found != outcomes.cend();
        if (row.missing
            || (answered && !isRefused(found->outcome) && found->outcome != PushOutcome::Busy)) {
            // On the server (or nothing to push): leaves the outbox unless it changed meanwhile
            // (the newer version is pushed next time).
            execCached(db, QStringLiteral("DELETE FROM sync_outbox WHERE seq = ? AND version = ?"),
                       {row.seq, row.version});
            if (!row.missing)
                ++record.pushed;
        } else if (answered && isRefused(found->outcome)) {
            const QString error =
                found->detail.isEmpty() ? describe(found->outcome, row.entity) : found->detail;
            execCached(db,
                       QStringLiteral("UPDATE sync_outbox SET error = ?, reason = ? "
                                      "WHERE seq = ? AND version = ?"),
                       {error, outcomeCode(found->outcome), row.seq, row.version});
            ++record.refused;
        }
    }
    return record;
}

int retryRefused(QSqlDatabase &db, const QList<PushOutcome> &reasons)
{
    if (reasons.isEmpty())
        return exec(db,
                    QStringLiteral("UPDATE sync_outbox SET error = '', reason = '' "
                                   "WHERE error <> ''"))
            .numRowsAffected();
    int retried = 0;
    for (const PushOutcome reason : reasons)
        retried += exec(db,
                        QStringLiteral("UPDATE sync_outbox SET error = '', reason = '' "
                                       "WHERE error <> '' AND reason = ?"),
                        {outcomeCode(reason)})
                       .numRowsAffected();
    return retried;
}

PullPositions positions(QSqlDatabase &db)
{
    PullPositions out;
    store::CachedQuery q =
        execCached(db, QStringLiteral("SELECT workspace_id, position FROM sync_positions"));
    const store::Columns columns(*q);
    const int workspace = columns["workspace_id"];
    const int position = columns["position"];
    while (q->next())
        out.insert(q->value(workspace).toString(), q->value(position).toLongLong());
    return out;
}

void setPositions(QSqlDatabase &db, const PullPositions &positions)
{
    for (auto it = positions.begin(); it != positions.end(); ++it)
        execCached(
            db,
            QStringLiteral("INSERT INTO sync_positions (workspace_id, position) VALUES (?, ?) "
                           "ON CONFLICT (workspace_id) DO UPDATE SET position = "
                           "excluded.position"),
            {it.key(), it.value()});
}

Applied apply(QSqlDatabase &db, const QList<RemoteConversation> &conversations,
              QList<RemoteMessage> messages)
{
    Applied applied;
    const qint64 now = domain::nowMs();
    exec(db, QStringLiteral("UPDATE sync_flags SET applying = 1"));
    for (const RemoteConversation &c : conversations)
        applyConversation(db, applied, c);

    const QList<RemoteMessage> ordered = admissibleMessages(db, applied, std::move(messages));
    if (ordered.isEmpty()) {
        exec(db, QStringLiteral("UPDATE sync_flags SET applying = 0"));
        return applied;
    }
    // A live update is a few rows: one upsert each. A large page goes into a temporary table
    // and then into messages in ONE statement: SQLite opens a statement savepoint for each
    // upsert (messages has triggers), and full-text search writes its pending terms to disk at
    // every savepoint, so row by row each message became its own search segment (43 µs a row,
    // most of an initial pull). On SQLite's C API: Qt's per-value binding cost more than the
    // upsert at the rate of an initial pull.
    constexpr qsizetype RowByRowUpTo = 32;
    if (ordered.size() <= RowByRowUpTo) {
        // Kept prepared on the writer's connection: compiling this upsert (with the tree,
        // search and outbox triggers) costs more than running it.
        static const QString sql = QString::fromLatin1(
            "INSERT INTO messages (" + MessageColumns
            + ", synced_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
              "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            + MessageUpsertTail);
        for (const RemoteMessage &m : ordered) {
            store::CachedQuery upsert =
                execCached(db, sql,
                           QVariantList{m.id,
                                        m.conversationId,
                                        nullIfEmpty(m.parentId),
                                        m.role,
                                        m.author,
                                        m.provider,
                                        m.model,
                                        m.content,
                                        m.status,
                                        m.error,
                                        m.finishReason,
                                        variant(m.promptTokens),
                                        variant(m.completionTokens),
                                        nullIfEmpty(m.label),
                                        m.createdAt,
                                        variant(m.finishedAt),
                                        variant(m.deletedAt),
                                        nullIfEmpty(m.deletedBatch),
                                        m.reasoning.isNull() ? QStringLiteral("") : m.reasoning,
                                        variant(m.reasoningMs),
                                        nullIfEmpty(m.reasoningData),
                                        nullIfEmpty(m.toolCalls),
                                        variant(m.cachedTokens),
                                        variant(m.reasoningTokens),
                                        m.usageEstimated ? 1 : 0,
                                        variant(m.costNanos),
                                        nullIfEmpty(m.currency),
                                        nullIfEmpty(m.sourceId),
                                        variant(m.firstTokenAt),
                                        nullIfEmpty(m.fusedFrom),
                                        nullIfEmpty(m.params),
                                        nullIfEmpty(m.request),
                                        now});
            const store::Columns returned(*upsert);
            const int id = returned["id"];
            const int conversation = returned["conversation_id"];
            while (upsert->next()) {
                ++applied.messages;
                applied.conversationIds.insert(upsert->value(conversation).toString());
                applied.messageIds.append(upsert->value(id).toString());
            }
        }
    } else {
        exec(db,
             QStringLiteral("CREATE TEMP TABLE IF NOT EXISTS pulled_messages ("
                            "seq INTEGER PRIMARY KEY, %1)")
                 .arg(QString::fromLatin1(MessageColumns)));
        exec(db, QStringLiteral("DELETE FROM temp.pulled_messages"));
        {
            store::NativeQuery stage(db,
                                     "INSERT INTO temp.pulled_messages (" + MessageColumns
                                         + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                                           "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                                           "?, ?)");
            for (const RemoteMessage &m : ordered) {
                bindMessage(stage.statement(), m);
                stage.step();
                sqlite3_reset(stage.statement()); // before the next bindings
            }
        }
        // In seq order: parents first (the child counts need the parent in place). SQLite's
        // parser needs the WHERE before ON CONFLICT.
        store::NativeQuery upsert(db,
                                  "INSERT INTO messages (" + MessageColumns + ", synced_at) SELECT "
                                      + MessageColumns
                                      + ", ? FROM temp.pulled_messages WHERE true "
                                        "ORDER BY seq"
                                      + MessageUpsertTail);
        sqlite3_bind_int64(upsert.statement(), 1, now);
        const store::Columns returned(upsert.statement());
        const int id = returned["id"];
        const int conversation = returned["conversation_id"];
        while (upsert.step()) {
            ++applied.messages;
            applied.conversationIds.insert(textColumn(upsert.statement(), conversation));
            applied.messageIds.append(textColumn(upsert.statement(), id));
        }
        exec(db, QStringLiteral("DELETE FROM temp.pulled_messages"));
    }
    exec(db, QStringLiteral("UPDATE sync_flags SET applying = 0"));
    return applied;
}

QStringList absentConversations(QSqlDatabase &db, const QStringList &ids)
{
    QStringList out;
    for (const QString &id : ids) {
        store::CachedQuery q =
            execCached(db, QStringLiteral("SELECT 1 FROM conversations WHERE id = ?"), {id});
        if (!q->next())
            out.append(id);
        q->finish();
    }
    return out;
}

QStringList absentMessages(QSqlDatabase &db, const QStringList &ids)
{
    QStringList out;
    for (const QString &id : ids) {
        store::CachedQuery q =
            execCached(db, QStringLiteral("SELECT 1 FROM messages WHERE id = ?"), {id});
        if (!q->next())
            out.append(id);
        q->finish();
    }
    return out;
}

bool hasUnpushed(const QSqlDatabase &db)
{
    QSqlQuery q = exec(
        db,
        QStringLiteral("SELECT EXISTS (SELECT 1 FROM sync_outbox WHERE error = '') AS waiting"));
    return q.next() && q.value(QStringLiteral("waiting")).toBool();
}

OutboxCounts outboxCounts(const QSqlDatabase &db)
{
    QSqlQuery q = exec(db,
                       QStringLiteral("SELECT count(*) AS pending, count(*) FILTER (WHERE error "
                                      "<> '') AS refused FROM sync_outbox"));
    if (!q.next())
        return {};
    return {q.value(QStringLiteral("pending")).toInt(), q.value(QStringLiteral("refused")).toInt()};
}

QList<QPair<QString, QString>> refusedChanges(const QSqlDatabase &db)
{
    QList<QPair<QString, QString>> out;
    QSqlQuery q = exec(db,
                       QStringLiteral("SELECT entity_id, error FROM sync_outbox "
                                      "WHERE error <> '' ORDER BY seq"));
    while (q.next())
        out.append({q.value(QStringLiteral("entity_id")).toString(),
                    q.value(QStringLiteral("error")).toString()});
    return out;
}

} // namespace arbor::sync::local
