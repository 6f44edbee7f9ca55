#pragma once

#include "changelog.h"
#include "team.h"

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
    QString createdBy;                       ///< set by the server (the caller) on insert
    QString forkedFromConversationId;        ///< null when none
    QString forkedFromMessageId;             ///< null when none
    qint64 createdAt = 0;
    qint64 updatedAt = 0;
    std::optional<qint64> deletedAt;
    QString sourceFormat; ///< where it was imported from (server version 8); null when made here
    QString sourceId;     ///< its id in that export; null when none

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
    QString author; ///< set by the server (the caller) on insert
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
    QString reasoning;                 ///< the model's reasoning text ("" when none)
    std::optional<qint64> reasoningMs; ///< how long it reasoned, when known
    QString reasoningData;             ///< JSON to send back to the vendor; null when none
    QString toolCalls; ///< JSON of the tool calls it asked for (domain/toolcall.h); null: none
    std::optional<qint64> cachedTokens;    ///< part of promptTokens (server version 7)
    std::optional<qint64> reasoningTokens; ///< part of completionTokens
    bool usageEstimated = false;           ///< the counts are the author's Arbor's estimate
    std::optional<qint64> costNanos;       ///< billionths of currency; none: no price known
    QString currency;                      ///< of costNanos; null when none
    QString sourceId; ///< the node's id in the export it was imported from (version 8); null
    std::optional<qint64> firstTokenAt; ///< when its first token arrived (server version 9)
    QString fusedFrom; ///< a fused reply: JSON array of its sources' ids; null otherwise
    QString params;    ///< JSON object of the reply's own parameters (version 10); null: none
    QString request;   ///< JSON object of what else it was asked with (version 11); null: none

    bool operator==(const RemoteMessage &) const = default;
};

/** @brief What the server did with one pushed row (arbor.push, server version 4 and later). */
enum class PushOutcome {
    Ok,                  ///< written
    Unchanged,           ///< the server already had it
    Busy,                ///< written concurrently by another push of this person: push again
    NotAMember,          ///< not (or no longer) a member of the row's workspace
    Viewer,              ///< a viewer of the row's workspace
    NotYours,            ///< the row belongs to a teammate
    IdTaken,             ///< another row, out of this person's sight, has this id
    ConversationMissing, ///< the message's conversation is not on the server yet
    ParentMissing,       ///< the message's parent is not on the server yet
    Rejected,            ///< the server raised an error for this row alone (see the detail)
};

/** @brief The code stored for @p outcome ("ok", "parent-missing", ...). */
QString outcomeCode(PushOutcome outcome);
/** @brief The outcome for a code; unknown codes are Rejected (refused, never retried alone). */
PushOutcome pushOutcomeFromString(const QString &code);
/** @brief True when the row did not reach the server and stays in the outbox. */
bool isRefused(PushOutcome outcome);
/** @brief A sentence for people about a refused row. */
QString describe(PushOutcome outcome, const QString &entity);

/** @brief One row of a push and its outcome. */
struct PushedRow
{
    QString entity; ///< "conversation" or "message"
    QString id;
    PushOutcome outcome = PushOutcome::Ok;
    QString detail; ///< the server's error, for Rejected
};

/** @brief One page of the change logs of the person's workspaces with the rows they name. */
struct PullPage
{
    PullPositions next; ///< per workspace with changes in the page: its last position
    int changes = 0;    ///< change-log rows in the page (several may name one row)
    bool more = false;  ///< a workspace filled its page: pull again
    QList<RemoteConversation> conversations;
    QList<RemoteMessage> messages; ///< in (created_at, id) order
};

/**
 * @brief The server half of a sync. Members write only through arbor.push() and
 * arbor.set_presence() (server version 4), which check membership first and answer per row;
 * reads are plain queries under row-level security.
 */
namespace remote {

/** @brief Pushes @p conversations then @p messages in one call: idempotent upserts by id that
 *  only move the server copy forward (streamed text grows, a final status sticks, labels and
 *  tombstones follow, a conversation's fields follow the later updated_at). Returns one outcome
 *  per row; refused rows change nothing. Each id at most once. Throws PgError when the call
 *  fails as a whole (then nothing changed). */
QList<PushedRow> push(PgConnection &conn, const QList<RemoteConversation> &conversations,
                      const QList<RemoteMessage> &messages);
PushOutcome pushConversation(PgConnection &conn, const RemoteConversation &c);
PushOutcome pushMessage(PgConnection &conn, const RemoteMessage &m);

/** @brief The next page of at most @p limit changes per workspace after @p after, joined with
 *  the current state of each row they name: one round trip (arbor.pull). */
PullPage pull(PgConnection &conn, const PullPositions &after, int limit);
/** @brief The visible conversations among @p ids (others are silently absent). */
QList<RemoteConversation> fetchConversations(PgConnection &conn, const QStringList &ids);
/** @brief The visible messages among @p ids, in (created_at, id) order. */
QList<RemoteMessage> fetchMessages(PgConnection &conn, const QStringList &ids);

/** @brief The connected person's workspaces, with their role and wake-up channel. */
QList<Workspace> workspaces(PgConnection &conn);
/** @brief Says where the person is in @p workspaceId; the server keeps @p conversationId only
 *  when it is a conversation of that workspace. Throws PgError when not a member. */
void setPresence(PgConnection &conn, const QString &workspaceId, const QString &conversationId,
                 bool typing, bool online);
/** @brief Everyone's presence in the person's workspaces. */
QList<PresenceEntry> presence(PgConnection &conn);

/** @brief LISTENs on (or stops listening to) one of the person's wake-up channels. */
void listen(PgConnection &conn, const QString &channel);
void unlisten(PgConnection &conn, const QString &channel);

/** @brief Up to @p limit changes of @p workspaceId's change log after @p after, in position
 *  order. The committed positions of a workspace always form a prefix (a writer holds the
 *  workspace's log head to commit), so reading "after the last position seen" never skips a late
 *  commit. Row-level security limits the rows to the caller's workspaces. Throws PgError. */
QList<Change> changes(PgConnection &conn, const QString &workspaceId, qint64 after,
                      int limit = 1000);

} // namespace remote

} // namespace arbor::sync
