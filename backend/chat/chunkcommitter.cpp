#include "chunkcommitter.h"

#include "chatevents.h"
#include "replysession.h"
#include "toolturns.h"

#include "store/messagequeries.h"
#include "store/store.h"

#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcReply)

namespace arbor::chat {

namespace messages = store::messages;

ChunkCommitter::ChunkCommitter(store::Store &store, ChatEvents &events, QObject *parent)
    : QObject(parent)
    , m_store(store)
    , m_events(events)
    , m_timer(this)
    , m_inFlight(std::make_shared<std::atomic<bool>>(false))
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &ChunkCommitter::commit);
}

void ChunkCommitter::markDirty(ReplySession *session)
{
    for (const QPointer<ReplySession> &s : std::as_const(m_dirty))
        if (s == session)
            return;
    m_dirty.append(session);
    schedule();
}

void ChunkCommitter::schedule()
{
    if (m_dirty.isEmpty() || m_timer.isActive())
        return;
    // Every few milliseconds at most: a burst of deltas shares one task.
    const qint64 since = m_lastStart.isValid() ? m_lastStart.elapsed() : MinSpacingMs;
    m_timer.start(int(std::max<qint64>(0, MinSpacingMs - since)));
}

void ChunkCommitter::commit()
{
    if (m_inFlight->load(std::memory_order_acquire)) {
        // The last commit has not ended: what comes meanwhile joins the next one, so a slow
        // writer gets fewer, larger chunks instead of a queue of small ones.
        m_timer.start(MinSpacingMs);
        return;
    }
    QList<ReplyChunk> chunks;
    chunks.reserve(m_dirty.size());
    for (const QPointer<ReplySession> &s : std::exchange(m_dirty, {}))
        if (s)
            if (auto chunk = s->takeChunk())
                chunks.append(std::move(*chunk));
    if (chunks.isEmpty())
        return;
    m_lastStart.start();
    m_inFlight->store(true, std::memory_order_release);
    QList<CommittedText> pieces;
    pieces.reserve(chunks.size());
    for (const ReplyChunk &c : std::as_const(chunks))
        if (!c.text.isEmpty() || !c.reasoning.isEmpty() || !c.arguments.isEmpty())
            pieces.append({c.conversationId, c.messageId, c.offset, c.text, c.reasoningOffset,
                           c.reasoning, c.reasoningPieces, c.arguments});
    m_store.post(
        [chunks = std::move(chunks)](QSqlDatabase &db) {
            for (const ReplyChunk &c : chunks) {
                if (!c.reasoning.isEmpty())
                    messages::appendReasoningChunk(db, c.messageId, c.seq, c.reasoning);
                if (!c.text.isEmpty())
                    messages::appendChunk(db, c.messageId, c.seq, c.text);
                if (!c.toolCalls.isNull()) // never over an outcome a call's job has stored
                    messages::setToolCalls(
                        db, c.messageId,
                        toolturns::keepSettled(messages::toolCalls(db, c.messageId), c.toolCalls));
            }
        },
        [events = &m_events, pieces = std::move(pieces),
         inFlight = m_inFlight](std::exception_ptr e) {
            inFlight->store(false, std::memory_order_release);
            // On the writer thread, right after the COMMIT: told from here, without a hop back
            // to this thread first.
            if (!e) {
                if (!pieces.isEmpty())
                    Q_EMIT events->textsCommitted(pieces);
                return;
            }
            try {
                std::rethrow_exception(e);
            } catch (const std::exception &ex) {
                // Not durable: its readers get the text from the store when the reply ends.
                qCWarning(lcReply) << "storing streamed text failed:" << ex.what();
            }
        });
}

} // namespace arbor::chat
