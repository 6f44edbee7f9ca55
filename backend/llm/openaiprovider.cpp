#include "openaiprovider.h"

#include "sseparser.h"
#include "vendorerrors.h"

#include <QJsonArray>
#include <QUrlQuery>

namespace arbor::llm {

namespace {

/** The spec's values; other OpenAI-compatible servers (TGI, vLLM, llama.cpp) add a few. */
QStringView normalizedFinish(const QString &reason)
{
    if (reason == u"stop" || reason == u"eos" || reason == u"eos_token"
        || reason == u"stop_sequence" || reason == u"end_turn")
        return FinishReason::Stop;
    if (reason == u"length" || reason == u"max_tokens")
        return FinishReason::Length;
    if (reason == u"tool_calls" || reason == u"function_call")
        return FinishReason::ToolCalls;
    if (reason == u"content_filter")
        return FinishReason::ContentFilter;
    if (reason == u"error")
        return FinishReason::Error;
    return FinishReason::Other;
}

/** data-only SSE; "[DONE]" ends; choices may be empty (the usage chunk); {"error":…} anywhere.
 *  A server that ignores "stream": true answers with one chat.completion object instead. */
class OpenAiDecoder : public SseStreamDecoder
{
private:
    void handle(const QList<SseEvent> &events) override
    {
        for (const SseEvent &ev : events) {
            if (isEnded())
                return;
            if (ev.data.startsWith("[DONE]")) {
                complete();
                return;
            }
            const auto o = parseObject(ev.data);
            if (!o)
                return;
            if (const QJsonValue err = vendorerrors::errorMember(*o); !err.isUndefined()) {
                fail(vendorerrors::fromVendor(200, err));
                return;
            }
            read(*o, QLatin1String("delta"));
        }
    }

    bool decodeDocument(const QJsonValue &document) override
    {
        const QJsonObject o = document.toObject();
        if (!o.value(QLatin1String("choices")).isArray())
            return false;
        read(o, QLatin1String("message"));
        if (finishReason().isEmpty())
            setFinishReason({}, FinishReason::Stop); // the whole reply is here
        complete();
        return true;
    }

    /** One chunk (@p part "delta") or a whole completion (@p part "message"): the same fields. */
    void read(const QJsonObject &o, QLatin1String part)
    {
        const QJsonArray choices = o.value(QLatin1String("choices")).toArray();
        for (const QJsonValue &c : choices) {
            const QJsonObject choice = c.toObject();
            if (choice.value(QLatin1String("index")).toInt() != 0)
                continue;
            const QJsonObject delta = choice.value(part).toObject();
            // DeepSeek, vLLM and llama.cpp say reasoning_content; OpenRouter and Groq
            // reasoning.
            emitReasoning(delta.value(QLatin1String("reasoning_content")).toString());
            emitReasoning(delta.value(QLatin1String("reasoning")).toString());
            emitText(delta.value(QLatin1String("content")).toString());
            emitText(delta.value(QLatin1String("refusal")).toString());
            // Fragments keyed by index; only the first of each carries the name. Arbor runs
            // no tools, so the arguments are not assembled.
            for (const QJsonValue &call : delta.value(QLatin1String("tool_calls")).toArray())
                noteToolCall(call.toObject()
                                 .value(QLatin1String("function"))
                                 .toObject()
                                 .value(QLatin1String("name"))
                                 .toString());
            if (const QJsonValue fc = delta.value(QLatin1String("function_call")); fc.isObject())
                noteToolCall(fc.toObject().value(QLatin1String("name")).toString());
            const QString reason = choice.value(QLatin1String("finish_reason")).toString();
            if (!reason.isEmpty())
                setFinishReason(reason, normalizedFinish(reason));
        }
        const QJsonObject usage = o.value(QLatin1String("usage")).toObject();
        if (!usage.isEmpty()) {
            m_usage.promptTokens = usage.value(QLatin1String("prompt_tokens")).toInt(-1);
            m_usage.completionTokens = usage.value(QLatin1String("completion_tokens")).toInt(-1);
            // Subsets of the two above (cached_tokens also counts in prompt_tokens).
            const QJsonValue cached = usage.value(QLatin1String("prompt_tokens_details"))
                                          .toObject()
                                          .value(QLatin1String("cached_tokens"));
            m_usage.cachedTokens = cached.isDouble() ? cached.toInt() : -1;
            const QJsonValue reasoning = usage.value(QLatin1String("completion_tokens_details"))
                                             .toObject()
                                             .value(QLatin1String("reasoning_tokens"));
            m_usage.reasoningTokens = reasoning.isDouble() ? reasoning.toInt() : -1;
        }
    }
};

} // namespace

std::unique_ptr<StreamDecoder> OpenAiProvider::makeDecoder()
{
    return std::make_unique<OpenAiDecoder>();
}

std::unique_ptr<StreamDecoder> OpenAiProvider::createDecoder() const
{
    return makeDecoder();
}

QUrl OpenAiProvider::chatUrl(const ChatRequest &) const
{
    return endpoint(QStringLiteral("/chat/completions"));
}

QJsonObject OpenAiProvider::chatBody(const ChatRequest &request) const
{
    QJsonObject body{
        {QStringLiteral("model"), request.model},
        {QStringLiteral("messages"), roleContentMessages(request.turns)},
        {QStringLiteral("stream"), true},
        {QStringLiteral("stream_options"), QJsonObject{{QStringLiteral("include_usage"), true}}},
    };
    if (request.temperature >= 0)
        body.insert(QStringLiteral("temperature"), request.temperature);
    if (request.maxTokens > 0)
        body.insert(QStringLiteral("max_tokens"), request.maxTokens);
    return body;
}

QUrl OpenAiProvider::modelsUrl(const QString &) const
{
    return endpoint(QStringLiteral("/models"));
}

QList<ModelInfo> OpenAiProvider::parseModels(const QJsonObject &page, QString *) const
{
    QList<ModelInfo> out;
    for (const QJsonValue &v : page.value(QLatin1String("data")).toArray()) {
        const QString id = v.toObject().value(QLatin1String("id")).toString();
        if (!id.isEmpty())
            out.append({id, id});
    }
    return out;
}

void OpenAiProvider::addHeaders(QNetworkRequest &request) const
{
    request.setRawHeader("Accept", "text/event-stream, application/json");
    if (!config().apiKey.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + config().apiKey.toUtf8());
}

} // namespace arbor::llm
