// The app's "Arbor server" provider against a real `arbord serve`: models, a streamed reply,
// and a connection cut mid-stream (by a proxy between them) that the stream resumes from its
// last sequence number without losing or repeating text.
#include "servefixture.h"

#include "llm/arborserverstream.h"
#include "llm/providerfactory.h"

#include <QTcpServer>
#include <QTcpSocket>
#include <QtTest>

using namespace arbor;
using namespace arbor::testsupport;

namespace {

/** @brief A TCP relay to the server that can cut every connection through it at once. */
class Relay : public QObject
{
public:
    explicit Relay(quint16 target)
        : m_target(target)
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *in = m_server.nextPendingConnection()) {
                auto *out = new QTcpSocket(in);
                out->connectToHost(QStringLiteral("127.0.0.1"), m_target);
                connect(in, &QTcpSocket::readyRead, out, [in, out] {
                    if (out->state() == QAbstractSocket::ConnectedState)
                        out->write(in->readAll());
                });
                connect(out, &QTcpSocket::connected, in, [in, out] { out->write(in->readAll()); });
                connect(out, &QTcpSocket::readyRead, in, [this, in, out] {
                    const QByteArray bytes = out->readAll();
                    m_relayed += bytes.size();
                    in->write(bytes);
                });
                connect(out, &QTcpSocket::disconnected, in, &QTcpSocket::disconnectFromHost);
                connect(in, &QTcpSocket::disconnected, in, &QObject::deleteLater);
                m_pairs.append(std::make_pair(QPointer<QTcpSocket>(in), QPointer<QTcpSocket>(out)));
            }
        });
        m_server.listen(QHostAddress::LocalHost, 0);
    }
    quint16 port() const { return m_server.serverPort(); }
    /** @brief Cuts every open connection, both ways, as a network drop would. */
    void cut()
    {
        for (const auto &[in, out] : std::as_const(m_pairs)) {
            if (out)
                out->abort();
            if (in)
                in->abort();
        }
        m_pairs.clear();
    }
    qint64 relayed() const { return m_relayed; }

private:
    quint16 m_target;
    QTcpServer m_server;
    QList<std::pair<QPointer<QTcpSocket>, QPointer<QTcpSocket>>> m_pairs;
    qint64 m_relayed = 0;
};

} // namespace

class TestArborServerProvider : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void streamsAndResumesAfterADrop()
    {
        ServeFixture f;
        const QString token = f.addToken(QStringLiteral("member"));
        QVERIFY(f.start({QStringLiteral("--rate"), QStringLiteral("150")}));
        Relay relay(quint16(f.port().toUInt()));

        llm::ProviderConfig config;
        config.id = QStringLiteral("team");
        config.kind = QStringLiteral("arbor");
        config.name = QStringLiteral("Team server");
        config.baseUrl = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(relay.port()));
        config.apiKey = token;
        const auto provider = llm::createProvider(config);
        QVERIFY(provider);

        // The server's models.
        auto listing = provider->listModels();
        QTRY_VERIFY_WITH_TIMEOUT(listing.isFinished(), 20000);
        QVERIFY2(!listing.result().error,
                 qPrintable(listing.result().error ? listing.result().error->message : QString()));
        QCOMPARE(listing.result().models.at(0).id, QStringLiteral("demo/demo"));

        llm::ChatRequest request;
        request.model = QStringLiteral("demo/demo");
        request.turns = {{QStringLiteral("system"), QStringLiteral("Be brief.")},
                         {QStringLiteral("user"), QStringLiteral("Tell me about resuming.")}};
        auto *stream = qobject_cast<llm::ArborServerStream *>(provider->startChat(request, this));
        QVERIFY(stream);
        QString text;
        bool finished = false;
        QString reason;
        QString failure;
        connect(stream, &llm::ChatStream::delta, this, [&](const QString &d) { text += d; });
        connect(stream, &llm::ChatStream::finished, this,
                [&](const llm::ChatUsage &, const QString &r) {
                    finished = true;
                    reason = r;
                });
        connect(stream, &llm::ChatStream::failed, this,
                [&](const llm::ChatError &e) { failure = e.message; });

        // Cut the connection twice while the reply streams.
        QTRY_VERIFY_WITH_TIMEOUT(text.size() > 100, 20000);
        relay.cut();
        const qsizetype atFirstCut = text.size();
        QTRY_VERIFY_WITH_TIMEOUT(text.size() > atFirstCut + 100 || finished, 20000);
        relay.cut();
        QTRY_VERIFY_WITH_TIMEOUT(finished || !failure.isEmpty(), 60000);
        QVERIFY2(failure.isEmpty(), qPrintable(failure));
        QCOMPARE(reason, QStringLiteral("stop"));
        QVERIFY(stream->resumes() >= 1);

        // What the stream gave is the reply the server stored, byte for byte.
        const QString log = f.log();
        QVERIFY(log.contains(u"starting_after") || log.contains(u"GET /v1/responses/"));
        const QJsonObject listed = f.request("GET", QStringLiteral("/v1/models"), token).json();
        QVERIFY(!listed.isEmpty());
        // The response id is in the server's log line of the resume.
        static const QRegularExpression resumed(QStringLiteral("GET /v1/responses/([0-9a-f-]+)"));
        const auto match = resumed.match(log);
        QVERIFY2(match.hasMatch(), qPrintable(log));
        const QJsonObject stored =
            f.request("GET", QStringLiteral("/v1/responses/") + match.captured(1), token).json();
        QCOMPARE(stored[QStringLiteral("status")].toString(), QStringLiteral("completed"));
        QCOMPARE(text,
                 stored[QStringLiteral("output")][0][QStringLiteral("content")][0]
                       [QStringLiteral("text")]
                           .toString());
    }

    void refusedTokenIsAnAuthError()
    {
        ServeFixture f;
        f.addToken(QStringLiteral("someone"));
        QVERIFY(f.start());
        llm::ProviderConfig config;
        config.id = QStringLiteral("team");
        config.kind = QStringLiteral("arbor");
        config.baseUrl = QUrl(f.base());
        config.apiKey = QStringLiteral("arb_wrong");
        const auto provider = llm::createProvider(config);
        llm::ChatRequest request;
        request.model = QStringLiteral("demo/demo");
        request.turns = {{QStringLiteral("user"), QStringLiteral("hi")}};
        auto *stream = provider->startChat(request, this);
        std::optional<llm::ChatError> error;
        connect(stream, &llm::ChatStream::failed, this,
                [&](const llm::ChatError &e) { error = e; });
        QTRY_VERIFY_WITH_TIMEOUT(error.has_value(), 20000);
        QCOMPARE(error->kind, llm::ChatError::Kind::Auth);
        QCOMPARE(error->httpStatus, 401);
    }
};

QTEST_GUILESS_MAIN(TestArborServerProvider)
#include "tst_arborserverprovider.moc"
