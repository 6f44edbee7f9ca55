#pragma once

#include "httpprovider.h"

namespace arbor::llm {

/** @brief Google Gemini streamGenerateContent (alt=sse). */
class GeminiProvider : public HttpProvider
{
public:
    using HttpProvider::HttpProvider;
    std::unique_ptr<StreamDecoder> createDecoder() const override;
    /** @brief A decoder without a provider (tests, benchmarks). */
    static std::unique_ptr<StreamDecoder> makeDecoder();
    /** @brief The parts of @p turn as they go in "contents": an earlier model turn with
     *  signatures gets back its signed parts (thoughtSignature on the same parts), others one
     *  text part. */
    static QJsonArray partsOf(const ChatTurn &turn);

protected:
    QUrl chatUrl(const ChatRequest &request) const override;
    QJsonObject chatBody(const ChatRequest &request) const override;
    QUrl modelsUrl(const QString &pageToken) const override;
    QList<ModelInfo> parseModels(const QJsonObject &page, QString *nextPage) const override;
    void addHeaders(QNetworkRequest &request) const override;
};

} // namespace arbor::llm
