#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QObject>
#include <QString>

namespace arbor::tools {

/**
 * @brief One way to exchange JSON-RPC messages with an MCP server (stdio or HTTP). Emits
 * message() per JSON object received, in order, and failed() once when the connection is
 * unusable (the server exited, the stream broke, it sent something that is not JSON-RPC).
 */
class McpTransport : public QObject
{
    Q_OBJECT

public:
    /// Longest single message (or stdio line) accepted; a server that sends more is cut off.
    static constexpr qsizetype MaxMessageBytes = 16 * 1024 * 1024;
    /// How much of the server's stderr (or error bodies) is kept for the user: the tail.
    static constexpr qsizetype StderrTailBytes = 4096;

    using QObject::QObject;
    /** @brief Starts the connection; messages may be sent at once (they wait when needed). */
    virtual void start() = 0;
    /** @brief Sends one JSON-RPC message (request, response or notification). */
    virtual void send(const QJsonObject &message) = 0;
    /** @brief Closes the connection (ends the process, deletes the HTTP session); no signal
     *  follows. */
    virtual void close() = 0;
    /** @brief The protocol version agreed in initialize (HTTP sends it as a header). */
    virtual void setProtocolVersion(const QString &version) { Q_UNUSED(version); }
    /** @brief The last lines the server wrote to stderr (stdio) or its last error body (HTTP). */
    QString stderrTail() const { return QString::fromUtf8(m_stderrTail); }

Q_SIGNALS:
    void message(const QJsonObject &message);
    void failed(const QString &reason);

protected:
    void keepStderr(const QByteArray &bytes);

private:
    QByteArray m_stderrTail;
};

} // namespace arbor::tools
