// Settings → Tools shows the status of the connection the replies use: one per server and
// process (tools::ToolHost), not a second one of its own. Proved with our scripted server, which
// logs every byte it receives: after the status is shown and a reply has called a tool, the
// server was initialized once.
#include "mcpservers.h"
#include "toolsettings.h"

#include "support/vendorbackend.h"
#include "tools/toolhost.h"
#include "tools/toolservice.h"

#include <QJsonArray>
#include <QJsonDocument>

using namespace arbor;
using testsupport::FakeVendorServer;

class TestToolSettingsStatus
    : public QObject
    , private testsupport::VendorBackendFixture
{
    Q_OBJECT

private Q_SLOTS:
    void init() { setUpVendors(QStringLiteral("looper"), 2, true); }
    void cleanup() { tearDownVendors(); }

    void statusAndRepliesShareOneConnection()
    {
        QTemporaryDir dir;
        const QString log = dir.filePath(QStringLiteral("received.log"));
        tools::StoredToolServer s;
        s.name = QStringLiteral("notes");
        s.transport = QStringLiteral("stdio");
        s.command = QStringLiteral("node");
        s.args = {testing::scriptedServer(), QStringLiteral("--log"), log};
        QFuture<tools::ToolOutcome> saved = m_backend->tools().save(s, {});
        QVERIFY(QTest::qWaitFor([&saved] { return saved.isFinished(); }, 10000));
        QVERIFY(saved.result().ok);

        app::ToolSettings settings(m_backend.get());
        settings.refresh();
        auto row = [&settings] {
            return settings.servers().isEmpty() ? QVariantMap()
                                                : settings.servers().first().toMap();
        };
        QTRY_COMPARE_WITH_TIMEOUT(row().value("status").toString(), QStringLiteral("ready"), 30000);
        QCOMPARE(row().value("toolCount").toInt(), 2);

        // A reply calls peek (read-only: allowed) on the same server.
        const QJsonObject call{{"index", 0},
                               {"id", "call_P"},
                               {"type", "function"},
                               {"function", QJsonObject{{"name", "peek"}, {"arguments", "{}"}}}};
        const QJsonObject chunk{
            {"choices",
             QJsonArray{QJsonObject{{"index", 0},
                                    {"delta", QJsonObject{{"tool_calls", QJsonArray{call}}}},
                                    {"finish_reason", "tool_calls"}}}}};
        m_server->enqueue(FakeVendorServer::stream(
            "data: " + QJsonDocument(chunk).toJson(QJsonDocument::Compact) + "\n\ndata: [DONE]\n\n",
            "text/event-stream"));
        m_server->enqueue(FakeVendorServer::stream(
            FakeVendorServer::transcript(QStringLiteral("openai-text.sse")), "text/event-stream"));
        chat::SendRequest request;
        request.text = QStringLiteral("Peek.");
        request.modelKey = QStringLiteral("test-openai/looper");
        request.options.insert(QStringLiteral("tools"), QJsonArray{QStringLiteral("notes")});
        const chat::SendResult sent = m_backend->chat().send(request).result();
        QTRY_VERIFY_WITH_TIMEOUT(ended(sent.assistant.id), 60000);
        QVERIFY(stored(sent.assistant.id)->toolCalls.contains(QLatin1String("\"done\"")));

        QFile received(log);
        QVERIFY(received.open(QIODevice::ReadOnly));
        const QByteArray bytes = received.readAll();
        QVERIFY(bytes.contains("\"peek\""));
        QCOMPARE(bytes.count("\"method\":\"initialize\""), 1);

        // Testing a ready server again keeps that connection.
        settings.test(QStringLiteral("notes"));
        QTRY_COMPARE_WITH_TIMEOUT(row().value("status").toString(), QStringLiteral("ready"), 30000);
        received.seek(0);
        QCOMPARE(received.readAll().count("\"method\":\"initialize\""), 1);
    }
};

QTEST_GUILESS_MAIN(TestToolSettingsStatus)
#include "tst_toolsettingsstatus.moc"
