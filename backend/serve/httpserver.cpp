#include "httpserver.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSslServer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QWebSocket>
#include <QWebSocketServer>

namespace arbor::serve {

HttpServer::HttpServer(QObject *parent)
    : QObject(parent)
    , m_webSockets(
          new QWebSocketServer(QStringLiteral("arbord"), QWebSocketServer::NonSecureMode, this))
{
    // NonSecureMode: with TLS the socket handed over is a QSslSocket that already decrypts.
    connect(m_webSockets, &QWebSocketServer::newConnection, this, [this] {
        while (QWebSocket *socket = m_webSockets->nextPendingConnection())
            Q_EMIT webSocket(socket);
    });
}

HttpServer::~HttpServer() = default;

QString HttpServer::listen(const QHostAddress &address, quint16 port,
                           const std::optional<QSslConfiguration> &tls)
{
    if (tls) {
        auto *ssl = new QSslServer(this);
        ssl->setSslConfiguration(*tls);
        ssl->setHandshakeTimeout(10000);
        m_server = ssl;
    } else {
        m_server = new QTcpServer(this);
    }
    connect(m_server, &QTcpServer::pendingConnectionAvailable, this, &HttpServer::accept);
    if (!m_server->listen(address, port))
        return m_server->errorString();
    return {};
}

quint16 HttpServer::port() const
{
    return m_server ? m_server->serverPort() : 0;
}

void HttpServer::stopListening()
{
    if (m_server)
        m_server->close();
}

void HttpServer::acceptUpgrade(QTcpSocket *socket)
{
    socket->setParent(nullptr);
    m_webSockets->handleConnection(socket);
}

void HttpServer::refuseUpgrade(QTcpSocket *socket, int status, const QString &message)
{
    const QByteArray body =
        QJsonDocument(QJsonObject{{QStringLiteral("error"),
                                   QJsonObject{{QStringLiteral("message"), message}}}})
            .toJson(QJsonDocument::Compact);
    socket->write("HTTP/1.1 " + QByteArray::number(status) + ' ' + HttpConnection::reason(status)
                  + "\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: "
                  + QByteArray::number(body.size()) + "\r\n\r\n" + body);
    socket->disconnectFromHost();
    connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
}

void HttpServer::accept()
{
    while (QTcpSocket *socket = m_server->nextPendingConnection()) {
        auto *connection = new HttpConnection(socket, this);
        ++m_connections;
        connect(connection, &HttpConnection::request, this,
                [this, connection](HttpRequest r) { // a copy: the connection reuses its own
                    Q_EMIT request(connection, r);
                });
        connect(connection, &HttpConnection::upgrade, this,
                [this](QTcpSocket *s, const HttpRequest &r) {
                    --m_connections;
                    s->setParent(this);
                    Q_EMIT upgradeRequest(s, r);
                });
        connect(connection, &HttpConnection::closed, this, [this] { --m_connections; });
    }
}

} // namespace arbor::serve
