#include "providerfactory.h"

#include "anthropicprovider.h"
#include "arborserverprovider.h"
#include "geminiprovider.h"
#include "ollamaprovider.h"
#include "openaiprovider.h"

namespace arbor::llm {

QStringList providerKinds()
{
    return {QStringLiteral("openai"), QStringLiteral("anthropic"), QStringLiteral("gemini"),
            QStringLiteral("ollama"), QStringLiteral("arbor")};
}

QUrl defaultBaseUrl(const QString &kind)
{
    if (kind == u"openai")
        return QUrl(QStringLiteral("https://api.openai.com/v1"));
    if (kind == u"anthropic")
        return QUrl(QStringLiteral("https://api.anthropic.com"));
    if (kind == u"gemini")
        return QUrl(QStringLiteral("https://generativelanguage.googleapis.com"));
    if (kind == u"ollama")
        return QUrl(QStringLiteral("http://127.0.0.1:11434"));
    return {};
}

std::shared_ptr<Provider> createProvider(const ProviderConfig &config)
{
    if (config.kind == u"openai")
        return std::make_shared<OpenAiProvider>(config);
    if (config.kind == u"anthropic")
        return std::make_shared<AnthropicProvider>(config);
    if (config.kind == u"gemini")
        return std::make_shared<GeminiProvider>(config);
    if (config.kind == u"ollama")
        return std::make_shared<OllamaProvider>(config);
    if (config.kind == u"arbor")
        return std::make_shared<ArborServerProvider>(config);
    return nullptr;
}

} // namespace arbor::llm
