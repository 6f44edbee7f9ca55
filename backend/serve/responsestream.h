#pragma once

#include "domain/message.h"
#include "domain/toolcall.h"

#include <QJsonObject>
#include <QObject>

namespace arbor::chat {
struct ArgumentsPiece;
class ChatService;
class DurableFeed;
class ReplyFollower;
} // namespace arbor::chat

namespace arbor::serve {

/**
 * @brief A reply as an Open Responses event stream, from any point.
 *
 * Sequence numbers come from durable data, so a stream resumed after a client or server
 * restart numbers every event as the first one did. Every delta event is numbered by where its
 * piece ends in its item: a delta that ends at UTF-16 offset E of an item whose
 * output_item.added has number A has number A + 1 + E (pieces may be cut anywhere, the numbers
 * stay the same; A + 1 is the content_part.added of items with a content part), and the item's
 * closing events follow its final length N: A + N + 2 (output_text.done, reasoning_text.done or
 * function_call_arguments.done), A + N + 3 content_part.done (items with a content part), then
 * output_item.done; the next item's output_item.added comes right after. In order: 0
 * response.created, 1 response.in_progress; the reasoning item (when the reply reasons), added at
 * 2, its content_part.added at 3, its reasoning_text.delta pieces as the vendor sent them; the
 * message item (left out for a reply of tool calls alone) with a content_part.added after its
 * output_item.added; one function_call item per call, its function_call_arguments.delta pieces as
 * the vendor streamed them (no content part); then the final response.completed (or .incomplete,
 * .failed). An item closes when the next begins (the reasoning when the answer begins, the text
 * when the first call begins) or at the end.
 *
 * A resume with starting_after = N sends every event above N, a delta cut at N with only its
 * rest: byte for byte, nothing twice. Only durable text and reasoning are sent (what the store
 * has, and pieces after their group commit), so what a client saw never exceeds what a
 * restarted server has, even after a SIGKILL. Argument pieces are sent with the commit that
 * follows them, but stored only once their call is whole: a server killed inside a call runs
 * the reply again and its stored call is the truth (function_call_arguments.done).
 */
class ResponseStream : public QObject
{
    Q_OBJECT

public:
    ResponseStream(chat::ChatService &chat, chat::DurableFeed &feed, const QString &messageId,
                   qint64 startingAfter, QObject *parent = nullptr);

    /** @brief How often the store is read besides the live events (ReplyFollower). */
    void setPollInterval(int ms) { m_pollMs = ms; }
    /** @brief What the response object echoes of its request (responseecho.h). */
    void setEcho(const QJsonObject &echo) { m_echo = echo; }
    /** @brief Starts reading; events follow. */
    void start();

    /** @brief The response object of @p m with @p text, as GET /v1/responses/{id} gives it,
     *  with @p echo (responseecho.h) over the API's defaults. */
    static QJsonObject responseObject(const domain::Message &m, const QString &text,
                                      const QString &previousResponseId, bool live,
                                      const QJsonObject &echo = {});
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
    /** A function call as it streams. */
    struct Call
    {
        domain::ToolCall call; ///< id, name; arguments: as sent so far
        qint64 added = 0;      ///< its output_item.added number
        int outputIndex = 0;
        bool closed = false;
    };

    void begin(const domain::Message &m, const QString &previousId);
    void onReasoning(const QString &piece);
    void onText(const QString &piece);
    void onArguments(const chat::ArgumentsPiece &piece);
    /** @brief Closes the reasoning item (or fixes that there is none) with @p reasoning. */
    void closeReasoning(const QString &reasoning);
    void openMessage();
    /** @brief Closes the message item with @p text, as @p m says. */
    void closeMessage(const domain::Message &m, const QString &text);
    void openCall(const domain::ToolCall &call);
    void closeCall(qsizetype k, const QString &arguments);
    void sendText(const QString &piece);
    void onEnded();
    /** @brief A delta of the item added at @p added: @p piece at @p from of its content. */
    void emitDelta(qint64 added, qsizetype from, const QString &piece, const QString &type,
                   QJsonObject body);
    void emitEvent(qint64 seq, const QString &type, QJsonObject body);
    void fail(const QString &message);

    chat::ChatService &m_chat;
    chat::DurableFeed &m_feed;
    QString m_id;
    qint64 m_after;
    qint64 m_next = 2;     ///< the number of the next item's output_item.added
    int m_outputIndex = 0; ///< the next item's output_index
    QString m_reasoning;   ///< reasoning sent so far
    bool m_reasoningOpen = false;
    bool m_reasoningClosed = false;
    qsizetype m_length = 0;     ///< text sent so far (UTF-16 units)
    bool m_messageOpen = false; ///< the message item is out
    bool m_messageClosed = false;
    qint64 m_base = 2;       ///< the message item's output_item.added number
    int m_messageIndex = 0;  ///< its output_index
    QList<Call> m_calls;     ///< calls opened, in order
    bool m_callsCut = false; ///< a piece was missed: the rest of the calls come at the end
    qint64 m_lastSeq = 1;
    domain::Message m_message;
    QString m_previousId;
    QJsonObject m_echo;
    QByteArray m_deltaHead; ///< a delta event's JSON up to its text
    chat::ReplyFollower *m_follower = nullptr;
    int m_pollMs = 200;
    bool m_done = false;
};

} // namespace arbor::serve
