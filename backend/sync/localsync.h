#pragma once

#include "changelog.h"
#include "remotequeries.h"

#include <QHash>
#include <QList>
#include <QPair>
#include <QSet>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>

namespace arbor::store {
class Store;
}

/**
 * @brief The local half of team sync: the outbox, the pull positions, applying pulled rows, the
 * workspaces this store belongs to. The functions taking a QSqlDatabase run inside a store task
 * (the writer for writes); those taking a Store run the task themselves and block.
 */
namespace arbor::sync::local {

/** @brief One outbox row with the local copy of its entity, read in one snapshot. */
struct OutboxRow
{
    qint64 seq = 0;
    qint64 version = 0;
    QString entity;
    QString entityId;
    bool missing = false; ///< the entity is gone locally or no longer shared: nothing to push
    RemoteConversation conversation;
    RemoteMessage message;
};

/** @brief Up to @p limit outbox rows not refused, in queue order, with their rows. */
QList<OutboxRow> readOutbox(QSqlDatabase &db, int limit);
/** @brief What one push did to the outbox. */
struct PushRecord
{
    int pushed = 0;  ///< rows the server now has (written or already there)
    int refused = 0; ///< rows kept with the server's reason
};
/** @brief Records a push: rows the server has leave the outbox (unless they changed meanwhile),
 *  refused rows keep the reason, rows without an outcome (busy) wait for the next push. */
PushRecord recordPush(QSqlDatabase &db, const QList<OutboxRow> &rows,
                      const QHash<QString, PushedRow> &outcomes);
/** @brief Gives refused rows another chance: those refused for one of @p reasons (all refused
 *  rows when empty) go back in the queue. Returns how many. */
int retryRefused(QSqlDatabase &db, const QList<PushOutcome> &reasons = {});
/** @brief The key of an outcome in recordPush(): entity + '/' + id. */
QString outcomeKey(const QString &entity, const QString &id);

/** @brief The pull positions stored with the last applied page. */
PullPositions positions(QSqlDatabase &db);
void setPositions(QSqlDatabase &db, const PullPositions &positions);

/** @brief What applying pulled rows did. */
struct Applied
{
    bool stale = false; ///< not applied: the stored positions were not where the page starts
    int conversations = 0;
    int messages = 0;
    int refused = 0; ///< rows that would have changed local-only rows (see sync_pull_refusals)
    QSet<QString> conversationIds;
    QStringList messageIds;
};
/** @brief Writes rows from the server. A pulled row never changes a row that is local-only: a
 *  personal conversation (or one of another workspace) with the same id, a message in another
 *  conversation, a message whose conversation or parent is not of its workspace here. Such rows
 *  are refused and recorded in sync_pull_refusals. A message written here is never overwritten. */
Applied apply(QSqlDatabase &db, const QList<RemoteConversation> &conversations,
              QList<RemoteMessage> messages);
/** @brief Among @p ids, the conversations this store does not hold. */
QStringList absentConversations(QSqlDatabase &db, const QStringList &ids);
/** @brief Among @p ids, the messages this store does not hold. */
QStringList absentMessages(QSqlDatabase &db, const QStringList &ids);

/** @brief A value of sync_state (empty when unset). */
QString stateValue(QSqlDatabase &db, const QString &key);
void setStateValue(QSqlDatabase &db, const QString &key, const QString &value);
/** @brief Starts over when the store last synced as someone else or with another server: forgets
 *  positions and workspaces. Records @p user as the person this store acts as. */
void adoptIdentity(QSqlDatabase &db, const QString &identity, const QString &user);

/** @brief What storing the server's list of workspaces changed. */
struct WorkspacesStored
{
    bool changed = false; ///< a workspace came, went, or a role changed
    QStringList left;     ///< names of workspaces this person no longer belongs to
    int detached = 0;     ///< conversations that stopped being shared because of it
};
/** @brief Stores the person's workspaces. Conversations of a workspace they no longer belong to
 *  stop being shared: they stay here as personal copies that remember the workspace (a pull
 *  from it re-attaches them), and their unpushed changes are dropped (the server refuses them).
 *  Refused outbox rows get another chance when a role or membership changed. */
WorkspacesStored storeWorkspaces(QSqlDatabase &db, const QList<Workspace> &workspaces);

/** @brief The workspace of a conversation (empty: personal or unknown). */
QString workspaceOf(QSqlDatabase &db, const QString &conversationId);

// Store-level operations, for the app and arbord (they need no connection).

/** @brief Moves a personal conversation into @p workspaceId; its whole tree is queued for push.
 *  Throws StoreError when the conversation is unknown or already in a workspace. */
void moveToWorkspace(store::Store &store, const QString &conversationId,
                     const QString &workspaceId);
/** @brief The workspace of a conversation (empty: personal). */
QString workspaceOf(store::Store &store, const QString &conversationId);
/** @brief Marks everything in the conversation as read now. */
void markRead(store::Store &store, const QString &conversationId);
/** @brief Messages from teammates that arrived after the conversation was last read, per
 *  conversation (conversations without any are absent). @p me is the person's role name; their
 *  own messages from other devices are never unread. */
QHash<QString, int> unreadCounts(store::Store &store, const QString &me);

/** @brief A row a pull refused, and why. */
struct PullRefusal
{
    QString entity;
    QString entityId;
    QString workspaceId;
    QString reason;
};
/** @brief Rows pulls refused (they would have changed local-only rows), newest first. */
QList<PullRefusal> pullRefusals(store::Store &store);

} // namespace arbor::sync::local
