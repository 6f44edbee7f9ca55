#pragma once

#include "httpprovider.h"

namespace arbor::llm {

/** @brief Anthropic Messages. */
class AnthropicProvider : public HttpProvider
{
public:
    using HttpProvider::HttpProvider;
    std::unique_ptr<StreamDecoder> createDecoder() const override;
    /** @brief A decoder without a provider (tests, benchmarks). */
    static std::unique_ptr<StreamDecoder> makeDecoder();
    /** @brief The thinking and redacted_thinking blocks an earlier assistant @p turn had,
     *  signed, as they go back before its text (empty when none). */
    static QJsonArray thinkingBlocks(const ChatTurn &turn);

protected:
    QUrl chatUrl(const ChatRequest &request) const override;
    QJsonObject chatBody(const ChatRequest &request) const override;
    QUrl modelsUrl(const QString &pageToken) const override;
    QList<ModelInfo> parseModels(const QJsonObject &page, QString *nextPage) const override;
    void addHeaders(QNetworkRequest &request) const override;
};

} // namespace arbor::llm
