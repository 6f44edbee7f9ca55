// Claude.ai's conversations.json: one object per conversation with `chat_messages`. Older
// exports are a flat list (each message answers the one before); newer ones add
// `parent_message_uuid`, so edits and retries are branches. The export does not say which
// branch was shown: the latest-created leaf ends the visible path.
#include "jsonvalue.h"
#include "readers.h"

namespace arbor::imports {

namespace {

using json::Value;

/** The root's parent in Claude's exports: no message. */
const QString NoParent = QStringLiteral("00000000-0000-4000-8000-000000000000");

QString blockText(const Value *content)
{
    if (!content)
        return {};
    if (content->IsString())
        return json::text(content);
    QStringList out;
    if (content->IsArray()) {
        for (const Value &b : content->GetArray()) {
            if (const QString t = json::text(b, "text"); !t.isEmpty())
                out << t;
        }
    }
    return out.join(u'\n');
}

void readBlocks(const Value &blocks, ImportedNode &n)
{
    QStringList reasoning;
    for (const Value &b : blocks.GetArray()) {
        const QString type = json::text(b, "type");
        if (type == u"text") {
            n.content += json::text(b, "text");
        } else if (type == u"thinking") {
            reasoning << json::text(b, "thinking");
            const qint64 start = json::isoMs(json::text(b, "start_timestamp"));
            const qint64 stop = json::isoMs(json::text(b, "stop_timestamp"));
            if (start > 0 && stop >= start)
                n.reasoningMs = std::max<qint64>(0, n.reasoningMs) + (stop - start);
        } else if (type == u"tool_use") {
            domain::ToolCall call;
            call.id = json::text(b, "id");
            call.name = json::text(b, "name");
            const Value *input = json::member(b, "input");
            call.arguments = input ? json::compact(*input) : QStringLiteral("{}");
            call.at = n.content.size();
            n.toolCalls.append(call);
        } else if (type == u"tool_result") {
            const QString useId = json::text(b, "tool_use_id");
            domain::ToolCall *target = nullptr;
            for (auto &call : n.toolCalls) {
                if ((!useId.isEmpty() && call.id == useId)
                    || (useId.isEmpty() && call.name == json::text(b, "name")
                        && call.status == domain::ToolCall::Requested))
                    target = &call;
            }
            if (!target && !n.toolCalls.isEmpty())
                target = &n.toolCalls.last();
            if (target) {
                target->result = blockText(json::member(b, "content"));
                target->isError = json::isTrue(b, "is_error");
                target->status = target->isError ? QString(domain::ToolCall::Failed)
                                                 : QString(domain::ToolCall::Done);
            }
        }
    }
    n.reasoning = reasoning.join(QStringLiteral("\n\n"));
}

} // namespace

ImportedConversation readClaude(const Value &v)
{
    if (!v.IsObject())
        throw ImportError(QStringLiteral("not a Claude conversation (not an object)"));
    ImportedConversation c;
    c.format = Format::Claude;
    c.sourceId = json::text(v, "uuid");
    if (c.sourceId.isEmpty())
        throw ImportError(QStringLiteral("the conversation has no “uuid”"));
    c.title = json::text(v, "name");
    c.createdAt = json::isoMs(json::text(v, "created_at"));
    c.updatedAt = json::isoMs(json::text(v, "updated_at"));
    const QString model = json::text(v, "model");
    const Value *messages = json::array(v, "chat_messages");
    if (!messages)
        throw ImportError(QStringLiteral("the conversation has no “chat_messages” array"));
    QString previous; // flat exports: each message answers the one before it
    for (const Value &m : messages->GetArray()) {
        if (!m.IsObject())
            throw ImportError(QStringLiteral("a chat message is not an object"));
        ImportedNode n;
        n.sourceId = json::text(m, "uuid");
        if (n.sourceId.isEmpty())
            throw ImportError(QStringLiteral("a chat message has no “uuid”"));
        const Value *parent = json::member(m, "parent_message_uuid");
        if (parent && !parent->IsNull() && !parent->IsString())
            throw ImportError(
                QStringLiteral("message “%1” has a “parent_message_uuid” that is not a "
                               "string")
                    .arg(n.sourceId));
        n.parentSourceId = parent ? json::text(parent) : previous;
        if (n.parentSourceId == NoParent)
            n.parentSourceId.clear();
        const QString sender = json::text(m, "sender");
        if (sender == u"human") {
            n.role = QStringLiteral("user");
            n.author = QStringLiteral("You");
        } else if (sender == u"assistant") {
            n.role = QStringLiteral("assistant");
            n.author = QStringLiteral("Claude");
            n.model = model;
        } else {
            throw ImportError(
                QStringLiteral("message “%1” has an unknown sender “%2”").arg(n.sourceId, sender));
        }
        n.createdAt = json::isoMs(json::text(m, "created_at"));
        if (n.createdAt == 0)
            n.createdAt = c.createdAt;
        if (n.role == u"assistant")
            n.finishedAt = std::max(n.createdAt, json::isoMs(json::text(m, "updated_at")));
        const Value *content = json::array(m, "content");
        if (content && !content->Empty())
            readBlocks(*content, n);
        else
            n.content = json::text(m, "text");
        // Attachments and files are not in the export (only their names and extracted text).
        for (const char *key : {"attachments", "files"}) {
            const Value *list = json::array(m, key);
            if (!list)
                continue;
            for (const Value &f : list->GetArray()) {
                const QString name = json::text(f, "file_name");
                const QString extracted = json::text(f, "extracted_content");
                if (name.isEmpty() && extracted.isEmpty())
                    continue;
                n.content +=
                    QStringLiteral("\n\n[file: %1%2]")
                        .arg(name,
                             extracted.isEmpty() ? QStringLiteral(" (not included in the export)")
                                                 : QString());
                if (!extracted.isEmpty())
                    n.content += QStringLiteral("\n\n") + extracted;
            }
        }
        if (n.content.startsWith(QStringLiteral("\n\n")))
            n.content.remove(0, 2);
        previous = n.sourceId;
        c.nodes.append(std::move(n));
    }
    c.currentSourceNode = json::text(v, "current_leaf_message_uuid");
    return c;
}

} // namespace arbor::imports
