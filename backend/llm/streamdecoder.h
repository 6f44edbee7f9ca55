#pragma once

#include "provider.h"
#include "sseparser.h"

#include <QByteArrayView>
#include <QJsonObject>

#include <functional>
#include <optional>

namespace arbor::llm {

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
    const QString &finishReason() const { return m_finishReason; }

    std::function<void(const QString &)> onText;
    std::function<void(const QString &)> onReasoning;

protected:
    void emitText(const QString &text)
    {
        if (!text.isEmpty() && onText)
            onText(text);
    }
    void emitReasoning(const QString &text)
    {
        if (!text.isEmpty() && onReasoning)
            onReasoning(text);
    }
    void complete();
    void fail(ChatError error);
    /** @brief complete() if a finish reason arrived, else an Interrupted failure. */
    void endOfBody();
    /** @brief Parses one JSON object; on malformed bytes fails with a Protocol error. */
    std::optional<QJsonObject> parseObject(QByteArrayView json);

    ChatUsage m_usage;
    QString m_finishReason;

private:
    bool m_complete = false;
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
