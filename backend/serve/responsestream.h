#pragma once

#include "domain/message.h"

#include <QJsonObject>
#include <QObject>

namespace arbor::chat {
class ChatService;
class DurableFeed;
class ReplyFollower;
} // namespace arbor::chat

namespace arbor::serve {

/**
 * @brief A reply as an Open Responses event stream, from any point.
 *
 * Sequence numbers come from durable data, so a stream resumed after a client or server
 * restart numbers every event as the first one did: 0 response.created, 1 response.in_progress;
 * then, when the reply has reasoning, its reasoning item whole, 2 to 7 (output_item.added,
 * content_part.added, reasoning_text.delta, reasoning_text.done, content_part.done,
 * output_item.done), sent when the answer begins or the reply ends; B = 8 with reasoning, else 2.
 * The message item: B output_item.added, B + 1 content_part.added, a response.output_text.delta
 * that ends at UTF-16 offset E of the reply's text has number B + 1 + E (deltas may be cut
 * anywhere, the numbers stay the same); with the final length L: B + L + 2
 * response.output_text.done, B + L + 3 response.content_part.done, B + L + 4
 * response.output_item.done. A reply of tool calls alone has no message item. Then four
 * events per function call (output_item.added, function_call_arguments.delta with the whole
 * arguments, .done, output_item.done), then the final response.completed (or .incomplete,
 * .failed). A resume with starting_after = N sends every event above N and the text from
 * offset N - B - 1 on: byte for byte, nothing twice.
 *
 * Only durable text is sent (what the store has, and pieces after their group commit), so
 * what a client saw never exceeds what a restarted server has, even after a SIGKILL.
 */
class ResponseStream : public QObject
{
    Q_OBJECT

public:
    ResponseStream(chat::ChatService &chat, chat::DurableFeed &feed, const QString &messageId,
                   qint64 startingAfter, QObject *parent = nullptr);

    /** @brief How often the store is read besides the live events (ReplyFollower). */
    void setPollInterval(int ms) { m_pollMs = ms; }
    /** @brief Starts reading; events follow. */
    void start();

    /** @brief The response object of @p m with @p text, as GET /v1/responses/{id} gives it. */
    static QJsonObject responseObject(const domain::Message &m, const QString &text,
                                      const QString &previousResponseId, bool live);
    /** @brief "queued", "in_progress", "completed", "cancelled", "failed" or "incomplete". */
    static QString statusOf(domain::MessageStatus status);

    /** @brief @p text as a JSON string literal (quotes included), UTF-8. */
    static QByteArray jsonString(const QString &text);

Q_SIGNALS:
    /** @brief One event, serialised once (compact JSON, UTF-8) for every transport. */
    void event(const QByteArray &type, const QByteArray &json);
    /** @brief No more events (the last one was the final response.* event, or an error). */
    void finished();

private:
    void begin(const domain::Message &m, const QString &previousId);
    void onText(const QString &piece);
    /** @brief Emits the reasoning item (when @p reasoning is not empty); fixes the base. */
    void openReasoning(const QString &reasoning);
    void openMessage();
    void sendText(const QString &piece);
    void onEnded();
    void emitEvent(qint64 seq, const QString &type, QJsonObject body);
    void fail(const QString &message);

    chat::ChatService &m_chat;
    chat::DurableFeed &m_feed;
    QString m_id;
    qint64 m_after;
    qsizetype m_length = 0;     ///< text seen so far (UTF-16 units)
    bool m_opened = false;      ///< the reasoning item is out (or there is none): m_base is set
    bool m_messageOpen = false; ///< the message item is out
    bool m_reading = false;     ///< reading the reasoning before the first text
    QString m_held;             ///< text that arrived before the reasoning was read
    qint64 m_base = 2;          ///< the message item's first sequence number
    int m_messageIndex = 0;     ///< its output_index
    domain::Message m_message;
    QString m_previousId;
    QByteArray m_deltaHead; ///< a delta event's JSON up to its text
    chat::ReplyFollower *m_follower = nullptr;
    int m_pollMs = 200;
    bool m_done = false;
};

} // namespace arbor::serve
