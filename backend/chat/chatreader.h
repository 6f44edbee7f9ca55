#pragma once

#include "domain/message.h"
#include "domain/tree.h"
#include "jobs/job.h"
#include "store/store.h"

#include <QFuture>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QSet>
#include <QSqlDatabase>

#include <optional>

namespace arbor::chat {

/** @brief Where a reply stands, as the store says: what a sender follows wherever it runs. */
struct ReplyProgress
{
    domain::MessageStatus status = domain::MessageStatus::Queued;
    QString error;
    qsizetype from = 0; ///< the offset asked for
    QString text;       ///< the stored text from @p from on (stream chunks included)
    QString reasoning;  ///< the stored reasoning, whole
    /** @brief The reply's job, when it has one: its state and, while it waits to run again
     *  (after a transient error), the attempts so far, the time of the next and why. */
    bool hasJob = false;
    QString jobState;
    int attempts = 0;
    int maxAttempts = 0;
    qint64 runAt = 0;
    QString lastError;
    QString queue;
    bool queuePaused = false;
};

/**
 * @brief The reading side of chat: conversations, paths, trees, labels, search, a reply's
 * progress and its job. Needs only a StoreReader, so a read-only backend offers it (arbord list,
 * show); ChatService adds every write. Thread-safe; results are futures.
 */
class ChatReader
{
public:
    explicit ChatReader(store::StoreReader store);

    QFuture<QList<domain::Conversation>> conversations();
    /** @brief The conversation's settings object (system_prompt, temperature, max_tokens, ...). */
    QFuture<QJsonObject> conversationSettings(const QString &conversationId);
    /** @brief The message @p messageId as stored (stream chunks included); nullopt if unknown. */
    QFuture<std::optional<domain::Message>> message(const QString &messageId);
    /** @brief The newest job behind each of @p messageIds that has one (by message id). */
    QFuture<QHash<QString, jobs::Job>> replyJobs(const QStringList &messageIds);
    /** @brief The reply @p messageId as the store has it, its text from @p from on. */
    QFuture<ReplyProgress> progress(const QString &messageId, qsizetype from);
    QFuture<QList<domain::Message>> visiblePath(const QString &conversationId);
    /** @brief The visible path strictly below @p ancestorId (after a switch under it). */
    QFuture<QList<domain::Message>> visiblePathBelow(const QString &conversationId,
                                                     const QString &ancestorId);
    /** @brief Every node of a conversation, for the tree map and `arbord show --tree`. */
    QFuture<QList<domain::TreeNode>> tree(const QString &conversationId, bool withPreview = true);
    /** @brief The labelled messages of a conversation (bookmarks to jump to). */
    QFuture<QList<domain::TreeNode>> labels(const QString &conversationId);
    /** @brief Full-text search over all branches of all conversations. */
    QFuture<QList<domain::SearchHit>> search(const QString &query, int limit = 50);

    /** @brief Of @p messageIds, the live replies whose process died: their job runs under no
     *  live worker, or they have no job that will run. Readers (which never run or recover
     *  jobs) show them as interrupted until a process that runs jobs settles them. Changes
     *  nothing. */
    static QSet<QString> orphanedReplies(const QSqlDatabase &db, const QStringList &messageIds);
    /** @brief What a reader says of such a reply (@p hasText: some of it had arrived). */
    static QString orphanedNote(bool hasText);

protected:
    store::StoreReader m_reader;
};

} // namespace arbor::chat
