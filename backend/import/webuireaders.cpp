// Open WebUI ("Export All Chats": [{id, title, chat: {history: {messages, currentId}}}], or one
// chat) and LibreChat (a conversation export: `messagesTree` of nested `children`, or flat
// `messages` with `parentMessageId`).
#include "jsonvalue.h"
#include "readers.h"

#include <QHash>
#include <QRegularExpression>

namespace arbor::imports {

namespace {

using json::Value;

/** LibreChat's parent id of a root message. */
const QString LibreRoot = QStringLiteral("00000000-0000-0000-0000-000000000000");

/** Open WebUI keeps a reasoning model's thinking in the text as
 *  <details type="reasoning" done="true" duration="12">…</details>: taken out into reasoning. */
void splitReasoning(ImportedNode &n)
{
    static const QRegularExpression re(
        QStringLiteral(
            "<details "
            "type=\"reasoning\"([^>]*)>\\s*(?:<summary>.*?</summary>)?(.*?)</details>\\s*"),
        QRegularExpression::DotMatchesEverythingOption);
    static const QRegularExpression duration(QStringLiteral("duration=\"(\\d+)\""));
    const auto m = re.match(n.content);
    if (!m.hasMatch())
        return;
    QStringList lines = m.captured(2).trimmed().split(u'\n');
    for (QString &line : lines) {
        if (line.startsWith(QStringLiteral("> ")))
            line.remove(0, 2);
        else if (line == u">")
            line.clear();
    }
    n.reasoning = lines.join(u'\n');
    if (const auto d = duration.match(m.captured(1)); d.hasMatch())
        n.reasoningMs = d.captured(1).toLongLong() * 1000;
    n.content.remove(m.capturedStart(0), m.capturedLength(0));
}

void readUsage(const Value &usage, ImportedNode &n)
{
    n.promptTokens = json::count(usage, "prompt_tokens");
    n.completionTokens = json::count(usage, "completion_tokens");
    if (n.promptTokens < 0)
        n.promptTokens = json::count(usage, "input_tokens");
    if (n.completionTokens < 0)
        n.completionTokens = json::count(usage, "output_tokens");
    if (n.promptTokens < 0) // Ollama's counts, as Open WebUI passes them on
        n.promptTokens = json::count(usage, "prompt_eval_count");
    if (n.completionTokens < 0)
        n.completionTokens = json::count(usage, "eval_count");
}

QString outputText(const Value *content)
{
    QStringList out;
    if (content && content->IsArray()) {
        for (const Value &part : content->GetArray()) {
            if (const QString t = json::text(part, "text"); !t.isEmpty())
                out << t;
        }
    } else if (content && content->IsString()) {
        out << json::text(content);
    }
    return out.join(QString());
}

/** Newer Open WebUI keeps a reply's parts in `output` (the Responses API's items: reasoning,
 *  function_call, function_call_output, message); `content` is then only their rendering, tool
 *  calls included as <details type="tool_calls"> HTML. False when there is no `output`. */
bool readOutput(const Value &m, ImportedNode &n)
{
    const Value *output = json::array(m, "output");
    if (!output || output->Empty())
        return false;
    QString text;
    QStringList reasoning;
    qint64 reasoningMs = -1;
    QList<domain::ToolCall> calls;
    for (const Value &item : output->GetArray()) {
        const QString type = json::text(item, "type");
        if (type == u"message") {
            text += outputText(json::member(item, "content"));
        } else if (type == u"reasoning") {
            QString r = outputText(json::member(item, "content"));
            if (r.isEmpty())
                r = outputText(json::member(item, "summary"));
            reasoning << r;
            if (const double d = json::number(item, "duration"); d >= 0)
                reasoningMs = std::max<qint64>(0, reasoningMs) + qint64(d * 1000);
        } else if (type == u"function_call") {
            domain::ToolCall call;
            call.id = json::text(item, "call_id");
            if (call.id.isEmpty())
                call.id = json::text(item, "id");
            call.name = json::text(item, "name");
            const Value *args = json::member(item, "arguments");
            call.arguments = args && args->IsString() ? json::text(args)
                : args                                ? json::compact(*args)
                                                      : QStringLiteral("{}");
            call.at = text.size();
            calls.append(call);
        } else if (type == u"function_call_output") {
            const QString id = json::text(item, "call_id");
            for (domain::ToolCall &call : calls) {
                if (call.id == id) {
                    call.result = outputText(json::member(item, "output"));
                    call.status = domain::ToolCall::Done;
                }
            }
        }
    }
    n.content = text;
    n.reasoning = reasoning.join(QStringLiteral("\n\n"));
    n.reasoningMs = n.reasoning.isEmpty() ? -1 : reasoningMs;
    n.toolCalls = calls;
    return true;
}

QString role(const QString &text, const QString &id)
{
    if (text == u"user" || text == u"assistant" || text == u"system")
        return text;
    throw ImportError(QStringLiteral("message “%1” has an unknown role “%2”").arg(id, text));
}

/** LibreChat's `content` parts: text (a string or {value}), think, tool_call. */
void readLibreParts(const Value &parts, ImportedNode &n)
{
    QStringList text;
    QStringList thinking;
    for (const Value &p : parts.GetArray()) {
        const QString type = json::text(p, "type");
        if (type == u"text") {
            const Value *t = json::member(p, "text");
            text << (t && t->IsObject() ? json::text(*t, "value") : json::text(t));
        } else if (type == u"think") {
            const Value *t = json::member(p, "think");
            thinking << (t && t->IsObject() ? json::text(*t, "value") : json::text(t));
        } else if (type == u"tool_call") {
            const Value *call = json::object(p, "tool_call");
            if (!call)
                continue;
            domain::ToolCall tc;
            tc.id = json::text(*call, "id");
            tc.name = json::text(*call, "name");
            const Value *args = json::member(*call, "args");
            tc.arguments = args && args->IsString() ? json::text(args)
                : args                              ? json::compact(*args)
                                                    : QStringLiteral("{}");
            tc.at = text.join(QString()).size();
            if (const Value *out = json::member(*call, "output"); out && out->IsString()) {
                tc.result = json::text(out);
                tc.status = domain::ToolCall::Done;
            }
            n.toolCalls.append(tc);
        }
    }
    n.content = text.join(QString());
    n.reasoning = thinking.join(QStringLiteral("\n\n"));
}

ImportedNode libreNode(const Value &m, const QString &parent)
{
    if (!m.IsObject())
        throw ImportError(QStringLiteral("a message is not an object"));
    ImportedNode n;
    n.sourceId = json::text(m, "messageId");
    if (n.sourceId.isEmpty())
        throw ImportError(QStringLiteral("a message has no “messageId”"));
    n.parentSourceId = parent;
    if (n.parentSourceId == LibreRoot)
        n.parentSourceId.clear();
    const Value *byUser = json::member(m, "isCreatedByUser");
    const bool user = byUser && byUser->IsBool()
        ? byUser->GetBool()
        : json::text(m, "sender").compare(u"User", Qt::CaseInsensitive) == 0;
    n.role = user ? QStringLiteral("user") : QStringLiteral("assistant");
    n.author = user ? QStringLiteral("You") : json::text(m, "sender");
    if (!user)
        n.model = json::text(m, "model");
    n.createdAt = json::epochMs(json::member(m, "createdAt"));
    if (!user)
        n.finishedAt = std::max(n.createdAt, json::epochMs(json::member(m, "updatedAt")));
    const Value *parts = json::array(m, "content");
    if (parts && !parts->Empty())
        readLibreParts(*parts, n);
    if (n.content.isEmpty())
        n.content = json::text(m, "text");
    if (json::isTrue(m, "unfinished"))
        n.status = domain::MessageStatus::Interrupted;
    if (json::isTrue(m, "error"))
        n.status = domain::MessageStatus::Error;
    n.finishReason = json::text(m, "finish_reason");
    if (!user && json::count(m, "tokenCount") >= 0)
        n.completionTokens = json::count(m, "tokenCount");
    return n;
}

void libreTree(const Value &list, const QString &parent, ImportedConversation &c, int depth)
{
    if (depth > 4096)
        throw ImportError(QStringLiteral("the message tree is nested too deeply"));
    for (const Value &m : list.GetArray()) {
        ImportedNode n = libreNode(m, parent);
        const QString id = n.sourceId;
        c.nodes.append(std::move(n));
        if (const Value *children = json::array(m, "children"))
            libreTree(*children, id, c, depth + 1);
    }
}

} // namespace

ImportedConversation readOpenWebUi(const Value &v)
{
    if (!v.IsObject())
        throw ImportError(QStringLiteral("not an Open WebUI chat (not an object)"));
    ImportedConversation c;
    c.format = Format::OpenWebUi;
    const Value *chat = json::object(v, "chat");
    if (!chat)
        chat = &v; // a bare chat object
    c.sourceId = json::idText(json::member(v, "id"));
    if (c.sourceId.isEmpty())
        c.sourceId = json::idText(json::member(*chat, "id"));
    if (c.sourceId.isEmpty())
        throw ImportError(QStringLiteral("the chat has no “id”"));
    c.title = json::text(v, "title");
    if (c.title.isEmpty())
        c.title = json::text(*chat, "title");
    c.createdAt = json::epochMs(json::member(v, "created_at"));
    if (c.createdAt == 0)
        c.createdAt = json::epochMs(json::member(*chat, "timestamp"));
    c.updatedAt = json::epochMs(json::member(v, "updated_at"));
    const Value *history = json::object(*chat, "history");
    const Value *messages = history ? json::object(*history, "messages") : nullptr;
    if (!messages)
        throw ImportError(QStringLiteral("the chat has no “history.messages” object"));
    for (auto it = messages->MemberBegin(); it != messages->MemberEnd(); ++it) {
        const Value &m = it->value;
        const QString key = QString::fromUtf8(it->name.GetString(), it->name.GetStringLength());
        if (!m.IsObject())
            throw ImportError(QStringLiteral("message “%1” is not an object").arg(key));
        ImportedNode n;
        n.sourceId = json::idText(json::member(m, "id"));
        if (n.sourceId.isEmpty())
            n.sourceId = key;
        const Value *parent = json::member(m, "parentId");
        if (parent && !parent->IsNull() && !parent->IsString())
            throw ImportError(QStringLiteral("message “%1” has a “parentId” that is not a string")
                                  .arg(n.sourceId));
        n.parentSourceId = json::text(parent);
        n.role = role(json::text(m, "role"), n.sourceId);
        n.content = json::text(m, "content");
        n.createdAt = json::epochMs(json::member(m, "timestamp"));
        if (n.createdAt == 0)
            n.createdAt = c.createdAt;
        if (n.role == u"user") {
            n.author = QStringLiteral("You");
        } else if (n.role == u"assistant") {
            n.model = json::text(m, "model");
            n.author = json::text(m, "modelName");
            if (n.author.isEmpty())
                n.author = n.model;
            n.finishedAt = n.createdAt;
            if (!readOutput(m, n))
                splitReasoning(n);
            if (const Value *usage = json::object(m, "usage"))
                readUsage(*usage, n);
            else if (const Value *info = json::object(m, "info"))
                readUsage(*info, n);
            const Value *done = json::member(m, "done");
            if (done && done->IsBool() && !done->GetBool())
                n.status = domain::MessageStatus::Interrupted;
            if (const Value *error = json::member(m, "error");
                error && !error->IsNull() && !(error->IsBool() && !error->GetBool())) {
                n.status = domain::MessageStatus::Error;
                n.error = error->IsObject() ? json::text(*error, "content") : json::text(error);
            }
        }
        c.nodes.append(std::move(n));
    }
    c.currentSourceNode = json::idText(json::member(*history, "currentId"));
    return c;
}

ImportedConversation readLibreChat(const Value &v)
{
    if (!v.IsObject())
        throw ImportError(QStringLiteral("not a LibreChat conversation (not an object)"));
    ImportedConversation c;
    c.format = Format::LibreChat;
    c.sourceId = json::text(v, "conversationId");
    if (c.sourceId.isEmpty())
        throw ImportError(QStringLiteral("the conversation has no “conversationId”"));
    c.title = json::text(v, "title");
    if (const Value *tree = json::array(v, "messagesTree")) {
        libreTree(*tree, {}, c, 0);
    } else if (const Value *messages = json::array(v, "messages")) {
        bool nested = false;
        for (const Value &m : messages->GetArray())
            nested = nested || json::array(m, "children") != nullptr;
        if (nested && json::member(v, "recursive") && json::isTrue(v, "recursive")) {
            libreTree(*messages, {}, c, 0);
        } else {
            for (const Value &m : messages->GetArray()) {
                const Value *parent = json::member(m, "parentMessageId");
                if (parent && !parent->IsNull() && !parent->IsString())
                    throw ImportError(QStringLiteral("a message has a “parentMessageId” that is "
                                                     "not a string"));
                c.nodes.append(libreNode(m, json::text(parent)));
            }
        }
    } else {
        throw ImportError(QStringLiteral("the conversation has no “messagesTree” or “messages”"));
    }
    for (const ImportedNode &n : c.nodes) {
        if (c.createdAt == 0 || (n.createdAt && n.createdAt < c.createdAt))
            c.createdAt = n.createdAt;
        c.updatedAt = std::max(c.updatedAt, n.createdAt);
    }
    // Messages saved without times (LibreChat leaves out createdAt when it exports some) take
    // their parent's, so they sort after it, not in 1970.
    QHash<QString, qint64> times;
    for (ImportedNode &n : c.nodes) {
        if (n.createdAt == 0)
            n.createdAt = times.value(n.parentSourceId, c.createdAt);
        if (n.role == u"assistant" && n.finishedAt < n.createdAt)
            n.finishedAt = n.createdAt;
        times.insert(n.sourceId, n.createdAt);
    }
    return c;
}

} // namespace arbor::imports
