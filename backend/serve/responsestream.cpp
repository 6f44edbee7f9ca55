#include "responsestream.h"

#include "outputitems.h"

#include "chat/chatservice.h"
#include "chat/replyfollower.h"
#include "core/whenready.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace arbor::serve {

using domain::MessageStatus;

namespace {
QString str(const char *s)
{
    return QString::fromLatin1(s);
}
} // namespace

ResponseStream::ResponseStream(chat::ChatService &chat, chat::DurableFeed &feed,
                               const QString &messageId, qint64 startingAfter, QObject *parent)
    : QObject(parent)
    , m_chat(chat)
    , m_feed(feed)
    , m_id(messageId)
    , m_after(startingAfter)
{
}

QString ResponseStream::statusOf(MessageStatus status)
{
    switch (status) {
    case MessageStatus::Queued:
        return str("queued");
    case MessageStatus::Streaming:
        return str("in_progress");
    case MessageStatus::Complete:
        return str("completed");
    case MessageStatus::Cancelled:
        return str("cancelled");
    case MessageStatus::Error:
        return str("failed");
    case MessageStatus::Interrupted:
        return str("incomplete");
    }
    return str("failed");
}

QJsonObject ResponseStream::responseObject(const domain::Message &m, const QString &text,
                                           const QString &previousResponseId, bool live)
{
    const QString status = statusOf(m.status);
    // A response that has not started lists no items yet.
    const QJsonArray output = live && text.isEmpty() && m.status == MessageStatus::Queued
        ? QJsonArray()
        : outputitems::output(m, text);
    QJsonObject o{{str("id"), m.id},
                  {str("object"), str("response")},
                  {str("created_at"), m.createdAt / 1000},
                  {str("status"), status},
                  {str("model"), m.provider + QLatin1Char('/') + m.model},
                  {str("output"), output},
                  {str("previous_response_id"),
                   previousResponseId.isEmpty() ? QJsonValue() : QJsonValue(previousResponseId)},
                  {str("metadata"), QJsonObject{{str("arbor_conversation_id"), m.conversationId}}},
                  {str("error"), QJsonValue()},
                  {str("incomplete_details"), QJsonValue()},
                  {str("parallel_tool_calls"), false},
                  {str("tools"), QJsonArray()},
                  {str("tool_choice"), str("auto")}};
    if (m.finishedAt > 0)
        o.insert(str("completed_at"), m.finishedAt / 1000);
    if (m.status == MessageStatus::Error)
        o.insert(str("error"),
                 QJsonObject{{str("code"), str("server_error")}, {str("message"), m.error}});
    if (m.status == MessageStatus::Interrupted || m.status == MessageStatus::Cancelled)
        o.insert(str("incomplete_details"),
                 QJsonObject{
                     {str("reason"),
                      m.status == MessageStatus::Cancelled ? str("cancelled") : str("interrupted")},
                     {str("message"), m.error}});
    if (m.promptTokens >= 0 || m.completionTokens >= 0) {
        const int in = std::max(0, m.promptTokens);
        const int out = std::max(0, m.completionTokens);
        o.insert(
            str("usage"),
            QJsonObject{{str("input_tokens"), in},
                        {str("input_tokens_details"),
                         QJsonObject{{str("cached_tokens"), std::max(0, m.cachedTokens)}}},
                        {str("output_tokens"), out},
                        {str("output_tokens_details"),
                         QJsonObject{{str("reasoning_tokens"), std::max(0, m.reasoningTokens)}}},
                        {str("total_tokens"), in + out}});
    } else {
        o.insert(str("usage"), QJsonValue());
    }
    return o;
}

void ResponseStream::start()
{
    core::whenReady(this, m_chat.message(m_id), [this](QFuture<std::optional<domain::Message>> f) {
        std::optional<domain::Message> m;
        try {
            m = f.result();
        } catch (const std::exception &e) {
            fail(QString::fromUtf8(e.what()));
            return;
        }
        if (!m || m->role != u"assistant") {
            fail(QStringLiteral("No response %1.").arg(m_id));
            return;
        }
        const domain::Message reply = *m;
        core::whenReady(this, m_chat.message(reply.parentId),
                        [this, reply](QFuture<std::optional<domain::Message>> p) {
                            QString previous;
                            try {
                                const auto parent = p.result();
                                if (parent && parent->role == u"user")
                                    previous = parent->parentId;
                                else if (parent) // a reply to tool outputs
                                    previous = parent->id;
                            } catch (const std::exception &) {
                            }
                            begin(reply, previous);
                        });
    });
}

void ResponseStream::begin(const domain::Message &m, const QString &previousId)
{
    m_message = m;
    m_previousId = previousId;
    domain::Message shown = m;
    shown.status = MessageStatus::Queued;
    emitEvent(0, str("response.created"),
              {{str("response"), responseObject(shown, {}, previousId, true)}});
    shown.status = MessageStatus::Streaming;
    emitEvent(1, str("response.in_progress"),
              {{str("response"), responseObject(shown, {}, previousId, true)}});
    // A reply that has text (or has ended) has its reasoning whole: the items can open now.
    if (!m.content.isEmpty() || !domain::isLive(m.status))
        openReasoning(m.reasoning);
    m_follower = new chat::ReplyFollower(m_chat, m_feed, this);
    m_follower->setPollInterval(m_pollMs);
    connect(m_follower, &chat::ReplyFollower::textArrived, this, &ResponseStream::onText);
    connect(m_follower, &chat::ReplyFollower::ended, this, &ResponseStream::onEnded);
    connect(m_follower, &chat::ReplyFollower::failed, this, &ResponseStream::fail);
    m_follower->follow(m_id);
}

void ResponseStream::openReasoning(const QString &reasoning)
{
    if (m_opened)
        return;
    m_opened = true;
    m_base = 2;
    if (reasoning.isEmpty())
        return;
    // The reasoning item, whole: it is complete once the answer has begun (or the reply ended).
    const QString item = str("rs_") + m_id;
    emitEvent(2, str("response.output_item.added"),
              {{str("output_index"), 0},
               {str("item"), outputitems::reasoningItem(m_message, reasoning, false)}});
    const QJsonObject part{{str("type"), str("reasoning_text")}, {str("text"), reasoning}};
    emitEvent(3, str("response.content_part.added"),
              {{str("item_id"), item},
               {str("output_index"), 0},
               {str("content_index"), 0},
               {str("part"),
                QJsonObject{{str("type"), str("reasoning_text")}, {str("text"), QString()}}}});
    emitEvent(4, str("response.reasoning_text.delta"),
              {{str("item_id"), item},
               {str("output_index"), 0},
               {str("content_index"), 0},
               {str("delta"), reasoning}});
    emitEvent(5, str("response.reasoning_text.done"),
              {{str("item_id"), item},
               {str("output_index"), 0},
               {str("content_index"), 0},
               {str("text"), reasoning}});
    emitEvent(6, str("response.content_part.done"),
              {{str("item_id"), item},
               {str("output_index"), 0},
               {str("content_index"), 0},
               {str("part"), part}});
    emitEvent(7, str("response.output_item.done"),
              {{str("output_index"), 0},
               {str("item"), outputitems::reasoningItem(m_message, reasoning, true)}});
    m_base = 8;
    m_messageIndex = 1;
}

void ResponseStream::openMessage()
{
    if (m_messageOpen)
        return;
    m_messageOpen = true;
    emitEvent(m_base, str("response.output_item.added"),
              {{str("output_index"), m_messageIndex},
               {str("item"), outputitems::openMessageItem(m_message)}});
    emitEvent(m_base + 1, str("response.content_part.added"),
              {{str("item_id"), m_id},
               {str("output_index"), m_messageIndex},
               {str("content_index"), 0},
               {str("part"),
                QJsonObject{{str("type"), str("output_text")},
                            {str("text"), QString()},
                            {str("annotations"), QJsonArray()}}}});
}

void ResponseStream::onText(const QString &piece)
{
    if (m_done)
        return;
    if (!m_opened) {
        // The first text: the reasoning before it is stored (same or earlier commit).
        m_held += piece;
        if (std::exchange(m_reading, true))
            return;
        core::whenReady(this, m_chat.message(m_id),
                        [this](QFuture<std::optional<domain::Message>> f) {
                            QString reasoning;
                            try {
                                if (const auto m = f.result())
                                    reasoning = m->reasoning;
                            } catch (const std::exception &) {
                            }
                            openReasoning(reasoning);
                            sendText(std::exchange(m_held, {}));
                        });
        return;
    }
    sendText(piece);
}

void ResponseStream::sendText(const QString &piece)
{
    if (m_done || piece.isEmpty())
        return;
    openMessage();
    const qsizetype from = m_length;
    m_length += piece.size();
    const qint64 seq = m_base + 1 + m_length;
    if (seq <= m_after)
        return;
    // Part of this piece may have been sent before the resume: only the rest goes out.
    const qsizetype skip = std::max<qint64>(0, m_after - m_base - 1 - from);
    // The hot event, written directly: one small buffer per delta, no JSON object.
    if (m_deltaHead.isEmpty())
        m_deltaHead = "{\"type\":\"response.output_text.delta\",\"item_id\":" + jsonString(m_id)
            + ",\"output_index\":" + QByteArray::number(m_messageIndex)
            + ",\"content_index\":0,\"logprobs\":[],\"delta\":";
    static const QByteArray type = QByteArrayLiteral("response.output_text.delta");
    Q_EMIT event(type,
                 m_deltaHead + jsonString(piece.mid(skip))
                     + ",\"sequence_number\":" + QByteArray::number(seq) + '}');
}

QByteArray ResponseStream::jsonString(const QString &text)
{
    const QByteArray utf8 = text.toUtf8();
    QByteArray out;
    out.reserve(utf8.size() + 2);
    out += '"';
    for (const char ch : utf8) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            if (c < 0x20) {
                static const char hex[] = "0123456789abcdef";
                out += "\\u00";
                out += hex[c >> 4];
                out += hex[c & 0xf];
            } else {
                out += ch;
            }
        }
    }
    out += '"';
    return out;
}

void ResponseStream::onEnded()
{
    if (m_done)
        return;
    core::whenReady(this, m_chat.message(m_id), [this](QFuture<std::optional<domain::Message>> f) {
        std::optional<domain::Message> m;
        try {
            m = f.result();
        } catch (const std::exception &e) {
            fail(QString::fromUtf8(e.what()));
            return;
        }
        if (!m) {
            fail(QStringLiteral("The response %1 was deleted.").arg(m_id));
            return;
        }
        m_message = *m;
        openReasoning(m->reasoning);
        sendText(std::exchange(m_held, {}));
        const QString text = m_follower->text();
        const qint64 l = text.size();
        const QList<domain::ToolCall> calls = domain::toolcalls::parse(m->toolCalls);
        qint64 next = m_base;
        int index = m_messageIndex;
        if (outputitems::hasMessageItem(text, calls)) {
            openMessage();
            const qint64 b = m_base;
            const QJsonObject part{{str("type"), str("output_text")},
                                   {str("text"), text},
                                   {str("annotations"), QJsonArray()}};
            emitEvent(b + l + 2, str("response.output_text.done"),
                      {{str("item_id"), m_id},
                       {str("output_index"), index},
                       {str("content_index"), 0},
                       {str("text"), text},
                       {str("logprobs"), QJsonArray()}});
            emitEvent(b + l + 3, str("response.content_part.done"),
                      {{str("item_id"), m_id},
                       {str("output_index"), index},
                       {str("content_index"), 0},
                       {str("part"), part}});
            emitEvent(
                b + l + 4, str("response.output_item.done"),
                {{str("output_index"), index}, {str("item"), outputitems::messageItem(*m, text)}});
            next = b + l + 5;
            ++index;
        }
        // The calls, each whole: the model's arguments arrive with the call (ChatStream).
        for (qsizetype k = 0; k < calls.size(); ++k, ++index, next += 4) {
            const QJsonObject item = outputitems::functionCallItem(*m, calls.at(k), k);
            const QString itemId = item.value(str("id")).toString();
            const QString arguments = item.value(str("arguments")).toString();
            emitEvent(next, str("response.output_item.added"),
                      {{str("output_index"), index},
                       {str("item"), outputitems::functionCallItem(*m, calls.at(k), k, false)}});
            emitEvent(next + 1, str("response.function_call_arguments.delta"),
                      {{str("item_id"), itemId},
                       {str("output_index"), index},
                       {str("delta"), arguments}});
            emitEvent(next + 2, str("response.function_call_arguments.done"),
                      {{str("item_id"), itemId},
                       {str("output_index"), index},
                       {str("name"), calls.at(k).name},
                       {str("arguments"), arguments}});
            emitEvent(next + 3, str("response.output_item.done"),
                      {{str("output_index"), index}, {str("item"), item}});
        }
        const QJsonObject response = responseObject(*m, text, m_previousId, false);
        const QString type = m->status == MessageStatus::Complete ? str("response.completed")
            : m->status == MessageStatus::Error                   ? str("response.failed")
                                                                  : str("response.incomplete");
        emitEvent(next, type, {{str("response"), response}});
        m_done = true;
        Q_EMIT finished();
    });
}

void ResponseStream::emitEvent(qint64 seq, const QString &type, QJsonObject body)
{
    if (seq <= m_after)
        return;
    body.insert(str("type"), type);
    body.insert(str("sequence_number"), seq);
    Q_EMIT event(type.toLatin1(), QJsonDocument(body).toJson(QJsonDocument::Compact));
}

void ResponseStream::fail(const QString &message)
{
    if (m_done)
        return;
    m_done = true;
    Q_EMIT event(QByteArrayLiteral("error"),
                 QJsonDocument(QJsonObject{{str("type"), str("error")},
                                           {str("code"), str("server_error")},
                                           {str("message"), message},
                                           {str("param"), QJsonValue()},
                                           {str("sequence_number"), m_base + 1 + m_length}})
                     .toJson(QJsonDocument::Compact));
    Q_EMIT finished();
}

} // namespace arbor::serve
