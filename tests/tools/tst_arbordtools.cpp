// `arbord tools` and `arbord chat --tools`, run as the real binary: servers added, listed,
// tested (the real everything server over stdio and Streamable HTTP) and removed; a reply whose
// calls run (or are denied, saying how to allow them) without a window.
#include "mcpservers.h"

#include "support/arbordfixture.h"
#include "support/fakevendorserver.h"

#include <QTemporaryDir>

using arbor::testsupport::ArbordRun;
using arbor::testsupport::FakeVendorServer;
using namespace arbor::testing;

class TestArbordTools
    : public QObject
    , private arbor::testsupport::ArbordFixture
{
    Q_OBJECT

    static QByteArray askFor(const QString &tool, const QString &arguments)
    {
        QJsonObject call{{"index", 0},
                         {"id", "call_1"},
                         {"type", "function"},
                         {"function", QJsonObject{{"name", tool}, {"arguments", arguments}}}};
        QJsonObject chunk{
            {"choices",
             QJsonArray{QJsonObject{{"index", 0},
                                    {"delta", QJsonObject{{"tool_calls", QJsonArray{call}}}},
                                    {"finish_reason", "tool_calls"}}}}};
        return "data: " + QJsonDocument(chunk).toJson(QJsonDocument::Compact)
            + "\n\ndata: [DONE]\n\n";
    }

private Q_SLOTS:
    void init()
    {
        QVERIFY(newStore());
        // For a server's --secret-env (what it names is read from arbord's environment).
        m_env.insert(QStringLiteral("ARBOR_TEST_SECRET"), QStringLiteral("s3cr3t-value"));
    }

    void addListTestRemove()
    {
        ArbordRun r = arbord({"tools", "add", "everything", "--command", everythingServer(),
                              "--arg", "stdio", "--env", "PLAIN=1"});
        QVERIFY2(r.endedWith(0), qPrintable(r.describe()));
        r = arbord({"tools", "list", "--json"});
        QVERIFY2(r.endedWith(0), qPrintable(r.describe()));
        const QJsonObject server = r.object().value("servers").toArray().first().toObject();
        QCOMPARE(server.value("name").toString(), QStringLiteral("everything"));
        QCOMPARE(server.value("transport").toString(), QStringLiteral("stdio"));
        QCOMPARE(server.value("args").toArray(), QJsonArray{"stdio"});
        QCOMPARE(server.value("env").toObject().value("PLAIN").toString(), QStringLiteral("1"));

        r = arbord({"tools", "test", "everything", "--json"});
        QVERIFY2(r.endedWith(0), qPrintable(r.describe()));
        bool sawEcho = false;
        for (const QJsonValue &v : r.object().value("tools").toArray()) {
            const QJsonObject t = v.toObject();
            if (t.value("name") != QLatin1String("echo"))
                continue;
            sawEcho = true;
            QCOMPARE(t.value("description").toString(),
                     QStringLiteral("Echoes back the input string"));
            QCOMPARE(t.value("annotations").toObject().value("readOnlyHint").toBool(), true);
            QCOMPARE(t.value("policy").toString(), QStringLiteral("allow"));
        }
        QVERIFY(sawEcho);

        r = arbord({"tools", "policy", "everything", "echo", "deny"});
        QVERIFY2(r.endedWith(0), qPrintable(r.describe()));
        r = arbord({"tools", "test", "everything"});
        QVERIFY2(r.endedWith(0), qPrintable(r.describe()));
        QVERIFY2(r.out.contains("  echo  [deny]  Echoes back the input string\n"),
                 r.out.constData());

        r = arbord({"tools", "remove", "everything"});
        QVERIFY2(r.endedWith(0), qPrintable(r.describe()));
        r = arbord({"tools", "list", "--json"});
        QCOMPARE(r.object().value("servers").toArray().size(), 0);
        r = arbord({"tools", "test", "everything"});
        QVERIFY(r.endedWith(1));
        QVERIFY2(r.err.contains(QStringLiteral("no tool server “everything”")), qPrintable(r.err));
    }

    void overStreamableHttp()
    {
        EverythingHttp server(QStringLiteral("streamableHttp"));
        ArbordRun r = arbord({"tools", "add", "web", "--url", server.url("/mcp").toString(),
                              "--header", "X-Team: blue"});
        QVERIFY2(r.endedWith(0), qPrintable(r.describe()));
        r = arbord({"tools", "test", "web", "--json"});
        QVERIFY2(r.endedWith(0), qPrintable(r.describe()));
        QVERIFY(r.object().value("tools").toArray().size() > 5);
    }

    void usageErrors()
    {
        ArbordRun r = arbord({"tools", "add", "x", "--command", "a", "--url", "http://h/"});
        QVERIFY(r.endedWith(2));
        r = arbord({"tools", "add", "x", "--url", "ftp://h/"});
        QVERIFY(r.endedWith(2));
        r = arbord({"tools", "add", "x", "--command", "a", "--secret-env", "K=UNSET_VAR_ARBOR"});
        QVERIFY(r.endedWith(2));
        QVERIFY2(r.err.contains(QLatin1String("UNSET_VAR_ARBOR is not set")), qPrintable(r.err));
    }

    void secretsNeedAKeychain()
    {
        // Without a keychain, a secret is refused and nothing is stored: never a plaintext
        // fallback.
        const ArbordRun r = arbord({"tools", "add", "sec", "--command", everythingServer(),
                                    "--secret-env", "API_TOKEN=ARBOR_TEST_SECRET"});
        QVERIFY2(r.endedWith(1), qPrintable(r.describe()));
        QVERIFY2(r.err.startsWith(QLatin1String("arbord tools add: Not saved: ")),
                 qPrintable(r.err));
        QVERIFY(arbord({"tools", "list", "--json"}).object().value("servers").toArray().isEmpty());
        QFile db(dbPath());
        QVERIFY(db.open(QIODevice::ReadOnly));
        QVERIFY(!db.readAll().contains("s3cr3t-value"));
    }

    void conversationChoosesItsServers()
    {
        ArbordRun r = arbord(
            {"tools", "add", "everything", "--command", everythingServer(), "--arg", "stdio"});
        QVERIFY2(r.endedWith(0), qPrintable(r.describe()));
        r = arbord({"chat", "--provider", "demo", "--json", "Hello"});
        QVERIFY2(r.endedWith(0), qPrintable(r.describe()));
        const QString conversation = r.object().value("conversation_id").toString();
        r = arbord({"tools", "conversation", conversation, "--json"});
        QVERIFY2(r.endedWith(0), qPrintable(r.describe()));
        QCOMPARE(r.object().value("servers").toArray().first().toObject(),
                 (QJsonObject{{"name", "everything"},
                              {"enabled", true},
                              {"global", true},
                              {"overridden", false}}));
        r = arbord({"tools", "conversation", conversation, "everything", "off"});
        QVERIFY2(r.endedWith(0), qPrintable(r.describe()));
        QCOMPARE(r.out, QByteArray("everything\toff\t(this conversation)\n"));
        r = arbord({"tools", "conversation", conversation, "everything", "default"});
        QVERIFY2(r.endedWith(0), qPrintable(r.describe()));
        QCOMPARE(r.out, QByteArray("everything\ton\t(global)\n"));
        r = arbord({"tools", "conversation", "no-such-conversation", "everything", "on"});
        QVERIFY2(r.endedWith(1), qPrintable(r.describe()));
        r = arbord({"tools", "conversation", conversation, "everything", "maybe"});
        QVERIFY(r.endedWith(2));
    }

    void chatRunsToolsAndDeniesUnapproved()
    {
        FakeVendorServer vendor;
        QVERIFY(addFakeVendor(vendor));
        QTemporaryDir logDir;
        const QString log = logDir.filePath(QStringLiteral("received.log"));
        ArbordRun r = arbord({"tools", "add", "notes", "--command", "node", "--arg",
                              scriptedServer(), "--arg", "--log", "--arg", log});
        QVERIFY2(r.endedWith(0), qPrintable(r.describe()));
        const QStringList chat{"chat",       "--provider", "Fake", "--model",
                               "fake-model", "--tools",    "notes"};
        const QByteArray answer = FakeVendorServer::transcript(QStringLiteral("openai-text.sse"));

        // Neither flag: the call that needs approval is denied, saying how to allow it.
        vendor.enqueue(FakeVendorServer::stream(askFor("write_note", "{\"text\":\"x\"}"),
                                                "text/event-stream"));
        vendor.enqueue(FakeVendorServer::stream(answer, "text/event-stream"));
        r = arbord(chat + QStringList{"Write a note."});
        QVERIFY2(r.endedWith(0), qPrintable(r.describe()));
        QVERIFY2(r.err.contains(
                     QStringLiteral("arbord chat: tool write_note: denied: The tool “write_note” "
                                    "of “notes” needs approval and was denied: run arbord "
                                    "chat with --approve-all, or allow it with `arbord tools "
                                    "policy notes write_note allow`.")),
                 qPrintable(r.err));
        QFile received(log);
        QVERIFY(
            !received.exists()
            || (received.open(QIODevice::ReadOnly) && !received.readAll().contains("write_note")));
        received.close();

        // --approve-all: it runs.
        vendor.enqueue(FakeVendorServer::stream(askFor("write_note", "{\"text\":\"y\"}"),
                                                "text/event-stream"));
        vendor.enqueue(FakeVendorServer::stream(answer, "text/event-stream"));
        r = arbord(chat + QStringList{"--approve-all", "--json", "Write a note."});
        QVERIFY2(r.endedWith(0), qPrintable(r.describe()));
        const QJsonObject call = r.object().value("tool_calls").toArray().first().toObject();
        QCOMPARE(call.value("status").toString(), QStringLiteral("done"));
        QCOMPARE(call.value("result").toString(), QStringLiteral("wrote: y"));
        QVERIFY(received.open(QIODevice::ReadOnly));
        QVERIFY(received.readAll().contains("write_note"));
        // The follow-up request carried the result.
        const QJsonArray messages = QJsonDocument::fromJson(vendor.requests().last().body)
                                        .object()
                                        .value("messages")
                                        .toArray();
        QCOMPARE(messages.last().toObject().value("content").toString(),
                 QStringLiteral("wrote: y"));
    }
};

QTEST_GUILESS_MAIN(TestArbordTools)
#include "tst_arbordtools.moc"
