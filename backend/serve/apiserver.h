#pragma once

#include "httpconnection.h"

#include "domain/message.h"
#include "store/servequeries.h"

#include <QJsonObject>
#include <QMultiHash>
#include <QObject>
#include <QPointer>

#include <functional>
#include <optional>

class QWebSocket;

namespace arbor::core {
class Backend;
}
namespace arbor::chat {
class DurableFeed;
struct SendResult;
} // namespace arbor::chat

namespace arbor::serve {

class EventHub;
class HttpServer;
struct Submission;

/** @brief A request's body as the endpoints read it, or the 400 that refuses it. */
struct Parsed
{
    QJsonObject body;
    QString error; ///< non-empty: answer 400 with it
};

/**
 * @brief `arbord serve`'s routes: /healthz, /v1/models, /v1/chat/completions, /v1/responses
 * (HTTP/SSE and WebSocket), /v1/events (WebSocket). Authenticates bearer tokens (stored hashed),
 * enforces their model lists and daily quotas, logs one line per request (never a secret).
 * Lives on the main thread with the Backend.
 */
class ApiServer : public QObject
{
    Q_OBJECT

public:
    ApiServer(core::Backend &backend, HttpServer &http, QObject *parent = nullptr);
    ~ApiServer() override;

    /** @brief Where the request log goes (one line per request); default: nowhere. */
    void setLog(std::function<void(const QString &)> log) { m_log = std::move(log); }
    /** @brief Tokens (by name) whose events stream shows every conversation, job and presence
     *  change; other tokens see their own conversations only. */
    void setAdminTokens(const QStringList &names) { m_adminTokens = names; }
    /** @brief Graceful shutdown: refuse new requests (503), close streams (clients resume by
     *  sequence number). */
    void shutDown();
    /** @brief Streams being written (SSE and WebSocket responses). */
    int activeStreams() const { return m_streams; }
    EventHub &events() { return *m_events; }

    /** @brief SHA-256 of a token's secret, hex: what the store keeps. */
    static QString hashOf(const QString &secret);
    /** @brief A new secret: "arb_" and 256 random bits, base64url. */
    static QString newSecret();
    /** @brief hashOf() the token of an "Authorization: Bearer …" header. */
    static QString bearerHash(const QByteArray &authorization);

private:
    struct Caller
    {
        store::serve::Token token;
    };
    using Handler = std::function<void(const Caller &)>;

    void onRequest(HttpConnection *connection, const HttpRequest &request);
    void onWebSocket(QWebSocket *socket);
    /** @brief Resolves the bearer token of @p authorization, then runs @p then or answers 401. */
    void authenticate(const QByteArray &authorization, QObject *context,
                      std::function<void(std::optional<store::serve::Token>)> then);
    void route(HttpConnection *c, const HttpRequest &r, const Caller &caller);
    /** @brief Why a request is refused (status 0: it is not). */
    struct Refusal
    {
        int status = 0;
        QString message;
        QString type;
        QList<std::pair<QByteArray, QByteArray>> headers;
    };
    /** @brief Checks the model list and daily quota of @p caller for @p model, then calls
     *  @p done on @p context's thread. */
    void admit(const Caller &caller, const QString &model, QObject *context,
               std::function<void(const Refusal &)> done);
    /** @brief Calls @p done with the message @p id as stored (nullopt: gone or unreadable). */
    void readMessage(const QString &id, QObject *context,
                     std::function<void(const std::optional<domain::Message> &)> done);
    /** @brief Calls @p done once the reply @p id has ended, with it as stored. */
    void whenEnded(const QString &id, QObject *context,
                   std::function<void(const std::optional<domain::Message> &)> done);
    /** @brief Calls @p then when @p id is a reply @p caller asked for, else answers 404. */
    void owned(HttpConnection *c, const HttpRequest &r, const Caller &caller, const QString &id,
               std::function<void()> then);
    /** @brief submit() for @p caller: the conversation it places into is the caller's (its
     *  events go to the caller's events stream). */
    void submitFor(const Caller &caller, const Submission &s, QObject *context,
                   std::function<void(const chat::SendResult &, const QString &)> done);
    void refuse(HttpConnection *c, const HttpRequest &r, const QString &tokenName,
                const Refusal &refusal);

    void models(HttpConnection *c, const HttpRequest &r, const Caller &caller);
    void chatCompletions(HttpConnection *c, const HttpRequest &r, const Caller &caller);
    void createResponse(HttpConnection *c, const HttpRequest &r, const Caller &caller);
    void getResponse(HttpConnection *c, const HttpRequest &r, const Caller &caller,
                     const QString &id);
    void cancelResponse(HttpConnection *c, const HttpRequest &r, const Caller &caller,
                        const QString &id);
    void responsesSocket(QWebSocket *socket, const Caller &caller);

    /** @brief How often a stream of a reply made by this server reads the store (its text and
     *  end arrive as events; the reads only catch a reply that another process took over). */
    static constexpr int LocalPollMs = 5000;
    /** @brief Streams the response @p id as SSE from @p startingAfter; @p echo: what its
     *  response object echoes of the request (read from the store when not given). */
    void streamResponse(HttpConnection *c, const HttpRequest &r, const Caller &caller,
                        const QString &id, qint64 startingAfter, int pollMs = 200,
                        const std::optional<QJsonObject> &echo = std::nullopt);
    /** @brief Answers @p id as a response object once it has ended. */
    void respondWhenDone(HttpConnection *c, const HttpRequest &r, const Caller &caller,
                         const QString &id);
    void respondResponse(HttpConnection *c, const HttpRequest &r, const Caller &caller,
                         const QString &id);

    /** @brief An OpenAI-style error; logs the request. */
    void error(HttpConnection *c, const HttpRequest &r, const QString &tokenName, int status,
               const QString &message,
               const QString &type = QStringLiteral("invalid_request_error"),
               const QList<std::pair<QByteArray, QByteArray>> &headers = {});
    void json(HttpConnection *c, const HttpRequest &r, const QString &tokenName,
              const QJsonObject &body);
    void logLine(const QByteArray &method, const QString &path, int status, qint64 ms,
                 const QString &tokenName);
    static Parsed parseBody(const HttpRequest &r);

    core::Backend &m_backend;
    HttpServer &m_http;
    EventHub *m_events;
    chat::DurableFeed *m_feed; ///< what the streams send: committed text only
    std::function<void(const QString &)> m_log;
    QStringList m_adminTokens;
    int m_streams = 0;
    bool m_shuttingDown = false;
    QList<QPointer<HttpConnection>> m_streaming;
    QList<QPointer<QWebSocket>> m_sockets;
    /** @brief Tokens of upgrades accepted and not yet back from QWebSocketServer, by hash. */
    QMultiHash<QString, store::serve::Token> m_upgraded;
};

} // namespace arbor::serve
