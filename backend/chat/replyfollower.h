#pragma once

#include "chatevents.h"
#include "chatservice.h"

#include <QHash>
#include <QMap>
#include <QObject>
#include <QTimer>

namespace arbor::chat {

class ChatEvents;
class DurableFeed;
class LiveTexts;

/** @brief Why a followed reply is waiting instead of streaming. */
struct ReplyWait
{
    enum class Why {
        Retry,  ///< a transient error (rate limit, overload, network): its job runs again at runAt
        Paused, ///< its queue is paused (`arbord jobs pause`, the dashboard)
    };
    Why why = Why::Retry;
    QString lastError; ///< the error of the last attempt, as stored
    qint64 runAt = 0;  ///< ms since epoch
    int attempts = 0;  ///< attempts made so far
    int maxAttempts = 0;
    QString queue;
};

/**
 * @brief Follows one reply to its end wherever it runs: in this process, in another (an
 * `arbord worker`, another `arbord chat`, the app, any of which may claim it) or in the next
 * process after a crash. The store is the truth: the reply and its job are read every PollMs.
 * Live deltas of this process only make text appear sooner; offsets keep every piece once.
 */
class ReplyFollower : public QObject
{
    Q_OBJECT

public:
    static constexpr int PollMs = 200;

    ReplyFollower(ChatService &chat, ChatEvents &events, LiveTexts &live,
                  QObject *parent = nullptr);
    /** @brief A follower that gives only durable text: what the store has and what @p feed
     *  says was committed, never live text a crash could lose (a resumable stream). */
    ReplyFollower(ChatService &chat, DurableFeed &feed, QObject *parent = nullptr);
    ~ReplyFollower() override;

    /** @brief Reads the store every @p ms instead of PollMs. For a reply this process runs,
     *  text and the end arrive as events at once, so a server following hundreds of them
     *  reads less often. Call before follow(). */
    void setPollInterval(int ms) { m_pollMs = ms; }
    /** @brief Starts following @p messageId, its text from the start. */
    void follow(const QString &messageId);
    /** @brief Starts following @p messageId (a durable follower) but gives nothing before
     *  prime(): what the feed brings meanwhile waits, so a caller that reads the reply after
     *  this call and primes with what it read misses nothing, gets nothing twice, and gets the
     *  stored reasoning before any text. */
    void followUnprimed(const QString &messageId);
    /** @brief The reply as read after followUnprimed(): its reasoning and text are given, then
     *  what the feed brought meanwhile, then the rest as it comes. */
    void prime(const domain::Message &stored);
    const QString &messageId() const { return m_id; }
    /** @brief The text given so far. */
    const QString &text() const { return m_text; }

    /** @brief From the feed (or ChatEvents): text at @p offset of the reply. */
    void takeCommitted(qsizetype offset, const QString &piece) { append(offset, piece); }
    /** @brief From the feed: a commit's reasoning, text and tool-call argument pieces. */
    void takeCommitted(const CommittedText &piece);
    /** @brief From the feed (or ChatEvents): the reply's state changed in this process. */
    void takeState(const QString &status, const QString &error);

Q_SIGNALS:
    /** @brief More text, after all given before. */
    void textArrived(const QString &piece);
    /** @brief More reasoning, after all given before, a signal per piece the vendor sent
     *  (a durable follower only; what the store had when it started comes as one piece). */
    void reasoningArrived(const QString &piece);
    /** @brief A piece of a tool call's arguments as the vendor streamed it (a durable follower
     *  of a reply this process runs): given after the text before its call, each call's pieces
     *  from offset 0 on without gaps. Arguments are stored only once their call is whole: the
     *  reply's stored calls are the truth when it ends. */
    void argumentsArrived(const arbor::chat::ArgumentsPiece &piece);
    /** @brief The reply waits (once per new wait: a retry at a new time, a pause). */
    void waiting(const arbor::chat::ReplyWait &wait);
    /** @brief The reply ended with @p status. @p stored is false when this process ran it to
     *  its end but the store could not record that (a full disk): text() is what it streamed. */
    void ended(arbor::domain::MessageStatus status, const QString &error, bool stored);
    /** @brief The store cannot be read (damaged, closed) or the reply is gone. */
    void failed(const QString &error);

private:
    void poll();
    void take(const ReplyProgress &progress, quint64 pollNumber);
    void append(qsizetype offset, const QString &piece);
    void appendReasoning(qsizetype offset, const QString &piece);
    void releaseArguments();
    void finish(domain::MessageStatus status, const QString &error, bool stored);

    ChatService &m_chat;
    LiveTexts *m_live = nullptr; ///< null: durable text only
    DurableFeed *m_feed = nullptr;
    QMap<qsizetype, QString> m_ahead; ///< pieces past the end, until the gap before them fills
    QString m_id;
    QString m_text;
    QString m_reasoning;
    QMap<qsizetype, QString> m_reasoningAhead;
    QList<ArgumentsPiece> m_heldArguments;   ///< until the text before their call is given
    QHash<int, qsizetype> m_argumentLengths; ///< per call: given so far; -1: a gap, no more
    bool m_primed = true;                    ///< false between followUnprimed() and prime()
    QTimer m_timer;
    int m_pollMs = PollMs;
    bool m_polling = false;
    bool m_pollAgain = false;
    bool m_done = false;
    quint64 m_polls = 0;          ///< polls started
    quint64 m_endedHereAfter = 0; ///< polls started before this process said the reply ended
    bool m_endedHere = false;
    domain::MessageStatus m_hereStatus = domain::MessageStatus::Complete;
    QString m_hereError;
    QString m_waitKey; ///< the wait last announced
};

} // namespace arbor::chat

Q_DECLARE_METATYPE(arbor::chat::ReplyWait)
