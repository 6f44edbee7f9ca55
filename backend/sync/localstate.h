#pragma once

#include "remotequeries.h"
#include "teamserverconfig.h"

#include <QHash>
#include <QList>
#include <QPair>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>

namespace arbor::store {
class Store;
}

/**
 * @brief The local state of team sync besides the outbox: who this store syncs as, the
 * workspaces it belongs to, which conversations are shared, read state and unread counts, rows
 * pulls refused. The functions taking a QSqlDatabase run inside a store task (the writer for
 * writes); those taking a Store run the task themselves and block (the sync thread, arbord and
 * tests).
 */
namespace arbor::sync::local {

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

/** @brief The team server this store syncs with (an empty config when none is set). */
TeamServerConfig teamServerConfig(const QSqlDatabase &db);
/** @brief Stores @p config; an empty one removes the settings. Writer only. */
void saveTeamServerConfig(const QSqlDatabase &db, const TeamServerConfig &config);

/** @brief The workspaces this store belongs to, as last stored, by name (no channels). */
QList<Workspace> storedWorkspaces(const QSqlDatabase &db);
/** @brief Every shared conversation with its workspace (conversation id → workspace id). */
QHash<QString, QString> sharedConversations(const QSqlDatabase &db);
/** @brief Moves a personal conversation into @p workspaceId; its whole tree is queued for push.
 *  Throws StoreError when the workspace is unknown or read-only here, or the conversation is
 *  unknown or already in a workspace. Writer only. */
void moveToWorkspace(const QSqlDatabase &db, const QString &conversationId,
                     const QString &workspaceId, qint64 now);
/** @brief Marks everything in the conversation as read at @p now. Writer only. */
void markRead(const QSqlDatabase &db, const QString &conversationId, qint64 now);
/** @brief Messages from teammates that arrived after the conversation was last read, per
 *  conversation (conversations without any are absent). @p me is the person's role name; their
 *  own messages from other devices are never unread. */
QHash<QString, int> unreadCounts(const QSqlDatabase &db, const QString &me);

// The same as blocking store tasks.

/** @brief Outbox rows waiting to be pushed (refused rows included). */
int pendingChanges(store::Store &store);
/** @brief Outbox rows the server refused, with its reason (entity id → error). */
QList<QPair<QString, QString>> refusedChanges(store::Store &store);
/** @brief The pull positions stored with the last applied page. */
PullPositions storedPositions(store::Store &store);
QList<Workspace> storedWorkspaces(store::Store &store);

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
QList<PullRefusal> pullRefusals(const QSqlDatabase &db);
QList<PullRefusal> pullRefusals(store::Store &store);

} // namespace arbor::sync::local
