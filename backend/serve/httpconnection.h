#pragma once

#include <QByteArray>
#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QPointer>
#include <QUrlQuery>

class QTcpSocket;

namespace arbor::serve {

/** @brief One parsed HTTP/1.1 request. Header names are lower case. */
struct HttpRequest
{
    QByteArray method;
    QString path; ///< decoded, without the query
    QUrlQuery query;
    QHash<QByteArray, QByteArray> headers;
    QByteArray body;
    QByteArray header(const char *name) const { return headers.value(QByteArray(name)); }
};

/**
 * @brief One client connection: parses requests one at a time (keep-alive; pipelined requests
 * wait their turn), answers with a whole body or a chunked stream (SSE), and hands a WebSocket
 * upgrade over untouched: the request is only peeked at until it is known not to be one.
 *
 * Limits: a request head of at most MaxHeadBytes (else 431), a body of at most MaxBodyBytes
 * (else 413), a clean Content-Length or chunked body (else 400). A client that reads slower
 * than its stream is written gets at most MaxBufferedBytes queued, then is dropped (it can
 * resume by sequence number); the source of a stream is never blocked by it.
 */
class HttpConnection : public QObject
{
    Q_OBJECT

public:
    static constexpr qsizetype MaxHeadBytes = 32 * 1024;
    static constexpr qsizetype MaxBodyBytes = 4 * 1024 * 1024;
    static constexpr qint64 MaxBufferedBytes = 16 * 1024 * 1024;

    HttpConnection(QTcpSocket *socket, QObject *parent = nullptr);

    QTcpSocket *socket() const { return m_socket; }
    /** @brief Answers the current request with a whole body. */
    void respond(int status, const QByteArray &contentType, const QByteArray &body,
                 const QList<std::pair<QByteArray, QByteArray>> &headers = {});
    /** @brief Starts a chunked answer (e.g. text/event-stream). */
    void beginStream(int status, const QByteArray &contentType);
    /** @brief One piece of the stream; false when the client is gone. The pieces of one
     *  event-loop turn go out together, as one chunk. */
    bool write(const QByteArray &data);
    /** @brief Ends the stream (the last chunk); the connection then serves the next request. */
    void endStream();
    /** @brief Ends the stream by closing the connection (graceful shutdown, a stuck client). */
    void abort();
    bool isStreaming() const { return m_streaming; }
    /** @brief Milliseconds since the current request was read. */
    qint64 elapsedMs() const { return m_clock.elapsed(); }
    static QByteArray reason(int status);

Q_SIGNALS:
    /** @brief A whole request arrived: answer it with respond() or beginStream(). */
    void request(const arbor::serve::HttpRequest &request);
    /** @brief The request asks for a WebSocket: the socket is the receiver's now (unread). */
    void upgrade(QTcpSocket *socket, const arbor::serve::HttpRequest &request);
    /** @brief The client is gone (or was dropped); the object deletes itself after this. */
    void closed();

private:
    void onReadyRead();
    /** @brief Parses what is buffered; returns false to wait for more. */
    bool parseNext();
    bool parseHead(const QByteArray &head);
    bool takeBody();
    void fail(int status, const QString &message);
    void finishRequest();
    void onDisconnected();
    /** @brief Writes the pieces of this turn as one chunk. */
    void flushPending();

    QPointer<QTcpSocket> m_socket;
    QByteArray m_buffer;
    QByteArray m_pending; ///< stream pieces of this event-loop turn
    HttpRequest m_current;
    enum class State { Head, Body, ChunkedBody, Busy, Closing } m_state = State::Head;
    qsizetype m_contentLength = 0;
    bool m_keepAlive = true;
    bool m_streaming = false;
    bool m_closed = false;
    QElapsedTimer m_clock;
};

} // namespace arbor::serve
