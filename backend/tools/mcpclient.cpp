#include "mcpclient.h"

#include "mcptransport.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QTimer>

Q_LOGGING_CATEGORY(lcMcp, "arbor.tools.mcp", QtInfoMsg)

namespace arbor::tools {

namespace {
constexpr int ListTimeoutMs = 30000;
constexpr int MaxPages = 100; ///< a server whose cursors never end is cut off here
const QString JsonRpc = QStringLiteral("2.0");

QString errorText(const QJsonObject &error)
{
    const QString message = error.value(QLatin1String("message")).toString();
    const int code = error.value(QLatin1String("code")).toInt();
    return message.isEmpty() ? QStringLiteral("error %1").arg(code)
                             : QStringLiteral("%1 (%2)").arg(message).arg(code);
}

QString sizeText(qsizetype base64Chars)
{
    const double bytes = double(base64Chars) * 3 / 4;
    return bytes < 1024 ? QStringLiteral("%1 B").arg(qint64(bytes))
                        : QStringLiteral("%1 KB").arg(bytes / 1024, 0, 'f', 1);
}
} // namespace

QString contentText(const QJsonArray &content)
{
    QStringList parts;
    for (const QJsonValue &v : content) {
        const QJsonObject block = v.toObject();
        const QString type = block.value(QLatin1String("type")).toString();
        if (type == QLatin1String("text")) {
            parts.append(block.value(QLatin1String("text")).toString());
        } else if (type == QLatin1String("image") || type == QLatin1String("audio")) {
            parts.append(QStringLiteral("[%1 %2, %3]")
                             .arg(type, block.value(QLatin1String("mimeType")).toString(),
                                  sizeText(block.value(QLatin1String("data")).toString().size())));
        } else if (type == QLatin1String("resource")) {
            const QJsonObject r = block.value(QLatin1String("resource")).toObject();
            parts.append(r.contains(QLatin1String("text"))
                             ? r.value(QLatin1String("text")).toString()
                             : QStringLiteral("[resource %1]")
                                   .arg(r.value(QLatin1String("uri")).toString()));
        } else if (type == QLatin1String("resource_link")) {
            parts.append(
                QStringLiteral("[resource %1]").arg(block.value(QLatin1String("uri")).toString()));
        }
    }
    return parts.join(QLatin1Char('\n'));
}

McpCall *McpCall::failedCall(const QString &reason, QObject *parent)
{
    auto *call = new McpCall(parent);
    QTimer::singleShot(0, call, [call, reason] {
        call->finish(McpCallResult{true, {}, {}, {}, reason});
    });
    return call;
}

void McpCall::cancel(const QString &reason)
{
    if (m_finished)
        return;
    if (m_cancel)
        m_cancel(reason);
}

void McpCall::finish(const McpCallResult &result)
{
    if (m_finished)
        return;
    m_finished = true;
    m_result = result;
    Q_EMIT finished(result);
}

const QStringList &McpClient::supportedProtocolVersions()
{
    static const QStringList versions{QStringLiteral("2025-11-25"), QStringLiteral("2025-06-18"),
                                      QStringLiteral("2025-03-26"), QStringLiteral("2024-11-05")};
    return versions;
}

McpClient::McpClient(McpTransport *transport, QObject *parent)
    : QObject(parent)
    , m_transport(transport)
{
    m_transport->setParent(this);
    connect(m_transport, &McpTransport::message, this, &McpClient::onMessage);
    connect(m_transport, &McpTransport::failed, this, &McpClient::onTransportFailed);
}

McpClient::~McpClient()
{
    m_transport->disconnect(this);
    finishPending(tr("The connection to the server was closed."));
}

QString McpClient::stderrTail() const
{
    return m_transport->stderrTail();
}

void McpClient::connectToServer(int timeoutMs)
{
    if (m_state != State::Idle)
        return;
    m_state = State::Starting;
    m_connectTimer = new QTimer(this);
    m_connectTimer->setSingleShot(true);
    connect(m_connectTimer, &QTimer::timeout, this, [this, timeoutMs] {
        fail(tr("The server did not get ready within %1 s.").arg(timeoutMs / 1000));
    });
    m_connectTimer->start(timeoutMs);
    m_transport->start();
    const QJsonObject params{
        {QStringLiteral("protocolVersion"), supportedProtocolVersions().first()},
        {QStringLiteral("capabilities"), QJsonObject{}},
        {QStringLiteral("clientInfo"),
         QJsonObject{{QStringLiteral("name"), QStringLiteral("arbor")},
                     {QStringLiteral("title"), QStringLiteral("Arbor")},
                     {QStringLiteral("version"), QCoreApplication::applicationVersion()}}}};
    request(QStringLiteral("initialize"), params, timeoutMs,
            [this](const QJsonObject &result, const QString &error) {
                if (!error.isEmpty())
                    fail(tr("initialize failed: %1").arg(error));
                else
                    initialized(result);
            });
}

void McpClient::initialized(const QJsonObject &result)
{
    const QString version = result.value(QLatin1String("protocolVersion")).toString();
    if (!supportedProtocolVersions().contains(version)) {
        fail(tr("The server speaks MCP protocol version \"%1\"; Arbor speaks %2.")
                 .arg(version, supportedProtocolVersions().join(QLatin1String(", "))));
        return;
    }
    m_protocolVersion = version;
    m_transport->setProtocolVersion(version);
    m_capabilities = result.value(QLatin1String("capabilities")).toObject();
    const QJsonObject info = result.value(QLatin1String("serverInfo")).toObject();
    m_serverName = info.value(QLatin1String("name")).toString();
    notify(QStringLiteral("notifications/initialized"));
    if (!m_capabilities.contains(QLatin1String("tools"))) {
        listOthers();
        return;
    }
    listTools({}, {}, 0, true);
}

void McpClient::listTools(const QString &cursor, QList<McpTool> gathered, int page, bool initial)
{
    QJsonObject params;
    if (!cursor.isEmpty())
        params.insert(QStringLiteral("cursor"), cursor);
    request(
        QStringLiteral("tools/list"), params, ListTimeoutMs,
        [this, gathered, page, initial](const QJsonObject &result, const QString &error) mutable {
            if (!error.isEmpty()) {
                if (initial)
                    fail(tr("tools/list failed: %1").arg(error));
                return;
            }
            for (const QJsonValue &v : result.value(QLatin1String("tools")).toArray()) {
                const QJsonObject t = v.toObject();
                McpTool tool{t.value(QLatin1String("name")).toString(),
                             t.value(QLatin1String("title")).toString(),
                             t.value(QLatin1String("description")).toString(),
                             t.value(QLatin1String("inputSchema")).toObject(),
                             t.value(QLatin1String("annotations")).toObject()};
                if (!tool.name.isEmpty())
                    gathered.append(tool);
            }
            const QString next = result.value(QLatin1String("nextCursor")).toString();
            if (!next.isEmpty() && page + 1 < MaxPages) {
                listTools(next, gathered, page + 1, initial);
                return;
            }
            m_tools = gathered;
            if (initial)
                listOthers();
            else
                Q_EMIT toolsChanged();
        });
}

void McpClient::listPaged(const QString &method, const QString &key, const QString &cursor,
                          QJsonArray gathered, int page, std::function<void(QJsonArray)> done)
{
    QJsonObject params;
    if (!cursor.isEmpty())
        params.insert(QStringLiteral("cursor"), cursor);
    request(method, params, ListTimeoutMs,
            [this, method, key, gathered, page, done](const QJsonObject &result,
                                                      const QString &error) mutable {
                if (!error.isEmpty()) {
                    qCInfo(lcMcp) << method << "failed:" << error;
                    done(gathered);
                    return;
                }
                for (const QJsonValue &v : result.value(key).toArray())
                    gathered.append(v);
                const QString next = result.value(QLatin1String("nextCursor")).toString();
                if (!next.isEmpty() && page + 1 < MaxPages)
                    listPaged(method, key, next, gathered, page + 1, done);
                else
                    done(gathered);
            });
}

void McpClient::listOthers()
{
    const bool hasResources = m_capabilities.contains(QLatin1String("resources"));
    const bool hasPrompts = m_capabilities.contains(QLatin1String("prompts"));
    auto prompts = [this, hasPrompts] {
        if (!hasPrompts) {
            becomeReady();
            return;
        }
        listPaged(QStringLiteral("prompts/list"), QStringLiteral("prompts"), {}, {}, 0,
                  [this](QJsonArray all) {
                      m_prompts = all;
                      becomeReady();
                  });
    };
    if (!hasResources) {
        prompts();
        return;
    }
    listPaged(QStringLiteral("resources/list"), QStringLiteral("resources"), {}, {}, 0,
              [this, prompts](QJsonArray all) {
                  m_resources = all;
                  prompts();
              });
}

void McpClient::becomeReady()
{
    if (m_state != State::Starting)
        return;
    delete m_connectTimer;
    m_connectTimer = nullptr;
    m_state = State::Ready;
    Q_EMIT ready();
}

McpCall *McpClient::callTool(const QString &name, const QJsonObject &arguments, int timeoutMs)
{
    if (m_state != State::Ready)
        return McpCall::failedCall(m_error.isEmpty() ? tr("The server is not ready.") : m_error,
                                   this);
    auto *call = new McpCall(this);
    const QString token = QStringLiteral("arbor-%1").arg(m_nextId);
    m_progress.insert(token, call);
    const QJsonObject params{
        {QStringLiteral("name"), name},
        {QStringLiteral("arguments"), arguments},
        {QStringLiteral("_meta"), QJsonObject{{QStringLiteral("progressToken"), token}}}};
    QPointer<McpCall> guard(call);
    const qint64 id =
        request(QStringLiteral("tools/call"), params, timeoutMs,
                [this, guard, token](const QJsonObject &result, const QString &error) {
                    m_progress.remove(token);
                    if (!guard)
                        return;
                    if (!error.isEmpty()) {
                        guard->finish(McpCallResult{true, {}, {}, {}, error});
                        return;
                    }
                    McpCallResult r;
                    r.isError = result.value(QLatin1String("isError")).toBool();
                    r.content = result.value(QLatin1String("content")).toArray();
                    r.structured = result.value(QLatin1String("structuredContent")).toObject();
                    r.text = contentText(r.content);
                    if (r.text.isEmpty() && !r.structured.isEmpty())
                        r.text = QString::fromUtf8(
                            QJsonDocument(r.structured).toJson(QJsonDocument::Compact));
                    guard->finish(r);
                });
    call->m_cancel = [this, id](const QString &reason) {
        auto it = m_pending.find(id);
        if (it == m_pending.end())
            return;
        notify(QStringLiteral("notifications/cancelled"),
               QJsonObject{{QStringLiteral("requestId"), id}, {QStringLiteral("reason"), reason}});
        Pending p = *it;
        m_pending.erase(it);
        delete p.timer;
        p.callback({}, reason);
    };
    return call;
}

qint64 McpClient::request(const QString &method, const QJsonObject &params, int timeoutMs,
                          Callback callback)
{
    const qint64 id = m_nextId++;
    Pending p{std::move(callback), new QTimer(this)};
    p.timer->setSingleShot(true);
    connect(p.timer, &QTimer::timeout, this, [this, id, method, timeoutMs] {
        auto it = m_pending.find(id);
        if (it == m_pending.end())
            return;
        const QString reason =
            tr("%1: no answer from the server within %2 s.").arg(method).arg(timeoutMs / 1000.0);
        notify(QStringLiteral("notifications/cancelled"),
               QJsonObject{{QStringLiteral("requestId"), id}, {QStringLiteral("reason"), reason}});
        Pending pending = *it;
        m_pending.erase(it);
        pending.timer->deleteLater();
        pending.callback({}, reason);
    });
    p.timer->start(timeoutMs);
    m_pending.insert(id, p);
    QJsonObject message{{QStringLiteral("jsonrpc"), JsonRpc},
                        {QStringLiteral("id"), id},
                        {QStringLiteral("method"), method}};
    if (!params.isEmpty())
        message.insert(QStringLiteral("params"), params);
    m_transport->send(message);
    return id;
}

void McpClient::notify(const QString &method, const QJsonObject &params)
{
    QJsonObject message{{QStringLiteral("jsonrpc"), JsonRpc}, {QStringLiteral("method"), method}};
    if (!params.isEmpty())
        message.insert(QStringLiteral("params"), params);
    m_transport->send(message);
}

void McpClient::onMessage(const QJsonObject &message)
{
    const QJsonValue id = message.value(QLatin1String("id"));
    const QString method = message.value(QLatin1String("method")).toString();
    if (message.value(QLatin1String("jsonrpc")).toString() != JsonRpc
        || (method.isEmpty() && id.isUndefined())) {
        fail(tr("The server sent a message that is not JSON-RPC 2.0: %1")
                 .arg(QString::fromUtf8(QJsonDocument(message).toJson(QJsonDocument::Compact))
                          .left(200)));
        return;
    }
    if (!method.isEmpty() && !id.isUndefined()) {
        // A request from the server. Only ping is served: Arbor offers no sampling, roots or
        // elicitation (it says so in initialize).
        QJsonObject answer{{QStringLiteral("jsonrpc"), JsonRpc}, {QStringLiteral("id"), id}};
        if (method == QLatin1String("ping")) {
            answer.insert(QStringLiteral("result"), QJsonObject{});
        } else {
            answer.insert(QStringLiteral("error"),
                          QJsonObject{{QStringLiteral("code"), -32601},
                                      {QStringLiteral("message"),
                                       QStringLiteral("Arbor does not offer %1").arg(method)}});
        }
        m_transport->send(answer);
        return;
    }
    if (!method.isEmpty()) {
        const QJsonObject params = message.value(QLatin1String("params")).toObject();
        if (method == QLatin1String("notifications/progress")) {
            const QString token =
                params.value(QLatin1String("progressToken")).toVariant().toString();
            if (McpCall *call = m_progress.value(token)) {
                Q_EMIT call->progress(params.value(QLatin1String("progress")).toDouble(),
                                      params.value(QLatin1String("total")).toDouble(),
                                      params.value(QLatin1String("message")).toString());
            }
        } else if (method == QLatin1String("notifications/tools/list_changed")
                   && m_state == State::Ready) {
            listTools({}, {}, 0, false);
        }
        return;
    }
    auto it = m_pending.find(qint64(id.toDouble()));
    if (it == m_pending.end())
        return; // an answer to something that timed out or was cancelled
    Pending p = *it;
    m_pending.erase(it);
    delete p.timer;
    if (message.contains(QLatin1String("error")))
        p.callback({}, errorText(message.value(QLatin1String("error")).toObject()));
    else if (!message.value(QLatin1String("result")).isObject())
        p.callback({}, tr("The server's answer has no result."));
    else
        p.callback(message.value(QLatin1String("result")).toObject(), {});
}

void McpClient::onTransportFailed(const QString &reason)
{
    fail(reason);
}

void McpClient::fail(const QString &reason)
{
    if (m_state == State::Failed)
        return;
    m_state = State::Failed;
    m_error = reason;
    delete m_connectTimer;
    m_connectTimer = nullptr;
    m_transport->close();
    finishPending(reason);
    Q_EMIT failed(reason);
}

void McpClient::finishPending(const QString &reason)
{
    const QHash<qint64, Pending> pending = std::exchange(m_pending, {});
    for (const Pending &p : pending) {
        delete p.timer;
        p.callback({}, reason);
    }
}

void McpClient::close()
{
    m_transport->close();
    if (m_state != State::Failed) {
        m_state = State::Failed;
        m_error = tr("The connection to the server was closed.");
    }
    finishPending(m_error);
}

} // namespace arbor::tools
