#pragma once

#include "provider.h"

#include <QHash>
#include <QStringList>
#include <QUrl>

#include <memory>

namespace arbor::llm {

/**
 * @brief Everything needed to talk to one configured vendor endpoint. Plain data: part of it
 * (all but apiKey) is what settings store; the key comes from the keychain.
 */
struct ProviderConfig
{
    QString id;   ///< unique, e.g. "openai", "groq", "my-ollama"; the "provider" of a model key
    QString kind; ///< "openai" | "anthropic" | "gemini" | "ollama" | "arbor" (arbord serve)
    QString name; ///< display name, e.g. "OpenAI", "Groq"
    /** @brief The API root the vendor's paths are appended to:
     *  openai: https://api.openai.com/v1 (…/chat/completions, …/models), also
     *          https://openrouter.ai/api/v1, http://127.0.0.1:1234/v1 (LM Studio), …;
     *  anthropic: https://api.anthropic.com (…/v1/messages, …/v1/models);
     *  gemini: https://generativelanguage.googleapis.com (…/v1beta/models/…);
     *  ollama: http://127.0.0.1:11434 (…/api/chat, …/api/tags);
     *  arbor: a remote `arbord serve`, e.g. https://arbor.example.org:8484 (…/v1/responses).
     *  Empty: the vendor's public default (defaultBaseUrl()). */
    QUrl baseUrl;
    QHash<QString, QString> headers; ///< extra request headers (OpenAI-compatible gateways)
    QString apiKey;                  ///< empty for local servers; never logged
    QStringList models;              ///< known model ids (may be empty until listed)
};

/** @brief The wire protocols createProvider() knows. */
QStringList providerKinds();

/** @brief The vendor's public API root for @p kind (empty for an unknown kind). */
QUrl defaultBaseUrl(const QString &kind);

/**
 * @brief A provider speaking @p config.kind's wire protocol; nullptr for an unknown kind.
 * Streams and listings are event-driven on a QNetworkAccessManager of the calling thread (one
 * per thread, made on first use), so the provider may be shared across threads.
 */
std::shared_ptr<Provider> createProvider(const ProviderConfig &config);

} // namespace arbor::llm
