#pragma once

#include "domain/tree.h"

#include <QList>
#include <QSqlDatabase>
#include <QString>

namespace arbor::store::tree {

using domain::SearchHit;
using domain::TreeNode;

/** @brief Every non-deleted node of @p conversationId, parents before children, siblings in
 *  branch order. */
QList<TreeNode> nodes(const QSqlDatabase &db, const QString &conversationId,
                      bool withPreview = true);

/** @brief The leaf reached from @p nodeId by always taking the most recently visited child
 *  (the newest when none was visited). */
QString latestLeafUnder(const QSqlDatabase &db, const QString &nodeId);

/** @brief Makes the path through @p nodeId visible: its most recently visited leaf becomes the
 *  conversation's current leaf and the whole path is marked visited. Returns the leaf, or ""
 *  when @p nodeId is unknown or deleted. */
QString switchTo(const QSqlDatabase &db, const QString &nodeId, qint64 now);
/** @brief Like switchTo() for a sibling of a node on the visible path: only the path below the
 *  fork is marked visited (the part above already is). */
QString switchToSibling(const QSqlDatabase &db, const QString &siblingId, qint64 now);

/** @brief The sibling @p delta steps from @p messageId in branch order (clamped), or "". */
QString siblingAt(const QSqlDatabase &db, const QString &messageId, int delta);

/** @brief Tombstones @p nodeId and everything under it; returns the batch id for restore().
 *  When the visible path went through it, the path moves to the nearest surviving branch.
 *  Throws StoreError, changing nothing, when the subtree holds a teammate's message (one that
 *  arrived from the team server): only its author may delete it. */
QString removeSubtree(const QSqlDatabase &db, const QString &nodeId, qint64 now);
/** @brief Undoes removeSubtree(@p batch); returns how many messages came back. */
int restore(const QSqlDatabase &db, const QString &batch);

/** @brief Sets (or, with an empty @p label, clears) a node's bookmark label. Throws StoreError
 *  on a teammate's message (one that arrived from the team server). */
void setLabel(const QSqlDatabase &db, const QString &messageId, const QString &label);

/** @brief Labelled (bookmarked) messages of a conversation, in branch order. */
QList<TreeNode> labelled(const QSqlDatabase &db, const QString &conversationId);

/** @brief Copies the path root → @p nodeId into a new conversation that remembers its origin.
 *  Returns the new conversation's id. */
QString fork(const QSqlDatabase &db, const QString &nodeId, qint64 now);

/** @brief FTS5 search over every message of every branch (deleted ones excluded), newest first.
 *  @p query is taken as words (quoted for FTS5), so user input cannot inject query syntax. */
QList<SearchHit> search(const QSqlDatabase &db, const QString &query, int limit = 50);

/** @brief Quotes user text as FTS5 terms: each word becomes a "quoted" prefix-free term. */
QString ftsQuery(const QString &text);

} // namespace arbor::store::tree
