#pragma once

#include "changelog.h"
#include "localstate.h"
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

/** @brief Outbox rows not refused yet (waiting to be pushed). */
bool hasUnpushed(const QSqlDatabase &db);
/** @brief How many rows the outbox holds. */
struct OutboxCounts
{
    int pending = 0; ///< every row (refused ones included)
    int refused = 0; ///< rows the server refused
};
OutboxCounts outboxCounts(const QSqlDatabase &db);
/** @brief Outbox rows the server refused, with its reason (entity id → error), in queue order. */
QList<QPair<QString, QString>> refusedChanges(const QSqlDatabase &db);

} // namespace arbor::sync::local
