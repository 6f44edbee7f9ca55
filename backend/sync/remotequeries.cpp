#include "remotequeries.h"

#include "pgconnection.h"

#include "domain/message.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <tuple>

namespace arbor::sync {

namespace {

std::optional<qint64> optionalNumber(const PgResult &r, int row, int column)
{
    if (r.isNull(row, column))
        return std::nullopt;
    return r.toInt(row, column);
}

/** @brief For NOT NULL text columns: a null QString would be sent as SQL NULL. PostgreSQL's
 *  text cannot hold U+0000 (domain::withoutNul). */
QString text(const QString &value)
{
    return value.isNull() ? QStringLiteral("") : domain::withoutNul(value);
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
    return value.isNull() ? QJsonValue() : QJsonValue(domain::withoutNul(value));
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

QJsonObject conversationJson(const RemoteConversation &c)
{
    return QJsonObject{
        {QStringLiteral("id"), c.id},
        {QStringLiteral("workspace_id"), c.workspaceId},
        {QStringLiteral("title"), text(c.title)},
        {QStringLiteral("current_leaf_id"), json(c.currentLeafId)},
        {QStringLiteral("settings"),
         c.settings.isEmpty() ? QStringLiteral("{}") : domain::withoutNulInJson(c.settings)},
        {QStringLiteral("forked_from_conversation_id"), json(c.forkedFromConversationId)},
        {QStringLiteral("forked_from_message_id"), json(c.forkedFromMessageId)},
        {QStringLiteral("created_at"), json(c.createdAt)},
        {QStringLiteral("updated_at"), json(c.updatedAt)},
        {QStringLiteral("deleted_at"), json(c.deletedAt)},
        {QStringLiteral("source_format"), json(c.sourceFormat)},
        {QStringLiteral("source_id"), json(c.sourceId)},
    };
}

QJsonObject messageJson(const RemoteMessage &m)
{
    return QJsonObject{
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
        {QStringLiteral("reasoning"), text(m.reasoning)},
        {QStringLiteral("reasoning_ms"), json(m.reasoningMs)},
        {QStringLiteral("cached_tokens"), json(m.cachedTokens)},
        {QStringLiteral("reasoning_tokens"), json(m.reasoningTokens)},
        {QStringLiteral("usage_estimated"), m.usageEstimated},
        {QStringLiteral("cost_nanos"), json(m.costNanos)},
        {QStringLiteral("currency"), json(m.currency)},
        {QStringLiteral("first_token_at"), json(m.firstTokenAt)},
        {QStringLiteral("fused_from"), json(m.fusedFrom)},
        {QStringLiteral("params"), json(m.params)},
        {QStringLiteral("request"), json(m.request)},
        {QStringLiteral("reasoning_data"),
         m.reasoningData.isEmpty() ? QJsonValue()
                                   : QJsonValue(domain::withoutNulInJson(m.reasoningData))},
        {QStringLiteral("tool_calls"),
         m.toolCalls.isEmpty() ? QJsonValue() : QJsonValue(domain::withoutNulInJson(m.toolCalls))},
        {QStringLiteral("source_id"), json(m.sourceId)},
    };
}

struct OutcomeName
{
    PushOutcome outcome;
    const char16_t *code;
};
constexpr OutcomeName OutcomeNames[] = {
    {PushOutcome::Ok, u"ok"},
    {PushOutcome::Unchanged, u"unchanged"},
    {PushOutcome::Busy, u"busy"},
    {PushOutcome::NotAMember, u"not-a-member"},
    {PushOutcome::Viewer, u"viewer"},
    {PushOutcome::NotYours, u"not-yours"},
    {PushOutcome::IdTaken, u"id-taken"},
    {PushOutcome::ConversationMissing, u"conversation-missing"},
    {PushOutcome::ParentMissing, u"parent-missing"},
    {PushOutcome::Rejected, u"rejected"},
};

} // namespace

QString outcomeCode(PushOutcome outcome)
{
    for (const OutcomeName &n : OutcomeNames)
        if (n.outcome == outcome)
            return QString::fromUtf16(n.code);
    return QStringLiteral("rejected");
}

PushOutcome pushOutcomeFromString(const QString &code)
{
    for (const OutcomeName &n : OutcomeNames)
        if (code == QStringView(n.code))
            return n.outcome;
    return PushOutcome::Rejected;
}

bool isRefused(PushOutcome outcome)
{
    return outcome != PushOutcome::Ok && outcome != PushOutcome::Unchanged
        && outcome != PushOutcome::Busy;
}

QString describe(PushOutcome outcome, const QString &entity)
{
    const bool message = entity == u"message";
    switch (outcome) {
    case PushOutcome::Ok:
    case PushOutcome::Unchanged:
        return QStringLiteral("on the server");
    case PushOutcome::Busy:
        return QStringLiteral("written at the same time elsewhere; pushed again");
    case PushOutcome::NotAMember:
        return QStringLiteral("you are not a member of its workspace (any more)");
    case PushOutcome::Viewer:
        return QStringLiteral("you are a viewer in its workspace: viewers cannot write");
    case PushOutcome::NotYours:
        return message
            ? QStringLiteral("a teammate wrote this message: only its author can change it")
            : QStringLiteral("a teammate started this conversation: only its creator or a "
                             "workspace admin can change it");
    case PushOutcome::IdTaken:
        return QStringLiteral("the server holds another %1 with this id")
            .arg(message ? QStringLiteral("message") : QStringLiteral("conversation"));
    case PushOutcome::ConversationMissing:
        return QStringLiteral("its conversation is not on the server yet");
    case PushOutcome::ParentMissing:
        return QStringLiteral("the message it follows is not on the server yet");
    case PushOutcome::Rejected:
        return QStringLiteral("the server rejected it");
    }
    return {};
}

namespace remote {

QList<PushedRow> push(PgConnection &conn, const QList<RemoteConversation> &conversations,
                      const QList<RemoteMessage> &messages)
{
    QList<PushedRow> out;
    if (conversations.isEmpty() && messages.isEmpty())
        return out;
    QJsonArray conversationRows;
    for (const RemoteConversation &c : conversations)
        conversationRows.append(conversationJson(c));
    QJsonArray messageRows;
    for (const RemoteMessage &m : messages)
        messageRows.append(messageJson(m));
    const PgResult r =
        conn.exec(QStringLiteral("SELECT entity, id, outcome FROM arbor.push($1::json, $2::json)"),
                  {jsonText(conversationRows), jsonText(messageRows)});
    const int entity = r.column("entity");
    const int id = r.column("id");
    const int outcome = r.column("outcome");
    out.reserve(r.rows());
    for (int i = 0; i < r.rows(); ++i)
        out.append(
            {r.text(i, entity), r.text(i, id), pushOutcomeFromString(r.text(i, outcome)), {}});
    return out;
}

PushOutcome pushConversation(PgConnection &conn, const RemoteConversation &c)
{
    const QList<PushedRow> rows = push(conn, {c}, {});
    if (rows.size() != 1)
        throw PgError(QStringLiteral("the server answered %1 rows for one pushed conversation")
                          .arg(rows.size()));
    return rows.first().outcome;
}

PushOutcome pushMessage(PgConnection &conn, const RemoteMessage &m)
{
    const QList<PushedRow> rows = push(conn, {}, {m});
    if (rows.size() != 1)
        throw PgError(
            QStringLiteral("the server answered %1 rows for one pushed message").arg(rows.size()));
    return rows.first().outcome;
}

namespace {

/** @brief Column indexes of a conversation's fields in a result, by name. */
struct ConversationColumns
{
    explicit ConversationColumns(const PgResult &r, const char *idColumn = "id")
        : id(r.column(idColumn))
        , workspaceId(r.column("workspace_id"))
        , title(r.column("title"))
        , currentLeafId(r.column("current_leaf_id"))
        , settings(r.column("settings"))
        , createdBy(r.column("created_by"))
        , forkedFromConversationId(r.column("forked_from_conversation_id"))
        , forkedFromMessageId(r.column("forked_from_message_id"))
        , createdAt(r.column("created_at"))
        , updatedAt(r.column("updated_at"))
        , deletedAt(r.column("deleted_at"))
        , sourceFormat(r.column("source_format"))
        , sourceId(r.column("source_id"))
    {
    }

    RemoteConversation read(const PgResult &r, int row) const
    {
        RemoteConversation c;
        c.id = r.text(row, id);
        c.workspaceId = r.text(row, workspaceId);
        c.title = r.text(row, title);
        c.currentLeafId = r.text(row, currentLeafId);
        c.settings = r.text(row, settings);
        c.createdBy = r.text(row, createdBy);
        c.forkedFromConversationId = r.text(row, forkedFromConversationId);
        c.forkedFromMessageId = r.text(row, forkedFromMessageId);
        c.createdAt = r.toInt(row, createdAt);
        c.updatedAt = r.toInt(row, updatedAt);
        c.deletedAt = optionalNumber(r, row, deletedAt);
        c.sourceFormat = r.text(row, sourceFormat);
        c.sourceId = r.text(row, sourceId);
        return c;
    }

    int id, workspaceId, title, currentLeafId, settings, createdBy, forkedFromConversationId,
        forkedFromMessageId, createdAt, updatedAt, deletedAt, sourceFormat, sourceId;
};

/** @brief Column indexes of a message's fields in a result, by name. */
struct MessageColumns
{
    explicit MessageColumns(const PgResult &r, const char *idColumn = "id")
        : id(r.column(idColumn))
        , workspaceId(r.column("workspace_id"))
        , conversationId(r.column("conversation_id"))
        , parentId(r.column("parent_id"))
        , role(r.column("role"))
        , author(r.column("author"))
        , provider(r.column("provider"))
        , model(r.column("model"))
        , content(r.column("content"))
        , status(r.column("status"))
        , error(r.column("error"))
        , finishReason(r.column("finish_reason"))
        , label(r.column("label"))
        , deletedBatch(r.column("deleted_batch"))
        , promptTokens(r.column("prompt_tokens"))
        , completionTokens(r.column("completion_tokens"))
        , createdAt(r.column("created_at"))
        , finishedAt(r.column("finished_at"))
        , deletedAt(r.column("deleted_at"))
        , reasoning(r.column("reasoning"))
        , reasoningMs(r.column("reasoning_ms"))
        , reasoningData(r.column("reasoning_data"))
        , toolCalls(r.column("tool_calls"))
        , cachedTokens(r.column("cached_tokens"))
        , reasoningTokens(r.column("reasoning_tokens"))
        , usageEstimated(r.column("usage_estimated"))
        , costNanos(r.column("cost_nanos"))
        , currency(r.column("currency"))
        , sourceId(r.column("source_id"))
        , firstTokenAt(r.column("first_token_at"))
        , fusedFrom(r.column("fused_from"))
        , params(r.column("params"))
        , request(r.column("request"))
    {
    }

    RemoteMessage read(const PgResult &r, int row) const
    {
        RemoteMessage m;
        m.id = r.text(row, id);
        m.workspaceId = r.text(row, workspaceId);
        m.conversationId = r.text(row, conversationId);
        m.parentId = r.text(row, parentId);
        m.role = r.text(row, role);
        m.author = r.text(row, author);
        m.provider = r.text(row, provider);
        m.model = r.text(row, model);
        m.content = r.text(row, content);
        m.status = r.text(row, status);
        m.error = r.text(row, error);
        m.finishReason = r.text(row, finishReason);
        m.label = r.text(row, label);
        m.deletedBatch = r.text(row, deletedBatch);
        m.promptTokens = optionalNumber(r, row, promptTokens);
        m.completionTokens = optionalNumber(r, row, completionTokens);
        m.createdAt = r.toInt(row, createdAt);
        m.finishedAt = optionalNumber(r, row, finishedAt);
        m.deletedAt = optionalNumber(r, row, deletedAt);
        m.reasoning = r.text(row, reasoning);
        m.reasoningMs = optionalNumber(r, row, reasoningMs);
        m.reasoningData = r.text(row, reasoningData);
        m.toolCalls = r.text(row, toolCalls);
        m.cachedTokens = optionalNumber(r, row, cachedTokens);
        m.reasoningTokens = optionalNumber(r, row, reasoningTokens);
        m.usageEstimated = r.text(row, usageEstimated) == u"t";
        m.costNanos = optionalNumber(r, row, costNanos);
        m.currency = r.text(row, currency);
        m.sourceId = r.text(row, sourceId);
        m.firstTokenAt = optionalNumber(r, row, firstTokenAt);
        m.fusedFrom = r.text(row, fusedFrom);
        m.params = r.text(row, params);
        m.request = r.text(row, request);
        return m;
    }

    int id, workspaceId, conversationId, parentId, role, author, provider, model, content, status,
        error, finishReason, label, deletedBatch, promptTokens, completionTokens, createdAt,
        finishedAt, deletedAt, reasoning, reasoningMs, reasoningData, toolCalls, cachedTokens,
        reasoningTokens, usageEstimated, costNanos, currency, sourceId, firstTokenAt, fusedFrom,
        params, request;
};

} // namespace

QList<RemoteConversation> fetchConversations(PgConnection &conn, const QStringList &ids)
{
    const PgResult r = conn.exec(
        QStringLiteral(
            "SELECT id, workspace_id, title, current_leaf_id, settings::text AS settings, "
            "created_by, forked_from_conversation_id, forked_from_message_id, created_at, "
            "updated_at, deleted_at, source_format, source_id "
            "FROM arbor.conversations WHERE id = ANY($1::uuid[]) ORDER BY created_at, id"),
        {textArray(ids)});
    const ConversationColumns columns(r);
    QList<RemoteConversation> rows;
    rows.reserve(r.rows());
    for (int i = 0; i < r.rows(); ++i)
        rows.append(columns.read(r, i));
    return rows;
}

QList<RemoteMessage> fetchMessages(PgConnection &conn, const QStringList &ids)
{
    const PgResult r = conn.exec(
        QStringLiteral("SELECT id, workspace_id, conversation_id, parent_id, role, author, "
                       "provider, model, content, status, error, finish_reason, label, "
                       "deleted_batch, prompt_tokens, completion_tokens, created_at, finished_at, "
                       "deleted_at, reasoning, reasoning_ms, reasoning_data, tool_calls, "
                       "cached_tokens, reasoning_tokens, usage_estimated, cost_nanos, currency, "
                       "source_id, first_token_at, fused_from, params, request "
                       "FROM arbor.messages WHERE id = ANY($1::uuid[]) ORDER BY created_at, id"),
        {textArray(ids)});
    const MessageColumns columns(r);
    QList<RemoteMessage> rows;
    rows.reserve(r.rows());
    for (int i = 0; i < r.rows(); ++i)
        rows.append(columns.read(r, i));
    return rows;
}

PullPage pull(PgConnection &conn, const PullPositions &after, int limit)
{
    QJsonObject positions;
    for (auto it = after.begin(); it != after.end(); ++it)
        positions.insert(it.key(), QString::number(it.value()));
    const PgResult r =
        conn.exec(QStringLiteral("SELECT * FROM arbor.pull($1::json, $2::integer)"),
                  {QString::fromUtf8(QJsonDocument(positions).toJson(QJsonDocument::Compact)),
                   QString::number(limit)});
    const int workspace = r.column("workspace_id");
    const int lastPosition = r.column("last_position");
    const int changes = r.column("changes");
    const int entity = r.column("entity");
    const int createdAt = r.column("created_at");
    const ConversationColumns conversation(r, "entity_id");
    const MessageColumns message(r, "entity_id");
    PullPage page;
    page.messages.reserve(r.rows());
    for (int i = 0; i < r.rows(); ++i) {
        if (r.isNull(i, entity)) { // a workspace's summary
            const int count = int(r.toInt(i, changes));
            page.next.insert(r.text(i, workspace), r.toInt(i, lastPosition));
            page.changes += count;
            page.more = page.more || count >= limit;
            continue;
        }
        if (r.isNull(i, createdAt))
            continue; // a row this person cannot read (the log and the rows share one policy)
        if (r.text(i, entity) == u"conversation")
            page.conversations.append(conversation.read(r, i));
        else
            page.messages.append(message.read(r, i));
    }
    const auto byCreation = [](const auto &a, const auto &b) {
        return std::tie(a.createdAt, a.id) < std::tie(b.createdAt, b.id);
    };
    std::sort(page.conversations.begin(), page.conversations.end(), byCreation);
    std::sort(page.messages.begin(), page.messages.end(), byCreation);
    return page;
}

QList<Workspace> workspaces(PgConnection &conn)
{
    const PgResult r =
        conn.exec(QStringLiteral("SELECT id, name, role, channel FROM arbor.my_workspaces()"));
    const int id = r.column("id");
    const int name = r.column("name");
    const int role = r.column("role");
    const int channel = r.column("channel");
    QList<Workspace> list;
    for (int i = 0; i < r.rows(); ++i)
        list.append({r.text(i, id), r.text(i, name), r.text(i, role), r.text(i, channel)});
    return list;
}

void setPresence(PgConnection &conn, const QString &workspaceId, const QString &conversationId,
                 bool typing, bool online)
{
    conn.exec(QStringLiteral("SELECT arbor.set_presence($1::uuid, $2::uuid, $3, $4)"),
              {workspaceId, conversationId.isEmpty() ? QString() : conversationId,
               typing ? QStringLiteral("true") : QStringLiteral("false"),
               online ? QStringLiteral("true") : QStringLiteral("false")});
}

QList<PresenceEntry> presence(PgConnection &conn)
{
    const PgResult r = conn.exec(QStringLiteral(
        "SELECT workspace_id, role_name, coalesce(conversation_id::text, '') AS conversation_id, "
        "typing, online AND seen_at > now() - interval '30 seconds' AS online "
        "FROM arbor.presence ORDER BY workspace_id, role_name"));
    const int workspace = r.column("workspace_id");
    const int user = r.column("role_name");
    const int conversation = r.column("conversation_id");
    const int typing = r.column("typing");
    const int online = r.column("online");
    QList<PresenceEntry> out;
    for (int i = 0; i < r.rows(); ++i)
        out.append({r.text(i, workspace), r.text(i, user), r.text(i, conversation),
                    r.text(i, typing) == u"t", r.text(i, online) == u"t"});
    return out;
}

void listen(PgConnection &conn, const QString &channel)
{
    conn.exec(QStringLiteral("LISTEN ") + conn.quoteIdentifier(channel));
}

void unlisten(PgConnection &conn, const QString &channel)
{
    conn.exec(QStringLiteral("UNLISTEN ") + conn.quoteIdentifier(channel));
}

QList<Change> changes(PgConnection &conn, const QString &workspaceId, qint64 after, int limit)
{
    const PgResult rows = conn.exec(
        QStringLiteral("SELECT workspace_id, position, entity, entity_id, conversation_id, op "
                       "FROM arbor.changes WHERE workspace_id = $1 AND position > $2 "
                       "ORDER BY position LIMIT $3"),
        {workspaceId, QString::number(after), QString::number(limit)});
    QList<Change> out;
    out.reserve(rows.rows());
    for (int i = 0; i < rows.rows(); ++i) {
        Change c;
        c.workspaceId = rows.text(i, rows.column("workspace_id"));
        c.position = rows.toInt(i, rows.column("position"));
        c.entity = rows.text(i, rows.column("entity"));
        c.entityId = rows.text(i, rows.column("entity_id"));
        c.conversationId = rows.text(i, rows.column("conversation_id"));
        c.op = rows.text(i, rows.column("op"));
        out.append(std::move(c));
    }
    return out;
}

} // namespace remote

} // namespace arbor::sync
