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
    virtual void feed(QByteArrayView bytes) = 0;
    /** @brief The body ended: completes if the vendor signalled the end (or a finish reason),
     *  otherwise fails with Kind::Interrupted. */
    virtual void finish() = 0;

    bool isEnded() const { return m_complete || m_error.has_value(); }
    bool isComplete() const { return m_complete; }
    const std::optional<ChatError> &error() const { return m_error; }
    const ChatUsage &usage() const { return m_usage; }
    /** @brief One of FinishReason; "tool_calls" whenever the model asked for a tool. */
    const QString &finishReason() const { return m_finishReason; }
    /** @brief The finish reason as the vendor sent it ("end_turn", "MAX_TOKENS", ...). */
    const QString &vendorFinishReason() const { return m_vendorFinishReason; }
    /** @brief The tools the model asked to call, by name, in order (Arbor runs none). */
    const QStringList &toolCalls() const { return m_toolCalls; }

    std::function<void(const QString &)> onText;
    std::function<void(const QString &)> onReasoning;

    /** @brief Where the body comes from (a shownUrl(), never with secrets), named in errors. */
    void setSource(const QString &source) { m_source = source; }

protected:
    void emitText(const QString &text)
    {
        if (text.isEmpty())
            return;
        m_sawText = true;
        if (onText)
            onText(text);
    }
    void emitReasoning(const QString &text)
    {
        if (text.isEmpty())
            return;
        m_sawReasoning = true;
        if (onReasoning)
            onReasoning(text);
    }
    /** @brief Ends successfully. If the model asked for tools, the finish reason becomes
     *  tool_calls and a short note saying Arbor does not run them ends the text. */
    void complete();
    /** @brief Records the vendor's value and Arbor's name for it (one of FinishReason). */
    void setFinishReason(const QString &vendorValue, QStringView normalized);
    /** @brief The model asked to call tool @p name (empty when the vendor did not say). */
    void noteToolCall(const QString &name);
    void fail(ChatError error);
    /** @brief complete() if a finish reason arrived; else the connection was cut: Interrupted
     *  once some of the reply arrived, a (retryable) Network failure while none did. */
    void endOfBody();
    /** @brief The source for messages: the URL, or "the vendor" when not known. */
    QString source() const;
    /** @brief Parses one JSON object; on malformed bytes fails with a Protocol error. */
    std::optional<QJsonObject> parseObject(QByteArrayView json);

    ChatUsage m_usage;

private:
    QString m_finishReason;
    QString m_vendorFinishReason;
    QStringList m_toolCalls;
    bool m_toolCallSeen = false;
    bool m_sawText = false;
    bool m_sawReasoning = false;
    bool m_complete = false;
    QString m_source;
    std::optional<ChatError> m_error;
};

/** @brief A decoder for a body of Server-Sent Events: feeds the bytes through an SseParser and
 *  hands each batch of complete events to handle(). */
class SseStreamDecoder : public StreamDecoder
{
public:
    void feed(QByteArrayView bytes) override
    {
        if (!isEnded())
            handle(m_sse.feed(bytes));
    }
    void finish() override
    {
        if (!isEnded())
            handle(m_sse.finish());
        endOfBody();
    }

protected:
    virtual void handle(const QList<SseEvent> &events) = 0;

    SseParser m_sse;
};

} // namespace arbor::llm
