#pragma once

#include "providerfactory.h"
#include "streamdecoder.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QMutex>
#include <QNetworkRequest>

#include <memory>

namespace arbor::llm {

/**
 * @brief What every HTTP vendor shares: config, request headers, the stream plumbing and the
 * paginated model listing. Subclasses give the wire format (one per protocol).
 */
class HttpProvider
    : public Provider
    , public std::enable_shared_from_this<HttpProvider>
{
public:
    explicit HttpProvider(ProviderConfig config);

    QString id() const override { return m_config.id; }
    QString displayName() const override { return m_config.name; }
    /** @brief The last successful listing if any, else the configured model ids. */
    QList<ModelInfo> models() const override;
    ChatStream *startChat(const ChatRequest &request, QObject *parent) override;
    /** @brief Follows pagination; the provider must be owned by a shared_ptr (createProvider()). */
    QFuture<ModelList> listModels() override;

    const ProviderConfig &config() const { return m_config; }
    /** @brief A fresh decoder for this protocol's stream body. */
    virtual std::unique_ptr<StreamDecoder> createDecoder() const = 0;

protected:
    /** @brief URL and JSON body of a streaming completion. */
    virtual QUrl chatUrl(const ChatRequest &request) const = 0;
    virtual QJsonObject chatBody(const ChatRequest &request) const = 0;
    /** @brief The listing URL for one page (@p pageToken empty: the first). */
    virtual QUrl modelsUrl(const QString &pageToken) const = 0;
    /** @brief Reads one listing page; sets @p nextPage when there is another. */
    virtual QList<ModelInfo> parseModels(const QJsonObject &page, QString *nextPage) const = 0;
    /** @brief Authentication and vendor headers (extra headers are added by request()). */
    virtual void addHeaders(QNetworkRequest &request) const = 0;

    /** @brief baseUrl with @p path appended (keeps any path prefix of the base URL; trailing
     *  slashes of the base do not double). */
    QUrl endpoint(const QString &path) const;
    /** @brief @p path under the API version: when the base URL already ends in one of
     *  @p versions ("…/v1" or "…/v1/"), @p path goes right after it; otherwise
     *  versions.first() is put in between. */
    QUrl versionedEndpoint(const QStringList &versions, const QString &path) const;
    /** @brief The turns as `[{"role", "content"}, ...]`, the messages array of OpenAI and Ollama.
     */
    static QJsonArray roleContentMessages(const QList<ChatTurn> &turns);
    QNetworkRequest request(const QUrl &url) const;

private:
    ProviderConfig m_config;
    mutable QMutex m_listedLock;
    QList<ModelInfo> m_listed;
};

} // namespace arbor::llm
