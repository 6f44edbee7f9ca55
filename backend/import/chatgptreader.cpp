// ChatGPT's conversations.json: one object per conversation, its messages a `mapping` from node
// id to {id, message, parent, children}. Today's exports add `current_node`, hidden system
// nodes, `thoughts`/`reasoning_recap` nodes of reasoning models, tool calls (the model writes to
// a tool: `recipient` python, browser, ...; the tool answers as author role "tool") and
// multimodal parts; older ones have only `content.parts` and no `current_node`.
//
// One reply in ChatGPT's window is often a chain of nodes (thoughts, a call, its output, the
// answer). Arbor keeps a reply as one message of blocks, so such a chain is folded into the
// node that ends it: thoughts become its reasoning, a call and the output under it one tool
// call. A node with several children is folded into each of them.
#include "chatgptcontent.h"
#include "jsonvalue.h"
#include "readers.h"

#include <QHash>

namespace arbor::imports {

namespace {

using chatgpt::Kind;
using json::Value;

/** A kept node while the chains are folded. */
struct Node
{
    ImportedNode n;
    Kind kind = Kind::Plain;
    bool toolAuthor = false; ///< written by a tool (its author is the tool's name)
    bool endsTurn = true;    ///< false: the model went on (`end_turn` false), e.g. to a tool
    QString output;          ///< Kind::Output: the tool's result
    QString callName;
    QString callArgs;
};

QString joined(const QString &a, const QString &b)
{
    if (a.isEmpty())
        return b;
    if (b.isEmpty())
        return a;
    return a + QStringLiteral("\n\n") + b;
}

/** What node @p from brings to the node @p to below it in the same reply. */
void foldInto(const Node &from, Node &to)
{
    ImportedNode &t = to.n;
    const ImportedNode &f = from.n;
    t.reasoning = joined(f.reasoning, t.reasoning);
    if (f.reasoningMs >= 0)
        t.reasoningMs = std::max<qint64>(0, t.reasoningMs) + f.reasoningMs;
    QList<domain::ToolCall> calls = f.toolCalls;
    // A tool's output under an open call is its result, not text of the reply; a second
    // output under the same call (a browser opening several pages) adds to it.
    QString own = t.content;
    if (to.kind == Kind::Output && !calls.isEmpty()) {
        domain::ToolCall &call = calls.last();
        if (call.status == domain::ToolCall::Requested) {
            call.result = to.output;
            call.status = domain::ToolCall::Done;
            own.clear();
        } else if (from.kind == Kind::Output) {
            call.result = joined(call.result, to.output);
            own.clear();
        }
        call.finishedAt = std::max(t.finishedAt, t.createdAt);
    }
    const QString content = joined(f.content, own);
    const qsizetype shift = content.size() - own.size();
    for (domain::ToolCall &call : t.toolCalls) {
        call.at += shift;
        calls.append(call);
    }
    t.toolCalls = calls;
    t.content = content;
    if (to.toolAuthor || t.model.isEmpty()) {
        t.model = f.model;
        t.author = f.author;
    }
    to.toolAuthor = from.toolAuthor;
    t.createdAt = f.createdAt ? f.createdAt : t.createdAt;
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
    QList<Node> nodes;
    QHash<QString, qsizetype> nodeIndex;
    QHash<QString, qint64> recaps; // recap node → reasoning duration
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
        kept.insert(id, false);
        if (!message)
            continue;
        const Value *author = json::object(*message, "author");
        const QString role = author ? json::text(*author, "role") : QString();
        const chatgpt::Parsed parsed = chatgpt::parseMessage(*message, role);
        const Value *metadata = json::object(*message, "metadata");
        if (parsed.kind == Kind::Recap) {
            qint64 ms =
                metadata ? qint64(json::number(*metadata, "finished_duration_sec") * 1000) : -1;
            if (ms < 0)
                ms = chatgpt::recapMs(parsed.content);
            recaps.insert(id, ms);
            continue;
        }
        const bool hidden =
            metadata && json::isTrue(*metadata, "is_visually_hidden_from_conversation");
        if (hidden || parsed.kind == Kind::Hidden
            || (role == u"system" && parsed.content.trimmed().isEmpty()))
            continue;
        Node k;
        k.kind = parsed.kind;
        k.output = parsed.output;
        k.callName = parsed.callName;
        k.callArgs = parsed.callArgs;
        if (const Value *end = json::member(*message, "end_turn"); end && end->IsFalse())
            k.endsTurn = false;
        ImportedNode &n = k.n;
        n.sourceId = id;
        const QString name = author ? json::text(*author, "name") : QString();
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
            k.toolAuthor = role == u"tool";
            n.author = k.toolAuthor ? (name.isEmpty() ? QStringLiteral("tool") : name)
                                    : (n.model.isEmpty() ? QStringLiteral("ChatGPT") : n.model);
        } else {
            throw ImportError(
                QStringLiteral("node “%1” has an unknown author role “%2”").arg(id, role));
        }
        n.createdAt = json::epochMs(json::member(*message, "create_time"));
        n.finishedAt = json::epochMs(json::member(*message, "update_time"));
        n.content = parsed.content;
        n.reasoning = parsed.reasoning;
        if (k.kind == Kind::Call) {
            domain::ToolCall call;
            call.id = id;
            call.name = k.callName;
            call.arguments = k.callArgs;
            call.startedAt = n.createdAt;
            n.toolCalls.append(call);
            n.content.clear(); // the call's block shows it
        }
        const QString status = json::text(*message, "status");
        const Value *finish = metadata ? json::object(*metadata, "finish_details") : nullptr;
        n.finishReason = finish ? json::text(*finish, "type") : QString();
        if (status == u"in_progress" || n.finishReason == u"interrupted")
            n.status = domain::MessageStatus::Interrupted;
        kept.insert(id, true);
        nodeIndex.insert(id, nodes.size());
        nodes.append(std::move(k));
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
    for (Node &k : nodes)
        k.n.parentSourceId = keptAncestor(parentOf.value(k.n.sourceId));
    for (auto it = recaps.cbegin(); it != recaps.cend(); ++it) {
        const QString owner = keptAncestor(parentOf.value(it.key()));
        if (const auto at = nodeIndex.constFind(owner); at != nodeIndex.cend() && it.value() >= 0) {
            ImportedNode &n = nodes[*at].n;
            if (!n.reasoning.isEmpty() && n.reasoningMs < 0)
                n.reasoningMs = it.value();
        }
    }
    // Times: a node without one takes its parent's (or the conversation's).
    for (Node &k : nodes) {
        ImportedNode &n = k.n;
        if (n.createdAt == 0) {
            const auto p = nodeIndex.constFind(n.parentSourceId);
            n.createdAt = p != nodeIndex.cend() && nodes.at(*p).n.createdAt
                ? nodes.at(*p).n.createdAt
                : c.createdAt;
        }
        if (n.role == u"assistant" && n.finishedAt == 0)
            n.finishedAt = n.createdAt;
    }

    // Fold each reply's chain, from the roots down (a parent before its children).
    QHash<QString, QList<qsizetype>> children;
    for (qsizetype i = 0; i < nodes.size(); ++i)
        children[nodes.at(i).n.parentSourceId].append(i);
    QList<qsizetype> order;
    QList<QString> queue{QString()};
    QHash<QString, bool> queued;
    for (qsizetype q = 0; q < queue.size(); ++q) {
        for (qsizetype i : children.value(queue.at(q))) {
            if (queued.value(nodes.at(i).n.sourceId))
                continue; // a repeated id: normalize() names it
            queued.insert(nodes.at(i).n.sourceId, true);
            order.append(i);
            queue.append(nodes.at(i).n.sourceId);
        }
    }
    QHash<QString, QString> foldedInto; // a folded node → the first node it went into
    std::vector<bool> gone(size_t(nodes.size()), false);
    for (qsizetype i : std::as_const(order)) {
        const Node &k = nodes.at(i);
        if (k.n.role != u"assistant" || (k.kind == Kind::Plain && k.endsTurn))
            continue;
        const QList<qsizetype> below = children.value(k.n.sourceId);
        bool foldable = !below.isEmpty();
        for (qsizetype j : below)
            foldable = foldable && nodes.at(j).n.role == u"assistant";
        if (!foldable)
            continue;
        for (qsizetype j : below) {
            foldInto(k, nodes[j]);
            nodes[j].n.parentSourceId = k.n.parentSourceId;
        }
        foldedInto.insert(k.n.sourceId, nodes.at(below.first()).n.sourceId);
        gone[size_t(i)] = true;
    }
    for (qsizetype i = 0; i < nodes.size(); ++i) {
        if (!gone[size_t(i)])
            c.nodes.append(std::move(nodes[i].n));
    }
    QString current = json::text(v, "current_node");
    if (!current.isEmpty())
        current = keptAncestor(current);
    for (qsizetype steps = 0; foldedInto.contains(current) && steps <= foldedInto.size(); ++steps)
        current = foldedInto.value(current);
    c.currentSourceNode = current;
    return c;
}

} // namespace arbor::imports
