// `arbord show`: the visible path of a conversation, or every branch (--tree). A path can be
// 100,000 messages deep: it is read and printed in slices, and the tree's indentation is bounded,
// so memory and output stay proportional to what is shown.
#include "commands.h"
#include "common.h"
#include "jsonformat.h"

#include "chat/chatreader.h"
#include "chat/chatservice.h"
#include "core/readonlybackend.h"
#include "domain/toolcall.h"
#include "store/conversationqueries.h"
#include "store/messagequeries.h"
#include "store/store.h"
#include "store/treequeries.h"

#include <QCommandLineParser>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QTextStream>

namespace arbor::cli {

namespace {

/** @brief A reply whose process died reads as interrupted (this command never recovers it). */
void markOrphans(const QSqlDatabase &db, QList<domain::Message> &messages)
{
    QStringList live;
    for (const domain::Message &m : std::as_const(messages))
        if (domain::isLive(m.status))
            live.append(m.id);
    const QSet<QString> orphans = chat::ChatReader::orphanedReplies(db, live);
    for (domain::Message &m : messages) {
        if (orphans.contains(m.id)) {
            m.status = domain::MessageStatus::Interrupted;
            m.error = chat::ChatReader::orphanedNote(!m.content.isEmpty());
        }
    }
}

void markOrphans(const QSqlDatabase &db, QList<store::tree::TreeNode> &nodes)
{
    QStringList live;
    for (const store::tree::TreeNode &n : std::as_const(nodes))
        if (domain::isLive(domain::messageStatusFromString(n.status)))
            live.append(n.id);
    const QSet<QString> orphans = chat::ChatReader::orphanedReplies(db, live);
    for (store::tree::TreeNode &n : nodes)
        if (orphans.contains(n.id))
            n.status = domain::toString(domain::MessageStatus::Interrupted);
}

/** @brief Messages read and printed at a time. */
constexpr qsizetype SliceSize = 256;

QByteArray compact(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

/** @brief "850 ms", "4.2 s", "12 s", "3 min 5 s". */
QString thinkingTime(qint64 ms)
{
    if (ms < 1000)
        return QStringLiteral("%1 ms").arg(ms);
    if (ms < 10'000)
        return QStringLiteral("%1 s").arg(double(ms) / 1000, 0, 'f', 1);
    const qint64 s = (ms + 500) / 1000;
    if (s < 60)
        return QStringLiteral("%1 s").arg(s);
    return QStringLiteral("%1 min %2 s").arg(s / 60).arg(s % 60);
}

/** @brief A tool call, set apart like the reasoning: "tool call NAME (id ID):" and its
 *  arguments, pretty-printed JSON, indented; then its result when it has one. */
void printToolCall(const domain::ToolCall &c)
{
    out() << "tool call " << c.name;
    if (!c.id.isEmpty())
        out() << " (id " << c.id << ")";
    out() << ", " << c.status << ":\n";
    const auto indented = [](const QString &text) {
        for (const QStringView line : QStringView(text).trimmed().split(u'\n')) {
            if (!line.isEmpty())
                out() << "    " << line;
            out() << "\n";
        }
    };
    QJsonParseError error{};
    const QJsonDocument arguments = QJsonDocument::fromJson(c.arguments.toUtf8(), &error);
    const bool pretty = error.error == QJsonParseError::NoError
        && !(arguments.isObject() && arguments.object().isEmpty());
    indented(pretty ? QString::fromUtf8(arguments.toJson(QJsonDocument::Indented)) : c.arguments);
    if (!c.result.isEmpty()) {
        out() << (c.isError ? "  error:\n" : "  result:\n");
        indented(c.result);
    }
}

/** @brief The text with its tool calls where they were made (a call at the end after it). */
void printContent(const domain::Message &m)
{
    const QList<domain::ToolCall> calls = domain::toolcalls::parse(m.toolCalls);
    qsizetype from = 0;
    bool afterCall = false; // a blank line sets a call apart from what follows it
    for (const domain::ToolCall &c : calls) {
        const qsizetype at = std::clamp<qsizetype>(c.at, from, m.content.size());
        const QStringView before = QStringView(m.content).sliced(from, at - from);
        if (afterCall)
            out() << "\n";
        if (!before.isEmpty())
            out() << before << (before.endsWith(u'\n') ? "\n" : "\n\n");
        printToolCall(c);
        afterCall = true;
        from = at;
    }
    const QStringView rest = QStringView(m.content).sliced(from);
    if (afterCall && !rest.isEmpty())
        out() << "\n";
    out() << rest << "\n";
}

void printMessage(const domain::Message &m)
{
    out() << "\n## " << m.author;
    if (m.status != domain::MessageStatus::Complete)
        out() << " (" << domain::toString(m.status) << ")";
    if (m.siblingCount > 1)
        out() << " [" << m.siblingIndex + 1 << "/" << m.siblingCount << "]";
    out() << "\n\n";
    if (!m.reasoning.isEmpty()) {
        // Set apart from the answer: indented under a heading that says how long it took.
        out() << "thinking";
        if (m.reasoningMs >= 0)
            out() << " (" << thinkingTime(m.reasoningMs) << ")";
        out() << ":\n";
        for (const QStringView line : QStringView(m.reasoning).split(u'\n')) {
            if (!line.isEmpty())
                out() << "    " << line;
            out() << "\n";
        }
        out() << "\n";
    }
    printContent(m);
    if (!m.error.isEmpty())
        out() << "\n> " << m.error << "\n";
}

int printPath(store::StoreReader store, const domain::Conversation &conversation, bool json)
{
    const QString id = conversation.id;
    const QStringList ids =
        store
            .read([id](QSqlDatabase &db) {
                const QString leaf = store::messages::visibleLeaf(db, id);
                return leaf.isEmpty() ? QStringList() : store::messages::pathIds(db, leaf);
            })
            .result();
    if (json)
        out() << "{\"conversation\": " << compact(toJson(conversation)) << ",\n\"messages\": [";
    else
        out() << "# " << conversation.title << "\n";
    for (qsizetype first = 0; first < ids.size(); first += SliceSize) {
        const QString above = first > 0 ? ids.at(first - 1) : QString();
        const QString last = ids.at(std::min(ids.size(), first + SliceSize) - 1);
        const QList<domain::Message> slice =
            store
                .read([above, last](QSqlDatabase &db) {
                    QList<domain::Message> messages = store::messages::pathBelow(db, above, last);
                    markOrphans(db, messages);
                    return messages;
                })
                .result();
        for (qsizetype i = 0; i < slice.size(); ++i) {
            if (json)
                out() << (first + i > 0 ? ",\n" : "\n") << compact(toJson(slice.at(i)));
            else
                printMessage(slice.at(i));
        }
        out().flush();
    }
    if (json)
        out() << "\n]}\n";
    return Ok;
}

/** @brief Levels indented two spaces each; deeper nodes show their depth as a number. */
constexpr int MaxIndentLevels = 32;

QString indentFor(int depth)
{
    if (depth <= MaxIndentLevels)
        return QString(depth * 2, QLatin1Char(' '));
    return QString(MaxIndentLevels * 2, QLatin1Char(' ')) + QStringLiteral("[%1] ").arg(depth);
}

int printTree(const domain::Conversation &conversation, const QList<store::tree::TreeNode> &nodes,
              bool json)
{
    QHash<QString, QList<const store::tree::TreeNode *>> children;
    QHash<QString, QString> parentOf;
    for (const auto &n : nodes) {
        children[n.parentId].append(&n);
        parentOf.insert(n.id, n.parentId);
    }
    QSet<QString> onPath;
    for (QString at = conversation.currentLeafId; !at.isEmpty(); at = parentOf.value(at))
        onPath.insert(at);
    if (json) {
        out() << "{\"conversation\": " << compact(toJson(conversation)) << ",\n\"nodes\": [";
        for (qsizetype i = 0; i < nodes.size(); ++i) {
            const auto &n = nodes.at(i);
            out() << (i > 0 ? ",\n" : "\n")
                  << compact(
                         QJsonObject{{QStringLiteral("id"), n.id},
                                     {QStringLiteral("parent_id"),
                                      n.parentId.isEmpty() ? QJsonValue() : QJsonValue(n.parentId)},
                                     {QStringLiteral("role"), n.role},
                                     {QStringLiteral("author"), n.author},
                                     {QStringLiteral("status"), n.status},
                                     {QStringLiteral("label"),
                                      n.label.isEmpty() ? QJsonValue() : QJsonValue(n.label)},
                                     {QStringLiteral("preview"), n.preview},
                                     {QStringLiteral("created_at"), n.createdAt},
                                     {QStringLiteral("current"), onPath.contains(n.id)}});
        }
        out() << "\n]}\n";
        return Ok;
    }
    // Children in branch order; an explicit stack, since a path can be thousands deep.
    out() << "# " << conversation.title << "\n";
    QList<std::pair<const store::tree::TreeNode *, int>> stack;
    const auto roots = children.value(QString());
    for (auto it = roots.crbegin(); it != roots.crend(); ++it)
        stack.append({*it, 0});
    while (!stack.isEmpty()) {
        const auto [n, depth] = stack.takeLast();
        out() << indentFor(depth) << (onPath.contains(n->id) ? "* " : "- ") << n->role << " "
              << n->id << " [" << n->status << "]";
        if (!n->label.isEmpty())
            out() << " #" << n->label;
        out() << "  " << n->preview << "\n";
        const auto kids = children.value(n->id);
        for (auto it = kids.crbegin(); it != kids.crend(); ++it)
            stack.append({*it, depth + 1});
    }
    return Ok;
}

} // namespace

int runShow(const QStringList &args)
{
    QCommandLineParser parser;
    const QCommandLineOption treeOption(
        QStringLiteral("tree"), QStringLiteral("Show every branch, not only the visible path."));
    const QCommandLineOption dbPath = dbOption();
    const QCommandLineOption json = jsonOption();
    parser.addOptions({dbPath, json, treeOption});
    parser.addPositionalArgument(QStringLiteral("CONVERSATION_ID"),
                                 QStringLiteral("The conversation to show."));
    if (const auto code = parse(parser, QStringLiteral("show"), args))
        return *code;
    if (parser.positionalArguments().size() != 1) {
        err() << "arbord show: give exactly one CONVERSATION_ID (see arbord list)\n";
        return Usage;
    }
    const QString id = parser.positionalArguments().first();
    core::ReadOnlyBackend backend(parser.value(dbPath));
    if (const auto code = openBackend(backend, QStringLiteral("show")))
        return *code;
    const auto conversation =
        backend.store()
            .read([id](QSqlDatabase &db) { return store::conversations::get(db, id); })
            .result();
    if (!conversation) {
        err() << "arbord show: no conversation “" << id << "” (see arbord list)\n";
        return Failure;
    }
    if (parser.isSet(treeOption))
        return printTree(*conversation,
                         backend.store()
                             .read([id](QSqlDatabase &db) {
                                 QList<store::tree::TreeNode> nodes =
                                     store::tree::nodes(db, id, true);
                                 markOrphans(db, nodes);
                                 return nodes;
                             })
                             .result(),
                         parser.isSet(json));
    return printPath(backend.store(), *conversation, parser.isSet(json));
}

} // namespace arbor::cli
