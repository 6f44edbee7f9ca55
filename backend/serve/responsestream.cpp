#include "responsestream.h"

#include "outputitems.h"
#include "responseecho.h"

#include "chat/chatevents.h"
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
                                           const QString &previousResponseId, bool live,
                                           const QJsonObject &echo)
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
                  {str("incomplete_details"), QJsonValue()}};
    const QJsonObject echoed = responseecho::withDefaults(echo);
    for (auto it = echoed.begin(); it != echoed.end(); ++it)
        o.insert(it.key(), it.value());
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
    // Following before the reply is read: what is committed after the read comes from the
    // feed, and what the feed brings before the read is given after it (ReplyFollower::prime).
    m_follower = new chat::ReplyFollower(m_chat, m_feed, this);
    m_follower->setPollInterval(m_pollMs);
    m_follower->followUnprimed(m_id);
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
              {{str("response"), responseObject(shown, {}, previousId, true, m_echo)}});
    shown.status = MessageStatus::Streaming;
    emitEvent(1, str("response.in_progress"),
              {{str("response"), responseObject(shown, {}, previousId, true, m_echo)}});
    // The follower gives the stored reasoning and text first, then the pieces as committed.
    connect(m_follower, &chat::ReplyFollower::reasoningArrived, this, &ResponseStream::onReasoning);
    connect(m_follower, &chat::ReplyFollower::textArrived, this, &ResponseStream::onText);
    connect(m_follower, &chat::ReplyFollower::argumentsArrived, this, &ResponseStream::onArguments);
    connect(m_follower, &chat::ReplyFollower::ended, this, &ResponseStream::onEnded);
    connect(m_follower, &chat::ReplyFollower::failed, this, &ResponseStream::fail);
    m_follower->prime(m);
}

void ResponseStream::onReasoning(const QString &piece)
{
    if (m_done || m_reasoningClosed || piece.isEmpty())
        return; // reasoning after the answer began is in the final response only
    const QString item = str("rs_") + m_id;
    if (!std::exchange(m_reasoningOpen, true)) {
        emitEvent(2, str("response.output_item.added"),
                  {{str("output_index"), 0},
                   {str("item"), outputitems::reasoningItem(m_message, {}, false)}});
        emitEvent(3, str("response.content_part.added"),
                  {{str("item_id"), item},
                   {str("output_index"), 0},
                   {str("content_index"), 0},
                   {str("part"),
                    QJsonObject{{str("type"), str("reasoning_text")}, {str("text"), QString()}}}});
    }
    const qsizetype from = m_reasoning.size();
    m_reasoning += piece;
    emitDelta(2, from, piece, str("response.reasoning_text.delta"),
              {{str("item_id"), item}, {str("output_index"), 0}, {str("content_index"), 0}});
}

void ResponseStream::closeReasoning(const QString &reasoning)
{
    if (std::exchange(m_reasoningClosed, true))
        return;
    // What the store has beyond what was sent (a stream that began after it was written).
    if (reasoning.size() > m_reasoning.size() && reasoning.startsWith(m_reasoning)) {
        m_reasoningClosed = false;
        onReasoning(reasoning.mid(m_reasoning.size()));
        m_reasoningClosed = true;
    }
    if (!m_reasoningOpen) {
        m_base = m_next = 2;
        return;
    }
    const qint64 r = m_reasoning.size();
    const QString item = str("rs_") + m_id;
    emitEvent(4 + r, str("response.reasoning_text.done"),
              {{str("item_id"), item},
               {str("output_index"), 0},
               {str("content_index"), 0},
               {str("text"), m_reasoning}});
    emitEvent(5 + r, str("response.content_part.done"),
              {{str("item_id"), item},
               {str("output_index"), 0},
               {str("content_index"), 0},
               {str("part"),
                QJsonObject{{str("type"), str("reasoning_text")}, {str("text"), m_reasoning}}}});
    emitEvent(6 + r, str("response.output_item.done"),
              {{str("output_index"), 0},
               {str("item"), outputitems::reasoningItem(m_message, m_reasoning, true)}});
    m_base = m_next = 7 + r;
    m_messageIndex = m_outputIndex = 1;
}

void ResponseStream::openMessage()
{
    if (m_messageOpen)
        return;
    closeReasoning(m_reasoning);
    m_messageOpen = true;
    m_base = m_next;
    m_messageIndex = m_outputIndex;
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

void ResponseStream::closeMessage(const domain::Message &m, const QString &text)
{
    if (!m_messageOpen || std::exchange(m_messageClosed, true))
        return;
    const qint64 b = m_base;
    const qint64 l = text.size();
    const QJsonObject part{
        {str("type"), str("output_text")}, {str("text"), text}, {str("annotations"), QJsonArray()}};
    emitEvent(b + l + 2, str("response.output_text.done"),
              {{str("item_id"), m_id},
               {str("output_index"), m_messageIndex},
               {str("content_index"), 0},
               {str("text"), text},
               {str("logprobs"), QJsonArray()}});
    emitEvent(b + l + 3, str("response.content_part.done"),
              {{str("item_id"), m_id},
               {str("output_index"), m_messageIndex},
               {str("content_index"), 0},
               {str("part"), part}});
    emitEvent(
        b + l + 4, str("response.output_item.done"),
        {{str("output_index"), m_messageIndex}, {str("item"), outputitems::messageItem(m, text)}});
    m_next = b + l + 5;
    m_outputIndex = m_messageIndex + 1;
}

void ResponseStream::onText(const QString &piece)
{
    if (m_done || m_messageClosed || !m_calls.isEmpty())
        return; // text after the calls began is in the final response only
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
    m_lastSeq = seq;
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

void ResponseStream::onArguments(const chat::ArgumentsPiece &piece)
{
    if (m_done || m_callsCut)
        return;
    const qsizetype k = piece.call;
    if (k == m_calls.size()) {
        if (piece.name.isEmpty())
            return; // opened once named
        if (piece.offset > 0) {
            m_callsCut = true;
            return;
        }
        domain::ToolCall call;
        call.id = piece.id;
        call.name = piece.name;
        call.at = piece.at;
        openCall(call);
    } else if (k != m_calls.size() - 1 || m_calls.at(k).closed) {
        m_callsCut = true; // out of order: the end gives the rest
        return;
    }
    Call &c = m_calls[k];
    if (piece.text.isEmpty())
        return;
    if (piece.offset != c.call.arguments.size()) {
        m_callsCut = true;
        return;
    }
    c.call.arguments += piece.text;
    const QString itemId = QStringLiteral("fc_%1_%2").arg(m_id).arg(k);
    emitDelta(c.added, piece.offset, piece.text, str("response.function_call_arguments.delta"),
              {{str("item_id"), itemId}, {str("output_index"), c.outputIndex}});
}

void ResponseStream::openCall(const domain::ToolCall &call)
{
    // The items before it are whole now.
    closeReasoning(m_reasoning);
    if (m_messageOpen)
        closeMessage(m_message, m_follower ? m_follower->text().left(m_length) : QString());
    if (!m_calls.isEmpty())
        closeCall(m_calls.size() - 1, m_calls.constLast().call.arguments);
    Call c;
    c.call = call;
    c.call.arguments.clear();
    c.added = m_next;
    c.outputIndex = m_outputIndex++;
    emitEvent(
        c.added, str("response.output_item.added"),
        {{str("output_index"), c.outputIndex},
         {str("item"), outputitems::functionCallItem(m_message, c.call, m_calls.size(), false)}});
    m_calls.append(c);
}

void ResponseStream::closeCall(qsizetype k, const QString &arguments)
{
    Call &c = m_calls[k];
    if (std::exchange(c.closed, true))
        return;
    const QString whole = arguments.trimmed().isEmpty() ? str("{}") : arguments;
    const QString itemId = QStringLiteral("fc_%1_%2").arg(m_id).arg(k);
    if (whole.size() > c.call.arguments.size() && whole.startsWith(c.call.arguments)) {
        const qsizetype from = c.call.arguments.size();
        emitDelta(c.added, from, whole.mid(from), str("response.function_call_arguments.delta"),
                  {{str("item_id"), itemId}, {str("output_index"), c.outputIndex}});
    }
    const qint64 n = std::max(whole.size(), c.call.arguments.size());
    c.call.arguments = whole;
    emitEvent(c.added + n + 2, str("response.function_call_arguments.done"),
              {{str("item_id"), itemId},
               {str("output_index"), c.outputIndex},
               {str("name"), c.call.name},
               {str("arguments"), whole}});
    emitEvent(c.added + n + 3, str("response.output_item.done"),
              {{str("output_index"), c.outputIndex},
               {str("item"), outputitems::functionCallItem(m_message, c.call, k)}});
    m_next = c.added + n + 4;
}

void ResponseStream::emitDelta(qint64 added, qsizetype from, const QString &piece,
                               const QString &type, QJsonObject body)
{
    const qint64 seq = added + 1 + from + piece.size();
    if (seq <= m_after)
        return;
    // Part of this piece may have been sent before the resume: only the rest goes out.
    const qsizetype skip = std::max<qint64>(0, m_after - added - 1 - from);
    body.insert(str("delta"), piece.mid(skip));
    emitEvent(seq, type, std::move(body));
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
        closeReasoning(m->reasoning);
        const QString text = m_follower->text();
        const QList<domain::ToolCall> calls = domain::toolcalls::parse(m->toolCalls);
        // Text that came after the calls began is in the response object only.
        if (m_calls.isEmpty() && (m_messageOpen || outputitems::hasMessageItem(text, calls))) {
            sendText(text.mid(m_length));
            openMessage();
            closeMessage(*m, text.left(m_length));
        }
        // The calls as stored: the rest of those that streamed, then the others whole.
        for (qsizetype k = 0; k < calls.size(); ++k) {
            if (k >= m_calls.size()) {
                domain::ToolCall head = calls.at(k);
                head.arguments.clear();
                openCall(head);
            }
            closeCall(k, calls.at(k).arguments);
        }
        const QJsonObject response = responseObject(*m, text, m_previousId, false, m_echo);
        const QString type = m->status == MessageStatus::Complete ? str("response.completed")
            : m->status == MessageStatus::Error                   ? str("response.failed")
                                                                  : str("response.incomplete");
        emitEvent(m_next, type, {{str("response"), response}});
        m_done = true;
        Q_EMIT finished();
    });
}

void ResponseStream::emitEvent(qint64 seq, const QString &type, QJsonObject body)
{
    if (seq <= m_after)
        return;
    m_lastSeq = seq;
    body.insert(str("type"), type);
    body.insert(str("sequence_number"), seq);
    Q_EMIT event(type.toLatin1(), QJsonDocument(body).toJson(QJsonDocument::Compact));
}

void ResponseStream::fail(const QString &message)
{
    if (m_done)
        return;
    m_done = true;
    Q_EMIT event(
        QByteArrayLiteral("error"),
        QJsonDocument(QJsonObject{{str("type"), str("error")},
                                  {str("code"), str("server_error")},
                                  {str("message"), message},
                                  {str("param"), QJsonValue()},
                                  {str("sequence_number"), std::max(m_lastSeq, m_after) + 1}})
            .toJson(QJsonDocument::Compact));
    Q_EMIT finished();
}

} // namespace arbor::serve
