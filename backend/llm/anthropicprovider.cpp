#include "anthropicprovider.h"

#include "reasoningdata.h"
#include "sseparser.h"
#include "toolformats.h"
#include "vendorerrors.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
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
                const int index = o->value(QLatin1String("index")).toInt();
                if (kind == u"text_delta")
                    emitText(delta.value(QLatin1String("text")).toString());
                else if (kind == u"thinking_delta")
                    addThinking(index, delta.value(QLatin1String("thinking")).toString());
                else if (kind == u"signature_delta")
                    thinkingAt(index).signature +=
                        delta.value(QLatin1String("signature")).toString();
                else if (kind == u"input_json_delta")
                    addInput(index, delta.value(QLatin1String("partial_json")).toString());
                // citations_delta: Arbor shows no citations yet.
            } else if (type == u"content_block_stop") {
                // A tool_use block's input is whole at its end (docs: parse it at
                // content_block_stop).
                endInput(o->value(QLatin1String("index")).toInt());
            } else if (type == u"content_block_start") {
                startBlock(o->value(QLatin1String("index")).toInt(),
                           o->value(QLatin1String("content_block")).toObject());
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
            // ping and unknown events: nothing to do.
        }
    }

    /** A server that ignores "stream": true answers with one Message object. */
    bool decodeDocument(const QJsonValue &document) override
    {
        const QJsonObject o = document.toObject();
        if (o.value(QLatin1String("type")).toString() != u"message"
            || !o.value(QLatin1String("content")).isArray())
            return false;
        const QJsonArray content = o.value(QLatin1String("content")).toArray();
        for (qsizetype i = 0; i < content.size(); ++i) {
            const QJsonObject block = content.at(i).toObject();
            const QString kind = block.value(QLatin1String("type")).toString();
            if (kind == u"text")
                emitText(block.value(QLatin1String("text")).toString());
            else if (kind == u"tool_use") // whole, with its input
                wholeToolCall(
                    block.value(QLatin1String("id")).toString(),
                    block.value(QLatin1String("name")).toString(),
                    QString::fromUtf8(QJsonDocument(block.value(QLatin1String("input")).toObject())
                                          .toJson(QJsonDocument::Compact)));
            else
                startBlock(int(i), block);
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

    /** A block other than text: thinking (text and signature may come whole, in a reply that
     *  is not streamed, or in deltas), redacted thinking (opaque data, nothing to show), or a
     *  client tool call (server tools, server_tool_use, run at Anthropic). */
    void startBlock(int index, const QJsonObject &block)
    {
        const QString kind = block.value(QLatin1String("type")).toString();
        if (kind == u"tool_use") {
            // Its "input" here is a placeholder ({}): the input follows in input_json_deltas.
            // A server that gives it whole here instead (and no deltas) is taken at its word.
            m_toolAt.insert(index,
                            beginToolCall(block.value(QLatin1String("id")).toString(),
                                          block.value(QLatin1String("name")).toString()));
            const QJsonObject input = block.value(QLatin1String("input")).toObject();
            if (!input.isEmpty())
                m_startInput.insert(
                    index, QString::fromUtf8(QJsonDocument(input).toJson(QJsonDocument::Compact)));
        } else if (kind == u"thinking") {
            Block &b = thinkingAt(index);
            addThinking(index, block.value(QLatin1String("thinking")).toString());
            b.signature += block.value(QLatin1String("signature")).toString();
        } else if (kind == u"redacted_thinking") {
            m_blocks.append({kind, 0, 0, {}, block.value(QLatin1String("data")).toString()});
        }
    }

    /** A thinking block (its text is reasoning[start, start + length)) or a redacted one. */
    struct Block
    {
        QString type;
        qsizetype start = 0;
        qsizetype length = 0;
        QString signature;
        QString data; ///< redacted_thinking only
    };
    /** The thinking block at @p index, begun when first seen; blocks after the first are set
     *  apart by an empty line in the reasoning text (not part of any block). */
    Block &thinkingAt(int index)
    {
        if (const auto it = m_thinkingAt.constFind(index); it != m_thinkingAt.cend())
            return m_blocks[*it];
        if (reasoningLength() > 0)
            emitReasoning(QStringLiteral("\n\n"));
        m_thinkingAt.insert(index, m_blocks.size());
        m_blocks.append({QStringLiteral("thinking"), reasoningLength(), 0, {}, {}});
        return m_blocks.last();
    }
    void addThinking(int index, const QString &text)
    {
        Block &b = thinkingAt(index);
        emitReasoning(text);
        b.length = reasoningLength() - b.start;
    }

public:
    QJsonObject reasoningState() const override
    {
        if (m_blocks.isEmpty())
            return {};
        QJsonArray parts;
        for (const Block &b : m_blocks) {
            if (b.type == u"redacted_thinking")
                parts.append(QJsonObject{{QStringLiteral("type"), b.type},
                                         {QStringLiteral("data"), b.data}});
            else
                parts.append(QJsonObject{{QStringLiteral("type"), b.type},
                                         {QStringLiteral("in"), QStringLiteral("reasoning")},
                                         {QStringLiteral("start"), b.start},
                                         {QStringLiteral("length"), b.length},
                                         {QStringLiteral("signature"), b.signature}});
        }
        return {{QStringLiteral("format"), reasoningdata::Anthropic},
                {QStringLiteral("parts"), parts}};
    }

private:
    QList<Block> m_blocks;
    QHash<int, qsizetype> m_thinkingAt; ///< content block index → its entry in m_blocks
    QHash<int, int> m_toolAt;           ///< content block index → its tool call in the reply
    QHash<int, QString> m_startInput;   ///< a tool_use block's input given whole at its start
    QSet<int> m_streamedInput;          ///< tool_use blocks whose input came in deltas

    void addInput(int index, const QString &piece)
    {
        if (!piece.isEmpty())
            m_streamedInput.insert(index);
        addToolArguments(m_toolAt.value(index, -1), piece);
    }
    void endInput(int index)
    {
        const int call = m_toolAt.value(index, -1);
        if (!m_streamedInput.contains(index))
            addToolArguments(call, m_startInput.value(index));
        endToolCall(call);
    }

    /** Counts are cumulative: replace, never add. Input includes the cached parts: the reads
     *  (cachedTokens) and the writes (counted, and priced, as ordinary input). Thinking is in
     *  output_tokens with no count of its own, so reasoningTokens stays unknown. */
    void readUsage(const QJsonObject &u)
    {
        if (u.isEmpty())
            return;
        if (u.contains(QLatin1String("input_tokens"))) {
            m_usage.promptTokens = u.value(QLatin1String("input_tokens")).toInt()
                + u.value(QLatin1String("cache_creation_input_tokens")).toInt()
                + u.value(QLatin1String("cache_read_input_tokens")).toInt();
            m_usage.cachedTokens = u.value(QLatin1String("cache_read_input_tokens")).toInt();
        }
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
    // Extended thinking does not go with a prefilled reply (a continuation) nor with a changed
    // temperature, and needs max_tokens above its budget (docs: "Building with extended
    // thinking").
    const bool prefill = !request.turns.isEmpty() && request.turns.last().role == u"assistant";
    const bool thinking = request.thinkingBudget > 0 && !prefill;
    QJsonArray messages;
    QStringList system;
    for (const ChatTurn &t : request.turns) {
        if (t.role == u"system") {
            system.append(t.content);
            continue;
        }
        const QJsonArray blocks = thinking ? thinkingBlocks(t) : QJsonArray();
        if (!t.toolCalls.isEmpty()) {
            // Text, then its tool_use blocks; their results are the next user message.
            QJsonArray content = blocks;
            if (!t.content.isEmpty())
                content.append(QJsonObject{{QStringLiteral("type"), QStringLiteral("text")},
                                           {QStringLiteral("text"), t.content}});
            for (const QJsonValue &use : toolformats::anthropicToolUses(t))
                content.append(use);
            messages.append(QJsonObject{{QStringLiteral("role"), t.role},
                                        {QStringLiteral("content"), content}});
            messages.append(toolformats::anthropicToolResults(t));
            continue;
        }
        if (blocks.isEmpty()) {
            messages.append(QJsonObject{{QStringLiteral("role"), t.role},
                                        {QStringLiteral("content"), t.content}});
            continue;
        }
        QJsonArray content = blocks;
        if (!t.content.isEmpty())
            content.append(QJsonObject{{QStringLiteral("type"), QStringLiteral("text")},
                                       {QStringLiteral("text"), t.content}});
        messages.append(
            QJsonObject{{QStringLiteral("role"), t.role}, {QStringLiteral("content"), content}});
    }
    int maxTokens = request.maxTokens > 0 ? request.maxTokens : DefaultMaxTokens;
    if (thinking && maxTokens <= request.thinkingBudget)
        maxTokens = request.thinkingBudget + DefaultMaxTokens;
    QJsonObject body{
        {QStringLiteral("model"), request.model},
        {QStringLiteral("messages"), messages},
        {QStringLiteral("max_tokens"), maxTokens},
        {QStringLiteral("stream"), true},
    };
    if (!system.isEmpty())
        body.insert(QStringLiteral("system"), system.join(QStringLiteral("\n\n")));
    if (!request.tools.isEmpty())
        body.insert(QStringLiteral("tools"), toolformats::anthropicTools(request.tools));
    if (const QJsonValue choice = toolformats::anthropicToolChoice(request.toolChoice);
        !request.tools.isEmpty() && !choice.isUndefined())
        body.insert(QStringLiteral("tool_choice"), choice);
    if (thinking)
        body.insert(QStringLiteral("thinking"),
                    QJsonObject{{QStringLiteral("type"), QStringLiteral("enabled")},
                                {QStringLiteral("budget_tokens"), request.thinkingBudget}});
    else if (request.temperature >= 0)
        body.insert(QStringLiteral("temperature"), request.temperature);
    return body;
}

QJsonArray AnthropicProvider::thinkingBlocks(const ChatTurn &turn)
{
    QJsonArray blocks;
    if (turn.role != u"assistant"
        || turn.reasoningData.value(u"format").toString() != reasoningdata::Anthropic)
        return blocks;
    for (const QJsonValue &v : turn.reasoningData.value(u"parts").toArray()) {
        const QJsonObject part = v.toObject();
        const QString type = part.value(u"type").toString();
        if (type == u"thinking") {
            // Unsigned (cut off before its signature) or not where it was: cannot go back.
            const QString signature = part.value(u"signature").toString();
            const QString text = reasoningdata::textOf(part, turn.content, turn.reasoning);
            if (!signature.isEmpty() && !text.isNull())
                blocks.append(QJsonObject{{QStringLiteral("type"), type},
                                          {QStringLiteral("thinking"), text},
                                          {QStringLiteral("signature"), signature}});
        } else if (type == u"redacted_thinking" && !part.value(u"data").toString().isEmpty()) {
            blocks.append(QJsonObject{{QStringLiteral("type"), type},
                                      {QStringLiteral("data"), part.value(u"data")}});
        }
    }
    return blocks;
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
