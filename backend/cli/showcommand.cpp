// `arbord show`: the visible path of a conversation, or every branch (--tree).
#include "commands.h"
#include "common.h"
#include "jsonformat.h"

#include "chat/chatservice.h"
#include "core/backend.h"
#include "store/conversationqueries.h"
#include "store/store.h"
#include "store/treequeries.h"

#include <QCommandLineParser>
#include <QHash>
#include <QJsonArray>
#include <QSet>
#include <QTextStream>

namespace arbor::cli {

namespace {

int printTree(const domain::Conversation &conversation, const QList<store::tree::TreeNode> &nodes,
              bool json)
{
    if (json) {
        QJsonArray array;
        for (const auto &n : nodes) {
            array.append(QJsonObject{
                {QStringLiteral("id"), n.id},
                {QStringLiteral("parent_id"),
                 n.parentId.isEmpty() ? QJsonValue() : QJsonValue(n.parentId)},
                {QStringLiteral("role"), n.role},
                {QStringLiteral("author"), n.author},
                {QStringLiteral("status"), n.status},
                {QStringLiteral("label"), n.label.isEmpty() ? QJsonValue() : QJsonValue(n.label)},
                {QStringLiteral("preview"), n.preview},
                {QStringLiteral("created_at"), n.createdAt},
                {QStringLiteral("current"), false}});
        }
        // Mark the visible path.
        QSet<QString> onPath;
        QHash<QString, QString> parentOf;
        for (const auto &n : nodes)
            parentOf.insert(n.id, n.parentId);
        for (QString at = conversation.currentLeafId; !at.isEmpty(); at = parentOf.value(at))
            onPath.insert(at);
        for (qsizetype i = 0; i < array.size(); ++i) {
            QJsonObject o = array.at(i).toObject();
            o.insert(QStringLiteral("current"),
                     onPath.contains(o.value(QStringLiteral("id")).toString()));
            array.replace(i, o);
        }
        printJson(QJsonObject{{QStringLiteral("conversation"), toJson(conversation)},
                              {QStringLiteral("nodes"), array}});
        return Ok;
    }
    // Children in branch order; an explicit stack, since a path can be thousands deep.
    QHash<QString, QList<const store::tree::TreeNode *>> children;
    QHash<QString, QString> parentOf;
    for (const auto &n : nodes) {
        children[n.parentId].append(&n);
        parentOf.insert(n.id, n.parentId);
    }
    QSet<QString> onPath;
    for (QString at = conversation.currentLeafId; !at.isEmpty(); at = parentOf.value(at))
        onPath.insert(at);
    out() << "# " << conversation.title << "\n";
    QList<std::pair<const store::tree::TreeNode *, int>> stack;
    const auto roots = children.value(QString());
    for (auto it = roots.crbegin(); it != roots.crend(); ++it)
        stack.append({*it, 0});
    while (!stack.isEmpty()) {
        const auto [n, depth] = stack.takeLast();
        out() << QString(depth * 2, QLatin1Char(' ')) << (onPath.contains(n->id) ? "* " : "- ")
              << n->role << " " << n->id << " [" << n->status << "]";
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
    core::BackendOptions options;
    options.dbPath = parser.value(dbPath);
    options.readOnly = true;
    core::Backend backend(options);
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
        return printTree(*conversation, backend.chat().tree(id).result(), parser.isSet(json));
    const QList<domain::Message> path = backend.chat().visiblePath(id).result();
    if (parser.isSet(json)) {
        QJsonArray messages;
        for (const auto &m : path)
            messages.append(toJson(m));
        printJson(QJsonObject{{QStringLiteral("conversation"), toJson(*conversation)},
                              {QStringLiteral("messages"), messages}});
        return Ok;
    }
    out() << "# " << conversation->title << "\n";
    for (const auto &m : path) {
        out() << "\n## " << m.author;
        if (m.status != domain::MessageStatus::Complete)
            out() << " (" << domain::toString(m.status) << ")";
        if (m.siblingCount > 1)
            out() << " [" << m.siblingIndex + 1 << "/" << m.siblingCount << "]";
        out() << "\n\n" << m.content << "\n";
        if (!m.error.isEmpty())
            out() << "\n> " << m.error << "\n";
    }
    return Ok;
}

} // namespace arbor::cli
