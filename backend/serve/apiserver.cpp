#include "apiserver.h"

#include "eventhub.h"
#include "httpserver.h"
#include "submission.h"

#include "chat/durablefeed.h"
#include "core/backend.h"
#include "core/whenready.h"
#include "llm/providerregistry.h"
#include "store/store.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QTcpSocket>
#include <QWebSocket>

namespace arbor::serve {

namespace {
QString str(const char *s)
{
    return QString::fromLatin1(s);
}
} // namespace

ApiServer::ApiServer(core::Backend &backend, HttpServer &http, QObject *parent)
    : QObject(parent)
    , m_backend(backend)
    , m_http(http)
    , m_events(new EventHub(backend, this))
    , m_feed(new chat::DurableFeed(backend.events(), this))
{
    connect(&http, &HttpServer::request, this, &ApiServer::onRequest);
    connect(&http, &HttpServer::webSocket, this, &ApiServer::onWebSocket);
    // A WebSocket without a valid token is refused with 401 before the handshake.
    connect(&http, &HttpServer::upgradeRequest, this,
            [this](QTcpSocket *socket, const HttpRequest &r) {
                QElapsedTimer clock;
                clock.start();
                QPointer<QTcpSocket> guard(socket);
                authenticate(
                    r.header("authorization"), socket,
                    [this, guard, r, clock](std::optional<store::serve::Token> token) {
                        if (!guard)
                            return;
                        const bool known = r.path == u"/v1/events" || r.path == u"/v1/responses";
                        const int status = m_shuttingDown ? 503 : !token ? 401 : known ? 101 : 404;
                        logLine(r.method, r.path + str(" (WebSocket)"), status, clock.elapsed(),
                                token ? token->name : QString());
                        if (status == 503)
                            m_http.refuseUpgrade(guard, 503, str("The server is shutting down."));
                        else if (status == 401)
                            m_http.refuseUpgrade(guard, 401, str("Unauthorized."));
                        else if (status == 404)
                            m_http.refuseUpgrade(guard, 404, str("No such WebSocket route."));
                        if (status != 101)
                            return;
                        // The socket comes back from QWebSocketServer with the same header: its
                        // token is looked up there without another read.
                        m_upgraded.insert(bearerHash(r.header("authorization")), *token);
                        m_http.acceptUpgrade(guard);
                    });
            });
}

ApiServer::~ApiServer() = default;

QString ApiServer::hashOf(const QString &secret)
{
    return QString::fromLatin1(
        QCryptographicHash::hash(secret.toUtf8(), QCryptographicHash::Sha256).toHex());
}

QString ApiServer::newSecret()
{
    QByteArray bytes(32, Qt::Uninitialized);
    QRandomGenerator::system()->generate(reinterpret_cast<quint32 *>(bytes.data()),
                                         reinterpret_cast<quint32 *>(bytes.data() + 32));
    return str("arb_")
        + QString::fromLatin1(
               bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

void ApiServer::logLine(const QByteArray &method, const QString &path, int status, qint64 ms,
                        const QString &tokenName)
{
    if (m_log)
        m_log(QStringLiteral("%1 %2 %3 %4 ms token=%5")
                  .arg(QString::fromLatin1(method), path)
                  .arg(status)
                  .arg(ms)
                  .arg(tokenName.isEmpty() ? str("-") : tokenName));
}

void ApiServer::error(HttpConnection *c, const HttpRequest &r, const QString &tokenName, int status,
                      const QString &message, const QString &type,
                      const QList<std::pair<QByteArray, QByteArray>> &headers)
{
    const QJsonObject body{{str("error"),
                            QJsonObject{{str("message"), message},
                                        {str("type"), type},
                                        {str("param"), QJsonValue()},
                                        {str("code"), QJsonValue()}}}};
    c->respond(status, "application/json", QJsonDocument(body).toJson(QJsonDocument::Compact),
               headers);
    logLine(r.method, r.path, status, c->elapsedMs(), tokenName);
}

void ApiServer::json(HttpConnection *c, const HttpRequest &r, const QString &tokenName,
                     const QJsonObject &body)
{
    c->respond(200, "application/json", QJsonDocument(body).toJson(QJsonDocument::Compact));
    logLine(r.method, r.path, 200, c->elapsedMs(), tokenName);
}

Parsed ApiServer::parseBody(const HttpRequest &r)
{
    Parsed p;
    // Any Content-Type is read as JSON (curl -d sends a form type): the body decides.
    QJsonParseError e{};
    const QJsonDocument doc = QJsonDocument::fromJson(r.body, &e);
    if (e.error != QJsonParseError::NoError) {
        p.error = QStringLiteral("The body is not valid JSON: %1 at byte %2.")
                      .arg(e.errorString())
                      .arg(e.offset);
        return p;
    }
    if (!doc.isObject()) {
        p.error = str("The body must be a JSON object.");
        return p;
    }
    p.body = doc.object();
    return p;
}

void ApiServer::shutDown()
{
    m_shuttingDown = true;
    m_http.stopListening();
    for (const auto &c : std::as_const(m_streaming))
        if (c)
            c->abort();
    for (const auto &s : std::as_const(m_sockets))
        if (s)
            s->close(QWebSocketProtocol::CloseCodeGoingAway, str("server shutting down"));
}

void ApiServer::authenticate(const QByteArray &authorization, QObject *context,
                             std::function<void(std::optional<store::serve::Token>)> then)
{
    if (!authorization.startsWith("Bearer ") || authorization.size() < 8) {
        then(std::nullopt);
        return;
    }
    const QString hash = bearerHash(authorization);
    auto pending = m_backend.store().read(
        [hash](QSqlDatabase &db) { return store::serve::validToken(db, hash); });
    core::whenReady(context, pending, [then](QFuture<std::optional<store::serve::Token>> f) {
        try {
            then(f.result());
        } catch (const std::exception &) {
            then(std::nullopt);
        }
    });
}

void ApiServer::onRequest(HttpConnection *c, const HttpRequest &r)
{
    if (r.path == u"/healthz" && r.method == "GET") {
        json(c, r, {},
             {{str("status"), m_shuttingDown ? str("stopping") : str("ok")},
              {str("streams"), m_streams}});
        return;
    }
    if (m_shuttingDown) {
        error(c, r, {}, 503, str("The server is shutting down."), str("server_error"));
        return;
    }
    QPointer<HttpConnection> guard(c);
    authenticate(r.header("authorization"), c,
                 [this, guard, r](std::optional<store::serve::Token> token) {
                     if (!guard)
                         return;
                     if (!token) {
                         error(guard, r, {}, 401, str("Unauthorized."), str("authentication_error"),
                               {{"WWW-Authenticate", "Bearer"}});
                         return;
                     }
                     route(guard, r, Caller{*token});
                 });
}

void ApiServer::route(HttpConnection *c, const HttpRequest &r, const Caller &caller)
{
    const QString &path = r.path;
    const QString name = caller.token.name;
    if (path == u"/v1/models") {
        if (r.method != "GET")
            return error(c, r, name, 405, str("Use GET."));
        return models(c, r, caller);
    }
    if (path == u"/v1/chat/completions") {
        if (r.method != "POST")
            return error(c, r, name, 405, str("Use POST."));
        return chatCompletions(c, r, caller);
    }
    if (path == u"/v1/responses") {
        if (r.method != "POST")
            return error(c, r, name, 405, str("Use POST (or a WebSocket)."));
        return createResponse(c, r, caller);
    }
    static const QString prefix = str("/v1/responses/");
    if (path.startsWith(prefix)) {
        const QStringList parts = path.mid(prefix.size()).split(QLatin1Char('/'));
        if (parts.size() == 1 && !parts[0].isEmpty() && r.method == "GET")
            return getResponse(c, r, caller, parts[0]);
        if (parts.size() == 2 && parts[1] == u"cancel" && r.method == "POST")
            return cancelResponse(c, r, caller, parts[0]);
    }
    if (path == u"/v1/events")
        return error(c, r, name, 400, str("/v1/events is a WebSocket: send an Upgrade request."));
    error(c, r, name, 404,
          QStringLiteral("No route %1 %2.").arg(QString::fromLatin1(r.method), path),
          str("not_found_error"));
}

void ApiServer::admit(const Caller &caller, const QString &model, QObject *context,
                      std::function<void(const Refusal &)> done)
{
    const store::serve::Token &t = caller.token;
    if (!t.models.isEmpty() && !model.isEmpty()) {
        const QString provider = llm::ProviderRegistry::splitKey(model).first;
        const bool allowed =
            t.models.contains(model) || t.models.contains(provider + QStringLiteral("/*"));
        if (!allowed)
            return done({403,
                         QStringLiteral("This token may not use the model “%1”.").arg(model),
                         str("permission_error"),
                         {}});
    }
    if (t.quotaTokensPerDay <= 0)
        return done({});
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QString day = now.date().toString(Qt::ISODate);
    auto pending = m_backend.store().read(
        [id = t.id, day](QSqlDatabase &db) { return store::serve::usedOn(db, id, day); });
    core::whenReady(context, pending, [t, now, done](QFuture<qint64> f) {
        qint64 used = 0;
        try {
            used = f.result();
        } catch (const std::exception &e) {
            return done({500, QString::fromUtf8(e.what()), str("server_error"), {}});
        }
        if (used < t.quotaTokensPerDay)
            return done({});
        const qint64 wait = now.secsTo(QDateTime(now.date().addDays(1), QTime(0, 0), Qt::UTC));
        done({429,
              QStringLiteral("The token “%1” has used its quota of %2 tokens for today "
                             "(UTC; %3 used); it renews at 00:00 UTC.")
                  .arg(t.name)
                  .arg(t.quotaTokensPerDay)
                  .arg(used),
              str("rate_limit_error"),
              {{"Retry-After", QByteArray::number(wait)}}});
    });
}

void ApiServer::refuse(HttpConnection *c, const HttpRequest &r, const QString &tokenName,
                       const Refusal &refusal)
{
    error(c, r, tokenName, refusal.status, refusal.message, refusal.type, refusal.headers);
}

void ApiServer::models(HttpConnection *c, const HttpRequest &r, const Caller &caller)
{
    QJsonArray data;
    for (const llm::ModelEntry &m : m_backend.providers().models()) {
        const QStringList &allowed = caller.token.models;
        if (!allowed.isEmpty() && !allowed.contains(m.key)
            && !allowed.contains(m.providerId + QStringLiteral("/*")))
            continue;
        data.append(QJsonObject{{str("id"), m.key},
                                {str("object"), str("model")},
                                {str("created"), 0},
                                {str("owned_by"), m.providerId},
                                {str("name"), m.displayName}});
    }
    json(c, r, caller.token.name, {{str("object"), str("list")}, {str("data"), data}});
}

QString ApiServer::bearerHash(const QByteArray &authorization)
{
    return hashOf(QString::fromUtf8(authorization.mid(7).trimmed()));
}

void ApiServer::onWebSocket(QWebSocket *socket)
{
    const QString path = socket->requestUrl().path();
    const QString key = bearerHash(socket->request().rawHeader("Authorization"));
    socket->setParent(this);
    const auto it = m_upgraded.find(key);
    if (it == m_upgraded.end() || m_shuttingDown) {
        socket->close(QWebSocketProtocol::CloseCodePolicyViolated, str("Unauthorized."));
        socket->deleteLater();
        return;
    }
    const Caller caller{it.value()};
    m_upgraded.erase(it);
    m_sockets.append(socket);
    if (path == u"/v1/events") {
        QString last = QUrlQuery(socket->requestUrl()).queryItemValue(str("last_event_id"));
        if (last.isEmpty())
            last = QString::fromUtf8(socket->request().rawHeader("Last-Event-ID"));
        m_events->subscribe(socket, last,
                            {caller.token.id, m_adminTokens.contains(caller.token.name)});
        return;
    }
    responsesSocket(socket, caller);
}

void ApiServer::submitFor(const Caller &caller, const Submission &s, QObject *context,
                          std::function<void(const chat::SendResult &, const QString &)> done)
{
    submit(m_backend, s, caller.token.id, context, std::move(done),
           [this, token = caller.token.id](const QString &conversationId) {
               m_events->own(conversationId, token);
           });
}

} // namespace arbor::serve
