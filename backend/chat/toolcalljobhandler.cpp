#include "toolcalljobhandler.h"

#include "toolturns.h"

#include "core/whenready.h"
#include "domain/ids.h"
#include "domain/toolcall.h"
#include "jobs/jobrun.h"
#include "store/messagequeries.h"
#include "store/store.h"
#include "tools/mcpclient.h"
#include "tools/toolhost.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QLoggingCategory>

#include <memory>

Q_LOGGING_CATEGORY(lcToolJob, "arbor.chat.tooljob", QtInfoMsg)

namespace arbor::chat {

using domain::ToolCall;
namespace messages = store::messages;

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("arbor::chat::ToolCallJobHandler", text);
}

/** @brief Writes @p call as entry @p index of the message's stored calls. */
void storeCall(const QSqlDatabase &db, const QString &messageId, int index, const ToolCall &call)
{
    QList<ToolCall> calls = domain::toolcalls::parse(messages::toolCalls(db, messageId));
    if (index < 0 || index >= calls.size())
        return;
    calls[index] = call;
    messages::setToolCalls(db, messageId, domain::toolcalls::toText(calls));
}

/** @brief Ends @p run with @p call's outcome, stored on the message in the same transaction;
 *  the host hears of it once that is committed. */
void end(jobs::JobRun *run, tools::ToolHost &host, const QString &messageId, int index,
         ToolCall call, bool jobFailed = false)
{
    if (run->isEnded())
        return;
    call.finishedAt = domain::nowMs();
    if (call.startedAt == 0)
        call.startedAt = call.finishedAt;
    qCDebug(lcToolJob) << "call" << call.name << call.status << call.result.left(200);
    QObject::connect(run, &jobs::JobRun::ended, &host,
                     [&host, messageId, index, entry = domain::toolcalls::toJson(call)] {
                         host.noteCallEnded(messageId, index, entry);
                     });
    auto also = [messageId, index, call](const QSqlDatabase &db, jobs::JobState) {
        storeCall(db, messageId, index, call);
    };
    if (call.status == ToolCall::Interrupted)
        run->finishCancelled(call.result, also);
    else if (jobFailed) // no answer from the server (it failed, timed out): the job failed
        run->fail({call.result, false, -1}, also);
    else
        run->succeed(also);
}

ToolCall withOutcome(ToolCall call, QLatin1StringView status, const QString &result, bool isError)
{
    call.status = status;
    call.result = result;
    call.isError = isError;
    return call;
}

} // namespace

ToolCallJobHandler::ToolCallJobHandler(store::Store &store, tools::ToolHost &host)
    : m_store(store)
    , m_host(host)
{
}

void ToolCallJobHandler::start(jobs::JobRun *run)
{
    const QString messageId = run->job().payload.value(QStringLiteral("message_id")).toString();
    const int index = run->job().payload.value(QStringLiteral("call")).toInt(-1);
    auto pending = m_store.read([messageId](QSqlDatabase &db) {
        return domain::toolcalls::parse(messages::toolCalls(db, messageId));
    });
    core::whenReady(run, pending, [this, run, messageId, index](QFuture<QList<ToolCall>> f) {
        QList<ToolCall> calls;
        try {
            calls = f.result();
        } catch (const std::exception &e) {
            run->fail({QStringLiteral("Cannot read the call: %1").arg(QString::fromUtf8(e.what())),
                       false, -1});
            return;
        }
        if (index < 0 || index >= calls.size() || calls.at(index).status != ToolCall::Running) {
            run->finishCancelled(QStringLiteral("the call no longer waits to run"));
            return;
        }
        const ToolCall call = calls.at(index);
        const QString server = call.other.value(QLatin1String(toolturns::ServerKey)).toString();
        // Stopped (by the user, or because the process closes) before the server answered.
        auto stopped = std::make_shared<QString>();
        core::thenReady(
            run, m_host.ensure({server}), [this, run, messageId, index, call, server, stopped] {
                if (run->isEnded())
                    return;
                if (run->isCancelRequested()) {
                    end(run, m_host, messageId, index,
                        withOutcome(call, ToolCall::Interrupted, tr("Stopped before it ran."),
                                    true));
                    return;
                }
                const tools::ToolRoute route = m_host.route({server}, call.name);
                if (!route.found) {
                    const QString failures = m_host.failures({server});
                    ToolCall failed = withOutcome(
                        call, ToolCall::Failed,
                        failures.isEmpty()
                            ? tr("There is no tool “%1” on “%2”.").arg(call.name, server)
                            : tr("There is no tool “%1” (%2).").arg(call.name, failures),
                        true);
                    end(run, m_host, messageId, index, failed, true);
                    return;
                }
                const QJsonObject arguments =
                    QJsonDocument::fromJson(call.arguments.toUtf8()).object();
                tools::McpCall *mcp = m_host.call(route, arguments);
                mcp->setParent(run);
                QObject::connect(run, &jobs::JobRun::cancelRequested, mcp,
                                 [mcp, stopped](jobs::CancelReason reason) {
                                     *stopped = reason == jobs::CancelReason::User
                                         ? tr("Stopped by the user.")
                                         : tr("Arbor was closed while this call ran.");
                                     mcp->cancel(*stopped);
                                 });
                QObject::connect(
                    mcp, &tools::McpCall::finished, run,
                    [this, run, messageId, index, call, stopped](const tools::McpCallResult &r) {
                        if (!stopped->isEmpty()) {
                            end(run, m_host, messageId, index,
                                withOutcome(call, ToolCall::Interrupted, *stopped, true));
                            return;
                        }
                        if (!r.failure.isEmpty()) {
                            ToolCall failed = withOutcome(call, ToolCall::Failed, r.failure, true);
                            end(run, m_host, messageId, index, failed, true);
                            return;
                        }
                        ToolCall done = withOutcome(
                            call, r.isError ? ToolCall::Failed : ToolCall::Done, r.text, r.isError);
                        if (!r.content.isEmpty())
                            done.other.insert(QLatin1String(toolturns::ContentKey), r.content);
                        end(run, m_host, messageId, index, done);
                    });
            });
    });
}

jobs::JobHandler::Recovery ToolCallJobHandler::recoverCall(const QSqlDatabase &db,
                                                           const jobs::Job &job, bool canRetry)
{
    Q_UNUSED(canRetry);
    const QString messageId = job.payload.value(QStringLiteral("message_id")).toString();
    const int index = job.payload.value(QStringLiteral("call")).toInt(-1);
    QList<ToolCall> calls = domain::toolcalls::parse(messages::toolCalls(db, messageId));
    if (index >= 0 && index < calls.size() && !toolturns::settled(calls.at(index))) {
        ToolCall &c = calls[index];
        c.status = ToolCall::Interrupted;
        c.isError = true;
        c.result = QStringLiteral("Arbor stopped before this call finished.");
        c.finishedAt = domain::nowMs();
        messages::setToolCalls(db, messageId, domain::toolcalls::toText(calls));
    }
    return Recovery::Cancel;
}

} // namespace arbor::chat
