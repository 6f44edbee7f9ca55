#include "toolround.h"

#include "toolturns.h"

#include "core/whenready.h"
#include "domain/ids.h"
#include "tools/toolhost.h"

#include <QJsonArray>
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
    connect(&m_host, &tools::ToolHost::callEnded, this, &ToolRound::onCallEnded);
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
    enqueueMarked();
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
    enqueueMarked();
}

void ToolRound::run(qsizetype index, const QString &server)
{
    ToolCall &c = m_calls[index];
    c.status = ToolCall::Running;
    c.startedAt = domain::nowMs();
    c.other.insert(QLatin1String(toolturns::ServerKey), server);
    m_marked.append(index);
}

void ToolRound::enqueueMarked()
{
    // The store writes in order: the entries marked running (changed()) are stored before the
    // jobs that read them exist.
    const QList<qsizetype> marked = std::exchange(m_marked, {});
    for (const qsizetype index : marked) {
        core::whenReady(
            this, m_host.enqueueCall(m_messageId, int(index)), [this, index](QFuture<qint64> f) {
                qint64 id = 0;
                try {
                    id = f.result();
                } catch (const std::exception &e) {
                    if (m_stopped || m_calls.at(index).status != ToolCall::Running)
                        return;
                    settle(index, ToolCall::Failed,
                           tr("The call could not be queued: %1").arg(QString::fromUtf8(e.what())),
                           true);
                    Q_EMIT changed();
                    if (m_left == 0)
                        Q_EMIT finished();
                    return;
                }
                if (m_stopped)
                    m_host.cancelCall(id);
                else if (m_calls.at(index).status == ToolCall::Running)
                    m_jobs.insert(index, id);
            });
    }
}

void ToolRound::onCallEnded(const QString &messageId, int index, const QJsonObject &entry)
{
    if (m_stopped || messageId != m_messageId || index < m_from || index >= m_calls.size()
        || m_calls.at(index).status != ToolCall::Running)
        return;
    const QList<ToolCall> parsed = domain::toolcalls::parse(
        QString::fromUtf8(QJsonDocument(QJsonArray{entry}).toJson(QJsonDocument::Compact)));
    if (parsed.isEmpty())
        return;
    m_jobs.remove(index);
    ToolCall &c = m_calls[index];
    const ToolCall &outcome = parsed.constFirst();
    if (const QJsonValue content = outcome.other.value(QLatin1String(toolturns::ContentKey));
        !content.isUndefined())
        c.other.insert(QLatin1String(toolturns::ContentKey), content);
    c.startedAt = outcome.startedAt;
    settle(index, outcome.status, outcome.result, outcome.isError);
    c.finishedAt = outcome.finishedAt;
    Q_EMIT changed();
    if (m_left == 0)
        Q_EMIT finished();
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
    m_stopped = true;
    // Their jobs end as interrupted too (and store that); the engine stops them on shutdown.
    for (const qint64 id : std::as_const(m_jobs))
        m_host.cancelCall(id);
    m_jobs.clear();
    m_marked.clear();
    for (qsizetype i = m_from; i < m_calls.size(); ++i) {
        ToolCall &c = m_calls[i];
        if (c.status == ToolCall::Running || c.status == ToolCall::AwaitingApproval
            || c.status == ToolCall::Requested)
            settle(i, ToolCall::Interrupted, note, true);
    }
    m_left = 0;
}

} // namespace arbor::chat
