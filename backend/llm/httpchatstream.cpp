#include "httpchatstream.h"

#include "vendorerrors.h"

#include <QDateTime>
#include <QLoggingCategory>
#include <QNetworkReply>
#include <QPointer>

Q_LOGGING_CATEGORY(lcHttpStream, "arbor.llm.http", QtInfoMsg)

namespace arbor::llm {

namespace {

constexpr qsizetype MaxErrorBody = 64 * 1024;

vendorerrors::Headers headersOf(const QNetworkReply *reply)
{
    vendorerrors::Headers h;
    for (const auto &pair : reply->rawHeaderPairs())
        h.insert(pair.first.toLower(), pair.second);
    return h;
}

} // namespace

HttpChatStream::HttpChatStream(QNetworkReply *reply, std::unique_ptr<StreamDecoder> decoder,
                               QObject *parent)
    : ChatStream(parent)
    , m_reply(reply)
    , m_decoder(std::move(decoder))
{
    m_reply->setParent(this);
    m_decoder->setSource(vendorerrors::shownUrl(m_reply->url()));
    m_decoder->onText = [this](const QString &text) { Q_EMIT delta(text); };
    m_decoder->onReasoning = [this](const QString &text) { Q_EMIT reasoning(text); };
    m_decoder->onToolArguments = [this](int index, const ToolCall &head, qsizetype offset,
                                        const QString &piece) {
        Q_EMIT toolArguments(index, head, offset, piece);
    };
    m_decoder->onToolCall = [this](int index, const ToolCall &call) {
        Q_EMIT toolCall(index, call);
    };
    connect(m_reply, &QNetworkReply::readyRead, this, &HttpChatStream::onReadyRead);
    connect(m_reply, &QNetworkReply::finished, this, &HttpChatStream::onFinished);
}

HttpChatStream::~HttpChatStream()
{
    stopReply();
}

void HttpChatStream::cancel()
{
    m_done = true;
    stopReply();
}

void HttpChatStream::stopReply()
{
    if (!m_reply)
        return;
    m_reply->disconnect(this);
    if (m_reply->isRunning())
        m_reply->abort(); // closes the connection now; the server sees it at once
    m_reply->deleteLater();
    m_reply = nullptr;
}

void HttpChatStream::onReadyRead()
{
    if (m_done || !m_reply)
        return;
    if (m_status == 0) {
        m_status = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        m_decoder->setContentType(m_reply->rawHeader("Content-Type"));
        if (m_status > 0 && m_status < 400) {
            const RateLimitInfo info =
                vendorerrors::rateLimit(headersOf(m_reply), QDateTime::currentDateTimeUtc());
            if (!info.isEmpty())
                Q_EMIT rateLimitSeen(info);
            if (m_done || !m_reply)
                return;
        }
    }
    const QByteArray bytes = m_reply->readAll();
    if (m_status >= 400) {
        if (m_errorBody.size() < MaxErrorBody)
            m_errorBody.append(bytes.left(MaxErrorBody - m_errorBody.size()));
        return;
    }
    m_gotBytes = m_gotBytes || !bytes.isEmpty();
    m_decoder->feed(bytes);
    if (m_decoder->isEnded())
        end();
}

void HttpChatStream::onFinished()
{
    if (m_done || !m_reply)
        return;
    if (m_status == 0)
        m_status = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (m_reply->bytesAvailable() > 0)
        onReadyRead();
    if (m_done)
        return;
    if (m_status >= 400) {
        m_done = true;
        ChatError e = vendorerrors::fromHttp(m_status, m_errorBody, headersOf(m_reply),
                                             QDateTime::currentDateTimeUtc(),
                                             vendorerrors::shownUrl(m_reply->url()));
        qCInfo(lcHttpStream) << "HTTP" << m_status << "from"
                             << vendorerrors::shownUrl(m_reply->url()) << e.vendorType;
        stopReply();
        Q_EMIT failed(e);
        return;
    }
    const QNetworkReply::NetworkError netError = m_reply->error();
    if (m_status == 0 && netError != QNetworkReply::NoError) {
        // No response at all: refused, unreachable, TLS, timeout before headers.
        m_done = true;
        const ChatError e{ChatError::Kind::Network,
                          QStringLiteral("Cannot reach %1: %2")
                              .arg(vendorerrors::shownUrl(m_reply->url()), m_reply->errorString()),
                          0, -1};
        stopReply();
        Q_EMIT failed(e);
        return;
    }
    m_decoder->finish();
    end();
}

void HttpChatStream::end()
{
    if (m_done)
        return;
    m_done = true;
    // Copy the outcome first: stopping the reply may delete nothing we read below, but keep the
    // order obvious (signal receivers may delete this stream).
    const std::optional<ChatError> error = m_decoder->error();
    const ChatUsage usage = m_decoder->usage();
    const QString reason = m_decoder->finishReason();
    const QJsonObject state = m_decoder->reasoningState();
    if (!error && reason != m_decoder->vendorFinishReason())
        qCDebug(lcHttpStream) << "finish reason" << reason << "from the vendor's"
                              << m_decoder->vendorFinishReason();
    stopReply();
    if (!state.isEmpty()) {
        // A receiver may delete this stream on any signal: nothing of it is read after this.
        QPointer<HttpChatStream> alive(this);
        Q_EMIT reasoningState(state);
        if (!alive)
            return;
    }
    if (error)
        Q_EMIT failed(*error);
    else
        Q_EMIT finished(usage, reason);
}

} // namespace arbor::llm
