#include "replysession.h"

#include "chatevents.h"
#include "chatjobhandler.h"
#include "chunkcommitter.h"
#include "livetexts.h"
#include "toolround.h"
#include "toolturns.h"

#include "domain/continuation.h"
#include "domain/ids.h"
#include "jobs/jobrun.h"
#include "llm/joberrorkind.h"
#include "llm/reasoningdata.h"
#include "store/conversationqueries.h"
#include "store/messagequeries.h"
#include "store/store.h"
#include "tools/toolhost.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcReply, "arbor.chat.reply", QtInfoMsg)

namespace arbor::chat {

using domain::MessageStatus;
namespace messages = store::messages;

namespace {

jobs::RateLimitInfo jobLimits(const llm::RateLimitInfo &info)
{
    return {info.remainingRequests, info.remainingTokens, info.resetRequestsMs,
            info.resetTokensMs,     info.limitRequests,   info.limitTokens};
}

} // namespace

ReplySession::ReplySession(jobs::JobRun *run, domain::Message message, store::Store &store,
                           ChatEvents &events, LiveTexts &live, ChunkCommitter &committer)
    : QObject(run)
    , m_run(run)
    , m_message(std::move(message))
    , m_store(store)
    , m_events(events)
    , m_live(live)
    , m_committer(committer)
{
    connect(run, &jobs::JobRun::cancelRequested, this, &ReplySession::onCancel);
}

void ReplySession::enableTools(tools::ToolHost *host, QStringList servers, llm::ChatRequest request,
                               std::shared_ptr<llm::Provider> provider)
{
    m_host = host;
    m_servers = std::move(servers);
    m_request = std::move(request);
    m_provider = std::move(provider);
}

void ReplySession::start()
{
    // A continuation starts with the text (and reasoning) it continues.
    m_live.begin(m_message.id, m_message.content, m_message.reasoning);
    m_text = m_message.content;
    m_reasoningSize = m_message.reasoning.size();
    m_contentBase = m_message.content.size();
    m_toolCalls = domain::toolcalls::parse(m_message.toolCalls);
    m_callBase = m_toolCalls.size();
    // Its rounds follow those of the calls it carries.
    for (const domain::ToolCall &c : std::as_const(m_toolCalls))
        m_roundBase =
            std::max(m_roundBase, c.other.value(QLatin1String(toolturns::RoundKey)).toInt() + 1);
    if (!m_toolCalls.isEmpty())
        m_live.setToolCalls(m_message.id, m_message.toolCalls);
    const QString id = m_message.id;
    m_store.post([id](QSqlDatabase &db) { messages::setStatus(db, id, MessageStatus::Streaming); });
    Q_EMIT m_events.messageStateChanged(m_message.conversationId, id,
                                        domain::toString(MessageStatus::Streaming), {});
}

void ReplySession::begin(llm::ChatStream *stream)
{
    start();
    attach(stream);
    if (m_run->isCancelRequested())
        onCancel(m_run->cancelReason());
}

void ReplySession::resume(qsizetype from)
{
    start();
    m_callBase = std::clamp<qsizetype>(from, 0, m_toolCalls.size());
    if (m_callBase < m_toolCalls.size())
        m_roundBase =
            m_toolCalls.at(m_callBase).other.value(QLatin1String(toolturns::RoundKey)).toInt();
    if (m_run->isCancelRequested()) {
        onCancel(m_run->cancelReason());
        return;
    }
    runTools();
}

void ReplySession::attach(llm::ChatStream *stream)
{
    m_stream = stream;
    m_stream->setParent(this);
    connect(m_stream, &llm::ChatStream::delta, this, &ReplySession::onDelta);
    connect(m_stream, &llm::ChatStream::reasoning, this, &ReplySession::onReasoning);
    connect(m_stream, &llm::ChatStream::toolCall, this, &ReplySession::onToolCall);
    connect(m_stream, &llm::ChatStream::toolArguments, this, &ReplySession::onToolArguments);
    connect(m_stream, &llm::ChatStream::reasoningState, this,
            [this](const QJsonObject &state) { m_reasoningState = state; });
    connect(m_stream, &llm::ChatStream::finished, this, &ReplySession::onFinished);
    connect(m_stream, &llm::ChatStream::failed, this, &ReplySession::fail);
    // Limits a vendor announces on a successful response pace the provider's queue too.
    connect(m_stream, &llm::ChatStream::rateLimitSeen, this,
            [this](const llm::RateLimitInfo &info) {
                if (!m_run->isEnded() && !info.isEmpty())
                    m_run->reportRateLimit(jobLimits(info));
            });
}

void ReplySession::onDelta(const QString &text)
{
    if (text.isEmpty() || m_run->isEnded())
        return;
    if (m_reasoningClock.isValid() && m_reasoningMs < 0) {
        // The answer begins: the model thought this long.
        m_reasoningMs = m_reasoningClock.elapsed();
        m_store.post([id = m_message.id, ms = m_reasoningMs](QSqlDatabase &db) {
            messages::setReasoningMs(db, id, ms);
        });
        Q_EMIT m_events.reasoningTimed(m_message.conversationId, m_message.id, m_reasoningMs);
    }
    noteFirstToken();
    const qsizetype offset = m_live.append(m_message.id, text);
    m_text += text;
    m_received += text.size();
    m_pending += text;
    Q_EMIT m_events.messageDelta(m_message.conversationId, m_message.id, offset, text);
    m_committer.markDirty(this);
}

void ReplySession::onReasoning(const QString &text)
{
    if (text.isEmpty() || m_run->isEnded())
        return;
    if (!m_reasoningClock.isValid())
        m_reasoningClock.start();
    noteFirstToken();
    const qsizetype offset = m_live.appendReasoning(m_message.id, text);
    m_reasoningSize += text.size();
    m_received += text.size();
    m_pendingReasoning += text;
    m_pendingReasoningPieces.append(text.size());
    Q_EMIT m_events.reasoningDelta(m_message.conversationId, m_message.id, offset, text);
    m_committer.markDirty(this);
}

void ReplySession::noteFirstToken()
{
    if (std::exchange(m_firstTokenSeen, true))
        return;
    // Stored at once (not with the next flush): time to first token survives a crash.
    m_store.post([id = m_message.id, at = domain::nowMs()](QSqlDatabase &db) {
        messages::setFirstTokenAt(db, id, at);
    });
}

void ReplySession::onToolCall(int index, const llm::ToolCall &call)
{
    if (index < 0 || m_run->isEnded())
        return;
    const qsizetype at = m_callBase + index;
    if (at >= m_toolCalls.size()) {
        m_toolCalls.resize(at + 1);
        ++m_received; // a call shown is part of the reply: it is not started over
    }
    domain::ToolCall &c = m_toolCalls[at];
    c.id = call.id;
    c.name = call.name;
    c.arguments = call.arguments;
    c.at = m_contentBase + call.at;
    if (m_host)
        c.other.insert(QLatin1String(toolturns::RoundKey), m_roundBase + m_rounds);
    m_toolCallsDirty = true;
    const QString json = domain::toolcalls::toText(m_toolCalls);
    m_live.setToolCalls(m_message.id, json);
    Q_EMIT m_events.toolCallsChanged(m_message.conversationId, m_message.id, json);
    m_committer.markDirty(this);
}

void ReplySession::onToolArguments(int index, const llm::ToolCall &head, qsizetype offset,
                                   const QString &piece)
{
    if (index < 0 || m_run->isEnded())
        return;
    // Told with the next commit, after the text before them (a streamed response's order).
    m_pendingArguments.append(
        {int(m_callBase + index), head.id, head.name, m_contentBase + head.at, offset, piece});
    m_committer.markDirty(this);
}

void ReplySession::flush()
{
    if (!m_pending.isEmpty() || !m_pendingReasoning.isEmpty() || m_toolCallsDirty
        || !m_pendingArguments.isEmpty())
        m_committer.markDirty(this);
}

std::optional<ReplyChunk> ReplySession::takeChunk()
{
    if (m_pending.isEmpty() && m_pendingReasoning.isEmpty() && !m_toolCallsDirty
        && m_pendingArguments.isEmpty())
        return std::nullopt;
    ReplyChunk c;
    c.conversationId = m_message.conversationId;
    c.messageId = m_message.id;
    c.seq = m_seq++;
    c.offset = m_text.size() - m_pending.size();
    c.text = std::exchange(m_pending, {});
    c.reasoningOffset = m_reasoningSize - m_pendingReasoning.size();
    c.reasoning = std::exchange(m_pendingReasoning, {});
    c.reasoningPieces = std::exchange(m_pendingReasoningPieces, {});
    c.arguments = std::exchange(m_pendingArguments, {});
    if (std::exchange(m_toolCallsDirty, false))
        c.toolCalls = domain::toolcalls::toText(m_toolCalls);
    return c;
}

ReplySession::Rest ReplySession::takeRest()
{
    // Told as committed once the end that stores it has (announce()).
    m_restPiece = {m_message.conversationId,
                   m_message.id,
                   m_text.size() - m_pending.size(),
                   m_pending,
                   m_reasoningSize - m_pendingReasoning.size(),
                   m_pendingReasoning,
                   std::exchange(m_pendingReasoningPieces, {}),
                   std::exchange(m_pendingArguments, {})};
    Rest rest{std::exchange(m_pending, {}), std::exchange(m_pendingReasoning, {})};
    rest.reasoningMs = m_reasoningMs >= 0 ? m_reasoningMs
        : m_reasoningClock.isValid()      ? m_reasoningClock.elapsed()
                                          : -1;
    rest.reasoningData = llm::reasoningdata::toText(
        llm::reasoningdata::withContentBase(m_reasoningState, m_contentBase, m_callBase));
    rest.toolCalls = domain::toolcalls::toText(m_toolCalls); // all the calls that are whole
    m_toolCallsDirty = false;
    return rest;
}

void ReplySession::storeRest(const QSqlDatabase &db, const QString &id, int seq, const Rest &rest)
{
    if (!rest.reasoning.isEmpty())
        messages::appendReasoningChunk(db, id, seq, rest.reasoning);
    if (!rest.text.isEmpty())
        messages::appendChunk(db, id, seq, rest.text);
    if (!rest.toolCalls.isNull()) // never over an outcome a call's job has stored
        messages::setToolCalls(db, id,
                               toolturns::keepSettled(messages::toolCalls(db, id), rest.toolCalls));
}

void ReplySession::onFinished(const llm::ChatUsage &streamUsage, const QString &finishReason)
{
    if (m_run->isEnded())
        return;
    llm::ChatUsage usage = streamUsage;
    if (m_rounds > 0) {
        // A reply with tools is several requests: its usage is their sum.
        auto add = [](int a, int b) { return a < 0 ? b : b < 0 ? a : a + b; };
        usage.promptTokens = add(m_usage.promptTokens, usage.promptTokens);
        usage.completionTokens = add(m_usage.completionTokens, usage.completionTokens);
        usage.cachedTokens = add(m_usage.cachedTokens, usage.cachedTokens);
        usage.reasoningTokens = add(m_usage.reasoningTokens, usage.reasoningTokens);
    }
    const bool callsLeft = m_host && m_toolCalls.size() > m_callBase;
    if (callsLeft && m_rounds < MaxToolRounds) {
        m_usage = usage;
        if (runTools())
            return;
    }
    // The limit on rounds is reached: the reply ends complete with its last calls not run, and
    // its finish reason says so (a notice, not an error: Continue goes on).
    const QString reason = callsLeft ? QString(domain::ToolRoundLimit) : finishReason;
    const QString id = m_message.id;
    const QString conversationId = m_message.conversationId;
    const int seq = m_seq++;
    // Listen before ending: the end may be reported before succeed() returns.
    connect(m_run, &jobs::JobRun::ended, this,
            [this] { announce(domain::toString(MessageStatus::Complete), {}); });
    if (usage.promptTokens >= 0 || usage.completionTokens >= 0)
        m_run->reportUsage(std::max<qint64>(0, usage.promptTokens)
                           + std::max<qint64>(0, usage.completionTokens));
    m_run->succeed([id, conversationId, seq, rest = takeRest(), usage,
                    reason](const QSqlDatabase &db, jobs::JobState) {
        storeRest(db, id, seq, rest);
        messages::finish(db, id,
                         {MessageStatus::Complete,
                          {},
                          reason,
                          usage.promptTokens,
                          usage.completionTokens,
                          rest.reasoningMs,
                          rest.reasoningData,
                          rest.toolCalls,
                          usage.cachedTokens,
                          usage.reasoningTokens});
        store::conversations::touch(db, conversationId);
    });
}

void ReplySession::fail(const llm::ChatError &error)
{
    if (m_run->isEnded())
        return;
    // A retry starts the answer over, so only a reply that has shown nothing yet (no text, no
    // reasoning) is retried.
    const bool retryable = error.retryable() && m_received == 0;
    const MessageStatus status = error.kind == llm::ChatError::Kind::Interrupted
        ? MessageStatus::Interrupted
        : MessageStatus::Error;
    const QString id = m_message.id;
    const int seq = m_seq++;
    const QString text = error.message;
    // The engine queues it again only while attempts remain (Dispatcher::endRun).
    const bool willRetry = retryable && m_run->job().attempts < m_run->job().maxAttempts;
    qCInfo(lcReply) << "reply" << id << "failed:" << text << (willRetry ? "(will retry)" : "");
    connect(m_run, &jobs::JobRun::ended, this, [this, status, text](const QString &state) {
        if (state == jobs::toString(jobs::JobState::Queued))
            Q_EMIT m_events.messageStateChanged(m_message.conversationId, m_message.id,
                                                domain::toString(MessageStatus::Queued), text);
        else
            announce(domain::toString(status), text);
    });
    if (!error.rateLimit.isEmpty())
        m_run->reportRateLimit(jobLimits(error.rateLimit));
    jobs::JobError jobError{text, retryable, error.retryAfterMs};
    jobError.rateLimited =
        error.kind == llm::ChatError::Kind::RateLimited; // the whole provider queue waits
    jobError.kind = llm::jobErrorKind(error.kind);
    m_run->fail(
        jobError,
        [id, seq, rest = takeRest(), status, text](const QSqlDatabase &db, jobs::JobState state) {
            if (state == jobs::JobState::Queued) {
                messages::requeue(db, id, QStringLiteral("Retrying after an error: %1").arg(text));
                return;
            }
            storeRest(db, id, seq, rest);
            messages::finish(
                db, id,
                {status, text, {}, -1, -1, rest.reasoningMs, rest.reasoningData, rest.toolCalls});
        });
}

void ReplySession::onCancel(jobs::CancelReason reason)
{
    if (m_run->isEnded())
        return;
    if (m_stream)
        m_stream->cancel();
    const bool byUser = reason == jobs::CancelReason::User;
    if (m_round && !m_round->isFinished()) {
        m_round->stop(byUser ? QStringLiteral("Stopped by the user.")
                             : QStringLiteral("Arbor was closed while this call ran."));
        m_toolCallsDirty = true;
    }
    const MessageStatus status = byUser ? MessageStatus::Cancelled : MessageStatus::Interrupted;
    const QString note =
        byUser ? QString() : QStringLiteral("Arbor was closed while this reply was streaming.");
    const QString id = m_message.id;
    const int seq = m_seq++;
    connect(m_run, &jobs::JobRun::ended, this,
            [this, status, note] { announce(domain::toString(status), note); });
    m_run->finishCancelled(
        byUser ? QStringLiteral("stopped by the user") : QStringLiteral("shut down"),
        [id, seq, rest = takeRest(), status, note](const QSqlDatabase &db, jobs::JobState) {
            storeRest(db, id, seq, rest);
            messages::finish(
                db, id,
                {status, note, {}, -1, -1, rest.reasoningMs, rest.reasoningData, rest.toolCalls});
        });
}

QString ReplySession::roundLimitNote()
{
    return tr("Arbor paused this reply after %1 rounds of tool calls, the most it makes without "
              "asking: the calls of its last round have not run. Continue runs them and lets the "
              "model go on.")
        .arg(MaxToolRounds);
}

bool ReplySession::runTools()
{
    if (m_stream) {
        m_stream->disconnect(this);
        m_stream->deleteLater();
        m_stream = nullptr;
    }
    m_round = new ToolRound(*m_host, m_servers, m_message.id, m_toolCalls, m_callBase, this);
    connect(m_round, &ToolRound::changed, this, &ReplySession::storeCalls);
    connect(m_round, &ToolRound::changed, this, [this] {
        // While a call waits for the user's answer, the reply holds no slot (others may run).
        m_run->setWaitingForPerson(std::any_of(
            m_toolCalls.cbegin() + m_callBase, m_toolCalls.cend(), [](const domain::ToolCall &c) {
                return c.status == domain::ToolCall::AwaitingApproval;
            }));
    });
    connect(m_round, &ToolRound::finished, this, &ReplySession::nextRound, Qt::QueuedConnection);
    m_round->start();
    return true;
}

void ReplySession::storeCalls()
{
    const QString json = domain::toolcalls::toText(m_toolCalls);
    m_live.setToolCalls(m_message.id, json);
    Q_EMIT m_events.toolCallsChanged(m_message.conversationId, m_message.id, json);
    // Stored at once, in the writer's order (not with the next group commit): a call marked
    // running must be in the store before the job that reads it is queued
    // (ToolRound::enqueueMarked), and never over an outcome a call's job has stored.
    m_toolCallsDirty = false;
    m_store.post([id = m_message.id, json](QSqlDatabase &db) {
        messages::setToolCalls(db, id, toolturns::keepSettled(messages::toolCalls(db, id), json));
    });
}

void ReplySession::nextRound()
{
    if (m_run->isEnded())
        return;
    m_round->deleteLater();
    m_round = nullptr;
    ++m_rounds;
    // Gemini's signatures of this round's function calls go back with them (by call index).
    const QJsonObject state =
        llm::reasoningdata::withContentBase(m_reasoningState, m_contentBase, m_callBase);
    if (state.value(u"format").toString() == llm::reasoningdata::Gemini) {
        for (const QJsonValue &part : state.value(u"parts").toArray()) {
            if (part.toObject().value(u"type").toString() == u"function_call")
                m_callSignatures.append(part);
        }
    }
    m_contentBase = m_text.size();
    m_callBase = m_toolCalls.size();
    m_reasoningState = {};
    llm::ChatRequest request = m_request;
    QString tail;
    QList<llm::ChatTurn> turns = toolturns::assistantTurns(m_text, m_toolCalls, &tail);
    if (!m_callSignatures.isEmpty()) {
        for (llm::ChatTurn &t : turns)
            t.reasoningData = {{QStringLiteral("format"), llm::reasoningdata::Gemini},
                               {QStringLiteral("parts"), m_callSignatures}};
    }
    request.turns += turns;
    if (!tail.isEmpty())
        request.turns.append({QStringLiteral("assistant"), tail});
    request.tools = m_host->specs(m_servers);
    attach(m_provider->startChat(request, this));
}

void ReplySession::announce(const QString &status, const QString &error)
{
    m_live.end(m_message.id);
    // The end committed the text that was not stored yet: durable now, like a chunk.
    if (!m_restPiece.text.isEmpty() || !m_restPiece.reasoning.isEmpty()
        || !m_restPiece.arguments.isEmpty())
        Q_EMIT m_events.textsCommitted({std::exchange(m_restPiece, {})});
    Q_EMIT m_events.messageStateChanged(m_message.conversationId, m_message.id, status, error);
    Q_EMIT m_events.conversationsChanged();
}

} // namespace arbor::chat
