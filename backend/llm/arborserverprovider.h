#pragma once

#include "httpprovider.h"

namespace arbor::llm {

/**
 * @brief A remote `arbord serve` ("Arbor server"): Open Responses over HTTP/SSE with a bearer
 * token (the API key, kept in the keychain). Its models are the server's ("demo/demo",
 * "openai/gpt-4o", ...), so a member without vendor keys uses the ones the server holds. A
 * stream that drops is resumed from the last sequence number (ArborServerStream).
 */
class ArborServerProvider : public HttpProvider
{
public:
    using HttpProvider::HttpProvider;
    ChatStream *startChat(const ChatRequest &request, QObject *parent) override;
    /** @brief Not used for chats (startChat() streams Open Responses itself); an OpenAI
     *  decoder, as the interface asks for one. */
    std::unique_ptr<StreamDecoder> createDecoder() const override;

protected:
    QUrl chatUrl(const ChatRequest &request) const override;
    QJsonObject chatBody(const ChatRequest &request) const override;
    QUrl modelsUrl(const QString &pageToken) const override;
    QList<ModelInfo> parseModels(const QJsonObject &page, QString *nextPage) const override;
    void addHeaders(QNetworkRequest &request) const override;
};

} // namespace arbor::llm
