// Local server discovery against real servers on 127.0.0.1: ones that answer like Ollama or an
// OpenAI-compatible server, one that answers 404, one that never answers, one closed port.
#include "llm/localdiscovery.h"
#include "support/fakevendorserver.h"

#include <QElapsedTimer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

using arbor::llm::LocalCandidate;
using arbor::llm::LocalDiscovery;
using arbor::testsupport::FakeVendorServer;

class TestLocalDiscovery : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void defaultsAreLoopbackPorts()
    {
        QList<quint16> ports;
        for (const auto &c : LocalDiscovery::defaultCandidates())
            ports.append(c.port);
        QCOMPARE(ports, (QList<quint16>{11434, 1234, 8080, 1337, 8000}));
        QCOMPARE(LocalDiscovery::defaultCandidates().constFirst().kind, QStringLiteral("ollama"));
    }

    void offersWhatAnswers()
    {
        FakeVendorServer ollama;
        ollama.enqueue(FakeVendorServer::json(
            200, R"({"models":[{"name":"llama3.2:1b"},{"name":"qwen2.5:0.5b"}]})"));
        FakeVendorServer lmstudio;
        lmstudio.enqueue(FakeVendorServer::json(
            200, R"({"object":"list","data":[{"id":"phi-3-mini","object":"model"}]})"));
        FakeVendorServer notAModelServer;
        notAModelServer.enqueue(FakeVendorServer::json(404, R"({"error":"no such path"})"));
        FakeVendorServer wrongShape;
        wrongShape.enqueue(FakeVendorServer::json(200, R"({"hello":"world"})"));
        // Accepts connections and never answers.
        QTcpServer silent;
        QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
        QList<QTcpSocket *> held;
        connect(&silent, &QTcpServer::newConnection, this, [&] {
            while (auto *s = silent.nextPendingConnection())
                held.append(s);
        });
        QTcpServer closed;
        QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
        const quint16 closedPort = closed.serverPort();
        closed.close();

        const QList<LocalCandidate> candidates{
            {QStringLiteral("Ollama"), QStringLiteral("ollama"),
             static_cast<quint16>(ollama.baseUrl().port())},
            {QStringLiteral("Silent"), QStringLiteral("openai"), silent.serverPort()},
            {QStringLiteral("LM Studio"), QStringLiteral("openai"),
             static_cast<quint16>(lmstudio.baseUrl().port())},
            {QStringLiteral("Closed"), QStringLiteral("openai"), closedPort},
            {QStringLiteral("NotFound"), QStringLiteral("openai"),
             static_cast<quint16>(notAModelServer.baseUrl().port())},
            {QStringLiteral("WrongShape"), QStringLiteral("openai"),
             static_cast<quint16>(wrongShape.baseUrl().port())},
        };
        auto future = LocalDiscovery::discover(candidates, 300);
        // The servers live on this thread: keep its event loop running while discovery works.
        QVERIFY(QTest::qWaitFor([&] { return future.isFinished(); }, 10000));
        const auto found = future.result();
        QCOMPARE(found.size(), 2);
        QCOMPARE(found.at(0).name, QStringLiteral("Ollama"));
        QCOMPARE(found.at(0).kind, QStringLiteral("ollama"));
        QCOMPARE(found.at(0).baseUrl.host(), QStringLiteral("127.0.0.1"));
        QCOMPARE(found.at(0).baseUrl.port(), ollama.baseUrl().port());
        QCOMPARE(found.at(0).models,
                 (QStringList{QStringLiteral("llama3.2:1b"), QStringLiteral("qwen2.5:0.5b")}));
        QCOMPARE(found.at(1).name, QStringLiteral("LM Studio"));
        QCOMPARE(found.at(1).baseUrl.path(), QStringLiteral("/v1"));
        QCOMPARE(found.at(1).models, QStringList{QStringLiteral("phi-3-mini")});
        QCOMPARE(ollama.requests().constFirst().target, QByteArray("/api/tags"));
        QCOMPARE(lmstudio.requests().constFirst().target, QByteArray("/v1/models"));
        QVERIFY(!held.isEmpty()); // the silent server was asked, and given up on
        qDeleteAll(held);
    }

    void portsFromTheEnvironment()
    {
        qunsetenv("ARBOR_DISCOVERY_PORTS");
        QCOMPARE(LocalDiscovery::configuredCandidates().size(),
                 LocalDiscovery::defaultCandidates().size());
        qputenv("ARBOR_DISCOVERY_PORTS",
                " ollama:43123 , LM Studio=openai:43124,bogus,openai:0,smtp:25,openai:70000");
        const auto c = LocalDiscovery::configuredCandidates();
        QCOMPARE(c.size(), 2);
        QCOMPARE(c.at(0).name, QStringLiteral("Ollama"));
        QCOMPARE(c.at(0).kind, QStringLiteral("ollama"));
        QCOMPARE(c.at(0).port, quint16(43123));
        QCOMPARE(c.at(1).name, QStringLiteral("LM Studio"));
        QCOMPARE(c.at(1).kind, QStringLiteral("openai"));
        QCOMPARE(c.at(1).port, quint16(43124));
        qputenv("ARBOR_DISCOVERY_PORTS", ""); // set and empty: look nowhere
        QVERIFY(LocalDiscovery::configuredCandidates().isEmpty());
        qunsetenv("ARBOR_DISCOVERY_PORTS");
    }

    void sameLocalServer()
    {
        const auto same = [](const char *a, const char *b) {
            return LocalDiscovery::sameLocalServer(QUrl(QString::fromLatin1(a)),
                                                   QUrl(QString::fromLatin1(b)));
        };
        QVERIFY(same("http://127.0.0.1:11434", "http://localhost:11434/"));
        QVERIFY(same("http://127.0.0.1:1234/v1", "http://[::1]:1234"));
        QVERIFY(!same("http://127.0.0.1:1234/v1", "http://127.0.0.1:1337/v1"));
        QVERIFY(!same("http://192.168.1.5:11434", "http://127.0.0.1:11434"));
    }

    void nothingAnswers()
    {
        QTcpServer closed;
        QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
        const quint16 port = closed.serverPort();
        closed.close();
        auto future = LocalDiscovery::discover(
            {{QStringLiteral("Gone"), QStringLiteral("ollama"), port}}, 300);
        QVERIFY(QTest::qWaitFor([&] { return future.isFinished(); }, 10000));
        QVERIFY(future.result().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestLocalDiscovery)
#include "tst_localdiscovery.moc"
