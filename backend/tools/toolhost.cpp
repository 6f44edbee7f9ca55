#include "toolhost.h"

#include "mcpclient.h"

#include "core/whenready.h"
#include "jobs/jobengine.h"

#include <QLoggingCategory>
#include <QPromise>
#include <QSet>

#include <stdexcept>

Q_LOGGING_CATEGORY(lcToolHost, "arbor.tools.host", QtInfoMsg)

namespace arbor::tools {

ToolHost::ToolHost(ToolService &service, QObject *parent)
    : QObject(parent)
    , m_service(service)
{
}

ToolHost::~ToolHost()
{
    for (Server &s : m_servers) {
        if (s.client)
            s.client->close();
    }
}

QFuture<void> ToolHost::ensure(const QStringList &servers)
{
    auto promise = std::make_shared<QPromise<void>>();
    promise->start();
    QFuture<void> future = promise->future();
    auto left = std::make_shared<int>(0);
    QStringList toWait;
    for (const QString &name : servers) {
        const auto it = m_servers.constFind(name);
        if (it != m_servers.cend() && it->status.state != ServerStatus::State::Starting
            && (it->status.state == ServerStatus::State::Ready || !it->client.isNull()))
            continue;
        toWait.append(name);
    }
    if (toWait.isEmpty()) {
        promise->finish();
        return future;
    }
    *left = int(toWait.size());
    for (const QString &name : toWait) {
        const bool known = m_servers.contains(name);
        m_servers[name].waiting.append([promise, left] {
            if (--*left == 0)
                promise->finish();
        });
        if (!known || m_servers[name].status.state != ServerStatus::State::Starting)
            connectServer(name);
    }
    return future;
}

void ToolHost::connectServer(const QString &name)
{
    m_servers[name].status = ServerStatus{name, ServerStatus::State::Starting, 0, {}, {}};
    Q_EMIT statusChanged(name);
    core::thenReady(
        this, m_service.server(name), [this, name](const std::optional<StoredToolServer> &stored) {
            if (!stored) {
                Server &s = m_servers[name];
                s.status.state = ServerStatus::State::Failed;
                s.status.error =
                    tr("There is no tool server “%1” (see arbord tools list).").arg(name);
                settle(name);
                return;
            }
            core::thenReady(
                this, m_service.policies(name),
                [this, name](const QHash<QString, Policy> &p) { m_servers[name].policies = p; });
            // The keychain is read on the service's thread (the main one), one job at a time.
            QMetaObject::invokeMethod(&m_service, [this, name, stored] {
                core::thenReady(
                    this, m_service.resolve(*stored), [this, name](const ResolvedServer &resolved) {
                        Server &s = m_servers[name];
                        if (!resolved.error.isEmpty()) {
                            s.status.state = ServerStatus::State::Failed;
                            s.status.error = resolved.error;
                            settle(name);
                            return;
                        }
                        McpClient *client = ToolService::makeClient(resolved, this);
                        s.client = client;
                        connect(client, &McpClient::ready, this, [this, name] {
                            Server &ready = m_servers[name];
                            ready.status.state = ServerStatus::State::Ready;
                            ready.status.toolCount = int(ready.client->tools().size());
                            settle(name);
                        });
                        connect(client, &McpClient::toolsChanged, this, [this, name] {
                            Server &changed = m_servers[name];
                            if (changed.client)
                                changed.status.toolCount = int(changed.client->tools().size());
                            Q_EMIT statusChanged(name);
                        });
                        connect(
                            client, &McpClient::failed, this, [this, name](const QString &reason) {
                                Server &failed = m_servers[name];
                                failed.status.state = ServerStatus::State::Failed;
                                failed.status.error = reason;
                                if (failed.client)
                                    failed.status.stderrTail = failed.client->stderrTail();
                                qCInfo(lcToolHost) << "tool server" << name << "failed:" << reason;
                                settle(name);
                            });
                        client->connectToServer();
                    });
            });
        });
}

void ToolHost::settle(const QString &name)
{
    Server &s = m_servers[name];
    const QList<std::function<void()>> waiting = std::exchange(s.waiting, {});
    Q_EMIT statusChanged(name);
    for (const auto &w : waiting)
        w();
}

const McpTool *ToolHost::toolOf(const QString &server, const QString &tool) const
{
    const auto it = m_servers.constFind(server);
    if (it == m_servers.cend() || !it->client || it->status.state != ServerStatus::State::Ready)
        return nullptr;
    const QList<McpTool> &tools = it->client->tools();
    for (const McpTool &t : tools) {
        if (t.name == tool)
            return &t;
    }
    return nullptr;
}

QList<llm::ToolSpec> ToolHost::specs(const QStringList &servers) const
{
    QList<llm::ToolSpec> out;
    QSet<QString> seen;
    for (const QString &name : servers) {
        const auto it = m_servers.constFind(name);
        if (it == m_servers.cend() || !it->client || it->status.state != ServerStatus::State::Ready)
            continue;
        const QList<McpTool> &tools = it->client->tools();
        for (const McpTool &t : tools) {
            if (seen.contains(t.name))
                continue;
            if (it->policies.value(t.name, defaultPolicy(t.annotations)) == Policy::Deny)
                continue;
            seen.insert(t.name);
            out.append({t.name, t.description, t.inputSchema});
        }
    }
    return out;
}

ToolRoute ToolHost::route(const QStringList &servers, const QString &tool) const
{
    for (const QString &name : servers) {
        if (const McpTool *t = toolOf(name, tool)) {
            const Policy policy =
                m_servers.value(name).policies.value(tool, defaultPolicy(t->annotations));
            return {name, tool, policy, true};
        }
    }
    return {};
}

McpCall *ToolHost::call(const ToolRoute &route, const QJsonObject &arguments)
{
    Server &s = m_servers[route.server];
    if (!s.client)
        return McpCall::failedCall(s.status.error.isEmpty()
                                       ? tr("The server “%1” is not connected.").arg(route.server)
                                       : s.status.error,
                                   this);
    return s.client->callTool(route.tool, arguments, m_callTimeoutMs);
}

QString ToolHost::failures(const QStringList &servers) const
{
    QStringList out;
    for (const QString &name : servers) {
        const auto it = m_servers.constFind(name);
        if (it != m_servers.cend() && it->status.state == ServerStatus::State::Failed)
            out.append(QStringLiteral("%1: %2").arg(name, it->status.error));
    }
    return out.join(QLatin1String("; "));
}

QList<ServerStatus> ToolHost::statuses() const
{
    QList<ServerStatus> out;
    for (const Server &s : m_servers)
        out.append(s.status);
    return out;
}

void ToolHost::allowAlways(const QString &server, const QString &tool)
{
    m_servers[server].policies.insert(tool, Policy::Allow);
    m_service.setPolicy(server, tool, Policy::Allow);
}

void ToolHost::decide(const QString &messageId, int index, bool allow, bool always)
{
    Q_EMIT decided(messageId, index, allow, always);
}

QString ToolHost::workerId() const
{
    return m_engine ? m_engine->workerId() : QString();
}

QFuture<qint64> ToolHost::enqueueCall(const QString &messageId, int index)
{
    if (!m_engine)
        return QtFuture::makeExceptionalFuture<qint64>(
            std::make_exception_ptr(std::runtime_error("this process runs no tool jobs")));
    jobs::JobSpec spec;
    spec.kind = QStringLiteral("tool.call");
    spec.queue = jobs::pinnedQueue(m_engine->workerId());
    spec.priority = jobs::Priority::Interactive + 1; // the reply waits for it
    spec.payload = {{QStringLiteral("message_id"), messageId}, {QStringLiteral("call"), index}};
    // Not the message's id: that names the reply's own job (latestForSubject, the sweep).
    spec.subjectId = QStringLiteral("%1/call/%2").arg(messageId).arg(index);
    spec.maxAttempts = 1; // a call is not run twice: the server may have acted on it
    return m_engine->enqueue(spec);
}

void ToolHost::cancelCall(qint64 jobId)
{
    if (m_engine)
        m_engine->cancel(jobId);
}

void ToolHost::drop(const QString &server)
{
    const auto it = m_servers.find(server);
    if (it == m_servers.end())
        return;
    if (it->client) {
        it->client->close();
        it->client->deleteLater();
    }
    m_servers.erase(it);
    Q_EMIT statusChanged(server);
}

} // namespace arbor::tools
