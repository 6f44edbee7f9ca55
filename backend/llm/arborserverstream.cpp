#include "arborserverstream.h"

#include "networkaccess.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QUrlQuery>

Q_LOGGING_CATEGORY(lcArborServer, "arbor.llm.arborserver", QtInfoMsg)

namespace arbor::llm {

namespace {

constexpr int TransferTimeoutMs = 60'000;

ChatError httpError(int status, const QByteArray &body, qint64 retryAfterMs)
{
    ChatError e;
    e.httpStatus = status;
    e.retryAfterMs = retryAfterMs;
    const QString message = QJsonDocument::fromJson(body)
                                .object()
                                .value(QLatin1String("error"))
                                .toObject()
                                .value(QLatin1String("message"))
                                .toString();
    e.message =
        message.isEmpty() ? QStringLiteral("The Arbor server answered %1.").arg(status) : message;
    if (status == 401 || status == 403) {
        e.kind = ChatError::Kind::Auth;
        if (status == 401)
            e.message = QStringLiteral("The Arbor server refused the token (401): check it in "
                                       "Settings, or ask the server's admin for a new one.");
    } else if (status == 404) {
        e.kind = ChatError::Kind::NotFound;
    } else if (status == 429) {
        e.kind = ChatError::Kind::RateLimited;
    } else if (status == 503) {
        e.kind = ChatError::Kind::Overloaded;
    } else if (status >= 500) {
        e.kind = ChatError::Kind::Server;
    } else {
        e.kind = ChatError::Kind::BadRequest;
    }
    return e;
}

ChatUsage usageOf(const QJsonObject &response)
{
    ChatUsage u;
    const QJsonObject usage = response.value(QLatin1String("usage")).toObject();
    if (usage.isEmpty())
        return u;
    u.promptTokens = usage.value(QLatin1String("input_tokens")).toInt(-1);
    u.completionTokens = usage.value(QLatin1String("output_tokens")).toInt(-1);
    u.cachedTokens = usage.value(QLatin1String("input_tokens_details"))
                         .toObject()
                         .value(QLatin1String("cached_tokens"))
                         .toInt(-1);
    u.reasoningTokens = usage.value(QLatin1String("output_tokens_details"))
                            .toObject()
                            .value(QLatin1String("reasoning_tokens"))
                            .toInt(-1);
    return u;
}

} // namespace

ArborServerStream::ArborServerStream(RequestMaker makeRequest, QUrl responsesUrl, QByteArray body,
                                     QObject *parent)
    : ChatStream(parent)
    , m_makeRequest(std::move(makeRequest))
    , m_url(std::move(responsesUrl))
    , m_body(std::move(body))
    , m_retry(this)
{
    m_retry.setSingleShot(true);
    connect(&m_retry, &QTimer::timeout, this, [this] {
        if (m_done)
            return;
        ++m_resumes;
        qCInfo(lcArborServer) << "resuming response" << m_id << "after" << m_lastSeq;
        QNetworkRequest r = m_makeRequest(resumeUrl());
        r.setTransferTimeout(TransferTimeoutMs);
        open(networkAccess()->get(r));
    });
}

ArborServerStream::~ArborServerStream()
{
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->abort();
        m_reply->deleteLater();
    }
}

void ArborServerStream::start()
{
    QNetworkRequest r = m_makeRequest(m_url);
    r.setTransferTimeout(TransferTimeoutMs);
    r.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    open(networkAccess()->post(r, m_body));
}

QUrl ArborServerStream::resumeUrl() const
{
    QUrl url = m_url;
    url.setPath(url.path() + QLatin1Char('/') + m_id);
    QUrlQuery q;
    q.addQueryItem(QStringLiteral("stream"), QStringLiteral("true"));
    q.addQueryItem(QStringLiteral("starting_after"), QString::number(m_lastSeq));
    url.setQuery(q);
    return url;
}

void ArborServerStream::open(QNetworkReply *reply)
{
    m_parser = SseParser();
    m_reply = reply;
    connect(reply, &QNetworkReply::readyRead, this, &ArborServerStream::onReadyRead);
    connect(reply, &QNetworkReply::finished, this, &ArborServerStream::onFinished);
}

void ArborServerStream::onReadyRead()
{
    if (!m_reply || m_done)
        return;
    const int status = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status >= 400)
        return; // the error body is read whole in onFinished()
    const QByteArray bytes = m_reply->readAll();
    for (const SseEvent &e : m_parser.feed(bytes)) {
        take(e);
        if (m_done)
            return;
    }
}

void ArborServerStream::onFinished()
{
    QNetworkReply *reply = m_reply;
    if (!reply)
        return;
    m_reply = nullptr;
    reply->deleteLater();
    if (m_done)
        return;
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status >= 400) {
        bool ok = false;
        const qint64 seconds = reply->rawHeader("Retry-After").toLongLong(&ok);
        fail(httpError(status, reply->readAll(), ok ? seconds * 1000 : -1));
        return;
    }
    if (reply->error() == QNetworkReply::NoError || status == 200) {
        for (const SseEvent &e : m_parser.feed(reply->readAll()))
            if (!m_done)
                take(e);
        for (const SseEvent &e : m_parser.finish())
            if (!m_done)
                take(e);
    }
    if (!m_done)
        dropped(reply->error() == QNetworkReply::NoError ? QStringLiteral("the stream ended early")
                                                         : reply->errorString());
}

void ArborServerStream::take(const SseEvent &event)
{
    const QJsonObject o = QJsonDocument::fromJson(event.data).object();
    const QString type = o.value(QLatin1String("type")).toString();
    const qint64 seq = o.value(QLatin1String("sequence_number")).toInteger(-1);
    if (seq >= 0 && seq <= m_lastSeq && type != u"error")
        return; // already taken (a resume never sends these, but a server might)
    m_failedTries = 0;
    if (type == u"response.created" || type == u"response.in_progress") {
        m_id = o.value(QLatin1String("response")).toObject().value(QLatin1String("id")).toString();
    } else if (type == u"response.content_part.added"
               && o.value(QLatin1String("part")).toObject().value(QLatin1String("type")).toString()
                   == u"output_text") {
        // The text's deltas are numbered from here: after the reasoning item, when there is one.
        m_textBase = seq;
    } else if (type == u"response.reasoning_text.delta") {
        Q_EMIT reasoning(o.value(QLatin1String("delta")).toString());
    } else if (type == u"response.output_text.delta") {
        // The delta ends at offset seq - base of the whole text: give only what is past m_length.
        const QString piece = o.value(QLatin1String("delta")).toString();
        const qint64 end = seq - m_textBase;
        const qint64 begin = end - piece.size();
        if (end > m_length && begin <= m_length) {
            const QString fresh = piece.mid(m_length - begin);
            m_length = end;
            Q_EMIT delta(fresh);
        } else if (begin > m_length) {
            // A gap: the server sent text we never had. Ask again from what we have.
            qCWarning(lcArborServer) << "gap in response" << m_id << "at" << m_length;
            m_lastSeq = m_textBase + m_length;
            if (m_reply)
                m_reply->abort();
            return;
        }
    } else if (type == u"response.completed" || type == u"response.incomplete") {
        const QJsonObject response = o.value(QLatin1String("response")).toObject();
        const QString reason = response.value(QLatin1String("incomplete_details"))
                                   .toObject()
                                   .value(QLatin1String("reason"))
                                   .toString();
        if (type == u"response.completed")
            finish(usageOf(response), QStringLiteral("stop"));
        else if (reason == u"max_output_tokens")
            finish(usageOf(response), QStringLiteral("length"));
        else
            fail({ChatError::Kind::Interrupted,
                  QStringLiteral("The Arbor server's reply stopped early (%1).")
                      .arg(reason.isEmpty() ? QStringLiteral("incomplete") : reason),
                  0});
        return;
    } else if (type == u"response.failed") {
        const QString message = o.value(QLatin1String("response"))
                                    .toObject()
                                    .value(QLatin1String("error"))
                                    .toObject()
                                    .value(QLatin1String("message"))
                                    .toString();
        fail({ChatError::Kind::Protocol,
              message.isEmpty() ? QStringLiteral("The Arbor server's reply failed.") : message, 0});
        return;
    } else if (type == u"error") {
        fail({ChatError::Kind::Server,
              o.value(QLatin1String("message")).toString(QStringLiteral("error")), 0});
        return;
    }
    if (seq > m_lastSeq)
        m_lastSeq = seq;
}

void ArborServerStream::dropped(const QString &why)
{
    if (m_id.isEmpty() || m_resumes >= MaxResumes) {
        fail({ChatError::Kind::Network,
              QStringLiteral("The connection to the Arbor server was lost: %1.").arg(why), 0});
        return;
    }
    // 250 ms, doubling up to 5 s while reopenings bring nothing (a server restarting).
    const int pause = std::min(5000, 250 << std::min(m_failedTries, 5));
    ++m_failedTries;
    qCInfo(lcArborServer) << "stream of" << m_id << "dropped:" << why << "; again in" << pause
                          << "ms";
    m_retry.start(pause);
}

void ArborServerStream::fail(const ChatError &error)
{
    if (m_done)
        return;
    m_done = true;
    if (m_reply)
        m_reply->abort();
    Q_EMIT failed(error);
}

void ArborServerStream::finish(const ChatUsage &usage, const QString &reason)
{
    if (m_done)
        return;
    m_done = true;
    Q_EMIT finished(usage, reason);
}

void ArborServerStream::cancel()
{
    if (m_done)
        return;
    m_done = true;
    m_retry.stop();
    if (m_reply)
        m_reply->abort();
    if (!m_id.isEmpty()) {
        // The server keeps a background response going: tell it to stop too.
        QUrl url = m_url;
        url.setPath(url.path() + QLatin1Char('/') + m_id + QStringLiteral("/cancel"));
        QNetworkReply *r = networkAccess()->post(m_makeRequest(url), QByteArray("{}"));
        connect(r, &QNetworkReply::finished, r, &QObject::deleteLater);
    }
}

} // namespace arbor::llm
