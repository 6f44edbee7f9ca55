#pragma once

#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>

#include <functional>

class QTimer;

namespace arbor::tools {

class McpTransport;

/** @brief A tool a server offers (tools/list). */
struct McpTool
{
    QString name;
    QString title;
    QString description;
    QJsonObject inputSchema;
    QJsonObject annotations; ///< readOnlyHint, destructiveHint, idempotentHint, openWorldHint
};

/** @brief What a tools/call came to: the tool's result, or why there is none. */
struct McpCallResult
{
    bool isError = false;   ///< the tool reported an error, or the call failed (see failure)
    QString text;           ///< the content as text (images and resources named)
    QJsonArray content;     ///< the content blocks as the server sent them
    QJsonObject structured; ///< structuredContent, when given
    /// Why the call has no result from the tool: the server failed, timed out, cancelled...
    /// Empty when the server answered.
    QString failure;
};

/**
 * @brief One tools/call in flight. Emits progress() for the server's progress notifications,
 * then finished() exactly once (also on timeout, cancel or a dead server).
 */
class McpCall : public QObject
{
    Q_OBJECT

public:
    using QObject::QObject;
    /** @brief A call that finishes (on the next turn of the event loop) with @p reason. */
    static McpCall *failedCall(const QString &reason, QObject *parent);
    /** @brief Sends notifications/cancelled for it and finishes it with @p reason. */
    void cancel(const QString &reason);
    bool isFinished() const { return m_finished; }
    /** @brief The result, once finished. */
    const McpCallResult &result() const { return m_result; }

Q_SIGNALS:
    void progress(double progress, double total, const QString &message);
    void finished(const arbor::tools::McpCallResult &result);

private:
    friend class McpClient;
    void finish(const McpCallResult &result);
    std::function<void(const QString &)> m_cancel;
    McpCallResult m_result;
    bool m_finished = false;
};

/**
 * @brief A client of one MCP server over a transport: initialize (protocol version
 * negotiation), notifications/initialized, tools/list with pagination (again on
 * notifications/tools/list_changed), resources/list and prompts/list where the server offers
 * them, tools/call with progress, timeouts and cancellation. Answers the server's pings;
 * refuses its other requests (sampling, roots, elicitation) with "method not found".
 */
class McpClient : public QObject
{
    Q_OBJECT

public:
    enum class State { Idle, Starting, Ready, Failed };
    Q_ENUM(State)

    /// The revision this client speaks first, then the older ones it accepts.
    static const QStringList &supportedProtocolVersions();

    /** @brief Takes ownership of @p transport. */
    explicit McpClient(McpTransport *transport, QObject *parent = nullptr);
    ~McpClient() override;

    /** @brief Starts the transport and initializes; ready() or failed() follows, failed()
     *  also after @p timeoutMs without the tools listed. */
    void connectToServer(int timeoutMs = 30000);
    /** @brief Calls a tool; the call is owned by the client (deleted with it). */
    McpCall *callTool(const QString &name, const QJsonObject &arguments, int timeoutMs);
    /** @brief Closes the connection; pending calls finish with a failure. */
    void close();

    State state() const { return m_state; }
    QString error() const { return m_error; }
    QString protocolVersion() const { return m_protocolVersion; }
    QString serverName() const { return m_serverName; }
    QJsonObject serverCapabilities() const { return m_capabilities; }
    QList<McpTool> tools() const { return m_tools; }
    QJsonArray resources() const { return m_resources; }
    QJsonArray prompts() const { return m_prompts; }
    /** @brief The server's last stderr lines (stdio) or error body (HTTP). */
    QString stderrTail() const;

Q_SIGNALS:
    void ready();
    void failed(const QString &reason);
    /** @brief The tool list changed after ready (list_changed). */
    void toolsChanged();

private:
    using Callback = std::function<void(const QJsonObject &result, const QString &error)>;
    struct Pending
    {
        Callback callback;
        QTimer *timer = nullptr;
    };
    qint64 request(const QString &method, const QJsonObject &params, int timeoutMs,
                   Callback callback);
    void notify(const QString &method, const QJsonObject &params = {});
    void onMessage(const QJsonObject &message);
    void onTransportFailed(const QString &reason);
    void initialized(const QJsonObject &result);
    void listTools(const QString &cursor, QList<McpTool> gathered, int page, bool initial);
    void listOthers();
    void listPaged(const QString &method, const QString &key, const QString &cursor,
                   QJsonArray gathered, int page, std::function<void(QJsonArray)> done);
    void becomeReady();
    void fail(const QString &reason);
    void finishPending(const QString &reason);

    McpTransport *m_transport;
    State m_state = State::Idle;
    QString m_error;
    QString m_protocolVersion;
    QString m_serverName;
    QJsonObject m_capabilities;
    QList<McpTool> m_tools;
    QJsonArray m_resources;
    QJsonArray m_prompts;
    qint64 m_nextId = 1;
    QHash<qint64, Pending> m_pending;
    QHash<QString, QPointer<McpCall>> m_progress; ///< progress token → call
    QTimer *m_connectTimer = nullptr;
};

/** @brief The text of a tools/call result's content: text blocks as they are, images and
 *  resources named ("[image image/png, 1.2 KB]"). */
QString contentText(const QJsonArray &content);

} // namespace arbor::tools

Q_DECLARE_METATYPE(arbor::tools::McpCallResult)
