#pragma once

#include "httpconnection.h"

#include <QHostAddress>
#include <QObject>
#include <QSslConfiguration>

#include <optional>

class QTcpServer;
class QTcpSocket;
class QWebSocket;
class QWebSocketServer;

namespace arbor::serve {

/**
 * @brief A small HTTP/1.1 server on QTcpServer (QSslServer with TLS) that hands WebSocket
 * upgrades to QWebSocketServer::handleConnection() on the same port.
 *
 * Why not Qt HTTP Server: in Qt 6.4 it is a technical preview whose responder writes a whole
 * body (QHttpServerResponder::write of a QIODevice has no chunked, incremental writes we can
 * pace or watch for a slow client), and it cannot serve WebSocket routes on its own listening
 * port in 6.4 (that came with 6.8's addWebSocketUpgradeVerifier). Streaming SSE to hundreds
 * of clients, each with its own backpressure, and WebSockets on one port are what this server
 * is for, so the few hundred lines of HTTP parsing here are the smaller risk.
 */
class HttpServer : public QObject
{
    Q_OBJECT

public:
    explicit HttpServer(QObject *parent = nullptr);
    ~HttpServer() override;

    /** @brief Listens on @p address:@p port (0: a free one), over TLS with @p tls. Returns an
     *  error text, or "" on success. */
    QString listen(const QHostAddress &address, quint16 port,
                   const std::optional<QSslConfiguration> &tls = std::nullopt);
    quint16 port() const;
    /** @brief Stops accepting connections (those open go on). */
    void stopListening();
    /** @brief Hands @p socket (an upgrade request, unread) to the WebSocket server. */
    void acceptUpgrade(QTcpSocket *socket);
    /** @brief Answers the upgrade request with @p status and a JSON error, and closes. */
    void refuseUpgrade(QTcpSocket *socket, int status, const QString &message);
    /** @brief Open HTTP connections (WebSockets not counted). */
    int connectionCount() const { return m_connections; }

Q_SIGNALS:
    /** @brief A request on @p connection; answer it through the connection. */
    void request(arbor::serve::HttpConnection *connection,
                 const arbor::serve::HttpRequest &request);
    /** @brief A client asks for a WebSocket: answer with acceptUpgrade() or refuseUpgrade(). */
    void upgradeRequest(QTcpSocket *socket, const arbor::serve::HttpRequest &request);
    /** @brief A new WebSocket (parented to the server; the receiver may reparent it). */
    void webSocket(QWebSocket *socket);

private:
    void accept();

    QTcpServer *m_server = nullptr;
    QWebSocketServer *m_webSockets = nullptr;
    int m_connections = 0;
};

} // namespace arbor::serve
