#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QObject>
#include <QPair>
#include <QUrl>

#include <functional>

class QTcpServer;
class QTcpSocket;

namespace arbor::testsupport {

/**
 * @brief A real HTTP/1.1 server on 127.0.0.1 (port 0) that plays scripted vendor responses:
 * status, headers, body pieces with delays, and a disconnect in the middle of the body. It
 * records each request (method, path, headers, body) so tests can check what was sent.
 * Responses are served in the order they were queued; each connection serves one request.
 */
class FakeVendorServer : public QObject
{
    Q_OBJECT

public:
    struct Piece
    {
        QByteArray bytes;
        int delayMs = 0; ///< wait before sending these bytes
    };
    struct Response
    {
        int status = 200;
        QList<QPair<QByteArray, QByteArray>> headers;
        QList<Piece> body;
        bool disconnectMidBody = false; ///< close after the pieces without ending the chunked body
    };
    struct Request
    {
        QByteArray method;
        QByteArray target;                     ///< path and query
        QHash<QByteArray, QByteArray> headers; ///< lower-case names
        QByteArray body;
        qint64 receivedAtMs = 0; ///< when it was read whole (ms since epoch)
    };
    /** @brief Answers requests when no scripted response is queued (a server for many calls). */
    using Responder = std::function<Response(const Request &)>;
    void setResponder(Responder responder) { m_responder = std::move(responder); }
    /** @brief Keep only receivedAtMs of each request (a server for tens of thousands of calls). */
    void setLogBodies(bool on) { m_logBodies = on; }

    explicit FakeVendorServer(QObject *parent = nullptr);
    ~FakeVendorServer() override;

    /** @brief http://127.0.0.1:PORT (no path). */
    QUrl baseUrl() const;
    void enqueue(Response response);
    /** @brief Queues @p response for the next request whose path and query contain
     *  @p targetPart: several vendors served at once (a compare) each get their own script,
     *  whatever order their requests arrive in. Such routes go before the plain queue. */
    void enqueueFor(const QByteArray &targetPart, Response response);
    /** @brief A streamed 200 response: @p body cut into @p pieces of about equal size. */
    static Response stream(const QByteArray &body, const QByteArray &contentType, int pieces = 1,
                           int delayMs = 0);
    /** @brief A one-piece JSON response with @p status and extra @p headers. */
    static Response json(int status, const QByteArray &body,
                         QList<QPair<QByteArray, QByteArray>> headers = {});

    QList<Request> requests() const { return m_requests; }

    /** @brief A transcript file from tests/support/transcripts/. */
    static QByteArray transcript(const QString &name);

Q_SIGNALS:
    void requestReceived();
    /** @brief The client closed a connection before its response was complete. */
    void clientClosedEarly();
    /** @brief A response was sent completely (or its scripted disconnect happened). */
    void responseDone();

private:
    void onConnection();
    void onReadable(QTcpSocket *socket);
    void respond(QTcpSocket *socket, Response response);
    void sendPiece(QTcpSocket *socket, qsizetype index);

    QTcpServer *m_server;
    QList<Response> m_queue;
    QList<QPair<QByteArray, Response>> m_routed;
    QList<Request> m_requests;
    QHash<QTcpSocket *, QByteArray> m_buffers;
    QHash<QTcpSocket *, Response> m_active;
    Responder m_responder;
    bool m_logBodies = true;
};

} // namespace arbor::testsupport
