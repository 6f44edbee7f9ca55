#include "mcphttptransport.h"

#include "llm/networkaccess.h"
#include "llm/sseparser.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

#include <memory>
#include <utility>

Q_LOGGING_CATEGORY(lcMcpHttp, "arbor.tools.http", QtInfoMsg)

namespace arbor::tools {

struct McpHttpTransport::Stream
{
    llm::SseParser sse;
    QByteArray body;     ///< a JSON body, gathered whole
    bool isSse = false;  ///< the answer is text/event-stream
    bool isJson = false; ///< the answer is application/json (else its body is not a message)
    bool typed = false;  ///< isSse and isJson were decided
    bool isPost = true;
    QJsonObject sent; ///< what the POST carried (the fallback re-sends it)
};

McpHttpTransport::McpHttpTransport(QUrl url, QMap<QString, QString> headers, QObject *parent)
    : McpTransport(parent)
    , m_url(std::move(url))
    , m_headers(std::move(headers))
{
}

McpHttpTransport::~McpHttpTransport()
{
    close();
}

void McpHttpTransport::start() {}

void McpHttpTransport::setProtocolVersion(const QString &version)
{
    m_protocolVersion = version;
}

QNetworkRequest McpHttpTransport::request(const QUrl &url) const
{
    QNetworkRequest r(url);
    r.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                   QNetworkRequest::NoLessSafeRedirectPolicy);
    for (auto it = m_headers.cbegin(); it != m_headers.cend(); ++it)
        r.setRawHeader(it.key().toUtf8(), it.value().toUtf8());
    if (!m_sessionId.isEmpty())
        r.setRawHeader("Mcp-Session-Id", m_sessionId.toUtf8());
    if (!m_protocolVersion.isEmpty() && !m_legacy)
        r.setRawHeader("MCP-Protocol-Version", m_protocolVersion.toUtf8());
    return r;
}

QNetworkReply *McpHttpTransport::post(const QUrl &url, const QJsonObject &message)
{
    QNetworkRequest r = request(url);
    r.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    r.setRawHeader("Accept", "application/json, text/event-stream");
    return llm::networkAccess()->post(r, QJsonDocument(message).toJson(QJsonDocument::Compact));
}

void McpHttpTransport::send(const QJsonObject &message)
{
    if (m_failed)
        return;
    if (m_legacy) {
        if (m_legacyEndpoint.isEmpty()) {
            m_waiting.append(message);
            return;
        }
        watch(post(m_legacyEndpoint, message), true, message);
        return;
    }
    watch(post(m_url, message), true, message);
}

void McpHttpTransport::watch(QNetworkReply *reply, bool isPost, const QJsonObject &sent)
{
    auto *stream = new Stream;
    stream->isPost = isPost;
    stream->sent = sent;
    m_streams.insert(reply, stream);
    m_replies.append(reply);
    // The session id comes with the headers: an answer streamed as SSE is read (and answered:
    // notifications/initialized) before the reply finishes.
    connect(reply, &QNetworkReply::metaDataChanged, this, [this, reply] {
        const QString session = QString::fromUtf8(reply->rawHeader("Mcp-Session-Id"));
        if (!session.isEmpty() && !m_legacy)
            m_sessionId = session;
    });
    connect(reply, &QNetworkReply::readyRead, this, [this, reply] {
        Stream *s = m_streams.value(reply);
        if (!s)
            return;
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (status >= 400)
            return; // the error body is read once, at the end
        takeBody(reply, *s, false);
    });
    connect(reply, &QNetworkReply::finished, this, [this, reply] {
        Stream *s = m_streams.take(reply);
        m_replies.removeAll(reply);
        reply->deleteLater();
        if (!s || m_failed) {
            delete s;
            return;
        }
        std::unique_ptr<Stream> owned(s);
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QString session = QString::fromUtf8(reply->rawHeader("Mcp-Session-Id"));
        if (!session.isEmpty() && !m_legacy)
            m_sessionId = session;
        if (status >= 400 || (status == 0 && reply->error() != QNetworkReply::NoError)) {
            const QByteArray body = reply->readAll().left(2000);
            keepStderr(body);
            if (s->isPost && !m_initialized && !m_triedLegacy
                && (status == 400 || status == 404 || status == 405)) {
                qCInfo(lcMcpHttp) << m_url << "refused a Streamable HTTP POST with" << status
                                  << "- trying the HTTP+SSE transport";
                m_waiting.prepend(s->sent);
                startLegacy();
                return;
            }
            if (!s->isPost && !m_legacy && (status == 405 || status == 404))
                return; // no listen stream on this server: fine
            const QString detail =
                status > 0 ? QStringLiteral("HTTP %1").arg(status) : reply->errorString();
            fail(body.trimmed().isEmpty()
                     ? tr("The server at %1 answered %2.").arg(m_url.toDisplayString(), detail)
                     : tr("The server at %1 answered %2: %3")
                           .arg(m_url.toDisplayString(), detail,
                                QString::fromUtf8(body.trimmed().left(400))));
            return;
        }
        if (s->isPost) {
            m_initialized = true;
            if (s->sent.value(QLatin1String("method")).toString()
                    == QLatin1String("notifications/initialized")
                && !m_legacy) {
                openListenStream();
            }
        }
        takeBody(reply, *s, true);
        if (!s->isPost && m_legacy && !m_failed)
            fail(tr("The server at %1 closed its event stream.").arg(m_url.toDisplayString()));
    });
}

void McpHttpTransport::takeBody(QNetworkReply *reply, Stream &s, bool atEnd)
{
    if (!s.typed) {
        const QString type = reply->header(QNetworkRequest::ContentTypeHeader).toString();
        s.isSse = type.startsWith(QLatin1String("text/event-stream"));
        s.isJson = type.startsWith(QLatin1String("application/json"));
        s.typed = true;
    }
    const QByteArray bytes = reply->readAll();
    if (!s.isSse && !s.isJson)
        return; // 202 Accepted and the like: the answer comes another way
    if (!s.isSse) {
        s.body += bytes;
        if (s.body.size() > MaxMessageBytes) {
            fail(tr("The server sent a message longer than %1 MB.")
                     .arg(MaxMessageBytes / (1024 * 1024)));
            return;
        }
        if (atEnd && !s.body.trimmed().isEmpty())
            deliver(s.body);
        return;
    }
    QList<llm::SseEvent> events = s.sse.feed(bytes);
    if (atEnd)
        events += s.sse.finish();
    for (const llm::SseEvent &e : events) {
        if (m_failed)
            return;
        if (e.event == "endpoint") {
            m_legacyEndpoint = m_url.resolved(QUrl(QString::fromUtf8(e.data.trimmed())));
            const QList<QJsonObject> waiting = std::exchange(m_waiting, {});
            for (const QJsonObject &m : waiting)
                send(m);
            continue;
        }
        if (e.data.trimmed().isEmpty())
            continue;
        deliver(e.data);
    }
}

void McpHttpTransport::deliver(const QByteArray &json)
{
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || doc.isNull()) {
        fail(tr("The server sent malformed JSON-RPC: %1").arg(QString::fromUtf8(json.left(200))));
        return;
    }
    const QJsonArray batch = doc.isArray() ? doc.array() : QJsonArray{doc.object()};
    for (const QJsonValue &v : batch) {
        if (m_failed)
            return;
        if (v.isObject())
            Q_EMIT message(v.toObject());
    }
}

void McpHttpTransport::startLegacy()
{
    m_legacy = true;
    m_triedLegacy = true;
    QNetworkRequest r = request(m_url);
    r.setRawHeader("Accept", "text/event-stream");
    r.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    watch(llm::networkAccess()->get(r), false, {});
}

void McpHttpTransport::openListenStream()
{
    QNetworkRequest r = request(m_url);
    r.setRawHeader("Accept", "text/event-stream");
    watch(llm::networkAccess()->get(r), false, {});
}

void McpHttpTransport::fail(const QString &reason)
{
    if (m_failed)
        return;
    qCInfo(lcMcpHttp) << m_url << reason;
    close();
    m_failed = true;
    Q_EMIT failed(reason);
}

void McpHttpTransport::close()
{
    const QList<QPointer<QNetworkReply>> replies = std::exchange(m_replies, {});
    for (const QPointer<QNetworkReply> &reply : replies) {
        if (!reply)
            continue;
        reply->disconnect(this);
        reply->abort();
        reply->deleteLater();
    }
    qDeleteAll(m_streams);
    m_streams.clear();
    if (!m_sessionId.isEmpty() && !m_legacy && !m_failed) {
        // The spec's end of a session; the answer does not matter.
        QNetworkReply *bye = llm::networkAccess()->deleteResource(request(m_url));
        QObject::connect(bye, &QNetworkReply::finished, bye, &QObject::deleteLater);
    }
    m_sessionId.clear();
    m_failed = true;
}

} // namespace arbor::tools
