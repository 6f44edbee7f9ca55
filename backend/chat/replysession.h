#pragma once

#include "chatevents.h"

#include "domain/message.h"
#include "domain/toolcall.h"
#include "llm/provider.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonObject>
#include <QObject>

#include <memory>
#include <optional>

class QSqlDatabase;

namespace arbor::store {
class Store;
}
namespace arbor::jobs {
class JobRun;
enum class CancelReason;
} // namespace arbor::jobs
namespace arbor::tools {
class ToolHost;
}

namespace arbor::chat {

class ChunkCommitter;
class LiveTexts;
class ToolRound;
struct ReplyChunk;

/** @brief One streaming reply inside a running chat job: stream → live text, reasoning and tool
 *  calls, events, chunks. */
class ReplySession : public QObject
{
    Q_OBJECT

public:
    ReplySession(jobs::JobRun *run, domain::Message message, store::Store &store,
                 ChatEvents &events, LiveTexts &live, ChunkCommitter &committer);
    /// Rounds of tool calls one reply may make before it ends with them unanswered.
    static constexpr int MaxToolRounds = 8;
    /** @brief What is shown for a reply that reached MaxToolRounds: a notice, not an error (it
     *  is stored complete, with finish reason domain::ToolRoundLimit). */
    static QString roundLimitNote();

    /**
     * @brief Lets the reply run the tools of @p servers on @p host: when a stream ends with
     * tool calls, they run (ToolRound), their results are stored on the calls, and the reply
     * goes on in the same message with a new request: @p request (the conversation before
     * this message, with the tools) plus this message's text, calls and results. Call before
     * begin().
     */
    void enableTools(tools::ToolHost *host, QStringList servers, llm::ChatRequest request,
                     std::shared_ptr<llm::Provider> provider);
    /** @brief Marks the message streaming and starts @p stream (taking ownership). */
    void begin(llm::ChatStream *stream);
    /** @brief A continuation of a reply that stopped at the limit on rounds: marks the message
     *  streaming and runs its last round's calls (from @p from on, never run), then goes on
     *  as after any round. Needs enableTools(). */
    void resume(qsizetype from);
    /** @brief Ends the reply with @p error (also used before any stream exists). */
    void fail(const llm::ChatError &error);
    /** @brief What is not stored yet, for the committer's next transaction (nullopt: nothing).
     */
    std::optional<ReplyChunk> takeChunk();

private:
    /** @brief What is not stored yet when the reply ends. */
    struct Rest
    {
        QString text;
        QString reasoning;
        qint64 reasoningMs = -1;
        QString reasoningData = {};
        QString toolCalls = {}; ///< JSON of all the calls when they changed; null: as stored
    };

    void onDelta(const QString &text);
    /** @brief Stores when the first token of this stream arrived (once). */
    void noteFirstToken();
    void onReasoning(const QString &text);
    void onToolCall(int index, const llm::ToolCall &call);
    void onToolArguments(int index, const llm::ToolCall &head, qsizetype offset,
                         const QString &piece);
    void onFinished(const llm::ChatUsage &usage, const QString &finishReason);
    void attach(llm::ChatStream *stream);
    /** @brief What begin() and resume() share: the text so far, the status streaming. */
    void start();
    /** @brief Runs this round's calls; false when there are none to run. */
    bool runTools();
    void nextRound();
    void storeCalls();
    void onCancel(jobs::CancelReason reason);
    void flush();
    void announce(const QString &status, const QString &error);
    Rest takeRest();
    /** @brief Stores @p rest's pieces (in the writer's transaction that ends the reply). */
    static void storeRest(const QSqlDatabase &db, const QString &id, int seq, const Rest &rest);

    jobs::JobRun *m_run;
    domain::Message m_message;
    store::Store &m_store;
    ChatEvents &m_events;
    LiveTexts &m_live;
    llm::ChatStream *m_stream = nullptr;
    ChunkCommitter &m_committer;
    QString m_pending;
    QString m_pendingReasoning;
    QList<qsizetype> m_pendingReasoningPieces;
    QList<ArgumentsPiece> m_pendingArguments;
    int m_seq = 0;
    qsizetype m_received = 0;            ///< text and reasoning received
    qsizetype m_reasoningSize = 0;       ///< the whole reasoning's length so far
    QElapsedTimer m_reasoningClock;      ///< runs from the first reasoning
    qint64 m_reasoningMs = -1;           ///< set when the answer began after reasoning
    QJsonObject m_reasoningState;        ///< ChatStream::reasoningState
    qsizetype m_contentBase = 0;         ///< the text a continuation starts with
    QList<domain::ToolCall> m_toolCalls; ///< those it carries, then this stream's
    qsizetype m_callBase = 0;            ///< the calls a continuation carries
    bool m_toolCallsDirty = false;       ///< changed since they were last stored
    bool m_firstTokenSeen = false;
    QString m_text;            ///< the whole content so far
    CommittedText m_restPiece; ///< what the end stores (takeRest), told once it is committed
    // Tools (enableTools()):
    tools::ToolHost *m_host = nullptr;
    QStringList m_servers;
    llm::ChatRequest m_request;
    std::shared_ptr<llm::Provider> m_provider;
    ToolRound *m_round = nullptr;
    int m_rounds = 0;            ///< rounds of calls run
    int m_roundBase = 0;         ///< the stored round of this session's first round
    llm::ChatUsage m_usage;      ///< of the rounds before this stream
    QJsonArray m_callSignatures; ///< Gemini function_call signatures of the rounds so far
};

} // namespace arbor::chat
