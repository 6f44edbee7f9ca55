#pragma once

#include <QList>
#include <QString>
#include <QUrl>

#include <optional>

namespace arbor::llm {

/** @brief A vendor the settings offer by name: its wire protocol and API root. */
struct ProviderPreset
{
    QString key;   ///< "openai", "openrouter", ..., "custom"
    QString label; ///< "OpenAI", "OpenRouter", ...
    QString kind;  ///< the ProviderConfig kind
    QUrl baseUrl;  ///< empty for "custom"
    bool needsKey = true;
    bool local = false; ///< a server on this computer
};

/** @brief OpenAI, OpenRouter, Groq, Mistral, DeepSeek, Anthropic, Gemini, Ollama, LM Studio,
 *  llama.cpp, Jan, vLLM, a custom OpenAI-compatible endpoint and an Arbor server (a remote
 *  `arbord serve`), in that order. */
QList<ProviderPreset> providerPresets();
/** @brief The preset @p key (case-insensitive), or nothing. */
std::optional<ProviderPreset> providerPreset(const QString &key);

} // namespace arbor::llm
