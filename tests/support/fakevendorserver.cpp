#include "fakevendorserver.h"

#include <QDateTime>
#include <QFile>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include <optional>

namespace arbor::testsupport {

FakeVendorServer::FakeVendorServer(QObject *parent)
    : QObject(parent)
    , m_server(new QTcpServer(this))
{
    if (!m_server->listen(QHostAddress::LocalHost, 0))
        qFatal("FakeVendorServer: cannot listen on 127.0.0.1");
    connect(m_server, &QTcpServer::newConnection, this, &FakeVendorServer::onConnection);
}

FakeVendorServer::~FakeVendorServer() = default;

QUrl FakeVendorServer::baseUrl() const
{
    QUrl url;
    url.setScheme(QStringLiteral("http"));
    url.setHost(QStringLiteral("127.0.0.1"));
    url.setPort(m_server->serverPort());
    return url;
}

void FakeVendorServer::enqueue(Response response)
{
    m_queue.append(std::move(response));
}

void FakeVendorServer::enqueueFor(const QByteArray &targetPart, Response response)
{
    m_routed.append({targetPart, std::move(response)});
}

FakeVendorServer::Response FakeVendorServer::stream(const QByteArray &body,
                                                    const QByteArray &contentType, int pieces,
                                                    int delayMs)
{
    Response r;
    r.headers = {{"Content-Type", contentType}};
    pieces = std::max(1, pieces);
    const qsizetype size = (body.size() + pieces - 1) / pieces;
    for (qsizetype at = 0; at < body.size(); at += size)
        r.body.append({body.mid(at, size), at == 0 ? 0 : delayMs});
    return r;
}

FakeVendorServer::Response FakeVendorServer::json(int status, const QByteArray &body,
                                                  QList<QPair<QByteArray, QByteArray>> headers)
{
    Response r;
    r.status = status;
    r.headers = std::move(headers);
    r.headers.append(qMakePair(QByteArray("Content-Type"), QByteArray("application/json")));
    r.body = {{body, 0}};
    return r;
}

QByteArray FakeVendorServer::transcript(const QString &name)
{
    QFile f(QStringLiteral(ARBOR_TRANSCRIPTS_DIR "/") + name);
    if (!f.open(QIODevice::ReadOnly))
        qFatal("FakeVendorServer: no transcript %s", qPrintable(name));
    return f.readAll();
}

void FakeVendorServer::onConnection()
{
    while (QTcpSocket *socket = m_server->nextPendingConnection()) {
        socket->setParent(this);
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onReadable(socket); });
        connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
            m_buffers.remove(socket);
            if (m_active.remove(socket))
                Q_EMIT clientClosedEarly();
            socket->deleteLater();
        });
    }
}

void FakeVendorServer::onReadable(QTcpSocket *socket)
{
    QByteArray &buf = m_buffers[socket];
    buf += socket->readAll();
    const qsizetype headerEnd = buf.indexOf("\r\n\r\n");
    if (headerEnd < 0 || m_active.contains(socket))
        return;
    Request req;
    const QList<QByteArray> lines = buf.left(headerEnd).split('\n');
    const QList<QByteArray> first = lines.value(0).trimmed().split(' ');
    req.method = first.value(0);
    req.target = first.value(1);
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const qsizetype colon = lines[i].indexOf(':');
        if (colon > 0)
            req.headers.insert(lines[i].left(colon).trimmed().toLower(),
                               lines[i].mid(colon + 1).trimmed());
    }
    const qsizetype length = req.headers.value("content-length", "0").toLongLong();
    if (buf.size() < headerEnd + 4 + length)
        return;
    req.body = buf.mid(headerEnd + 4, length);
    req.receivedAtMs = QDateTime::currentMSecsSinceEpoch();
    buf.clear();
    // A response scripted for this request's path (enqueueFor) first, then the queue in order,
    // then the responder.
    std::optional<Response> routed;
    for (qsizetype i = 0; i < m_routed.size(); ++i) {
        if (req.target.contains(m_routed.at(i).first)) {
            routed = m_routed.takeAt(i).second;
            break;
        }
    }
    Response r = routed      ? *std::move(routed)
        : !m_queue.isEmpty() ? m_queue.takeFirst()
        : m_responder        ? m_responder(req)
                             : json(500, R"({"error":"no scripted response"})");
    if (!m_logBodies) {
        Request kept;
        kept.receivedAtMs = req.receivedAtMs;
        req = kept;
    }
    m_requests.append(req);
    Q_EMIT requestReceived();
    respond(socket, std::move(r));
}

void FakeVendorServer::respond(QTcpSocket *socket, Response r)
{
    QByteArray head = "HTTP/1.1 " + QByteArray::number(r.status) + " Scripted\r\n";
    for (const auto &[name, value] : std::as_const(r.headers))
        head += name + ": " + value + "\r\n";
    head += "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
    socket->write(head);
    m_active.insert(socket, std::move(r));
    sendPiece(socket, 0);
}

void FakeVendorServer::sendPiece(QTcpSocket *socket, qsizetype index)
{
    const auto it = m_active.constFind(socket);
    if (it == m_active.cend())
        return; // the client went away
    const Response &r = *it;
    if (index >= r.body.size()) {
        if (!r.disconnectMidBody)
            socket->write("0\r\n\r\n");
        m_active.remove(socket);
        socket->flush();
        socket->disconnectFromHost();
        Q_EMIT responseDone();
        return;
    }
    const Piece &piece = r.body.at(index);
    QPointer<QTcpSocket> guard(socket);
    auto send = [this, guard, index, bytes = piece.bytes] {
        if (!guard || !m_active.contains(guard.data()))
            return;
        if (!bytes.isEmpty())
            guard->write(QByteArray::number(bytes.size(), 16) + "\r\n" + bytes + "\r\n");
        guard->flush();
        sendPiece(guard.data(), index + 1);
    };
    if (piece.delayMs > 0)
        QTimer::singleShot(piece.delayMs, this, send);
    else
        send();
}

} // namespace arbor::testsupport
