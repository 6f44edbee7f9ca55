#include "replyfollower.h"

#include "chatevents.h"
#include "durablefeed.h"
#include "livetexts.h"

#include "core/whenready.h"
#include "domain/ids.h"

namespace arbor::chat {

namespace {

/**
 * @brief Joins @p piece, at @p offset of the whole, onto @p text: what is new is appended and
 * passed to @p fresh; a piece past the end waits in @p ahead until the gap before it fills.
 * Offsets make a duplicate or an overlapping piece harmless.
 */
template<typename Fresh>
void joinAt(QString &text, QMap<qsizetype, QString> &ahead, qsizetype offset, const QString &piece,
            Fresh fresh)
{
    if (offset > text.size()) {
        ahead.insert(offset, piece);
        return;
    }
    const auto add = [&](qsizetype at, const QString &p) {
        if (at + p.size() > text.size()) {
            const QString added = p.mid(text.size() - at);
            text += added;
            fresh(added);
        }
    };
    add(offset, piece);
    while (!ahead.isEmpty() && ahead.firstKey() <= text.size()) {
        const qsizetype at = ahead.firstKey();
        add(at, ahead.take(at));
    }
}

} // namespace

using domain::MessageStatus;

ReplyFollower::ReplyFollower(ChatService &chat, ChatEvents &events, LiveTexts &live,
                             QObject *parent)
    : QObject(parent)
    , m_chat(chat)
    , m_live(&live)
    , m_timer(this)
{
    connect(&m_timer, &QTimer::timeout, this, &ReplyFollower::poll);
    connect(&events, &ChatEvents::messageDelta, this,
            [this](const QString &, const QString &id, qsizetype offset, const QString &piece) {
                if (id == m_id)
                    append(offset, piece);
            });
    connect(
        &events, &ChatEvents::messageStateChanged, this,
        [this](const QString &, const QString &id, const QString &status, const QString &error) {
            if (id == m_id)
                takeState(status, error);
        });
}

ReplyFollower::ReplyFollower(ChatService &chat, DurableFeed &feed, QObject *parent)
    : QObject(parent)
    , m_chat(chat)
    , m_feed(&feed)
    , m_timer(this)
{
    connect(&m_timer, &QTimer::timeout, this, &ReplyFollower::poll);
}

ReplyFollower::~ReplyFollower()
{
    if (m_feed && !m_id.isEmpty())
        m_feed->remove(m_id, this);
}

void ReplyFollower::takeState(const QString &status, const QString &error)
{
    const MessageStatus s = domain::messageStatusFromString(status);
    if (m_done || domain::isLive(s))
        return;
    // This process ran it and has recorded its end (or failed to): the store says which.
    m_endedHere = true;
    m_endedHereAfter = m_polls;
    m_hereStatus = s;
    m_hereError = error;
    poll();
}

void ReplyFollower::follow(const QString &messageId)
{
    if (m_feed && !m_id.isEmpty())
        m_feed->remove(m_id, this);
    m_id = messageId;
    m_text.clear();
    m_ahead.clear();
    m_reasoning.clear();
    m_reasoningAhead.clear();
    m_heldArguments.clear();
    m_argumentLengths.clear();
    m_primed = true;
    if (m_feed) {
        m_feed->add(m_id, this);
    } else if (const auto live = m_live->text(messageId)) {
        // Text this process streamed before it knew the id (deltas past it arrive as events).
        append(0, *live);
    }
    m_timer.start(m_pollMs);
    poll();
}

void ReplyFollower::followUnprimed(const QString &messageId)
{
    Q_ASSERT(m_feed);
    if (!m_id.isEmpty())
        m_feed->remove(m_id, this);
    m_id = messageId;
    m_text.clear();
    m_ahead.clear();
    m_reasoning.clear();
    m_reasoningAhead.clear();
    m_heldArguments.clear();
    m_argumentLengths.clear();
    m_primed = false;
    m_feed->add(m_id, this);
}

void ReplyFollower::prime(const domain::Message &stored)
{
    if (m_primed)
        return;
    m_primed = true;
    appendReasoning(0, stored.reasoning);
    append(0, stored.content);
    m_timer.start(m_pollMs);
    poll();
}

void ReplyFollower::takeCommitted(const CommittedText &piece)
{
    // The reasoning in the vendor's pieces, then the text, then the calls after it.
    qsizetype used = 0;
    for (const qsizetype size : piece.reasoningPieces) {
        if (size <= 0 || used + size > piece.reasoning.size())
            break;
        appendReasoning(piece.reasoningOffset + used, piece.reasoning.mid(used, size));
        used += size;
    }
    if (used < piece.reasoning.size())
        appendReasoning(piece.reasoningOffset + used, piece.reasoning.mid(used));
    if (!piece.text.isEmpty())
        append(piece.offset, piece.text);
    if (m_done || piece.arguments.isEmpty())
        return;
    m_heldArguments.append(piece.arguments);
    releaseArguments();
}

void ReplyFollower::appendReasoning(qsizetype offset, const QString &piece)
{
    if (m_done)
        return;
    if (!m_primed) {
        m_reasoningAhead.insert(offset, piece); // after the first read of the store
        return;
    }
    joinAt(m_reasoning, m_reasoningAhead, offset, piece,
           [this](const QString &fresh) { Q_EMIT reasoningArrived(fresh); });
}

void ReplyFollower::releaseArguments()
{
    while (!m_done && m_primed && !m_heldArguments.isEmpty()
           && m_heldArguments.constFirst().at <= m_text.size()) {
        ArgumentsPiece p = m_heldArguments.takeFirst();
        const qsizetype have = m_argumentLengths.value(p.call, 0);
        if (have < 0)
            continue;
        if (p.offset > have) { // pieces before this one were missed: the end gives the rest
            m_argumentLengths.insert(p.call, -1);
            continue;
        }
        if (p.offset + p.text.size() <= have && !p.text.isEmpty())
            continue; // had already
        p.text = p.text.mid(have - p.offset);
        p.offset = have;
        m_argumentLengths.insert(p.call, have + p.text.size());
        Q_EMIT argumentsArrived(p);
    }
}

void ReplyFollower::append(qsizetype offset, const QString &piece)
{
    if (m_done)
        return;
    if (m_feed && !m_primed) {
        m_ahead.insert(offset, piece); // after the first read of the store
        return;
    }
    // A piece past the end waits until the store (or an earlier piece arriving later) fills
    // the gap before it.
    joinAt(m_text, m_ahead, offset, piece,
           [this](const QString &fresh) { Q_EMIT textArrived(fresh); });
    releaseArguments();
}

void ReplyFollower::poll()
{
    if (m_done || m_id.isEmpty() || !m_primed)
        return;
    if (m_polling) {
        // One read at a time; an end event meanwhile needs a read that starts after it.
        m_pollAgain = m_pollAgain || (m_endedHere && m_endedHereAfter == m_polls);
        return;
    }
    m_polling = true;
    m_pollAgain = false;
    const quint64 number = ++m_polls;
    core::whenReady(this, m_chat.progress(m_id, m_text.size()),
                    [this, number](QFuture<ReplyProgress> f) {
                        m_polling = false;
                        if (m_done)
                            return;
                        try {
                            take(f.result(), number);
                        } catch (const std::exception &e) {
                            m_done = true;
                            m_timer.stop();
                            Q_EMIT failed(QString::fromUtf8(e.what()));
                            return;
                        }
                        if (m_pollAgain)
                            poll();
                    });
}

void ReplyFollower::take(const ReplyProgress &p, quint64 pollNumber)
{
    if (m_feed)
        appendReasoning(0, p.reasoning);
    append(p.from, p.text);
    if (!domain::isLive(p.status)) {
        finish(p.status, p.error, true);
        return;
    }
    if (m_endedHere && pollNumber > m_endedHereAfter) {
        // Ended here, yet the store still has it live: the end was not recorded.
        finish(m_hereStatus, m_hereError, false);
        return;
    }
    if (!p.hasJob || p.jobState != u"queued")
        return;
    ReplyWait wait;
    wait.lastError = p.lastError;
    wait.runAt = p.runAt;
    wait.attempts = p.attempts;
    wait.maxAttempts = p.maxAttempts;
    wait.queue = p.queue;
    QString key;
    if (p.queuePaused) {
        wait.why = ReplyWait::Why::Paused;
        key = QStringLiteral("paused");
    } else if (p.attempts > 0 && !p.lastError.isEmpty() && p.runAt > domain::nowMs()) {
        wait.why = ReplyWait::Why::Retry;
        key = QStringLiteral("retry %1 %2").arg(p.attempts).arg(p.runAt);
    } else {
        m_waitKey.clear(); // due: it runs as soon as a process claims it
        return;
    }
    if (key == m_waitKey)
        return;
    m_waitKey = key;
    Q_EMIT waiting(wait);
}

void ReplyFollower::finish(MessageStatus status, const QString &error, bool stored)
{
    m_done = true;
    m_ahead.clear();
    m_reasoningAhead.clear();
    m_heldArguments.clear();
    m_timer.stop();
    Q_EMIT ended(status, error, stored);
}

} // namespace arbor::chat
