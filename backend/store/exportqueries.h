#pragma once

#include <QList>
#include <QSqlDatabase>
#include <QStringList>

namespace arbor::store::exports {

/** @brief Every conversation that is not deleted, oldest first (created_at, then id): an order
 *  that does not change with use, so exporting the same store twice gives the same file. */
QStringList conversationIds(const QSqlDatabase &db);

/** @brief One live (not tombstoned) node of a conversation: what an export needs to know of the
 *  tree before it reads any text. */
struct NodeLink
{
    QString id;
    QString parentId; ///< empty for a root
};

/** @brief The live nodes of @p conversationId, siblings in branch order (created_at, then id). */
QList<NodeLink> liveNodes(const QSqlDatabase &db, const QString &conversationId);

} // namespace arbor::store::exports
