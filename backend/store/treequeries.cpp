#include "treequeries.h"

#include "conversationqueries.h"
#include "messagequeries.h"
#include "sql.h"

#include "domain/ids.h"

#include <QHash>
#include <QRegularExpression>
#include <QSet>

namespace arbor::store::tree {

namespace {

// Descends from a node, always into the most recently visited live child.
const QString kLatestLeaf = QStringLiteral(
    "WITH RECURSIVE d(id, depth) AS ("
    "  SELECT ?, 0"
    "  UNION ALL"
    "  SELECT (SELECT c.id FROM messages c WHERE c.parent_id = d.id AND c.deleted_at IS NULL"
    "          ORDER BY coalesce(c.visited_at, 0) DESC, c.created_at DESC, c.id DESC LIMIT 1), "
    "d.depth + 1"
    "  FROM d WHERE d.id IS NOT NULL)"
    " SELECT id FROM d WHERE id IS NOT NULL ORDER BY depth DESC LIMIT 1");

QString conversationOf(const QSqlDatabase &db, const QString &messageId, bool liveOnly = true)
{
    QSqlQuery q = exec(db,
                       QStringLiteral("SELECT conversation_id FROM messages WHERE id = ?%1")
                           .arg(liveOnly ? QStringLiteral(" AND deleted_at IS NULL") : QString()),
                       {messageId});
    return q.next() ? q.value(0).toString() : QString();
}

/** @brief A new leaf for a conversation whose visible path lost its leaf. */
QString fallbackLeaf(const QSqlDatabase &db, const QString &conversationId, const QString &parentId)
{
    if (!parentId.isEmpty())
        return latestLeafUnder(db, parentId);
    QSqlQuery q = exec(
        db,
        QStringLiteral("SELECT id FROM messages WHERE conversation_id = ? AND parent_id IS NULL"
                       " AND deleted_at IS NULL ORDER BY coalesce(visited_at, 0) DESC, created_at "
                       "DESC LIMIT 1"),
        {conversationId});
    return q.next() ? latestLeafUnder(db, q.value(0).toString()) : QString();
}

// The live messages under a node, the node included.
const QString kSubtree =
    QStringLiteral("WITH RECURSIVE sub(id) AS (SELECT ? UNION ALL SELECT m.id FROM messages m"
                   " JOIN sub ON m.parent_id = sub.id WHERE m.deleted_at IS NULL)");
// The node alone, in the same shape.
const QString kNode = QStringLiteral("WITH sub(id) AS (SELECT ?)");

/** @brief Teammates' messages among the ids of @p scope (kSubtree or kNode of @p nodeId): live
 *  messages of a shared conversation that arrived from the team server. The server lets only a
 *  message's author change it (row-level security) and the outbox never queues such a change, so
 *  a local edit of one would never reach teammates and the copies would differ unnoticed. */
struct TeammatesMessages
{
    QStringList authors; ///< sorted, each once
    qint64 count = 0;
};
TeammatesMessages teammatesMessagesIn(const QSqlDatabase &db, const QString &scope,
                                      const QString &nodeId)
{
    QSqlQuery q = exec(
        db,
        scope
            + QStringLiteral(
                " SELECT m.author, count(*) AS messages FROM messages m"
                " JOIN conversations c ON c.id = m.conversation_id AND c.workspace_id IS NOT NULL"
                " WHERE m.id IN (SELECT id FROM sub) AND m.deleted_at IS NULL AND m.synced_at IS "
                "NOT NULL"
                " GROUP BY m.author ORDER BY m.author"),
        {nodeId});
    const Columns columns(q);
    const int author = columns["author"];
    const int messageCount = columns["messages"];
    TeammatesMessages found;
    while (q.next()) {
        found.authors.append(q.value(author).toString());
        found.count += q.value(messageCount).toLongLong();
    }
    return found;
}

/** @brief Where a TreeNode's fields are in a result; preview is the start of the content. */
struct NodeColumns
{
    explicit NodeColumns(const Columns &c)
        : id(c["id"])
        , parentId(c["parent_id"])
        , role(c["role"])
        , author(c["author"])
        , status(c["status"])
        , label(c["label"])
        , preview(c["preview"])
        , createdAt(c["created_at"])
    {
    }

    TreeNode read(const QSqlQuery &q, bool withPreview) const
    {
        TreeNode n;
        n.id = q.value(id).toString();
        n.parentId = q.value(parentId).toString();
        n.role = q.value(role).toString();
        n.author = q.value(author).toString();
        n.status = q.value(status).toString();
        n.label = q.value(label).toString();
        if (withPreview)
            n.preview = q.value(preview).toString().section(QLatin1Char('\n'), 0, 0).left(80);
        n.createdAt = q.value(createdAt).toLongLong();
        return n;
    }

    int id, parentId, role, author, status, label, preview, createdAt;
};

} // namespace

QList<TreeNode> nodes(const QSqlDatabase &db, const QString &conversationId, bool withPreview)
{
    QSqlQuery q = exec(
        db,
        QStringLiteral("SELECT id, parent_id, role, author, status, coalesce(label, '') AS label,"
                       " %1 AS preview, created_at FROM messages"
                       " WHERE conversation_id = ? AND deleted_at IS NULL ORDER BY created_at, id")
            .arg(withPreview ? QStringLiteral("substr(content, 1, 200)") : QStringLiteral("''")),
        {conversationId});
    q.setForwardOnly(true);
    const NodeColumns columns{Columns(q)};
    QList<TreeNode> out;
    while (q.next())
        out.append(columns.read(q, withPreview));
    return out;
}

QString latestLeafUnder(const QSqlDatabase &db, const QString &nodeId)
{
    QSqlQuery q = exec(db, kLatestLeaf, {nodeId});
    return q.next() ? q.value(0).toString() : nodeId;
}

QString switchTo(const QSqlDatabase &db, const QString &nodeId, qint64 now)
{
    const QString conversationId = conversationOf(db, nodeId);
    if (conversationId.isEmpty())
        return {};
    const QString leaf = latestLeafUnder(db, nodeId);
    conversations::setCurrentLeaf(db, conversationId, leaf);
    // Mark the whole path visited so that, at every fork on it, this branch is the newest.
    exec(db,
         QStringLiteral(
             "WITH RECURSIVE up(id) AS (SELECT ? UNION ALL SELECT m.parent_id FROM messages m"
             " JOIN up ON m.id = up.id WHERE m.parent_id IS NOT NULL)"
             " UPDATE messages SET visited_at = ? WHERE id IN (SELECT id FROM up)"),
         {leaf, now});
    return leaf;
}

QString switchToSibling(const QSqlDatabase &db, const QString &siblingId, qint64 now)
{
    const QString conversationId = conversationOf(db, siblingId);
    if (conversationId.isEmpty())
        return {};
    const QString leaf = latestLeafUnder(db, siblingId);
    exec(
        db,
        QStringLiteral("UPDATE conversations SET current_leaf_id = ?, updated_at = ? WHERE id = ?"),
        {leaf, now, conversationId});
    exec(db,
         QStringLiteral(
             "WITH RECURSIVE up(id) AS (SELECT ? UNION ALL SELECT m.parent_id FROM messages m"
             " JOIN up ON m.id = up.id WHERE m.id <> ? AND m.parent_id IS NOT NULL)"
             " UPDATE messages SET visited_at = ? WHERE id IN (SELECT id FROM up)"),
         {leaf, siblingId, now});
    return leaf;
}

QString siblingAt(const QSqlDatabase &db, const QString &messageId, int delta)
{
    QSqlQuery q = exec(
        db,
        QStringLiteral(
            "SELECT s.id FROM messages m JOIN messages s ON s.conversation_id = m.conversation_id"
            " AND s.parent_id IS m.parent_id AND s.deleted_at IS NULL"
            " WHERE m.id = ? ORDER BY s.created_at, s.id"),
        {messageId});
    QStringList siblings;
    while (q.next())
        siblings.append(q.value(0).toString());
    const qsizetype at = siblings.indexOf(messageId);
    if (at < 0)
        return {};
    return siblings.at(std::clamp<qsizetype>(at + delta, 0, siblings.size() - 1));
}

QString removeSubtree(const QSqlDatabase &db, const QString &nodeId, qint64 now)
{
    const auto node = messages::get(db, nodeId);
    if (!node)
        throw StoreError(QStringLiteral("Message %1 does not exist.").arg(nodeId));
    conversations::requireWritable(db, node->conversationId);
    if (const TeammatesMessages theirs = teammatesMessagesIn(db, kSubtree, nodeId);
        theirs.count > 0)
        throw StoreError(
            QStringLiteral("This branch holds %1 by %2. In a shared conversation only a message's "
                           "author can delete it; delete a branch below their messages instead.")
                .arg(theirs.count == 1 ? QStringLiteral("1 message")
                                       : QStringLiteral("%1 messages").arg(theirs.count),
                     theirs.authors.join(QStringLiteral(", "))));
    const QString batch = domain::newId();
    exec(db,
         kSubtree
             + QStringLiteral(" UPDATE messages SET deleted_at = ?, deleted_batch = ?"
                              " WHERE id IN (SELECT id FROM sub) AND deleted_at IS NULL"),
         {nodeId, now, batch});
    QSqlQuery q =
        exec(db,
             QStringLiteral("SELECT m.deleted_at IS NOT NULL FROM conversations c JOIN messages m"
                            " ON m.id = c.current_leaf_id WHERE c.id = ?"),
             {node->conversationId});
    if (q.next() && q.value(0).toBool()) {
        const QString leaf = fallbackLeaf(db, node->conversationId, node->parentId);
        if (leaf.isEmpty())
            exec(
                db,
                QStringLiteral(
                    "UPDATE conversations SET current_leaf_id = NULL, updated_at = ? WHERE id = ?"),
                {now, node->conversationId});
        else
            switchTo(db, leaf, now);
    }
    return batch;
}

int restore(const QSqlDatabase &db, const QString &batch)
{
    QSqlQuery q = exec(
        db,
        QStringLiteral(
            "UPDATE messages SET deleted_at = NULL, deleted_batch = NULL WHERE deleted_batch = ?"),
        {batch});
    return q.numRowsAffected();
}

void setLabel(const QSqlDatabase &db, const QString &messageId, const QString &label)
{
    // A label is a shared field of the message (and the next pull of a teammate's would replace
    // it).
    if (const QString conversation = conversationOf(db, messageId); !conversation.isEmpty())
        conversations::requireWritable(db, conversation);
    if (const TeammatesMessages theirs = teammatesMessagesIn(db, kNode, messageId);
        theirs.count > 0)
        throw StoreError(
            QStringLiteral(
                "This message is by %1. In a shared conversation only a message's author "
                "can label it.")
                .arg(theirs.authors.constFirst()));
    const QString clean = domain::withoutNul(label.simplified());
    QSqlQuery q = exec(
        db, QStringLiteral("UPDATE messages SET label = ? WHERE id = ? AND deleted_at IS NULL"),
        {nullIfEmpty(clean), messageId});
    if (q.numRowsAffected() == 0)
        throw StoreError(QStringLiteral("Message %1 does not exist.").arg(messageId));
}

QList<TreeNode> labelled(const QSqlDatabase &db, const QString &conversationId)
{
    QSqlQuery q = exec(
        db,
        QStringLiteral(
            "SELECT id, parent_id, role, author, status, label, substr(content, 1, 200) AS preview,"
            " created_at"
            " FROM messages WHERE conversation_id = ? AND label IS NOT NULL AND deleted_at IS NULL"
            " ORDER BY created_at, id"),
        {conversationId});
    const NodeColumns columns{Columns(q)};
    QList<TreeNode> out;
    while (q.next())
        out.append(columns.read(q, true));
    return out;
}

namespace {

/** @brief "Oaks (fork)", else "Oaks (fork 2)", ...: a title no other conversation has, so that a
 *  fork can be told from its source (and from other forks) in the list. */
QString forkTitle(const QSqlDatabase &db, const QString &sourceTitle)
{
    static const QRegularExpression suffix(QStringLiteral(R"( \(fork(?: \d+)?\)$)"));
    QString base = sourceTitle;
    base.remove(suffix);
    if (base.isEmpty())
        base = QStringLiteral("Conversation");
    QSet<QString> taken;
    QSqlQuery q = exec(db,
                       QStringLiteral("SELECT title FROM conversations WHERE deleted_at IS NULL "
                                      "AND instr(title, ' (fork') > 0"));
    while (q.next())
        taken.insert(q.value(0).toString());
    for (int n = 1;; ++n) {
        const QString candidate =
            n == 1 ? base + QStringLiteral(" (fork)") : base + QStringLiteral(" (fork %1)").arg(n);
        if (!taken.contains(candidate))
            return candidate;
    }
}

} // namespace

QString fork(const QSqlDatabase &db, const QString &nodeId, qint64 now)
{
    const QList<messages::Message> path = messages::pathTo(db, nodeId);
    if (path.isEmpty())
        throw StoreError(QStringLiteral("Message %1 does not exist.").arg(nodeId));
    const auto source = conversations::get(db, path.first().conversationId);
    domain::Conversation c;
    c.id = domain::newId();
    c.title = forkTitle(db, source ? source->title : QString());
    c.settings = source ? source->settings : QStringLiteral("{}");
    c.createdAt = c.updatedAt = now;
    conversations::insert(db, c);
    exec(db,
         QStringLiteral("UPDATE conversations SET forked_from_conversation_id = ?, "
                        "forked_from_message_id = ? WHERE id = ?"),
         {path.first().conversationId, nodeId, c.id});
    QString parent;
    for (messages::Message m : path) {
        m.id = domain::newId();
        m.conversationId = c.id;
        m.parentId = parent;
        if (domain::isLive(m.status))
            m.status =
                domain::MessageStatus::Cancelled; // the original keeps streaming, not the copy
        messages::insert(db, m);
        parent = m.id;
    }
    conversations::setCurrentLeaf(db, c.id, parent);
    return c.id;
}

QString ftsQuery(const QString &text)
{
    static const QRegularExpression words(QStringLiteral("[\\p{L}\\p{N}_]+"));
    QStringList terms;
    auto it = words.globalMatch(text);
    while (it.hasNext())
        terms.append(QLatin1Char('"') + it.next().captured(0) + QLatin1Char('"'));
    return terms.join(QLatin1Char(' '));
}

QList<SearchHit> search(const QSqlDatabase &db, const QString &query, int limit)
{
    const QString match = ftsQuery(query);
    if (match.isEmpty())
        return {};
    // Newest first: FTS5 walks its doclist in rowid order and stops at the limit, so a common
    // word costs the same as a rare one (ranking would score every match first).
    QSqlQuery q =
        exec(db,
             QStringLiteral(
                 "SELECT m.id, m.conversation_id, c.title, m.role,"
                 " snippet(message_fts, -1, char(2), char(3), '…', 12) AS snippet"
                 " FROM message_fts JOIN messages m ON m.rowid = message_fts.rowid"
                 " JOIN conversations c ON c.id = m.conversation_id"
                 " WHERE message_fts MATCH ? AND m.deleted_at IS NULL AND c.deleted_at IS NULL"
                 " ORDER BY message_fts.rowid DESC LIMIT ?"),
             {match, limit});
    const Columns columns(q);
    const int id = columns["id"];
    const int conversationId = columns["conversation_id"];
    const int title = columns["title"];
    const int role = columns["role"];
    const int snippet = columns["snippet"];
    QList<SearchHit> out;
    while (q.next())
        out.append({q.value(id).toString(), q.value(conversationId).toString(),
                    q.value(title).toString(), q.value(role).toString(),
                    q.value(snippet).toString()});
    return out;
}

} // namespace arbor::store::tree
