#pragma once

#include "chatevents.h"

#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <atomic>
#include <memory>

namespace arbor::store {
class Store;
}

namespace arbor::chat {

class ChatEvents;
class ReplySession;

/** @brief What a session had not stored yet, taken for one commit. */
struct ReplyChunk
{
    QString conversationId;
    QString messageId;
    int seq = 0;          ///< the chunks' order within the message
    qsizetype offset = 0; ///< the text's length before @p text
    QString text;
    qsizetype reasoningOffset = 0;
    QString reasoning;
    QList<qsizetype> reasoningPieces; ///< the lengths of the vendor's pieces of @p reasoning
    QList<ArgumentsPiece> arguments;  ///< told with the commit, stored when their call is whole
    QString toolCalls;                ///< JSON of all the calls when they changed; null: as stored
};

/**
 * @brief Group commit of streamed text across every reply of a job thread: every MinSpacingMs
 * at most, and one at a time, the sessions with text not yet stored give it to one store task
 * (one transaction, or one savepoint of the writer's group). Right after the COMMIT, on the
 * writer thread, ChatEvents::textsCommitted says which pieces are durable, so a stream that
 * sends only those never sends text a crash could lose. A slow writer gets larger chunks,
 * not a queue.
 *
 * Lives on the job engine's thread, like the sessions it serves.
 */
class ChunkCommitter : public QObject
{
    Q_OBJECT

public:
    static constexpr int MinSpacingMs = 4;

    ChunkCommitter(store::Store &store, ChatEvents &events, QObject *parent = nullptr);

    /** @brief @p session has text to store: it is asked for it (takeChunk) at the next commit.
     */
    void markDirty(ReplySession *session);

private:
    void schedule();
    void commit();

    store::Store &m_store;
    ChatEvents &m_events;
    QList<QPointer<ReplySession>> m_dirty;
    QTimer m_timer;
    QElapsedTimer m_lastStart;
    /** @brief A commit is under way (cleared by the writer after it). */
    std::shared_ptr<std::atomic<bool>> m_inFlight;
};

} // namespace arbor::chat
