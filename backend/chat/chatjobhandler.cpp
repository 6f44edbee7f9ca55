#include "chatjobhandler.h"

#include "chunkcommitter.h"
#include "clienttools.h"
#include "replysession.h"
#include "toolturns.h"

#include "core/whenready.h"
#include "domain/ids.h"
#include "jobs/jobrun.h"
#include "llm/providerregistry.h"
#include "llm/reasoningdata.h"
#include "store/conversationqueries.h"
#include "store/messagequeries.h"
#include "store/sql.h"
#include "store/store.h"
#include "store/toolqueries.h"
#include "tools/toolhost.h"

#include <QFuture>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QThread>

namespace arbor::chat {

using domain::Message;
using domain::MessageStatus;
namespace messages = store::messages;

namespace {

struct ReplyContext
{
    std::optional<Message> message;
    QList<Message> history; ///< root .. the message's parent
    QString settings;
    int siblingIndex = 0;             ///< the message's position among its siblings
    QHash<QString, bool> toolChoices; ///< servers the conversation turned on or off
};

/** @brief What the job's payload adds to the conversation: the call's options, the
 *  parameters of this reply alone (a compare column's temperature: the message's own, kept with
 *  it; a job of an older Arbor carries them itself) and, for a fused reply, the prompt that
 *  stands in for the user's last turn. */
struct ReplyPayload
{
    QVariantMap options;
    QJsonObject parameters;
    QString prompt;
};

/** @brief The request for @p c's message; without @p current, the conversation before it
 *  only (what a later round of tool calls starts from). */
llm::ChatRequest buildRequest(const ReplyContext &c, const ReplyPayload &payload,
                              bool current = true)
{
    const QVariantMap &options = payload.options;
    llm::ChatRequest req;
    req.model = c.message->model;
    req.options = options;
    clienttools::apply(req); // an API client's tools, which Arbor does not run
    req.variant = c.siblingIndex;
    QJsonObject settings = QJsonDocument::fromJson(c.settings.toUtf8()).object();
    const QJsonObject own = c.message->params.isEmpty()
        ? payload.parameters
        : QJsonDocument::fromJson(c.message->params.toUtf8()).object();
    for (auto it = own.begin(); it != own.end(); ++it)
        settings.insert(it.key(), it.value());
    const QString system = settings.value(QStringLiteral("system_prompt")).toString();
    if (!system.isEmpty())
        req.turns.append({QStringLiteral("system"), system});
    req.temperature = settings.value(QStringLiteral("temperature")).toDouble(-1);
    req.maxTokens = settings.value(QStringLiteral("max_tokens")).toInt(0);
    req.thinkingBudget = settings.value(QStringLiteral("thinking_budget")).toInt(0);
    for (const Message &m : c.history) {
        // Failed or empty replies are not part of what the model should see.
        // (A reply of tool calls alone goes back: its calls and their results.)
        if (m.role == u"assistant"
            && ((m.content.isEmpty() && m.toolCalls.isEmpty()) || m.status == MessageStatus::Error))
            continue;
        // A reply that ran tools: its rounds of text, calls and results, then its last text.
        QString text = m.content;
        if (m.role == u"assistant" && !m.toolCalls.isEmpty())
            req.turns +=
                toolturns::assistantTurns(m.content, domain::toolcalls::parse(m.toolCalls), &text);
        if (text.isEmpty() && m.role == u"assistant")
            continue;
        llm::ChatTurn turn{m.role, text};
        // Signatures belong to the vendor and model that made them: another model (a
        // regenerated branch, a model switch) gets the text only.
        if (m.role == u"assistant" && !m.reasoningData.isEmpty()
            && m.provider == c.message->provider && m.model == c.message->model) {
            turn.reasoning = m.reasoning;
            turn.reasoningData = llm::reasoningdata::parse(m.reasoningData);
        }
        req.turns.append(turn);
    }
    // A fused reply answers the question with the replies it fuses: its prompt holds both.
    if (!payload.prompt.isEmpty() && !req.turns.isEmpty() && req.turns.constLast().role == u"user")
        req.turns.last().content = payload.prompt;
    // A continuation: the text so far is the assistant's turn, which the model extends
    // (Anthropic and Ollama treat it as a prefill; others answer after it).
    // Anthropic refuses a prefill that ends in whitespace; the stored text keeps it.
    if (!current)
        return req;
    QString prefix = c.message->content;
    if (!c.message->toolCalls.isEmpty())
        req.turns += toolturns::assistantTurns(
            prefix, domain::toolcalls::parse(c.message->toolCalls), &prefix);
    if (!prefix.isEmpty()) {
        qsizetype end = prefix.size();
        while (end > 0 && prefix.at(end - 1).isSpace())
            --end;
        req.turns.append({QStringLiteral("assistant"), prefix.left(end)});
    }
    return req;
}

} // namespace

ChatJobHandler::ChatJobHandler(store::Store &store, llm::ProviderRegistry &providers,
                               ChatEvents &events, LiveTexts &live, tools::ToolHost *host)
    : m_store(store)
    , m_providers(providers)
    , m_events(events)
    , m_live(live)
    , m_host(host)
{
}

void ChatJobHandler::start(jobs::JobRun *run)
{
    if (!m_committer) {
        // On the engine thread, with the sessions it commits for; gone with that thread.
        m_committer = new ChunkCommitter(m_store, m_events);
        QObject::connect(QThread::currentThread(), &QThread::finished, m_committer,
                         &QObject::deleteLater, Qt::DirectConnection);
    }
    const QString messageId = run->job().payload.value(QStringLiteral("message_id")).toString();
    const QJsonObject &job = run->job().payload;
    const ReplyPayload options{job.value(QStringLiteral("options")).toObject().toVariantMap(),
                               job.value(QStringLiteral("parameters")).toObject(),
                               job.value(QStringLiteral("prompt")).toString()};
    core::whenReady(
        run, m_store.read([messageId](QSqlDatabase &db) {
            ReplyContext c;
            c.message = messages::get(db, messageId);
            if (c.message) {
                if (!c.message->parentId.isEmpty()) {
                    c.history = messages::pathTo(db, c.message->id);
                    c.siblingIndex = c.history.takeLast().siblingIndex;
                }
                if (const auto conv = store::conversations::get(db, c.message->conversationId))
                    c.settings = conv->settings;
                c.toolChoices = store::tools::conversationChoices(db, c.message->conversationId);
            }
            return c;
        }),
        [this, run, options](QFuture<ReplyContext> f) {
            ReplyContext c;
            try {
                c = f.result();
            } catch (const std::exception &e) {
                run->fail({QStringLiteral("Cannot read the conversation: %1")
                               .arg(QString::fromUtf8(e.what())),
                           true, -1});
                return;
            }
            if (!c.message || !domain::isLive(c.message->status)) {
                run->finishCancelled(QStringLiteral("the message no longer waits for a reply"));
                return;
            }
            if (const QString calls = toolturns::interrupted(c.message->toolCalls);
                !calls.isNull()) {
                c.message->toolCalls = calls; // a call of a process that is gone
                m_store.post([id = c.message->id, calls](QSqlDatabase &db) {
                    messages::setToolCalls(db, id, calls);
                });
            }
            auto *session =
                new ReplySession(run, *c.message, m_store, m_events, m_live, *m_committer);
            const auto provider = m_providers.get(c.message->provider);
            if (!provider) {
                session->fail({llm::ChatError::Kind::NotFound,
                               QStringLiteral("No provider “%1” is configured. Add it in Settings "
                                              "or pick another model.")
                                   .arg(c.message->provider),
                               0, -1});
                return;
            }
            llm::ChatRequest request = buildRequest(c, options);
            QStringList servers = options.options.value(QStringLiteral("tools")).toStringList();
            // A server the conversation turned off is not offered, whoever sent the message.
            servers.removeIf([&c](const QString &s) { return !c.toolChoices.value(s, true); });
            if (!m_host || servers.isEmpty()) {
                session->begin(provider->startChat(request, session));
                return;
            }
            // The servers first (once per process), then the request with their tools.
            // A later round starts from the conversation before this message.
            const llm::ChatRequest base = buildRequest(c, options, false);
            // The continuation of a reply that stopped at the limit on rounds (or one whose
            // calls were only asked for) runs the calls it carries that never ran, first.
            const qsizetype pending =
                toolturns::pendingFrom(domain::toolcalls::parse(c.message->toolCalls));
            core::whenReady(
                session, m_host->ensure(servers),
                [this, session, provider, request, base, servers, pending](QFuture<void>) {
                    session->enableTools(m_host, servers, base, provider);
                    if (pending >= 0) {
                        session->resume(pending);
                        return;
                    }
                    llm::ChatRequest withTools = request;
                    withTools.tools = m_host->specs(servers);
                    session->begin(provider->startChat(withTools, session));
                });
        });
}

jobs::JobHandler::Recovery ChatJobHandler::recoverReply(const QSqlDatabase &db,
                                                        const jobs::Job &job, bool canRetry)
{
    const auto message = messages::get(db, job.subjectId);
    if (!message || !domain::isLive(message->status))
        return Recovery::Cancel;
    if (const QString calls = toolturns::interrupted(message->toolCalls); !calls.isNull())
        messages::setToolCalls(db, message->id, calls);
    // Reasoning is kept like text: a reply that stopped while the model was thinking is not
    // started over.
    const bool nothing =
        message->content.isEmpty() && message->reasoning.isEmpty() && message->toolCalls.isEmpty();
    if (nothing && canRetry) {
        messages::requeue(db, message->id, {});
        return Recovery::Requeue;
    }
    messages::finish(
        db, message->id,
        {MessageStatus::Interrupted,
         nothing
             ? QStringLiteral("Arbor stopped before this reply began, and no attempt is left. "
                              "Regenerate it to try again.")
             : QStringLiteral(
                 "Arbor stopped while this reply was streaming; the text received so far is kept."),
         {},
         -1,
         -1});
    return Recovery::Cancel;
}

} // namespace arbor::chat
