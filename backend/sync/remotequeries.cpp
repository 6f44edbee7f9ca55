#include "remotequeries.h"

#include "pgconnection.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <tuple>

namespace arbor::sync::remote {

namespace {

std::optional<qint64> optionalNumber(const PgResult &r, int row, int column)
{
    if (r.isNull(row, column))
        return std::nullopt;
    return r.toInt(row, column);
}

/** @brief For NOT NULL text columns: a null QString would be sent as SQL NULL. */
QString text(const QString &value)
{
    return value.isNull() ? QStringLiteral("") : value;
}

/** @brief A text[] literal for ANY($1): {"a","b"} with quotes and backslashes escaped. */
QString textArray(const QStringList &values)
{
    QStringList quoted;
    quoted.reserve(values.size());
    for (QString v : values)
        quoted << u'"'
                + v.replace(u'\\', QStringLiteral("\\\\")).replace(u'"', QStringLiteral("\\\""))
                + u'"';
    return u'{' + quoted.join(u',') + u'}';
}

/** @brief A JSON value for json_to_recordset: null for a null QString or an empty optional.
 *  Numbers go as strings, so a 64-bit value is not rounded through a double. */
QJsonValue json(const QString &value)
{
    return value.isNull() ? QJsonValue() : QJsonValue(value);
}

QJsonValue json(qint64 value)
{
    return QString::number(value);
}

QJsonValue json(const std::optional<qint64> &value)
{
    return value ? json(*value) : QJsonValue();
}

QString jsonText(const QJsonArray &rows)
{
    return QString::fromUtf8(QJsonDocument(rows).toJson(QJsonDocument::Compact));
}

} // namespace

int pushConversations(PgConnection &conn, const QList<RemoteConversation> &conversations)
{
    if (conversations.isEmpty())
        return 0;
    QJsonArray rows;
    for (const RemoteConversation &c : conversations)
        rows.append(QJsonObject{
            {QStringLiteral("id"), c.id},
            {QStringLiteral("workspace_id"), c.workspaceId},
            {QStringLiteral("title"), text(c.title)},
            {QStringLiteral("current_leaf_id"), json(c.currentLeafId)},
            {QStringLiteral("settings"), c.settings.isEmpty() ? QStringLiteral("{}") : c.settings},
            {QStringLiteral("forked_from_conversation_id"), json(c.forkedFromConversationId)},
            {QStringLiteral("forked_from_message_id"), json(c.forkedFromMessageId)},
            {QStringLiteral("created_at"), json(c.createdAt)},
            {QStringLiteral("updated_at"), json(c.updatedAt)},
            {QStringLiteral("deleted_at"), json(c.deletedAt)},
        });
    // Last writer by updated_at wins for the mutable fields; an equal or older copy is a no-op.
    const PgResult r = conn.exec(
        QStringLiteral(
            "INSERT INTO arbor.conversations AS t (id, workspace_id, title, current_leaf_id, "
            "  settings, forked_from_conversation_id, forked_from_message_id, created_at, "
            "  updated_at, deleted_at) "
            "SELECT r.id, r.workspace_id, r.title, r.current_leaf_id, r.settings::jsonb, "
            "  r.forked_from_conversation_id, r.forked_from_message_id, r.created_at, "
            "  r.updated_at, r.deleted_at "
            "FROM json_to_recordset($1::json) AS r(id uuid, workspace_id uuid, title text, "
            "  current_leaf_id uuid, settings text, forked_from_conversation_id uuid, "
            "  forked_from_message_id uuid, created_at bigint, updated_at bigint, "
            "  deleted_at bigint) "
            "ON CONFLICT (id) DO UPDATE SET title = EXCLUDED.title, "
            "  current_leaf_id = EXCLUDED.current_leaf_id, settings = EXCLUDED.settings, "
            "  updated_at = EXCLUDED.updated_at, deleted_at = EXCLUDED.deleted_at "
            "WHERE t.updated_at < EXCLUDED.updated_at "
            "  OR (t.deleted_at IS NULL AND EXCLUDED.deleted_at IS NOT NULL)"),
        {jsonText(rows)});
    return int(r.affected());
}

int pushMessages(PgConnection &conn, const QList<RemoteMessage> &messages)
{
    if (messages.isEmpty())
        return 0;
    QJsonArray rows;
    for (const RemoteMessage &m : messages)
        rows.append(QJsonObject{
            {QStringLiteral("id"), m.id},
            {QStringLiteral("workspace_id"), m.workspaceId},
            {QStringLiteral("conversation_id"), m.conversationId},
            {QStringLiteral("parent_id"), json(m.parentId)},
            {QStringLiteral("role"), m.role},
            {QStringLiteral("provider"), text(m.provider)},
            {QStringLiteral("model"), text(m.model)},
            {QStringLiteral("content"), text(m.content)},
            {QStringLiteral("status"), m.status},
            {QStringLiteral("error"), text(m.error)},
            {QStringLiteral("finish_reason"), text(m.finishReason)},
            {QStringLiteral("prompt_tokens"), json(m.promptTokens)},
            {QStringLiteral("completion_tokens"), json(m.completionTokens)},
            {QStringLiteral("label"), json(m.label)},
            {QStringLiteral("created_at"), json(m.createdAt)},
            {QStringLiteral("finished_at"), json(m.finishedAt)},
            {QStringLiteral("deleted_at"), json(m.deletedAt)},
            {QStringLiteral("deleted_batch"), json(m.deletedBatch)},
        });
    // The server copy only moves forward: text grows while streaming, a final status is kept
    // (the server refuses to change a finished message anyway), labels and tombstones follow
    // the pushed copy. Nothing changes, and nothing is logged, when the copies already agree.
    // A child may come before its parent in one statement: the parent key is checked at commit.
    const PgResult r = conn.exec(
        QStringLiteral(
            "INSERT INTO arbor.messages AS t (id, workspace_id, conversation_id, parent_id, "
            "  role, provider, model, content, status, error, finish_reason, prompt_tokens, "
            "  completion_tokens, label, created_at, finished_at, deleted_at, deleted_batch) "
            "SELECT * FROM json_to_recordset($1::json) AS r(id uuid, workspace_id uuid, "
            "  conversation_id uuid, parent_id uuid, role text, provider text, model text, "
            "  content text, status text, error text, finish_reason text, "
            "  prompt_tokens integer, completion_tokens integer, label text, created_at bigint, "
            "  finished_at bigint, deleted_at bigint, deleted_batch text) "
            "ON CONFLICT (id) DO UPDATE SET "
            "  content = CASE WHEN t.status IN ('queued', 'streaming', 'interrupted') "
            "    THEN EXCLUDED.content ELSE t.content END, "
            "  status = CASE WHEN t.status IN ('queued', 'streaming', 'interrupted') "
            "    THEN EXCLUDED.status ELSE t.status END, "
            "  error = EXCLUDED.error, finish_reason = EXCLUDED.finish_reason, "
            "  prompt_tokens = EXCLUDED.prompt_tokens, "
            "  completion_tokens = EXCLUDED.completion_tokens, "
            "  finished_at = EXCLUDED.finished_at, label = EXCLUDED.label, "
            "  deleted_at = EXCLUDED.deleted_at, deleted_batch = EXCLUDED.deleted_batch "
            "WHERE (t.status IN ('queued', 'streaming', 'interrupted') "
            "       AND (t.content, t.status, t.error, t.finish_reason) IS DISTINCT FROM "
            "           (EXCLUDED.content, EXCLUDED.status, EXCLUDED.error, "
            "            EXCLUDED.finish_reason)) "
            "   OR (t.label, t.deleted_at, t.deleted_batch) IS DISTINCT FROM "
            "      (EXCLUDED.label, EXCLUDED.deleted_at, EXCLUDED.deleted_batch)"),
        {jsonText(rows)});
    return int(r.affected());
}

bool pushConversation(PgConnection &conn, const RemoteConversation &c)
{
    return pushConversations(conn, {c}) > 0;
}

bool pushMessage(PgConnection &conn, const RemoteMessage &m)
{
    return pushMessages(conn, {m}) > 0;
}

QList<RemoteConversation> fetchConversations(PgConnection &conn, const QStringList &ids)
{
    const PgResult r = conn.exec(
        QStringLiteral(
            "SELECT id, workspace_id, title, current_leaf_id, settings::text, created_by, "
            "  forked_from_conversation_id, forked_from_message_id, created_at, updated_at, "
            "deleted_at "
            "FROM arbor.conversations WHERE id = ANY($1::uuid[]) ORDER BY created_at, id"),
        {textArray(ids)});
    QList<RemoteConversation> rows;
    rows.reserve(r.rows());
    for (int i = 0; i < r.rows(); ++i)
        rows.append({r.text(i, 0), r.text(i, 1), r.text(i, 2), r.text(i, 3), r.text(i, 4),
                     r.text(i, 5), r.text(i, 6), r.text(i, 7), r.toInt(i, 8), r.toInt(i, 9),
                     optionalNumber(r, i, 10)});
    return rows;
}

QList<RemoteMessage> fetchMessages(PgConnection &conn, const QStringList &ids)
{
    const PgResult r = conn.exec(
        QStringLiteral("SELECT id, workspace_id, conversation_id, parent_id, role, author, "
                       "provider, model, content, "
                       "  status, error, finish_reason, label, deleted_batch, prompt_tokens, "
                       "completion_tokens, "
                       "  created_at, finished_at, deleted_at "
                       "FROM arbor.messages WHERE id = ANY($1::uuid[]) ORDER BY created_at, id"),
        {textArray(ids)});
    QList<RemoteMessage> rows;
    rows.reserve(r.rows());
    for (int i = 0; i < r.rows(); ++i) {
        RemoteMessage m;
        m.id = r.text(i, 0);
        m.workspaceId = r.text(i, 1);
        m.conversationId = r.text(i, 2);
        m.parentId = r.text(i, 3);
        m.role = r.text(i, 4);
        m.author = r.text(i, 5);
        m.provider = r.text(i, 6);
        m.model = r.text(i, 7);
        m.content = r.text(i, 8);
        m.status = r.text(i, 9);
        m.error = r.text(i, 10);
        m.finishReason = r.text(i, 11);
        m.label = r.text(i, 12);
        m.deletedBatch = r.text(i, 13);
        m.promptTokens = optionalNumber(r, i, 14);
        m.completionTokens = optionalNumber(r, i, 15);
        m.createdAt = r.toInt(i, 16);
        m.finishedAt = optionalNumber(r, i, 17);
        m.deletedAt = optionalNumber(r, i, 18);
        rows.append(std::move(m));
    }
    return rows;
}

PullPage pull(PgConnection &conn, const ChangeCursor &after, int limit)
{
    // Columns of arbor.pull(), in order.
    enum Column {
        Changes, LastXid, LastId, HeldBack, Entity, EntityId, WorkspaceId,
        ConversationId, ParentId, Role, Author, Provider, Model, Content, Status, Error,
        FinishReason, Label, DeletedBatch, PromptTokens, CompletionTokens, FinishedAt,
        Title, CurrentLeafId, Settings, CreatedBy, ForkedFromConversationId, ForkedFromMessageId,
        UpdatedAt,
        CreatedAt, DeletedAt
    };
    const PgResult r = conn.exec(
        QStringLiteral("SELECT * FROM arbor.pull($1::xid8, $2::bigint, $3::integer)"),
        {after.xid, QString::number(after.id), QString::number(limit)});
    PullPage page;
    page.next = after;
    if (r.rows() == 0)
        return page;
    page.changes = int(r.toInt(0, Changes));
    page.heldBack = r.text(0, HeldBack) == u"t";
    if (page.changes > 0)
        page.next = {r.text(0, LastXid), r.toInt(0, LastId)};
    page.messages.reserve(r.rows());
    for (int i = 0; i < r.rows(); ++i) {
        if (r.isNull(i, Entity) || r.isNull(i, CreatedAt))
            continue; // an empty page, or a row this person cannot read
        if (r.text(i, Entity) == u"conversation") {
            page.conversations.append({r.text(i, EntityId), r.text(i, WorkspaceId),
                                       r.text(i, Title), r.text(i, CurrentLeafId),
                                       r.text(i, Settings), r.text(i, CreatedBy),
                                       r.text(i, ForkedFromConversationId),
                                       r.text(i, ForkedFromMessageId), r.toInt(i, CreatedAt),
                                       r.toInt(i, UpdatedAt), optionalNumber(r, i, DeletedAt)});
            continue;
        }
        RemoteMessage m;
        m.id = r.text(i, EntityId);
        m.workspaceId = r.text(i, WorkspaceId);
        m.conversationId = r.text(i, ConversationId);
        m.parentId = r.text(i, ParentId);
        m.role = r.text(i, Role);
        m.author = r.text(i, Author);
        m.provider = r.text(i, Provider);
        m.model = r.text(i, Model);
        m.content = r.text(i, Content);
        m.status = r.text(i, Status);
        m.error = r.text(i, Error);
        m.finishReason = r.text(i, FinishReason);
        m.label = r.text(i, Label);
        m.deletedBatch = r.text(i, DeletedBatch);
        m.promptTokens = optionalNumber(r, i, PromptTokens);
        m.completionTokens = optionalNumber(r, i, CompletionTokens);
        m.createdAt = r.toInt(i, CreatedAt);
        m.finishedAt = optionalNumber(r, i, FinishedAt);
        m.deletedAt = optionalNumber(r, i, DeletedAt);
        page.messages.append(std::move(m));
    }
    const auto byCreation = [](const auto &a, const auto &b) {
        return std::tie(a.createdAt, a.id) < std::tie(b.createdAt, b.id);
    };
    std::sort(page.conversations.begin(), page.conversations.end(), byCreation);
    std::sort(page.messages.begin(), page.messages.end(), byCreation);
    return page;
}

} // namespace arbor::sync::remote
