#include "httpconnection.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>
#include <QTimer>

namespace arbor::serve {

HttpConnection::HttpConnection(QTcpSocket *socket, QObject *parent)
    : QObject(parent)
    , m_socket(socket)
{
    socket->setParent(this);
    connect(socket, &QTcpSocket::readyRead, this, &HttpConnection::onReadyRead);
    connect(socket, &QTcpSocket::disconnected, this, &HttpConnection::onDisconnected);
    connect(socket, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError e) {
        if (e != QAbstractSocket::RemoteHostClosedError && m_socket)
            m_socket->abort();
    });
    QTimer::singleShot(0, this, &HttpConnection::onReadyRead); // bytes that came with the accept
}

QByteArray HttpConnection::reason(int status)
{
    switch (status) {
    case 100:
        return "Continue";
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 409:
        return "Conflict";
    case 411:
        return "Length Required";
    case 413:
        return "Content Too Large";
    case 415:
        return "Unsupported Media Type";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    default:
        return "Status";
    }
}

void HttpConnection::onReadyRead()
{
    while (!m_closed && parseNext()) {}
}

bool HttpConnection::parseNext()
{
    if (!m_socket)
        return false;
    switch (m_state) {
    case State::Head: {
        // Peek, do not read: a WebSocket upgrade must reach QWebSocketServer untouched.
        const QByteArray peeked = m_socket->peek(MaxHeadBytes + 4);
        const qsizetype end = peeked.indexOf("\r\n\r\n");
        if (end < 0) {
            if (peeked.size() > MaxHeadBytes)
                fail(431,
                     QStringLiteral("The request head is larger than %1 bytes.").arg(MaxHeadBytes));
            return false;
        }
        m_clock.start();
        if (!parseHead(peeked.left(end)))
            return false;
        const QByteArray wanted = m_current.header("upgrade").toLower();
        if (wanted == "websocket") {
            m_state = State::Closing;
            m_closed = true;
            QTcpSocket *socket = m_socket;
            disconnect(socket, nullptr, this, nullptr);
            socket->setParent(nullptr);
            m_socket = nullptr;
            Q_EMIT upgrade(socket, m_current);
            deleteLater();
            return false;
        }
        m_socket->read(end + 4);
        if (m_current.header("expect").toLower() == "100-continue")
            m_socket->write("HTTP/1.1 100 Continue\r\n\r\n");
        return true;
    }
    case State::Body: {
        const qint64 missing = m_contentLength - m_current.body.size();
        if (missing > 0)
            m_current.body += m_socket->read(missing);
        if (m_current.body.size() < m_contentLength)
            return false;
        m_state = State::Busy;
        Q_EMIT request(m_current);
        return false;
    }
    case State::ChunkedBody:
        m_buffer += m_socket->readAll();
        return takeBody();
    case State::Busy:
    case State::Closing:
        return false;
    }
    return false;
}

bool HttpConnection::parseHead(const QByteArray &head)
{
    m_current = {};
    const QList<QByteArray> lines = head.split('\n');
    const QList<QByteArray> start = lines.value(0).trimmed().split(' ');
    if (start.size() != 3 || !start[2].startsWith("HTTP/1.")) {
        fail(400, QStringLiteral("Malformed request line."));
        return false;
    }
    m_current.method = start[0];
    const QUrl url(QString::fromLatin1("http://h") + QString::fromLatin1(start[1]),
                   QUrl::StrictMode);
    if (!url.isValid() || !start[1].startsWith('/')) {
        fail(400, QStringLiteral("Malformed request target."));
        return false;
    }
    m_current.path = url.path();
    m_current.query = QUrlQuery(url);
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines[i].trimmed();
        if (line.isEmpty())
            continue;
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0) {
            fail(400, QStringLiteral("Malformed header line."));
            return false;
        }
        const QByteArray name = line.left(colon).trimmed().toLower();
        const QByteArray value = line.mid(colon + 1).trimmed();
        if (name == "content-length" && m_current.headers.contains(name)
            && m_current.headers.value(name) != value) {
            fail(400, QStringLiteral("Conflicting Content-Length headers."));
            return false;
        }
        m_current.headers.insert(name, value);
    }
    const QByteArray connection = m_current.header("connection").toLower();
    m_keepAlive =
        start[2] == "HTTP/1.1" ? !connection.contains("close") : connection.contains("keep-alive");
    if (m_current.header("upgrade").toLower() == "websocket")
        return true;
    const QByteArray encoding = m_current.header("transfer-encoding").toLower();
    if (!encoding.isEmpty()) {
        if (encoding != "chunked" || m_current.headers.contains("content-length")) {
            fail(400,
                 QStringLiteral("Only a chunked Transfer-Encoding (without Content-Length) "
                                "is accepted."));
            return false;
        }
        m_state = State::ChunkedBody;
        m_buffer.clear();
        return true;
    }
    const QByteArray length = m_current.header("content-length");
    bool ok = true;
    m_contentLength = length.isEmpty() ? 0 : length.toLongLong(&ok);
    if (!ok || m_contentLength < 0) {
        fail(400, QStringLiteral("Malformed Content-Length."));
        return false;
    }
    if (m_contentLength > MaxBodyBytes) {
        fail(413, QStringLiteral("The request body is larger than %1 bytes.").arg(MaxBodyBytes));
        return false;
    }
    m_state = State::Body;
    return true;
}

bool HttpConnection::takeBody()
{
    // chunk = size-in-hex [;ext] CRLF data CRLF ... 0 CRLF [trailers] CRLF
    while (true) {
        const qsizetype lineEnd = m_buffer.indexOf("\r\n");
        if (lineEnd < 0) {
            if (m_buffer.size() > 1024)
                fail(400, QStringLiteral("Malformed chunked body."));
            return false;
        }
        QByteArray sizeText = m_buffer.left(lineEnd);
        if (const qsizetype ext = sizeText.indexOf(';'); ext >= 0)
            sizeText.truncate(ext);
        bool ok = false;
        const qint64 size = sizeText.trimmed().toLongLong(&ok, 16);
        if (!ok || size < 0) {
            fail(400, QStringLiteral("Malformed chunk size."));
            return false;
        }
        if (m_current.body.size() + size > MaxBodyBytes) {
            fail(413,
                 QStringLiteral("The request body is larger than %1 bytes.").arg(MaxBodyBytes));
            return false;
        }
        if (size == 0) {
            const qsizetype end = m_buffer.indexOf("\r\n\r\n", lineEnd);
            if (end < 0 && m_buffer.mid(lineEnd) != "\r\n")
                return false;
            const qsizetype consumed = end < 0 ? lineEnd + 2 : end + 4;
            if (m_buffer.size() > consumed)
                m_keepAlive = false; // pipelined bytes after a chunked body: not kept
            m_buffer.clear();
            m_state = State::Busy;
            Q_EMIT request(m_current);
            return false;
        }
        if (m_buffer.size() < lineEnd + 2 + size + 2)
            return false;
        if (m_buffer.mid(lineEnd + 2 + size, 2) != "\r\n") {
            fail(400, QStringLiteral("Malformed chunked body."));
            return false;
        }
        m_current.body += m_buffer.mid(lineEnd + 2, size);
        m_buffer.remove(0, lineEnd + 2 + size + 2);
    }
}

void HttpConnection::fail(int status, const QString &message)
{
    m_keepAlive = false;
    m_state = State::Busy;
    if (!m_clock.isValid())
        m_clock.start();
    const QJsonObject error{
        {QStringLiteral("error"),
         QJsonObject{{QStringLiteral("message"), message},
                     {QStringLiteral("type"), QStringLiteral("invalid_request_error")},
                     {QStringLiteral("code"), QJsonValue()}}}};
    respond(status, "application/json", QJsonDocument(error).toJson(QJsonDocument::Compact));
}

void HttpConnection::respond(int status, const QByteArray &contentType, const QByteArray &body,
                             const QList<std::pair<QByteArray, QByteArray>> &headers)
{
    if (!m_socket || m_state == State::Closing)
        return;
    QByteArray out = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reason(status) + "\r\n";
    out += "Content-Type: " + contentType + "\r\nContent-Length: " + QByteArray::number(body.size())
        + "\r\n";
    for (const auto &[name, value] : headers)
        out += name + ": " + value + "\r\n";
    out += m_keepAlive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n";
    out += body;
    m_socket->write(out);
    finishRequest();
}

void HttpConnection::beginStream(int status, const QByteArray &contentType)
{
    if (!m_socket)
        return;
    m_streaming = true;
    QByteArray out = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reason(status) + "\r\n";
    out += "Content-Type: " + contentType
        + "\r\nCache-Control: no-cache\r\nTransfer-Encoding: chunked\r\n";
    out += m_keepAlive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n";
    m_socket->write(out);
}

bool HttpConnection::write(const QByteArray &data)
{
    if (!m_socket || !m_streaming || m_socket->state() != QAbstractSocket::ConnectedState)
        return false;
    if (data.isEmpty())
        return true;
    if (m_socket->bytesToWrite() + m_pending.size() > MaxBufferedBytes) {
        // The client does not read: drop it rather than hold the reply's text for it forever.
        abort();
        return false;
    }
    if (m_pending.isEmpty())
        QMetaObject::invokeMethod(this, &HttpConnection::flushPending, Qt::QueuedConnection);
    m_pending += data;
    return true;
}

void HttpConnection::flushPending()
{
    if (m_pending.isEmpty())
        return;
    const QByteArray data = std::exchange(m_pending, {});
    if (!m_socket || !m_streaming)
        return;
    m_socket->write(QByteArray::number(data.size(), 16) + "\r\n" + data + "\r\n");
}

void HttpConnection::endStream()
{
    if (!m_socket || !m_streaming)
        return;
    flushPending();
    m_streaming = false;
    m_socket->write("0\r\n\r\n");
    finishRequest();
}

void HttpConnection::abort()
{
    m_streaming = false;
    m_state = State::Closing;
    if (m_socket)
        m_socket->disconnectFromHost();
}

void HttpConnection::finishRequest()
{
    if (!m_keepAlive) {
        m_state = State::Closing;
        m_socket->disconnectFromHost();
        return;
    }
    m_state = State::Head;
    m_current = {};
    QTimer::singleShot(0, this, &HttpConnection::onReadyRead); // a pipelined request
}

void HttpConnection::onDisconnected()
{
    if (m_closed)
        return;
    m_closed = true;
    m_streaming = false;
    Q_EMIT closed();
    deleteLater();
}

} // namespace arbor::serve
