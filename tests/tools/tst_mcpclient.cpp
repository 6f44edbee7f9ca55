// The MCP client (backend/tools) against the real reference server from npm over stdio,
// Streamable HTTP and the older HTTP+SSE transport, and against scriptedmcp.js for pagination,
// list_changed and servers that crash, send malformed JSON-RPC, never answer or flood.

#include "mcpservers.h"

#include "tools/toolservice.h"

#include <QFile>
#include <QJsonArray>
#include <QTemporaryDir>

using namespace arbor::tools;
using namespace arbor::testing;

namespace {
const McpTool *findTool(const QList<McpTool> &tools, const QString &name)
{
    for (const McpTool &t : tools) {
        if (t.name == name)
            return &t;
    }
    return nullptr;
}

QJsonObject echoArgs(const QString &text)
{
    return QJsonObject{{QStringLiteral("message"), text}};
}
} // namespace

class TestMcpClient : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void everythingOverStdio()
    {
        auto client = stdioClient(everythingServer(), {QStringLiteral("stdio")});
        QVERIFY2(waitReady(*client), qPrintable(client->error()));
        QCOMPARE(client->protocolVersion(), QStringLiteral("2025-11-25"));
        QCOMPARE(client->serverName(), QStringLiteral("mcp-servers/everything"));
        const McpTool *echo = findTool(client->tools(), QStringLiteral("echo"));
        QVERIFY(echo);
        QCOMPARE(echo->annotations.value(QLatin1String("readOnlyHint")).toBool(), true);
        QVERIFY(echo->inputSchema.value(QLatin1String("properties"))
                    .toObject()
                    .contains(QLatin1String("message")));
        QVERIFY(!client->resources().isEmpty());
        QVERIFY(!client->prompts().isEmpty());

        const McpCallResult r =
            waitResult(client->callTool(QStringLiteral("echo"), echoArgs("hi there"), 10000));
        QVERIFY2(r.failure.isEmpty(), qPrintable(r.failure));
        QVERIFY(!r.isError);
        QCOMPARE(r.text, QStringLiteral("Echo: hi there"));

        // An image result keeps its content block and names it in the text.
        const McpCallResult image =
            waitResult(client->callTool(QStringLiteral("get-tiny-image"), {}, 10000));
        QVERIFY2(image.failure.isEmpty(), qPrintable(image.failure));
        bool sawImage = false;
        for (const QJsonValue &v : image.content)
            sawImage =
                sawImage || v.toObject().value(QLatin1String("type")) == QLatin1String("image");
        QVERIFY(sawImage);
        QVERIFY(image.text.contains(QLatin1String("[image image/png")));
    }

    void progressAndCancel()
    {
        auto client = stdioClient(everythingServer(), {QStringLiteral("stdio")});
        QVERIFY2(waitReady(*client), qPrintable(client->error()));
        McpCall *call = client->callTool(
            QStringLiteral("trigger-long-running-operation"),
            QJsonObject{{QStringLiteral("duration"), 1}, {QStringLiteral("steps"), 3}}, 20000);
        QSignalSpy progress(call, &McpCall::progress);
        const McpCallResult done = waitResult(call);
        QVERIFY2(done.failure.isEmpty(), qPrintable(done.failure));
        QCOMPARE(progress.size(), 3);
        QCOMPARE(progress.last().at(0).toDouble(), 3.0);
        QCOMPARE(progress.last().at(1).toDouble(), 3.0);

        McpCall *slow = client->callTool(
            QStringLiteral("trigger-long-running-operation"),
            QJsonObject{{QStringLiteral("duration"), 30}, {QStringLiteral("steps"), 30}}, 60000);
        QSignalSpy slowProgress(slow, &McpCall::progress);
        QVERIFY(slowProgress.wait(10000));
        slow->cancel(QStringLiteral("Stopped by the user."));
        QVERIFY(slow->isFinished());
        QCOMPARE(slow->result().failure, QStringLiteral("Stopped by the user."));
        // The connection goes on.
        const McpCallResult after =
            waitResult(client->callTool(QStringLiteral("echo"), echoArgs("still here"), 10000));
        QCOMPARE(after.text, QStringLiteral("Echo: still here"));
    }

    void everythingOverStreamableHttp()
    {
        EverythingHttp server(QStringLiteral("streamableHttp"));
        auto *transport = new McpHttpTransport(server.url(QStringLiteral("/mcp")), {});
        McpClient client(transport);
        QVERIFY2(waitReady(client), qPrintable(client.error()));
        QVERIFY(!transport->legacy());
        QCOMPARE(client.protocolVersion(), QStringLiteral("2025-11-25"));
        QVERIFY(findTool(client.tools(), QStringLiteral("get-sum")));
        const McpCallResult r = waitResult(client.callTool(
            QStringLiteral("get-sum"),
            QJsonObject{{QStringLiteral("a"), 2}, {QStringLiteral("b"), 40}}, 10000));
        QVERIFY2(r.failure.isEmpty(), qPrintable(r.failure));
        QVERIFY2(r.text.contains(QLatin1String("42")), qPrintable(r.text));

        // Progress arrives on the POST's event stream.
        McpCall *call = client.callTool(
            QStringLiteral("trigger-long-running-operation"),
            QJsonObject{{QStringLiteral("duration"), 1}, {QStringLiteral("steps"), 2}}, 20000);
        QSignalSpy progress(call, &McpCall::progress);
        QVERIFY(waitResult(call).failure.isEmpty());
        QCOMPARE(progress.size(), 2);
    }

    void fallsBackToHttpSse()
    {
        EverythingHttp server(QStringLiteral("sse"));
        auto *transport = new McpHttpTransport(server.url(QStringLiteral("/sse")), {});
        McpClient client(transport);
        QVERIFY2(waitReady(client), qPrintable(client.error()));
        QVERIFY(transport->legacy());
        const McpCallResult r =
            waitResult(client.callTool(QStringLiteral("echo"), echoArgs("old"), 10000));
        QCOMPARE(r.text, QStringLiteral("Echo: old"));
    }

    void paginationAndListChanged()
    {
        auto client =
            stdioClient(QStringLiteral("node"),
                        {scriptedServer(), QStringLiteral("--mode"), QStringLiteral("normal")});
        QVERIFY2(waitReady(*client), qPrintable(client->error()));
        QCOMPARE(client->tools().size(), 2); // two pages
        QSignalSpy changed(client.get(), &McpClient::toolsChanged);
        const McpCallResult r = waitResult(
            client->callTool(QStringLiteral("write_note"),
                             QJsonObject{{QStringLiteral("text"), QStringLiteral("x")}}, 10000));
        QCOMPARE(r.text, QStringLiteral("wrote: x"));
        QVERIFY(changed.wait(10000));
        QCOMPARE(client->tools().size(), 3);
        QVERIFY(findTool(client->tools(), QStringLiteral("later")));
    }

    void misbehavingServers_data()
    {
        QTest::addColumn<QString>("mode");
        QTest::addColumn<int>("timeoutMs");
        QTest::addColumn<QString>("expected");
        QTest::newRow("crash") << "crash" << 10000
                               << "exited with code 3: scripted: about to crash";
        QTest::newRow("malformed") << "malformed" << 10000 << "malformed JSON-RPC";
        QTest::newRow("silent") << "silent" << 1500
                                << "tools/call: no answer from the server within 1.5 s";
        QTest::newRow("flood") << "flood" << 20000 << "longer than 16 MB";
    }

    void misbehavingServers()
    {
        QFETCH(QString, mode);
        QFETCH(int, timeoutMs);
        QFETCH(QString, expected);
        auto client =
            stdioClient(QStringLiteral("node"), {scriptedServer(), QStringLiteral("--mode"), mode});
        QVERIFY2(waitReady(*client), qPrintable(client->error()));
        const McpCallResult r =
            waitResult(client->callTool(QStringLiteral("peek"), {}, timeoutMs), 30000);
        QVERIFY(r.isError);
        QVERIFY2(r.failure.contains(expected), qPrintable(r.failure));
        if (mode != QLatin1String("silent")) {
            QCOMPARE(client->state(), McpClient::State::Failed);
            // Later calls fail at once with the same reason.
            QVERIFY(waitResult(client->callTool(QStringLiteral("peek"), {}, 1000))
                        .failure.contains(expected));
        }
    }

    void refusesUnknownProtocolVersion()
    {
        auto client =
            stdioClient(QStringLiteral("node"),
                        {scriptedServer(), QStringLiteral("--mode"), QStringLiteral("oldversion")});
        QVERIFY(!waitReady(*client));
        QVERIFY2(client->error().contains(QLatin1String("\"1999-01-01\"")),
                 qPrintable(client->error()));
    }

    void missingCommandAndDeadUrl()
    {
        auto client = stdioClient(QStringLiteral("/nonexistent/mcp-server"), {});
        QVERIFY(!waitReady(*client));
        QVERIFY2(
            client->error().startsWith(QLatin1String("Could not start /nonexistent/mcp-server")),
            qPrintable(client->error()));

        McpClient http(new McpHttpTransport(
            QUrl(QStringLiteral("http://127.0.0.1:%1/mcp").arg(freePort())), {}));
        QVERIFY(!waitReady(http));
        QVERIFY2(http.error().contains(QLatin1String("refused")), qPrintable(http.error()));
    }

    void filesystemServerWritesMustAsk()
    {
        QTemporaryDir dir;
        QFile seed(dir.filePath(QStringLiteral("hello.txt")));
        QVERIFY(seed.open(QIODevice::WriteOnly));
        seed.write("hello from the test");
        seed.close();
        auto client = stdioClient(filesystemServer(), {dir.path()});
        QVERIFY2(waitReady(*client), qPrintable(client->error()));
        const McpTool *write = findTool(client->tools(), QStringLiteral("write_file"));
        const McpTool *read = findTool(client->tools(), QStringLiteral("read_text_file"));
        QVERIFY(write && read);
        QVERIFY(defaultPolicy(write->annotations) == Policy::Ask);
        QVERIFY(defaultPolicy(read->annotations) == Policy::Allow);
        const McpCallResult r = waitResult(client->callTool(
            QStringLiteral("read_text_file"),
            QJsonObject{{QStringLiteral("path"), dir.filePath(QStringLiteral("hello.txt"))}},
            10000));
        QVERIFY2(r.failure.isEmpty() && !r.isError, qPrintable(r.failure + r.text));
        QCOMPARE(r.text, QStringLiteral("hello from the test"));
    }

    void secretEnvironmentReachesTheServer()
    {
        QMap<QString, QString> env{{QStringLiteral("ARBOR_TEST_TOKEN"), QStringLiteral("s3cret")}};
        auto client = stdioClient(everythingServer(), {QStringLiteral("stdio")}, env);
        QVERIFY2(waitReady(*client), qPrintable(client->error()));
        const McpCallResult r = waitResult(client->callTool(QStringLiteral("get-env"), {}, 10000));
        QVERIFY(r.text.contains(QLatin1String("s3cret")));
    }
};

QTEST_GUILESS_MAIN(TestMcpClient)
#include "tst_mcpclient.moc"
