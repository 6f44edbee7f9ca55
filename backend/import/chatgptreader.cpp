// ChatGPT's conversations.json: one object per conversation, its messages a `mapping` from node
// id to {id, message, parent, children}. Today's exports add `current_node`, hidden system
// nodes, `thoughts`/`reasoning_recap` nodes of reasoning models and multimodal parts; older
// ones have only `content.parts` and no `current_node`.
#include "jsonvalue.h"
#include "readers.h"

#include <QHash>
#include <QRegularExpression>

namespace arbor::imports {

namespace {

using json::Value;

QString fenced(const QString &language, const QString &body)
{
    QString fence = QStringLiteral("```");
    while (body.contains(fence))
        fence += u'`';
    return fence + language + u'\n' + body
        + (body.endsWith(u'\n') ? QString() : QStringLiteral("\n")) + fence;
}

/** A part of a multimodal message: text, or a line standing for an asset the export lacks. */
QString partText(const Value &part)
{
    if (part.IsString())
        return json::text(&part);
    if (!part.IsObject())
        return {};
    const QString type = json::text(part, "content_type");
    if (type.endsWith(u"asset_pointer")) {
        QString pointer = json::text(part, "asset_pointer");
        if (const qsizetype scheme = pointer.indexOf(QStringLiteral("://")); scheme >= 0)
            pointer = pointer.mid(scheme + 3);
        const QString kind = type.startsWith(u"audio") ? QStringLiteral("audio")
            : type.startsWith(u"video")                ? QStringLiteral("video")
                                                       : QStringLiteral("image");
        return QStringLiteral("[%1: %2 (not included in the export)]").arg(kind, pointer);
    }
    if (const QString t = json::text(part, "text"); !t.isEmpty())
        return t;
    return type.isEmpty() ? QString() : QStringLiteral("[%1]").arg(type);
}

QString joinedParts(const Value &content)
{
    QStringList out;
    if (const Value *parts = json::array(content, "parts")) {
        for (const Value &p : parts->GetArray()) {
            const QString t = partText(p);
            if (!t.isEmpty())
                out << t;
        }
    }
    return out.join(u'\n');
}

struct Parsed
{
    QString content;
    QString reasoning;
    bool recap = false; ///< a reasoning_recap node: its duration goes to the thoughts above it
    bool hiddenType = false;
};

Parsed parseContent(const Value &message)
{
    Parsed p;
    const Value *content = json::object(message, "content");
    if (!content)
        return p;
    const QString type = json::text(*content, "content_type");
    if (type.isEmpty() || type == u"text" || type == u"multimodal_text") {
        p.content = joinedParts(*content);
    } else if (type == u"code") {
        const QString language = json::text(*content, "language");
        p.content =
            fenced(language == u"unknown" ? QString() : language, json::text(*content, "text"));
    } else if (type == u"execution_output") {
        p.content = fenced(QString(), json::text(*content, "text"));
    } else if (type == u"tether_quote") {
        QString quote = json::text(*content, "text");
        quote.replace(u'\n', QStringLiteral("\n> "));
        p.content = QStringLiteral("> ") + quote;
        const QString title = json::text(*content, "title");
        const QString url = json::text(*content, "url");
        if (!url.isEmpty())
            p.content += QStringLiteral("\n\n— [%1](%2)").arg(title.isEmpty() ? url : title, url);
    } else if (type == u"tether_browsing_display") {
        QStringList parts;
        if (const QString s = json::text(*content, "summary"); !s.isEmpty())
            parts << s;
        if (const QString r = json::text(*content, "result"); !r.isEmpty())
            parts << r;
        p.content = parts.join(QStringLiteral("\n\n"));
    } else if (type == u"thoughts") {
        QStringList parts;
        if (const Value *thoughts = json::array(*content, "thoughts")) {
            for (const Value &t : thoughts->GetArray()) {
                const QString summary = json::text(t, "summary");
                const QString body = json::text(t, "content");
                if (!summary.isEmpty() && !body.isEmpty())
                    parts << QStringLiteral("**%1**\n\n%2").arg(summary, body);
                else if (!summary.isEmpty() || !body.isEmpty())
                    parts << summary + body;
            }
        }
        p.reasoning = parts.join(QStringLiteral("\n\n"));
    } else if (type == u"reasoning_recap") {
        p.recap = true;
        p.content = json::text(*content, "content");
    } else if (type == u"user_editable_context" || type == u"model_editable_context") {
        p.hiddenType = true; // the user's custom instructions and memory: not a turn
    } else if (const QString t = json::text(*content, "text"); !t.isEmpty()) {
        p.content = t; // system_error and other kinds that carry text
    } else if (json::array(*content, "parts")) {
        p.content = joinedParts(*content);
    } else {
        p.content = QStringLiteral("[%1: not supported by this version of Arbor]").arg(type);
    }
    return p;
}

/** "Thought for 1m 5s" / "Thought for 12 seconds" as ms; -1 when not one. */
qint64 recapMs(const QString &text)
{
    static const QRegularExpression re(
        QStringLiteral("(?:(\\d+)\\s*m(?:in(?:ute)?s?)?\\s*)?(\\d+)\\s*s(?:ec(?:ond)?s?)?"));
    const auto m = re.match(text);
    if (!m.hasMatch())
        return -1;
    return (m.captured(1).toLongLong() * 60 + m.captured(2).toLongLong()) * 1000;
}

} // namespace

ImportedConversation readChatGpt(const Value &v)
{
    if (!v.IsObject())
        throw ImportError(QStringLiteral("not a ChatGPT conversation (not an object)"));
    ImportedConversation c;
    c.format = Format::ChatGpt;
    c.sourceId = json::idText(json::member(v, "conversation_id"));
    if (c.sourceId.isEmpty())
        c.sourceId = json::idText(json::member(v, "id"));
    if (c.sourceId.isEmpty())
        throw ImportError(QStringLiteral("the conversation has no “conversation_id” or “id”"));
    c.title = json::text(v, "title");
    c.createdAt = json::epochMs(json::member(v, "create_time"));
    c.updatedAt = json::epochMs(json::member(v, "update_time"));
    const Value *mapping = json::object(v, "mapping");
    if (!mapping)
        throw ImportError(QStringLiteral("the conversation has no “mapping” object"));
    const QString defaultModel = json::text(v, "default_model_slug");

    // parent of every node in the file, and which are kept; a dropped node's children hang on
    // its nearest kept ancestor.
    QHash<QString, QString> parentOf;
    QHash<QString, bool> kept;
    QHash<QString, qsizetype> nodeIndex;
    QHash<QString, qint64> recaps; // kept ancestor → reasoning duration from a recap node
    for (auto it = mapping->MemberBegin(); it != mapping->MemberEnd(); ++it) {
        const QString key = QString::fromUtf8(it->name.GetString(), it->name.GetStringLength());
        const Value &node = it->value;
        if (!node.IsObject())
            throw ImportError(QStringLiteral("mapping node “%1” is not an object").arg(key));
        QString id = json::text(node, "id");
        if (id.isEmpty())
            id = key;
        const Value *parent = json::member(node, "parent");
        if (parent && !parent->IsNull() && !parent->IsString())
            throw ImportError(
                QStringLiteral("mapping node “%1” has a “parent” that is not a string").arg(id));
        parentOf.insert(id, json::text(parent));
        const Value *message = json::object(node, "message");
        bool keep = message != nullptr;
        Parsed parsed;
        QString role;
        if (keep) {
            const Value *author = json::object(*message, "author");
            role = author ? json::text(*author, "role") : QString();
            parsed = parseContent(*message);
            const Value *metadata = json::object(*message, "metadata");
            const bool hidden =
                metadata && json::isTrue(*metadata, "is_visually_hidden_from_conversation");
            if (hidden || parsed.hiddenType || parsed.recap
                || (role == u"system" && parsed.content.trimmed().isEmpty()))
                keep = false;
            if (parsed.recap) {
                qint64 ms =
                    metadata ? qint64(json::number(*metadata, "finished_duration_sec") * 1000) : -1;
                if (ms < 0)
                    ms = recapMs(parsed.content);
                recaps.insert(id, ms);
            }
        }
        kept.insert(id, keep);
        if (!keep)
            continue;
        ImportedNode n;
        n.sourceId = id;
        const Value *author = json::object(*message, "author");
        const QString name = author ? json::text(*author, "name") : QString();
        const Value *metadata = json::object(*message, "metadata");
        if (role == u"user") {
            n.role = QStringLiteral("user");
            n.author = QStringLiteral("You");
        } else if (role == u"system") {
            n.role = QStringLiteral("system");
        } else if (role == u"assistant" || role == u"tool") {
            n.role = QStringLiteral("assistant");
            n.model = metadata ? json::text(*metadata, "model_slug") : QString();
            if (n.model.isEmpty() && role == u"assistant")
                n.model = defaultModel;
            n.author = role == u"tool" ? (name.isEmpty() ? QStringLiteral("tool") : name)
                                       : (n.model.isEmpty() ? QStringLiteral("ChatGPT") : n.model);
        } else {
            throw ImportError(
                QStringLiteral("node “%1” has an unknown author role “%2”").arg(id, role));
        }
        n.createdAt = json::epochMs(json::member(*message, "create_time"));
        n.finishedAt = json::epochMs(json::member(*message, "update_time"));
        n.content = parsed.content;
        n.reasoning = parsed.reasoning;
        const QString status = json::text(*message, "status");
        const Value *finish = metadata ? json::object(*metadata, "finish_details") : nullptr;
        n.finishReason = finish ? json::text(*finish, "type") : QString();
        if (status == u"in_progress" || n.finishReason == u"interrupted")
            n.status = domain::MessageStatus::Interrupted;
        nodeIndex.insert(id, c.nodes.size());
        c.nodes.append(std::move(n));
    }
    // Resolve parents through dropped nodes (bounded: a cycle among them is an error).
    const auto keptAncestor = [&](QString id) -> QString {
        for (qsizetype steps = 0; steps <= parentOf.size(); ++steps) {
            if (id.isEmpty())
                return {};
            if (!parentOf.contains(id))
                return id; // missing: normalize() names it
            if (kept.value(id))
                return id;
            id = parentOf.value(id);
        }
        throw ImportError(QStringLiteral("the parent links of node “%1” form a cycle").arg(id));
    };
    for (ImportedNode &n : c.nodes)
        n.parentSourceId = keptAncestor(parentOf.value(n.sourceId));
    for (auto it = recaps.cbegin(); it != recaps.cend(); ++it) {
        const QString owner = keptAncestor(parentOf.value(it.key()));
        if (const auto at = nodeIndex.constFind(owner); at != nodeIndex.cend() && it.value() >= 0) {
            ImportedNode &n = c.nodes[*at];
            if (!n.reasoning.isEmpty() && n.reasoningMs < 0)
                n.reasoningMs = it.value();
        }
    }
    // Times: a node without one takes its parent's (or the conversation's).
    for (ImportedNode &n : c.nodes) {
        if (n.createdAt == 0) {
            const auto p = nodeIndex.constFind(n.parentSourceId);
            n.createdAt = p != nodeIndex.cend() && c.nodes.at(*p).createdAt
                ? c.nodes.at(*p).createdAt
                : c.createdAt;
        }
        if (n.role == u"assistant" && n.finishedAt == 0)
            n.finishedAt = n.createdAt;
    }
    const QString current = json::text(v, "current_node");
    c.currentSourceNode = current.isEmpty() ? QString() : keptAncestor(current);
    return c;
}

} // namespace arbor::imports
