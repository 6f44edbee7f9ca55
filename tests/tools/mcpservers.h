#pragma once

// The MCP servers the tool tests run against: the real reference servers from npm
// (tests/node_modules, installed by scripts/npm-peers.sh) and scriptedmcp.js, ours.

#include "tools/mcpclient.h"
#include "tools/mcphttptransport.h"
#include "tools/mcpstdiotransport.h"

#include <QProcess>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>

#include <memory>

namespace arbor::testing {

inline QString everythingServer()
{
    return QStringLiteral(MCP_EVERYTHING);
}

inline QString filesystemServer()
{
    return QStringLiteral(MCP_FILESYSTEM);
}

inline QString scriptedServer()
{
    return QStringLiteral(SCRIPTED_MCP);
}

/** @brief A free TCP port on 127.0.0.1 (bound and released). */
inline quint16 freePort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

/** @brief The everything server over HTTP ("streamableHttp" or "sse") on a free port, stopped
 *  with the object. */
class EverythingHttp
{
public:
    explicit EverythingHttp(const QString &transport)
    {
        m_port = freePort();
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("PORT"), QString::number(m_port));
        m_process.setProcessEnvironment(env);
        m_process.setProcessChannelMode(QProcess::MergedChannels);
        m_process.start(everythingServer(), {transport});
        // It says so on stderr once it listens.
        QTRY_VERIFY_WITH_TIMEOUT(
            (m_output += m_process.readAll()).contains(QByteArrayLiteral("port")), 20000);
    }
    ~EverythingHttp()
    {
        m_process.terminate();
        if (!m_process.waitForFinished(3000))
            m_process.kill();
        m_process.waitForFinished(3000);
    }
    QUrl url(const QString &path) const
    {
        return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_port).arg(path));
    }

private:
    QProcess m_process;
    QByteArray m_output;
    quint16 m_port = 0;
};

/** @brief A client over stdio of @p program with @p args, connected (QVERIFY'd ready). */
inline std::unique_ptr<tools::McpClient>
stdioClient(const QString &program, const QStringList &args, QMap<QString, QString> env = {})
{
    auto client = std::make_unique<tools::McpClient>(
        new tools::McpStdioTransport(program, args, std::move(env)));
    return client;
}

/** @brief Waits until @p client is ready or failed; true when ready. */
inline bool waitReady(tools::McpClient &client, int timeoutMs = 30000)
{
    if (client.state() == tools::McpClient::State::Idle)
        client.connectToServer(timeoutMs);
    (void)QTest::qWaitFor([&] { return client.state() != tools::McpClient::State::Starting; },
                          timeoutMs + 1000);
    return client.state() == tools::McpClient::State::Ready;
}

/** @brief Runs @p call to its end and returns its result. */
inline tools::McpCallResult waitResult(tools::McpCall *call, int timeoutMs = 30000)
{
    (void)QTest::qWaitFor([call] { return call->isFinished(); }, timeoutMs);
    return call->isFinished() ? call->result()
                              : tools::McpCallResult{true, {}, {}, {}, QStringLiteral("no end")};
}

} // namespace arbor::testing
