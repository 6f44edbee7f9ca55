#include "httpprovider.h"

#include "httpchatstream.h"
#include "networkaccess.h"
#include "vendorerrors.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPromise>

namespace arbor::llm {

namespace {

/** Long enough for a local model loading its weights; a silent server still fails. */
constexpr int TransferTimeoutMs = 300000;
constexpr int ListingTimeoutMs = 30000;
constexpr int MaxListingPages = 50;

} // namespace

HttpProvider::HttpProvider(ProviderConfig config)
    : m_config(std::move(config))
{
    if (m_config.baseUrl.isEmpty())
        m_config.baseUrl = defaultBaseUrl(m_config.kind);
    if (m_config.name.isEmpty())
        m_config.name = m_config.id;
}

QList<ModelInfo> HttpProvider::models() const
{
    {
        QMutexLocker lock(&m_listedLock);
        if (!m_listed.isEmpty())
            return m_listed;
    }
    QList<ModelInfo> out;
    for (const QString &id : m_config.models)
        out.append({id, id});
    return out;
}

namespace {

QString trimmedBasePath(const QUrl &base)
{
    QString path = base.path();
    while (path.endsWith(QLatin1Char('/')))
        path.chop(1);
    return path;
}

} // namespace

QUrl HttpProvider::endpoint(const QString &path) const
{
    QUrl url = m_config.baseUrl;
    url.setPath(trimmedBasePath(url) + path);
    return url;
}

QUrl HttpProvider::versionedEndpoint(const QStringList &versions, const QString &path) const
{
    const QString base = trimmedBasePath(m_config.baseUrl);
    for (const QString &version : versions)
        if (base.endsWith(version))
            return endpoint(path);
    return endpoint(versions.value(0) + path);
}

QJsonArray HttpProvider::roleContentMessages(const QList<ChatTurn> &turns)
{
    QJsonArray messages;
    for (const ChatTurn &t : turns)
        messages.append(
            QJsonObject{{QStringLiteral("role"), t.role}, {QStringLiteral("content"), t.content}});
    return messages;
}

QNetworkRequest HttpProvider::request(const QUrl &url) const
{
    QNetworkRequest req(url);
    req.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    req.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                     QNetworkRequest::NoLessSafeRedirectPolicy);
    addHeaders(req);
    for (auto it = m_config.headers.cbegin(); it != m_config.headers.cend(); ++it)
        req.setRawHeader(it.key().toUtf8(), it.value().toUtf8());
    return req;
}

ChatStream *HttpProvider::startChat(const ChatRequest &chat, QObject *parent)
{
    QNetworkRequest req = request(chatUrl(chat));
    req.setTransferTimeout(TransferTimeoutMs);
    // Streams must reach the decoder as they arrive, not after a full buffer.
    req.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    const QByteArray body = QJsonDocument(chatBody(chat)).toJson(QJsonDocument::Compact);
    QNetworkReply *reply = networkAccess()->post(req, body);
    return new HttpChatStream(reply, createDecoder(), parent);
}

QFuture<ModelList> HttpProvider::listModels()
{
    auto promise = std::make_shared<QPromise<ModelList>>();
    QFuture<ModelList> future = promise->future();
    promise->start();
    auto collected = std::make_shared<QList<ModelInfo>>();
    auto fetch = std::make_shared<std::function<void(const QString &, int)>>();
    // The fetch closure holds itself only through the replies it starts; it ends when a page
    // ends the listing.
    *fetch = [provider = shared_from_this(), promise, collected,
              weakFetch = std::weak_ptr(fetch)](const QString &pageToken, int page) {
        HttpProvider *p = provider.get();
        QNetworkRequest req = p->request(p->modelsUrl(pageToken));
        req.setTransferTimeout(ListingTimeoutMs);
        QNetworkReply *reply = networkAccess()->get(req);
        auto self = weakFetch.lock();
        QObject::connect(
            reply, &QNetworkReply::finished, reply, [p, reply, promise, collected, self, page] {
                reply->deleteLater();
                const int status =
                    reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
                const QByteArray body = reply->readAll();
                auto finish = [&](ModelList result) {
                    promise->addResult(std::move(result));
                    promise->finish();
                };
                const QString where = vendorerrors::shownUrl(reply->url());
                if (status == 0) {
                    finish(
                        {{},
                         ChatError{
                             ChatError::Kind::Network,
                             QStringLiteral("Cannot reach %1: %2").arg(where, reply->errorString()),
                             0, -1}});
                    return;
                }
                if (status >= 400) {
                    vendorerrors::Headers headers;
                    for (const auto &pair : reply->rawHeaderPairs())
                        headers.insert(pair.first.toLower(), pair.second);
                    finish({{},
                            vendorerrors::fromHttp(status, body, headers,
                                                   QDateTime::currentDateTimeUtc(), where)});
                    return;
                }
                QJsonParseError err{};
                const QJsonDocument doc = QJsonDocument::fromJson(body, &err);
                if (!doc.isObject()) {
                    finish({{},
                            ChatError{ChatError::Kind::Protocol,
                                      QStringLiteral("The model list from %1 is not readable "
                                                     "JSON: %2")
                                          .arg(where, err.errorString()),
                                      status, -1}});
                    return;
                }
                QString next;
                collected->append(p->parseModels(doc.object(), &next));
                if (!next.isEmpty() && page + 1 < MaxListingPages) {
                    (*self)(next, page + 1);
                    return;
                }
                {
                    QMutexLocker lock(&p->m_listedLock);
                    p->m_listed = *collected;
                }
                finish({*collected, std::nullopt});
            });
    };
    (*fetch)({}, 0);
    return future;
}

} // namespace arbor::llm
