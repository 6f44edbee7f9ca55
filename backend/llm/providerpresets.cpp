#include "providerpresets.h"

#include <optional>

namespace arbor::llm {

QList<ProviderPreset> providerPresets()
{
    const auto url = [](const char *s) { return QUrl(QString::fromLatin1(s)); };
    const QString openai = QStringLiteral("openai");
    return {
        {QStringLiteral("openai"), QStringLiteral("OpenAI"), openai,
         url("https://api.openai.com/v1"), true, false},
        {QStringLiteral("openrouter"), QStringLiteral("OpenRouter"), openai,
         url("https://openrouter.ai/api/v1"), true, false},
        {QStringLiteral("groq"), QStringLiteral("Groq"), openai,
         url("https://api.groq.com/openai/v1"), true, false},
        {QStringLiteral("mistral"), QStringLiteral("Mistral"), openai,
         url("https://api.mistral.ai/v1"), true, false},
        {QStringLiteral("deepseek"), QStringLiteral("DeepSeek"), openai,
         url("https://api.deepseek.com/v1"), true, false},
        {QStringLiteral("anthropic"), QStringLiteral("Anthropic"), QStringLiteral("anthropic"),
         url("https://api.anthropic.com"), true, false},
        {QStringLiteral("gemini"), QStringLiteral("Google Gemini"), QStringLiteral("gemini"),
         url("https://generativelanguage.googleapis.com"), true, false},
        {QStringLiteral("ollama"), QStringLiteral("Ollama"), QStringLiteral("ollama"),
         url("http://127.0.0.1:11434"), false, true},
        {QStringLiteral("lmstudio"), QStringLiteral("LM Studio"), openai,
         url("http://127.0.0.1:1234/v1"), false, true},
        {QStringLiteral("llamacpp"), QStringLiteral("llama.cpp"), openai,
         url("http://127.0.0.1:8080/v1"), false, true},
        {QStringLiteral("jan"), QStringLiteral("Jan"), openai, url("http://127.0.0.1:1337/v1"),
         false, true},
        {QStringLiteral("vllm"), QStringLiteral("vLLM"), openai, url("http://127.0.0.1:8000/v1"),
         false, true},
        {QStringLiteral("custom"), QStringLiteral("Custom (OpenAI-compatible)"), openai, QUrl(),
         true, false},
        // A team's `arbord serve`: its URL from the admin, the token as the key.
        {QStringLiteral("arbor"), QStringLiteral("Arbor server"), QStringLiteral("arbor"), QUrl(),
         true, false},
    };
}

std::optional<ProviderPreset> providerPreset(const QString &key)
{
    for (const ProviderPreset &p : providerPresets())
        if (p.key.compare(key, Qt::CaseInsensitive) == 0)
            return p;
    return std::nullopt;
}

} // namespace arbor::llm
