#include "toolround.h"

#include "toolturns.h"

#include "domain/ids.h"
#include "tools/mcpclient.h"
#include "tools/toolhost.h"

#include <QJsonDocument>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcToolRound, "arbor.chat.tools", QtInfoMsg)

namespace arbor::chat {

using domain::ToolCall;

ToolRound::ToolRound(tools::ToolHost &host, QStringList servers, QString messageId,
                     QList<ToolCall> &calls, qsizetype from, QObject *parent)
    : QObject(parent)
    , m_host(host)
    , m_servers(std::move(servers))
    , m_messageId(std::move(messageId))
    , m_calls(calls)
    , m_from(from)
{
    connect(&m_host, &tools::ToolHost::decided, this, &ToolRound::onDecided);
}

void ToolRound::start()
{
    m_left = int(m_calls.size() - m_from);
    if (m_left <= 0) {
        m_left = 0;
        Q_EMIT finished();
        return;
    }
    for (qsizetype i = m_from; i < m_calls.size(); ++i) {
        ToolCall &c = m_calls[i];
        const tools::ToolRoute route = m_host.route(m_servers, c.name);
        if (!route.found) {
            const QString failures = m_host.failures(m_servers);
            settle(i, ToolCall::Failed,
                   failures.isEmpty() ? tr("There is no tool “%1”.").arg(c.name)
                                      : tr("There is no tool “%1” (%2).").arg(c.name, failures),
                   true);
            continue;
        }
        c.other.insert(QLatin1String(toolturns::ServerKey), route.server);
        if (route.policy == tools::Policy::Deny) {
            settle(i, ToolCall::Denied, tr("The user does not allow the tool “%1”.").arg(c.name),
                   true);
            continue;
        }
        if (route.policy == tools::Policy::Allow) {
            run(i, route.server);
            continue;
        }
        switch (m_host.askMode()) {
        case tools::AskMode::ApproveAll:
            run(i, route.server);
            break;
        case tools::AskMode::DenyUnapproved:
            settle(i, ToolCall::Denied,
                   tr("The tool “%1” needs the user's approval, which was not given.").arg(c.name),
                   true);
            break;
        case tools::AskMode::NoFlag:
            settle(i, ToolCall::Denied,
                   tr("The tool “%1” of “%2” needs approval and was denied: run arbord chat with "
                      "--approve-all, or allow it with `arbord tools policy %2 %1 allow`.")
                       .arg(c.name, route.server),
                   true);
            break;
        case tools::AskMode::Ask:
            c.status = ToolCall::AwaitingApproval;
            break;
        }
    }
    Q_EMIT changed();
    if (m_left == 0)
        Q_EMIT finished();
}

void ToolRound::onDecided(const QString &messageId, int index, bool allow, bool always)
{
    if (messageId != m_messageId || index < m_from || index >= m_calls.size())
        return;
    ToolCall &c = m_calls[index];
    if (c.status != ToolCall::AwaitingApproval)
        return;
    const QString server = c.other.value(QLatin1String(toolturns::ServerKey)).toString();
    if (!allow) {
        settle(index, ToolCall::Denied, tr("The user denied this call of “%1”.").arg(c.name), true);
        Q_EMIT changed();
        if (m_left == 0)
            Q_EMIT finished();
        return;
    }
    if (always)
        m_host.allowAlways(server, c.name);
    run(index, server);
    Q_EMIT changed();
}

void ToolRound::run(qsizetype index, const QString &server)
{
    ToolCall &c = m_calls[index];
    c.status = ToolCall::Running;
    c.startedAt = domain::nowMs();
    const QJsonObject arguments = QJsonDocument::fromJson(c.arguments.toUtf8()).object();
    tools::McpCall *call = m_host.call({server, c.name, tools::Policy::Allow, true}, arguments);
    m_running.append(call);
    connect(
        call, &tools::McpCall::finished, this, [this, index, call](const tools::McpCallResult &r) {
            m_running.removeAll(call);
            call->deleteLater();
            if (!r.failure.isEmpty()) {
                settle(index, ToolCall::Failed, r.failure, true);
            } else {
                if (!r.content.isEmpty())
                    m_calls[index].other.insert(QLatin1String(toolturns::ContentKey), r.content);
                settle(index, r.isError ? ToolCall::Failed : ToolCall::Done, r.text, r.isError);
            }
            Q_EMIT changed();
            if (m_left == 0)
                Q_EMIT finished();
        });
}

void ToolRound::settle(qsizetype index, const QString &status, const QString &result, bool isError)
{
    ToolCall &c = m_calls[index];
    c.status = status;
    c.result = result;
    c.isError = isError;
    c.finishedAt = domain::nowMs();
    if (c.startedAt == 0)
        c.startedAt = c.finishedAt;
    --m_left;
    qCDebug(lcToolRound) << "call" << c.name << status << result.left(200);
}

void ToolRound::stop(const QString &note)
{
    const QList<QPointer<tools::McpCall>> running = std::exchange(m_running, {});
    for (const QPointer<tools::McpCall> &call : running) {
        if (call) {
            call->disconnect(this);
            call->cancel(note);
            call->deleteLater();
        }
    }
    for (qsizetype i = m_from; i < m_calls.size(); ++i) {
        ToolCall &c = m_calls[i];
        if (c.status == ToolCall::Running || c.status == ToolCall::AwaitingApproval
            || c.status == ToolCall::Requested)
            settle(i, ToolCall::Interrupted, note, true);
    }
    m_left = 0;
}

} // namespace arbor::chat
