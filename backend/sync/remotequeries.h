#pragma once

#include "changelog.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace arbor::sync {

class PgConnection;

/** @brief A conversation as the team server stores it. */
struct RemoteConversation
{
    QString id;
    QString workspaceId;
    QString title;
    QString currentLeafId;                   ///< null when none
    QString settings = QStringLiteral("{}"); ///< JSON object text
    QString createdBy;                       ///< set by the server (current_user) on insert
    QString forkedFromConversationId;        ///< null when none
    QString forkedFromMessageId;             ///< null when none
    qint64 createdAt = 0;
    qint64 updatedAt = 0;
    std::optional<qint64> deletedAt;

    bool operator==(const RemoteConversation &) const = default;
};

/** @brief A message as the team server stores it. */
struct RemoteMessage
{
    QString id;
    QString workspaceId;
    QString conversationId;
    QString parentId; ///< null for a root
    QString role;
    QString author; ///< set by the server (current_user) on insert
    QString provider;
    QString model;
    QString content;
    QString status;
    QString error;
    QString finishReason;
    QString label;        ///< null when none
    QString deletedBatch; ///< null when none
    std::optional<qint64> promptTokens;
    std::optional<qint64> completionTokens;
    qint64 createdAt = 0;
    std::optional<qint64> finishedAt;
    std::optional<qint64> deletedAt;

    bool operator==(const RemoteMessage &) const = default;
};

/** @brief One page of the change log with the rows it names (see remote::pull). */
struct PullPage
{
    int changes = 0;    ///< change-log rows in the page (several may name one row)
    ChangeCursor next;  ///< the cursor after the page (the given one when it was empty)
    bool heldBack = false; ///< committed changes wait above the watermark: pull again soon
    QList<RemoteConversation> conversations;
    QList<RemoteMessage> messages; ///< in (created_at, id) order
};

/**
 * @brief Push and fetch of shared rows (the server half of `arbord sync`). Pushes are
 * idempotent upserts by id: pushing the same row again changes nothing and writes no change-log
 * row; a newer version (a later updated_at, more streamed text, a final status, a tombstone)
 * updates the server. Row-level security decides what the connected person may push or read.
 */
namespace remote {

/** @brief Inserts or updates @p conversations in one statement; returns how many rows the
 *  server changed. Each id at most once. Throws PgError (then none of them changed). */
int pushConversations(PgConnection &conn, const QList<RemoteConversation> &conversations);
/** @brief Inserts or updates @p messages in one statement, in any order within the batch;
 *  returns how many rows the server changed. Each id at most once. Throws PgError. */
int pushMessages(PgConnection &conn, const QList<RemoteMessage> &messages);
/** @brief Inserts or updates @p c; returns true when the server changed. Throws PgError. */
bool pushConversation(PgConnection &conn, const RemoteConversation &c);
/** @brief Inserts or updates @p m; returns true when the server changed. Throws PgError. */
bool pushMessage(PgConnection &conn, const RemoteMessage &m);
/** @brief The next page of at most @p limit changes after @p after, joined with the current
 *  state of each row they name: one round trip (arbor.pull, server version 3). */
PullPage pull(PgConnection &conn, const ChangeCursor &after, int limit);
/** @brief The visible conversations among @p ids (others are silently absent). */
QList<RemoteConversation> fetchConversations(PgConnection &conn, const QStringList &ids);
/** @brief The visible messages among @p ids, in (created_at, id) order. */
QList<RemoteMessage> fetchMessages(PgConnection &conn, const QStringList &ids);

} // namespace remote

} // namespace arbor::sync
