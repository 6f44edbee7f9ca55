#include "openaiprovider.h"

#include "sseparser.h"
#include "toolformats.h"
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
            const QJsonArray calls = delta.value(QLatin1String("tool_calls")).toArray();
            for (qsizetype i = 0; i < calls.size(); ++i) {
                const QJsonObject call = calls.at(i).toObject();
                // A whole reply's calls have no index: their place in the list is theirs.
                const int index = call.contains(QLatin1String("index"))
                    ? call.value(QLatin1String("index")).toInt()
                    : int(i);
                readCallPiece(index, call.value(QLatin1String("id")).toString(),
                              call.value(QLatin1String("function")).toObject());
            }
            if (const QJsonValue fc = delta.value(QLatin1String("function_call")); fc.isObject())
                readCallPiece(LegacyFunctionCall, {}, fc.toObject());
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

    /** The deprecated function_call: one call, in pieces like a tool call's. */
    static constexpr int LegacyFunctionCall = -1;

    /** A piece of the call the vendor numbers @p vendorIndex: the first carries its id and
     *  name, the next ones more of its arguments (spec: assemble by tool_calls[].index). Calls
     *  stream one after another, so one that begins completes those before it. */
    void readCallPiece(int vendorIndex, const QString &id, const QJsonObject &function)
    {
        const QString name = function.value(QLatin1String("name")).toString();
        const QString arguments = function.value(QLatin1String("arguments")).toString();
        auto it = m_callIndex.constFind(vendorIndex);
        if (it == m_callIndex.cend()) {
            for (const int open : std::as_const(m_callIndex))
                endToolCall(open);
            it = m_callIndex.insert(vendorIndex, beginToolCall(id, name));
            addToolArguments(*it, arguments);
            return;
        }
        addToolArguments(*it, arguments, name, id);
    }

    QHash<int, int> m_callIndex; ///< the vendor's index of a call → its index in the reply
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
        {QStringLiteral("messages"), toolformats::openAiMessages(request.turns)},
        {QStringLiteral("stream"), true},
        {QStringLiteral("stream_options"), QJsonObject{{QStringLiteral("include_usage"), true}}},
    };
    if (!request.tools.isEmpty())
        body.insert(QStringLiteral("tools"), toolformats::openAiTools(request.tools));
    if (const QJsonValue choice = toolformats::openAiToolChoice(request.toolChoice);
        !request.tools.isEmpty() && !choice.isUndefined())
        body.insert(QStringLiteral("tool_choice"), choice);
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
