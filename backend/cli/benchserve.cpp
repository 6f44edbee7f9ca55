// arbord bench serve: N concurrent streaming clients of `arbord serve` (Open Responses over
// SSE on loopback) against the demo model at a set rate (issue #23, benchmark).
//
// The server runs in this process on the main thread, exactly as `arbord serve` runs it; the
// clients run on their own thread with raw sockets (HTTP/1.1, chunked SSE), so the time a
// token is produced (ChatEvents::messageDelta, on the job's thread) and the time its delta
// reaches a client are read from one clock. Server CPU = process CPU minus the client thread's.
#include "commands.h"
#include "common.h"

#include "chat/chatevents.h"
#include "core/backend.h"
#include "jobs/jobsservice.h"
#include "serve/apiserver.h"
#include "serve/httpserver.h"
#include "store/servequeries.h"
#include "store/store.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <chrono>

namespace arbor::cli {

namespace {

qint64 nowNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

/** @brief One streaming client: what it sent and when its events came. */
struct Client
{
    QTcpSocket *socket = nullptr;
    QByteArray in;  ///< raw bytes not yet decoded
    QByteArray sse; ///< decoded body not yet split into events
    bool headDone = false;
    qint64 sentNs = 0;
    qint64 firstEventNs = -1;
    qint64 firstDeltaNs = -1;
    QString messageId;
    QList<std::pair<qint64, qint64>> arrivals; ///< (text end offset, ns)
    bool done = false;
    QString error;
};

/** @brief The clients, on their own thread. */
class Swarm : public QObject
{
public:
    Swarm(quint16 port, QByteArray token, int count)
        : m_port(port)
        , m_token(std::move(token))
        , m_clients(count)
    {
    }
    std::function<void()> onDone;
    QList<Client> &clients() { return m_clients; }
    double cpuMicros() const { return m_cpu; }

    void start()
    {
        m_cpuStart = threadCpuMicros();
        for (int i = 0; i < m_clients.size(); ++i) {
            Client &c = m_clients[i];
            c.socket = new QTcpSocket(this);
            QObject::connect(c.socket, &QTcpSocket::connected, this, [this, i] { send(i); });
            QObject::connect(c.socket, &QTcpSocket::readyRead, this, [this, i] { read(i); });
            QObject::connect(c.socket, &QTcpSocket::disconnected, this, [this, i] {
                Client &client = m_clients[i];
                if (!client.done) {
                    client.error = QStringLiteral("disconnected");
                    finish(i);
                }
            });
            c.socket->connectToHost(QStringLiteral("127.0.0.1"), m_port);
        }
    }

private:
    void send(int i)
    {
        Client &c = m_clients[i];
        const QByteArray body =
            QJsonDocument(
                QJsonObject{{QStringLiteral("model"), QStringLiteral("demo/demo")},
                            {QStringLiteral("input"), QStringLiteral("Bench client %1").arg(i)},
                            {QStringLiteral("stream"), true}})
                .toJson(QJsonDocument::Compact);
        c.sentNs = nowNs();
        c.socket->write("POST /v1/responses HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: "
                        "Bearer "
                        + m_token + "\r\nContent-Type: application/json\r\nContent-Length: "
                        + QByteArray::number(body.size()) + "\r\n\r\n" + body);
    }

    void read(int i)
    {
        Client &c = m_clients[i];
        const qint64 at = nowNs();
        c.in += c.socket->readAll();
        if (!c.headDone) {
            const qsizetype end = c.in.indexOf("\r\n\r\n");
            if (end < 0)
                return;
            if (!c.in.startsWith("HTTP/1.1 200")) {
                c.error = QString::fromUtf8(c.in.left(200));
                finish(i);
                return;
            }
            c.headDone = true;
            c.in.remove(0, end + 4);
        }
        while (true) { // chunked transfer coding
            const qsizetype line = c.in.indexOf("\r\n");
            if (line < 0)
                break;
            bool ok = false;
            const qint64 size = c.in.left(line).toLongLong(&ok, 16);
            if (!ok || c.in.size() < line + 2 + size + 2)
                break;
            c.sse += c.in.mid(line + 2, size);
            c.in.remove(0, line + 2 + size + 2);
        }
        qsizetype end;
        while ((end = c.sse.indexOf("\n\n")) >= 0) {
            const QByteArray event = c.sse.left(end);
            c.sse.remove(0, end + 2);
            const qsizetype data = event.indexOf("data: ");
            if (data < 0)
                continue;
            const QJsonObject o = QJsonDocument::fromJson(event.mid(data + 6)).object();
            const QString type = o.value(QStringLiteral("type")).toString();
            if (c.firstEventNs < 0)
                c.firstEventNs = at;
            if (type == u"response.created")
                c.messageId = o.value(QStringLiteral("response"))
                                  .toObject()
                                  .value(QStringLiteral("id"))
                                  .toString();
            else if (type == u"response.output_text.delta") {
                if (c.firstDeltaNs < 0)
                    c.firstDeltaNs = at;
                c.arrivals.append({o.value(QStringLiteral("sequence_number")).toInteger() - 3, at});
            } else if (type.startsWith(u"response.completed")
                       || type.startsWith(u"response.incomplete")
                       || type.startsWith(u"response.failed") || type == u"error") {
                finish(i);
                return;
            }
        }
    }

    void finish(int i)
    {
        Client &c = m_clients[i];
        if (c.done)
            return;
        c.done = true;
        c.socket->disconnectFromHost();
        if (++m_finished == m_clients.size()) {
            m_cpu = threadCpuMicros() - m_cpuStart;
            if (onDone)
                onDone();
        }
    }

    quint16 m_port;
    QByteArray m_token;
    QList<Client> m_clients;
    int m_finished = 0;
    double m_cpuStart = 0;
    double m_cpu = 0;
};

double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return -1;
    std::sort(v.begin(), v.end());
    const size_t at = std::min(v.size() - 1, size_t(p / 100.0 * double(v.size())));
    return v[at];
}

} // namespace

int runBenchServe(const QStringList &args)
{
    QCommandLineParser parser;
    const QCommandLineOption json = jsonOption();
    const QCommandLineOption clientsOption(QStringLiteral("clients"),
                                           QStringLiteral("Concurrent streaming clients (200)."),
                                           QStringLiteral("N"), QStringLiteral("200"));
    const QCommandLineOption rateOption(QStringLiteral("rate"),
                                        QStringLiteral("Demo tokens per second per reply (100)."),
                                        QStringLiteral("N"), QStringLiteral("100"));
    const QCommandLineOption charsOption(QStringLiteral("chars"),
                                         QStringLiteral("Length of each reply, characters (2000)."),
                                         QStringLiteral("N"), QStringLiteral("2000"));
    parser.addOptions({json, clientsOption, rateOption, charsOption});
    if (const auto code = parse(parser, QStringLiteral("bench serve"), args))
        return *code;
    const auto clients = wholeOption(parser, clientsOption, 1, 2000, QStringLiteral("bench serve"));
    const auto rate = decimalOption(parser, rateOption, 1, 100000, QStringLiteral("bench serve"));
    const auto chars =
        wholeOption(parser, charsOption, 1, 1'000'000, QStringLiteral("bench serve"));
    if (!clients || !rate || !chars)
        return Usage;

    QTemporaryDir dir;
    core::BackendOptions options;
    options.dbPath = dir.filePath(QStringLiteral("bench.db"));
    options.concurrency = int(*clients);
    options.demoRate = *rate;
    options.demoChars = *chars;
    core::Backend backend(options);
    if (const auto code = openBackend(backend, QStringLiteral("bench serve")))
        return *code;
    // The demo queue runs every client's reply at once (its stored limit, as `arbord jobs
    // limit demo --concurrency N` sets it).
    backend.jobs().setLimits(QStringLiteral("demo"), int(*clients), -1, -1).waitForFinished();
    const QString secret = serve::ApiServer::newSecret();
    backend.store()
        .write([hash = serve::ApiServer::hashOf(secret)](QSqlDatabase &db) {
            store::serve::addToken(db, QStringLiteral("bench"), hash, 0, {});
        })
        .waitForFinished();

    // When each piece of text was produced: message id -> (end offset, ns), from the job thread.
    QMutex producedLock;
    QHash<QString, QList<std::pair<qint64, qint64>>> produced;
    QObject::connect(
        &backend.events(), &chat::ChatEvents::messageDelta, &backend.events(),
        [&](const QString &, const QString &id, qsizetype offset, const QString &text) {
            const qint64 at = nowNs();
            QMutexLocker lock(&producedLock);
            produced[id].append({qint64(offset + text.size()), at});
        },
        Qt::DirectConnection);

    serve::HttpServer http;
    serve::ApiServer api(backend, http);
    if (const QString e = http.listen(QHostAddress::LocalHost, 0); !e.isEmpty()) {
        err() << "arbord bench serve: " << e << "\n";
        return Failure;
    }

    QThread clientThread;
    auto *swarm = new Swarm(http.port(), secret.toUtf8(), int(*clients));
    swarm->moveToThread(&clientThread);
    swarm->onDone = [] { QMetaObject::invokeMethod(qApp, &QCoreApplication::quit); };
    clientThread.start();
    const double cpu0 = processCpuMicros();
    const qint64 t0 = nowNs();
    QMetaObject::invokeMethod(swarm, [swarm] { swarm->start(); });
    QTimer timeout;
    timeout.setSingleShot(true);
    QObject::connect(&timeout, &QTimer::timeout, qApp, &QCoreApplication::quit);
    timeout.start(300'000);
    QCoreApplication::exec();
    const double seconds = double(nowNs() - t0) / 1e9;
    const double cpuTotal = processCpuMicros() - cpu0;
    const auto [rssPeak, rssNow] = processMemory();
    QMetaObject::invokeMethod(
        swarm, [] {}, Qt::BlockingQueuedConnection);
    const double clientCpu = swarm->cpuMicros();

    std::vector<double> firstEvent;
    std::vector<double> firstToken;
    std::vector<double> deltaLatency;
    qint64 delivered = 0;
    int failed = 0;
    QString firstError;
    {
        QMutexLocker lock(&producedLock);
        for (const Client &c : swarm->clients()) {
            if (!c.error.isEmpty() || !c.done) {
                ++failed;
                if (firstError.isEmpty())
                    firstError = c.error.isEmpty() ? QStringLiteral("timed out") : c.error;
                continue;
            }
            firstEvent.push_back(double(c.firstEventNs - c.sentNs) / 1e6);
            if (c.firstDeltaNs >= 0)
                firstToken.push_back(double(c.firstDeltaNs - c.sentNs) / 1e6);
            const auto &pieces = produced.value(c.messageId);
            qsizetype k = 0;
            for (const auto &[end, at] : c.arrivals) {
                ++delivered;
                // The piece whose text completed offset `end` (deltas may merge pieces).
                while (k < pieces.size() && pieces[k].first < end)
                    ++k;
                if (k < pieces.size())
                    deltaLatency.push_back(double(at - pieces[k].second) / 1e6);
            }
        }
    }
    clientThread.quit();
    clientThread.wait();
    delete swarm;
    backend.close();

    const double serverCpu = cpuTotal - clientCpu;
    QJsonObject r{
        {QStringLiteral("clients"), int(*clients)},
        {QStringLiteral("failed_clients"), failed},
        {QStringLiteral("rate_tokens_per_s"), *rate},
        {QStringLiteral("reply_chars"), *chars},
        {QStringLiteral("seconds"), seconds},
        {QStringLiteral("delivered_deltas"), delivered},
        {QStringLiteral("first_event_p50_ms"), percentile(firstEvent, 50)},
        {QStringLiteral("first_event_p99_ms"), percentile(firstEvent, 99)},
        {QStringLiteral("first_token_p99_ms"), percentile(firstToken, 99)},
        {QStringLiteral("delta_to_client_p50_ms"), percentile(deltaLatency, 50)},
        {QStringLiteral("delta_to_client_p99_ms"), percentile(deltaLatency, 99)},
        {QStringLiteral("delta_to_client_max_ms"), percentile(deltaLatency, 100)},
        {QStringLiteral("server_cpu_us_per_delivered_token"),
         delivered > 0 ? serverCpu / double(delivered) : -1},
        {QStringLiteral("server_cpu_percent_of_one_core"), serverCpu / (seconds * 1e6) * 100},
        {QStringLiteral("rss_peak_mb"), rssPeak},
        {QStringLiteral("rss_end_mb"), rssNow}};
    if (!firstError.isEmpty())
        r.insert(QStringLiteral("first_error"), firstError);
    if (parser.isSet(json)) {
        printJson(r);
    } else {
        for (auto it = r.begin(); it != r.end(); ++it)
            out() << it.key() << ": " << it.value().toVariant().toString() << "\n";
    }
    return failed == 0 ? Ok : Failure;
}

} // namespace arbor::cli
