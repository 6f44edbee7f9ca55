// Arbor JSON, version 1 (docs/arbor-json.md): ids are kept as they are.
#include "jsonvalue.h"
#include "readers.h"

namespace arbor::imports {

namespace {

using json::Value;

qint64 timestamp(const Value &v, const char *key, const QString &where, bool required)
{
    const Value *m = json::member(v, key);
    if (!m || m->IsNull()) {
        if (required)
            throw ImportError(QStringLiteral("%1 has no “%2”").arg(where, QLatin1StringView(key)));
        return 0;
    }
    const qint64 ms = json::isoMs(json::text(m));
    if (ms == 0 && !(m->IsString() && json::text(m).startsWith(u"1970-01-01T00:00:00")))
        throw ImportError(QStringLiteral("%1 has a “%2” that is not a timestamp")
                              .arg(where, QLatin1StringView(key)));
    return ms;
}

QString requiredString(const Value &v, const char *key, const QString &where)
{
    const Value *m = json::member(v, key);
    if (!m || !m->IsString())
        throw ImportError(
            QStringLiteral("%1 has no “%2” string").arg(where, QLatin1StringView(key)));
    return json::text(m);
}

int tokens(const Value &usage, const char *key)
{
    const Value *m = json::member(usage, key);
    return m && m->IsInt() && m->GetInt() >= 0 ? m->GetInt() : -1;
}

ImportedNode readMessage(const Value &m)
{
    if (!m.IsObject())
        throw ImportError(QStringLiteral("a message is not an object"));
    ImportedNode n;
    n.sourceId = requiredString(m, "id", QStringLiteral("a message"));
    const QString where = QStringLiteral("message “%1”").arg(n.sourceId);
    const Value *parent = json::member(m, "parent_id");
    if (parent && !parent->IsNull() && !parent->IsString())
        throw ImportError(QStringLiteral("%1 has a “parent_id” that is not a string").arg(where));
    n.parentSourceId = json::text(parent);
    n.role = requiredString(m, "role", where);
    if (n.role != u"system" && n.role != u"user" && n.role != u"assistant")
        throw ImportError(QStringLiteral("%1 has an unknown role “%2”").arg(where, n.role));
    n.author = json::text(m, "author");
    n.provider = json::text(m, "provider");
    n.model = json::text(m, "model");
    if (const Value *params = json::object(m, "params"))
        n.params = json::compact(*params);
    if (const Value *request = json::object(m, "request"))
        n.request = json::compact(*request);
    const QString status = requiredString(m, "status", where);
    if (status != u"complete" && status != u"cancelled" && status != u"error"
        && status != u"interrupted")
        throw ImportError(QStringLiteral("%1 has an unknown status “%2”").arg(where, status));
    n.status = domain::messageStatusFromString(status);
    n.error = json::text(m, "error");
    n.finishReason = json::text(m, "finish_reason");
    n.createdAt = timestamp(m, "created_at", where, true);
    n.finishedAt = timestamp(m, "finished_at", where, false);
    n.label = json::text(m, "label");
    n.arborSourceId = json::text(m, "source_id");
    if (const Value *blocks = json::array(m, "blocks")) {
        for (const Value &b : blocks->GetArray()) {
            const QString type = json::text(b, "type");
            if (type == u"thinking") {
                n.reasoning += json::text(b, "text");
                const Value *ms = json::member(b, "ms");
                if (ms && ms->IsInt64())
                    n.reasoningMs = ms->GetInt64();
            } else if (type == u"markdown") {
                n.content += json::text(b, "text");
            } else if (type == u"tool_call") {
                // The stored entry, as it is; "at" is where it sits in the text.
                const QList<domain::ToolCall> one =
                    domain::toolcalls::parse(u'[' + json::compact(b) + u']');
                if (one.isEmpty())
                    continue;
                domain::ToolCall call = one.first();
                call.other.remove(QStringLiteral("type"));
                if (!json::member(b, "at"))
                    call.at = n.content.size();
                n.toolCalls.append(call);
            }
        }
    } else {
        throw ImportError(QStringLiteral("%1 has no “blocks” array").arg(where));
    }
    if (const Value *data = json::member(m, "reasoning_data"); data && !data->IsNull())
        n.reasoningData = json::compact(*data);
    if (const Value *usage = json::object(m, "usage")) {
        n.promptTokens = tokens(*usage, "prompt_tokens");
        n.completionTokens = tokens(*usage, "completion_tokens");
        n.cachedTokens = tokens(*usage, "cached_tokens");
        n.reasoningTokens = tokens(*usage, "reasoning_tokens");
        n.usageEstimated = json::isTrue(*usage, "estimated");
        const Value *cost = json::member(*usage, "cost_nanos");
        n.costNanos = cost && cost->IsInt64() ? cost->GetInt64() : -1;
        n.currency = json::text(*usage, "currency");
    }
    return n;
}

} // namespace

ImportedConversation readArbor(const Value &v)
{
    if (!v.IsObject())
        throw ImportError(QStringLiteral("not an Arbor conversation (not an object)"));
    ImportedConversation c;
    c.format = Format::Arbor;
    c.sourceId = requiredString(v, "id", QStringLiteral("the conversation"));
    const QString where = QStringLiteral("conversation “%1”").arg(c.sourceId);
    c.title = json::text(v, "title");
    c.createdAt = timestamp(v, "created_at", where, true);
    c.updatedAt = timestamp(v, "updated_at", where, false);
    c.currentSourceNode = json::text(v, "current_leaf_id");
    if (const Value *settings = json::object(v, "settings"))
        c.settings = json::compact(*settings);
    if (const Value *source = json::object(v, "source")) {
        c.arborSourceFormat = json::text(*source, "format");
        c.arborSourceId = json::text(*source, "id");
    }
    const Value *messages = json::array(v, "messages");
    if (!messages)
        throw ImportError(QStringLiteral("%1 has no “messages” array").arg(where));
    for (const Value &m : messages->GetArray())
        c.nodes.append(readMessage(m));
    return c;
}

Format detectFormat(const Value &e)
{
    if (!e.IsObject())
        return Format::Auto;
    if (json::member(e, "mapping"))
        return Format::ChatGpt;
    if (json::member(e, "chat_messages"))
        return Format::Claude;
    if (json::member(e, "messagesTree") || json::member(e, "conversationId"))
        return Format::LibreChat;
    const Value *chat = json::object(e, "chat");
    if ((chat && json::member(*chat, "history")) || json::object(e, "history"))
        return Format::OpenWebUi;
    if (json::array(e, "messages") && json::member(e, "current_leaf_id"))
        return Format::Arbor;
    return Format::Auto;
}

} // namespace arbor::imports
