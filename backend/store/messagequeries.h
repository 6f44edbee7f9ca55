#pragma once

#include "domain/message.h"

#include <QList>
#include <QSqlDatabase>
#include <QStringList>

#include <optional>

namespace arbor::store::messages {

using domain::Message;
using domain::MessageStatus;

/** @brief The message @p id (content includes not-yet-folded stream chunks). */
std::optional<Message> get(const QSqlDatabase &db, const QString &id);
/** @brief The messages @p ids as get() reads them, in the order of @p ids; unknown ids are left
 *  out. One statement for all of them: read a long list in slices. */
QList<Message> getMany(const QSqlDatabase &db, const QStringList &ids);
/** @brief Root-to-@p leafId path with sibling index/count per node; empty if the leaf is unknown.
 */
QList<Message> pathTo(const QSqlDatabase &db, const QString &leafId);
/** @brief The part of the path to @p leafId strictly below @p ancestorId (a branch switch
 *  under @p ancestorId only needs these rows). */
QList<Message> pathBelow(const QSqlDatabase &db, const QString &ancestorId, const QString &leafId);
/** @brief The non-deleted children of @p parentId in branch order (oldest first), with their
 *  text (stream chunks included). */
QList<Message> children(const QSqlDatabase &db, const QString &parentId);
/** @brief The conversation's current leaf, or "". */
QString currentLeaf(const QSqlDatabase &db, const QString &conversationId);
/** @brief The visible path of a conversation (root to its current leaf). */
QList<Message> visiblePath(const QSqlDatabase &db, const QString &conversationId);
/** @brief The leaf that ends the visible path of a conversation ("" when it has no message). */
QString visibleLeaf(const QSqlDatabase &db, const QString &conversationId);
/** @brief The ids of the path from the root to @p leafId, root first: ids only, so a path of
 *  100,000 messages costs a few MB; read the messages in slices with pathBelow(). */
QStringList pathIds(const QSqlDatabase &db, const QString &leafId);
/** @brief Characters of text on the path from the root to @p leafId (the context of a reply). */
qint64 pathLength(const QSqlDatabase &db, const QString &leafId);
/** @brief "provider/model" of the newest assistant reply under @p parentId, or "". */
QString latestReplyModel(const QSqlDatabase &db, const QString &parentId);
/** @brief The messages tombstoned together as @p batch. */
QStringList idsInBatch(const QSqlDatabase &db, const QString &batch);
/** @brief The messages of a conversation still queued or streaming. */
QStringList liveIds(const QSqlDatabase &db, const QString &conversationId);
/** @brief True when @p id is a reply of this device still queued or streaming (a teammate's
 *  synced reply streams on their machine, not under a job here). */
bool isLocalLiveReply(const QSqlDatabase &db, const QString &id);
/** @brief A live message with no queued or running job behind it. */
struct Unattended
{
    QString id;
    bool hasText = false;
};
/** @brief Messages of this device left queued or streaming with no job that would finish them
 *  (a process died between the two writes, or its job was discarded). */
QList<Unattended> unattendedLive(const QSqlDatabase &db);

void insert(const QSqlDatabase &db, const Message &message);
void setStatus(const QSqlDatabase &db, const QString &id, MessageStatus status);
/** @brief Puts a live message back to queued (its job will run again) with a note for the user. */
void requeue(const QSqlDatabase &db, const QString &id, const QString &note);
/** @brief Appends a streamed piece: O(piece), whatever the length of the message. */
void appendChunk(const QSqlDatabase &db, const QString &id, int seq, const QString &text);
/** @brief Appends a streamed piece of reasoning, as appendChunk() does for text. */
void appendReasoningChunk(const QSqlDatabase &db, const QString &id, int seq, const QString &text);
/** @brief The tool calls of a live reply so far (JSON, domain/toolcall.h). */
void setToolCalls(const QSqlDatabase &db, const QString &id, const QString &toolCalls);
/** @brief The stored tool calls of message @p id (JSON; "" when none or no such message). */
QString toolCalls(const QSqlDatabase &db, const QString &id);
/** @brief When a live reply's first token arrived (once: a later call changes nothing). */
void setFirstTokenAt(const QSqlDatabase &db, const QString &id, qint64 ms);
/** @brief How long a live reply reasoned, known once its answer begins. */
void setReasoningMs(const QSqlDatabase &db, const QString &id, qint64 ms);

struct Finish
{
    MessageStatus status = MessageStatus::Complete;
    QString error;
    QString finishReason;
    int promptTokens = -1;      ///< all input; -1: not reported
    int completionTokens = -1;  ///< all output; -1: not reported
    qint64 reasoningMs = -1;    ///< -1: as it is
    QString reasoningData = {}; ///< JSON; "": as it is
    QString toolCalls = {};     ///< JSON (domain/toolcall.h); "": as it is
    int cachedTokens = -1;      ///< part of promptTokens; -1: not reported
    int reasoningTokens = -1;   ///< part of completionTokens; -1: not reported
};
/** @brief Folds the chunks into content (and reasoning) and sets a final state (once; a finished
 * message is immutable, so finishing it again does nothing). Returns false if it was already final.
 * Stores the usage and its cost at the price valid now (store/usagequeries.h); when the vendor
 * reported no usage and the reply has text, estimates it (usage_estimated = 1).
 */
bool finish(const QSqlDatabase &db, const QString &id, const Finish &finish);
/** @brief Stores an estimate of a finished reply's usage (the vendor reported none): input from
 *  the text of the path above it, output from its text and reasoning, both at
 *  usage::estimateTokens(), priced as reported usage is; usage_estimated = 1. Nothing for a
 *  reply with no text. */
void estimateUsage(const QSqlDatabase &db, const QString &id, const QString &provider,
                   const QString &model, const QString &parentId, const QString &day);

} // namespace arbor::store::messages
