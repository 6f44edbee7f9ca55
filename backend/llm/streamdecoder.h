#pragma once

#include "provider.h"
#include "sseparser.h"

#include <QByteArrayView>
#include <QJsonObject>
#include <QStringList>
#include <QStringView>

#include <functional>
#include <optional>

namespace arbor::llm {

/**
 * @brief The finish reasons stored on a message, whatever the vendor called them (OpenAI's
 * names; Anthropic "end_turn", Gemini "STOP", Ollama "stop" all become Stop).
 */
struct FinishReason
{
    static constexpr QStringView Stop = u"stop";
    static constexpr QStringView Length = u"length"; ///< the token limit (or context) ran out
    static constexpr QStringView ToolCalls = u"tool_calls";         ///< the model wants a tool run
    static constexpr QStringView ContentFilter = u"content_filter"; ///< safety, recitation, refusal
    static constexpr QStringView Error = u"error"; ///< the vendor ended on a bad call
    static constexpr QStringView Other = u"other"; ///< anything else (kept raw beside it)
};

/**
 * @brief Turns one vendor's streamed response body into text deltas and an outcome. Pure bytes
 * in, no network: the providers, the parser property test and `arbord bench stream` share it.
 * Bytes may be cut anywhere. Once ended (complete or failed) it ignores further input.
 */
class StreamDecoder
{
public:
    virtual ~StreamDecoder() = default;
    /** @brief Decodes the next bytes of the body; calls onText/onReasoning per piece. */
    void feed(QByteArrayView bytes);
    /**
     * @brief The body ended: completes if the vendor signalled the end (or a finish reason),
     * otherwise the connection was cut (see endOfBody()). A body that held no stream at all (a
     * server that ignored "stream": true, a proxy's error page) is read whole: a JSON error is
     * the vendor's error, a complete JSON reply is the reply, anything else is a Protocol error
     * that quotes its start.
     */
    void finish();

    bool isEnded() const { return m_complete || m_error.has_value(); }
    bool isComplete() const { return m_complete; }
    const std::optional<ChatError> &error() const { return m_error; }
    const ChatUsage &usage() const { return m_usage; }
    /** @brief One of FinishReason; "tool_calls" whenever the model asked for a tool. */
    const QString &finishReason() const { return m_finishReason; }
    /** @brief The finish reason as the vendor sent it ("end_turn", "MAX_TOKENS", ...). */
    const QString &vendorFinishReason() const { return m_vendorFinishReason; }
    /** @brief The tool calls that are whole so far, in the order they began (a call still
     *  arriving, or cut off by a failure, is not among them). */
    QList<ToolCall> toolCalls() const;
    /** @brief What the vendor gave to send back with this reply later (reasoningdata.h), with
     *  offsets into the text and reasoning this decoder emitted; {} when nothing. */
    virtual QJsonObject reasoningState() const { return {}; }

    std::function<void(const QString &)> onText;
    std::function<void(const QString &)> onReasoning;
    /** @brief A tool call became whole: the @p index-th of the reply (ChatStream::toolCall). */
    std::function<void(int index, const ToolCall &call)> onToolCall;
    /** @brief A piece of call @p index's arguments as the vendor streamed it (ChatStream::
     *  toolArguments): @p head is the call without its arguments, @p offset their length
     *  before @p piece ("" when the call begins or only its name or id arrived). */
    std::function<void(int index, const ToolCall &head, qsizetype offset, const QString &piece)>
        onToolArguments;

    /** @brief Where the body comes from (a shownUrl(), never with secrets), named in errors. */
    void setSource(const QString &source) { m_source = source; }
    /** @brief The response's Content-Type, named when the body is not a stream. */
    void setContentType(const QByteArray &contentType) { m_contentType = contentType; }

protected:
    /** @brief The stream's own framing: the next bytes, and the end of the body. */
    virtual void feedStream(QByteArrayView bytes) = 0;
    virtual void finishStream() = 0;
    /** @brief A whole JSON document in place of a stream: reads it as the vendor's non-streamed
     *  reply (text, usage, finish reason, then complete() or fail()); false if it is not one. */
    virtual bool decodeDocument(const QJsonValue &document)
    {
        Q_UNUSED(document);
        return false;
    }
    /** @brief Whether the body has proved to be a stream (a unit of it was decoded). */
    bool isStream() const { return m_shape == Shape::Stream; }
    /** @brief The body is the vendor's stream format (framing seen before any unit decoded,
     *  e.g. SSE keep-alive comments): a cut now is a cut, not a malformed document. */
    void markStream();

    void emitText(const QString &text)
    {
        if (text.isEmpty())
            return;
        m_sawText = true;
        m_textLength += text.size();
        if (onText)
            onText(text);
    }
    void emitReasoning(const QString &text)
    {
        if (text.isEmpty())
            return;
        m_sawReasoning = true;
        m_reasoningLength += text.size();
        if (onReasoning)
            onReasoning(text);
    }
    /** @brief How much text / reasoning was emitted so far (UTF-16 code units). */
    qsizetype textLength() const { return m_textLength; }
    qsizetype reasoningLength() const { return m_reasoningLength; }
    /** @brief Ends successfully: calls still open are whole now; if the model asked for tools,
     *  the finish reason becomes tool_calls. */
    void complete();
    /** @brief Records the vendor's value and Arbor's name for it (one of FinishReason). */
    void setFinishReason(const QString &vendorValue, QStringView normalized);
    /** @brief A tool call begins here (at the text's length so far); returns its index in the
     *  reply. Its arguments follow in pieces (addToolArguments) until endToolCall(). */
    int beginToolCall(const QString &id, const QString &name);
    /** @brief More of call @p index: the next piece of its arguments' JSON text; a name or id
     *  that arrives late (empty: as it is). Pieces for a call already ended extend it and
     *  announce it again. */
    void addToolArguments(int index, const QString &piece, const QString &name = {},
                          const QString &id = {});
    /** @brief Call @p index is whole: announced through onToolCall. */
    void endToolCall(int index);
    /** @brief A whole call at once (Gemini, Ollama, a reply that is not streamed): @p arguments
     *  is compact JSON text of the vendor's object; returns its index. */
    int wholeToolCall(const QString &id, const QString &name, const QString &arguments);
    void fail(ChatError error);
    /** @brief complete() if a finish reason arrived; else the connection was cut: Interrupted
     *  once some of the reply arrived, a (retryable) Network failure while none did. */
    void endOfBody();
    /** @brief The source for messages: the URL, or "the vendor" when not known. */
    QString source() const;
    /** @brief Parses one JSON object of the stream; on malformed bytes fails with a Protocol
     *  error, unless nothing was decoded yet: then the body is read whole at its end. */
    std::optional<QJsonObject> parseObject(QByteArrayView json);

    ChatUsage m_usage;

private:
    /** Unknown until the first unit of the stream decodes (Stream) or fails to (Document). */
    enum class Shape { Unknown, Stream, Document };
    void readWholeBody();

    Shape m_shape = Shape::Unknown;
    QByteArray m_body; ///< the body so far, while it is not known to be a stream (bounded)
    bool m_bodyCut = false;
    QByteArray m_contentType;
    QString m_finishReason;
    QString m_vendorFinishReason;
    /** A tool call of the reply, and whether it is whole. */
    struct Call
    {
        ToolCall call;
        bool ended = false;
    };
    QList<Call> m_calls;
    /** @brief @p call as it is announced: no arguments at all are the empty object. */
    static ToolCall shown(ToolCall call);
    void announceArguments(int index, qsizetype offset, const QString &piece);
    bool m_toolCallSeen = false;
    bool m_sawText = false;
    bool m_sawReasoning = false;
    qsizetype m_textLength = 0;
    qsizetype m_reasoningLength = 0;
    bool m_complete = false;
    QString m_source;
    std::optional<ChatError> m_error;
};

/** @brief A decoder for a body of Server-Sent Events: feeds the bytes through an SseParser and
 *  hands each batch of complete events to handle(). */
class SseStreamDecoder : public StreamDecoder
{
protected:
    void feedStream(QByteArrayView bytes) override
    {
        const QList<SseEvent> events = m_sse.feed(bytes);
        if (m_sse.sawFraming() && !isStream())
            markStream();
        handle(events);
    }
    void finishStream() override { handle(m_sse.finish()); }
    virtual void handle(const QList<SseEvent> &events) = 0;

    SseParser m_sse;
};

} // namespace arbor::llm
