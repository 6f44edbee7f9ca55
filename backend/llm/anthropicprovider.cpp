#include "anthropicprovider.h"

#include "sseparser.h"
#include "vendorerrors.h"

#include <QJsonArray>
#include <QUrlQuery>

namespace arbor::llm {

namespace {

/** types/stop_reason.py: end_turn, max_tokens, stop_sequence, tool_use, pause_turn, refusal,
 *  model_context_window_exceeded. */
QStringView normalizedFinish(const QString &reason)
{
    if (reason == u"end_turn" || reason == u"stop_sequence")
        return FinishReason::Stop;
    if (reason == u"max_tokens" || reason == u"model_context_window_exceeded")
        return FinishReason::Length;
    if (reason == u"tool_use")
        return FinishReason::ToolCalls;
    if (reason == u"refusal")
        return FinishReason::ContentFilter;
    return FinishReason::Other; // pause_turn: a server tool paused the turn
}

/** Named events; dispatch on data.type (falls back to the event name); message_stop ends. */
class AnthropicDecoder : public SseStreamDecoder
{
private:
    void handle(const QList<SseEvent> &events) override
    {
        for (const SseEvent &ev : events) {
            if (isEnded())
                return;
            const auto o = parseObject(ev.data);
            if (!o)
                return;
            QString type = o->value(QLatin1String("type")).toString();
            if (type.isEmpty())
                type = QString::fromUtf8(ev.event);
            if (type == u"content_block_delta") {
                const QJsonObject delta = o->value(QLatin1String("delta")).toObject();
                const QString kind = delta.value(QLatin1String("type")).toString();
                if (kind == u"text_delta")
                    emitText(delta.value(QLatin1String("text")).toString());
                else if (kind == u"thinking_delta")
                    emitReasoning(delta.value(QLatin1String("thinking")).toString());
                // input_json_delta (a tool's arguments), signature_delta, citations_delta: Arbor
                // runs no tools and shows no citations yet.
            } else if (type == u"content_block_start") {
                // Client tools only: server tools (server_tool_use) run at Anthropic.
                const QJsonObject block = o->value(QLatin1String("content_block")).toObject();
                if (block.value(QLatin1String("type")).toString() == u"tool_use")
                    noteToolCall(block.value(QLatin1String("name")).toString());
            } else if (type == u"message_start") {
                readUsage(o->value(QLatin1String("message"))
                              .toObject()
                              .value(QLatin1String("usage"))
                              .toObject());
            } else if (type == u"message_delta") {
                const QString reason = o->value(QLatin1String("delta"))
                                           .toObject()
                                           .value(QLatin1String("stop_reason"))
                                           .toString();
                if (!reason.isEmpty())
                    setFinishReason(reason, normalizedFinish(reason));
                readUsage(o->value(QLatin1String("usage")).toObject());
            } else if (type == u"message_stop") {
                if (finishReason().isEmpty())
                    setFinishReason(QStringLiteral("end_turn"), FinishReason::Stop);
                complete();
            } else if (type == u"error" || !vendorerrors::errorMember(*o).isUndefined()) {
                fail(vendorerrors::fromVendor(200, vendorerrors::errorMember(*o)));
            }
            // ping, content_block_stop and unknown events: nothing to do.
        }
    }

    /** A server that ignores "stream": true answers with one Message object. */
    bool decodeDocument(const QJsonValue &document) override
    {
        const QJsonObject o = document.toObject();
        if (o.value(QLatin1String("type")).toString() != u"message"
            || !o.value(QLatin1String("content")).isArray())
            return false;
        for (const QJsonValue &b : o.value(QLatin1String("content")).toArray()) {
            const QJsonObject block = b.toObject();
            const QString kind = block.value(QLatin1String("type")).toString();
            if (kind == u"text")
                emitText(block.value(QLatin1String("text")).toString());
            else if (kind == u"thinking")
                emitReasoning(block.value(QLatin1String("thinking")).toString());
            else if (kind == u"tool_use")
                noteToolCall(block.value(QLatin1String("name")).toString());
        }
        readUsage(o.value(QLatin1String("usage")).toObject());
        const QString reason = o.value(QLatin1String("stop_reason")).toString();
        if (!reason.isEmpty())
            setFinishReason(reason, normalizedFinish(reason));
        else
            setFinishReason(QStringLiteral("end_turn"), FinishReason::Stop);
        complete();
        return true;
    }

    /** Counts are cumulative: replace, never add. Input includes the cached parts. */
    void readUsage(const QJsonObject &u)
    {
        if (u.isEmpty())
            return;
        if (u.contains(QLatin1String("input_tokens")))
            m_usage.promptTokens = u.value(QLatin1String("input_tokens")).toInt()
                + u.value(QLatin1String("cache_creation_input_tokens")).toInt()
                + u.value(QLatin1String("cache_read_input_tokens")).toInt();
        if (u.contains(QLatin1String("output_tokens")))
            m_usage.completionTokens = u.value(QLatin1String("output_tokens")).toInt();
    }
};

constexpr int DefaultMaxTokens = 4096; // required by the Messages API

} // namespace

std::unique_ptr<StreamDecoder> AnthropicProvider::makeDecoder()
{
    return std::make_unique<AnthropicDecoder>();
}

std::unique_ptr<StreamDecoder> AnthropicProvider::createDecoder() const
{
    return makeDecoder();
}

QUrl AnthropicProvider::chatUrl(const ChatRequest &) const
{
    return versionedEndpoint({QStringLiteral("/v1")}, QStringLiteral("/messages"));
}

QJsonObject AnthropicProvider::chatBody(const ChatRequest &request) const
{
    QJsonArray messages;
    QStringList system;
    for (const ChatTurn &t : request.turns) {
        if (t.role == u"system")
            system.append(t.content);
        else
            messages.append(QJsonObject{{QStringLiteral("role"), t.role},
                                        {QStringLiteral("content"), t.content}});
    }
    QJsonObject body{
        {QStringLiteral("model"), request.model},
        {QStringLiteral("messages"), messages},
        {QStringLiteral("max_tokens"),
         request.maxTokens > 0 ? request.maxTokens : DefaultMaxTokens},
        {QStringLiteral("stream"), true},
    };
    if (!system.isEmpty())
        body.insert(QStringLiteral("system"), system.join(QStringLiteral("\n\n")));
    if (request.temperature >= 0)
        body.insert(QStringLiteral("temperature"), request.temperature);
    return body;
}

QUrl AnthropicProvider::modelsUrl(const QString &pageToken) const
{
    QUrl url = versionedEndpoint({QStringLiteral("/v1")}, QStringLiteral("/models"));
    QUrlQuery q;
    q.addQueryItem(QStringLiteral("limit"), QStringLiteral("1000"));
    if (!pageToken.isEmpty())
        q.addQueryItem(QStringLiteral("after_id"), pageToken);
    url.setQuery(q);
    return url;
}

QList<ModelInfo> AnthropicProvider::parseModels(const QJsonObject &page, QString *nextPage) const
{
    QList<ModelInfo> out;
    for (const QJsonValue &v : page.value(QLatin1String("data")).toArray()) {
        const QJsonObject m = v.toObject();
        const QString id = m.value(QLatin1String("id")).toString();
        if (!id.isEmpty())
            out.append({id, m.value(QLatin1String("display_name")).toString(id)});
    }
    if (page.value(QLatin1String("has_more")).toBool())
        *nextPage = page.value(QLatin1String("last_id")).toString();
    return out;
}

void AnthropicProvider::addHeaders(QNetworkRequest &request) const
{
    request.setRawHeader("anthropic-version", "2023-06-01");
    request.setRawHeader("Accept", "text/event-stream, application/json");
    if (!config().apiKey.isEmpty())
        request.setRawHeader("x-api-key", config().apiKey.toUtf8());
}

} // namespace arbor::llm
