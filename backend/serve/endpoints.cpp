// The OpenAI-style endpoints of ApiServer: Chat Completions (a shim for unmodified clients) and
// Open Responses over HTTP/SSE and WebSocket.
#include "apiserver.h"
#include "chatcallchunks.h"
#include "responseecho.h"
#include "responsestream.h"
#include "submission.h"

#include "chat/chatservice.h"
#include "chat/durablefeed.h"
#include "chat/livetexts.h"
#include "chat/replyfollower.h"
#include "core/backend.h"
#include "core/whenready.h"
#include "domain/toolcall.h"
#include "store/store.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QWebSocket>

namespace arbor::serve {

using domain::MessageStatus;

namespace {

QString str(const char *s)
{
    return QString::fromLatin1(s);
}

QByteArray sse(const QJsonObject &o)
{
    return "data: " + QJsonDocument(o).toJson(QJsonDocument::Compact) + "\n\n";
}

QString finishReason(const domain::Message &m)
{
    if (m.finishReason == u"length" || m.finishReason == u"max_tokens")
        return str("length");
    if (m.finishReason == u"tool_calls")
        return str("tool_calls");
    return str("stop");
}

/** @brief A reply's calls as Chat Completions tool_calls ([{"id","type","function"}]); with
 *  @p indexed, as one streamed delta (each with its "index"). */
QJsonArray chatToolCalls(const domain::Message &m, bool indexed)
{
    const QList<domain::ToolCall> calls = domain::toolcalls::parse(m.toolCalls);
    QJsonArray out;
    for (qsizetype i = 0; i < calls.size(); ++i) {
        const domain::ToolCall &c = calls.at(i);
        QJsonObject o{
            {str("id"), store::serve::callId(c.id, i)},
            {str("type"), str("function")},
            {str("function"),
             QJsonObject{{str("name"), c.name},
                         {str("arguments"), c.arguments.isEmpty() ? str("{}") : c.arguments}}}};
        if (indexed)
            o.insert(str("index"), int(i));
        out.append(o);
    }
    return out;
}

QJsonObject chatUsage(const domain::Message &m)
{
    const int in = std::max(0, m.promptTokens);
    const int out = std::max(0, m.completionTokens);
    return {{str("prompt_tokens"), in},
            {str("completion_tokens"), out},
            {str("total_tokens"), in + out}};
}

} // namespace

void ApiServer::readMessage(const QString &id, QObject *context,
                            std::function<void(const std::optional<domain::Message> &)> done)
{
    core::whenReady(context, m_backend.chat().message(id),
                    [done](QFuture<std::optional<domain::Message>> f) {
                        try {
                            done(f.result());
                        } catch (const std::exception &) {
                            done(std::nullopt);
                        }
                    });
}

void ApiServer::whenEnded(const QString &id, QObject *context,
                          std::function<void(const std::optional<domain::Message> &)> done)
{
    auto *follower = new chat::ReplyFollower(m_backend.chat(), *m_feed, context);
    follower->setPollInterval(LocalPollMs);
    auto read = [this, id, context, done, follower] {
        follower->deleteLater();
        readMessage(id, context, done);
    };
    connect(follower, &chat::ReplyFollower::ended, context, read);
    connect(follower, &chat::ReplyFollower::failed, context, read);
    follower->follow(id);
}

void ApiServer::owned(HttpConnection *c, const HttpRequest &r, const Caller &caller,
                      const QString &id, std::function<void()> then)
{
    QPointer<HttpConnection> guard(c);
    auto pending =
        m_backend.store().read([id](QSqlDatabase &db) { return store::serve::replyToken(db, id); });
    core::whenReady(c, pending, [this, guard, r, caller, id, then](QFuture<QString> f) {
        QString token;
        try {
            token = f.result();
        } catch (const std::exception &) {
        }
        if (token.isEmpty() || token != caller.token.id)
            return error(guard, r, caller.token.name, 404,
                         QStringLiteral("No response %1.").arg(id), str("not_found_error"));
        then();
    });
}

void ApiServer::chatCompletions(HttpConnection *c, const HttpRequest &r, const Caller &caller)
{
    const QString name = caller.token.name;
    const Parsed parsed = parseBody(r);
    if (!parsed.error.isEmpty())
        return error(c, r, name, 400, parsed.error);
    const Submission s = fromChatCompletions(parsed.body);
    if (!s.error.isEmpty())
        return error(c, r, name, 400, s.error);
    admit(caller, s.modelKey, c, [this, c, r, caller, s](const Refusal &refusal) {
        if (refusal.status)
            return refuse(c, r, caller.token.name, refusal);
        submitFor(
            caller, s, c,
            [this, c, r, caller, s](const chat::SendResult &sent, const QString &failure) {
                if (!failure.isEmpty())
                    return error(c, r, caller.token.name, 400, failure);
                const QString id = sent.assistant.id;
                const QJsonObject head{{str("id"), str("chatcmpl-") + id},
                                       {str("created"), sent.assistant.createdAt / 1000},
                                       {str("model"), s.modelKey}};
                if (!s.stream) {
                    whenEnded(id, c, [this, c, r, caller, head](const auto &m) {
                        if (!m)
                            return error(c, r, caller.token.name, 500,
                                         str("The reply was deleted."), str("server_error"));
                        if (m->status == MessageStatus::Error)
                            return error(c, r, caller.token.name, 502, m->error,
                                         str("server_error"));
                        QJsonObject o = head;
                        o.insert(str("object"), str("chat.completion"));
                        QJsonObject message{{str("role"), str("assistant")},
                                            {str("content"), m->content}};
                        if (const QJsonArray calls = chatToolCalls(*m, false); !calls.isEmpty()) {
                            message.insert(str("tool_calls"), calls);
                            if (m->content.isEmpty())
                                message.insert(str("content"), QJsonValue());
                        }
                        o.insert(str("choices"),
                                 QJsonArray{QJsonObject{{str("index"), 0},
                                                        {str("message"), message},
                                                        {str("finish_reason"), finishReason(*m)},
                                                        {str("logprobs"), QJsonValue()}}});
                        o.insert(str("usage"), chatUsage(*m));
                        o.insert(str("metadata"),
                                 QJsonObject{{str("arbor_conversation_id"), m->conversationId},
                                             {str("arbor_message_id"), m->id}});
                        json(c, r, caller.token.name, o);
                    });
                    return;
                }
                c->beginStream(200, "text/event-stream");
                ++m_streams;
                m_streaming.append(c);
                auto chunk = [head](const QJsonObject &delta, const QJsonValue &finish) {
                    QJsonObject o = head;
                    o.insert(str("object"), str("chat.completion.chunk"));
                    o.insert(str("choices"),
                             QJsonArray{QJsonObject{{str("index"), 0},
                                                    {str("delta"), delta},
                                                    {str("finish_reason"), finish},
                                                    {str("logprobs"), QJsonValue()}}});
                    return o;
                };
                c->write(sse(chunk({{str("role"), str("assistant")}, {str("content"), str("")}},
                                   QJsonValue())));
                auto *follower = new chat::ReplyFollower(m_backend.chat(), *m_feed, c);
                follower->setPollInterval(LocalPollMs);
                auto calls = std::make_shared<ChatCallChunks>();
                connect(follower, &chat::ReplyFollower::textArrived, c,
                        [c, chunk](const QString &piece) {
                            c->write(sse(chunk({{str("content"), piece}}, QJsonValue())));
                        });
                connect(follower, &chat::ReplyFollower::argumentsArrived, c,
                        [c, chunk, calls](const chat::ArgumentsPiece &piece) {
                            if (const QJsonArray d = calls->piece(piece); !d.isEmpty())
                                c->write(sse(chunk({{str("tool_calls"), d}}, QJsonValue())));
                        });
                auto end = [this, c, r, caller, id, head, chunk, s, calls] {
                    // Ended: the store has its final state.
                    readMessage(id, c, [this, c, r, caller, head, chunk, s, calls](const auto &m) {
                        if (!m || m->status == MessageStatus::Error) {
                            c->write(
                                sse({{str("error"),
                                      QJsonObject{{str("message"), m ? m->error : str("deleted")},
                                                  {str("type"), str("server_error")}}}}));
                        } else {
                            // What the stored calls add to the pieces sent, before the end.
                            if (const QJsonArray rest =
                                    calls->rest(domain::toolcalls::parse(m->toolCalls));
                                !rest.isEmpty())
                                c->write(sse(chunk({{str("tool_calls"), rest}}, QJsonValue())));
                            c->write(sse(chunk(QJsonObject(), finishReason(*m))));
                            if (s.includeUsage) {
                                QJsonObject u = head;
                                u.insert(str("object"), str("chat.completion.chunk"));
                                u.insert(str("choices"), QJsonArray());
                                u.insert(str("usage"), chatUsage(*m));
                                c->write(sse(u));
                            }
                        }
                        c->write("data: [DONE]\n\n");
                        c->endStream();
                        if (m_streaming.removeAll(c) > 0)
                            --m_streams;
                        logLine(r.method, r.path, 200, c->elapsedMs(), caller.token.name);
                    });
                };
                connect(follower, &chat::ReplyFollower::ended, c, end);
                connect(follower, &chat::ReplyFollower::failed, c, end);
                connect(c, &HttpConnection::closed, this, [this, c] {
                    if (m_streaming.removeAll(c) > 0)
                        --m_streams;
                });
                follower->follow(id);
            });
    });
}

void ApiServer::createResponse(HttpConnection *c, const HttpRequest &r, const Caller &caller)
{
    const QString name = caller.token.name;
    const Parsed parsed = parseBody(r);
    if (!parsed.error.isEmpty())
        return error(c, r, name, 400, parsed.error);
    const Submission s = fromResponses(parsed.body);
    if (!s.error.isEmpty())
        return error(c, r, name, 400, s.error);
    admit(caller, s.modelKey, c, [this, c, r, caller, s](const Refusal &refusal) {
        if (refusal.status)
            return refuse(c, r, caller.token.name, refusal);
        submitFor(caller, s, c,
                  [this, c, r, caller, s](const chat::SendResult &sent, const QString &failure) {
                      if (!failure.isEmpty())
                          return error(c, r, caller.token.name, 400, failure);
                      if (s.stream) // a reply made here runs here: its text comes as events
                          return streamResponse(c, r, caller, sent.assistant.id, -1, LocalPollMs,
                                                s.echo);
                      if (s.background)
                          return respondResponse(c, r, caller, sent.assistant.id);
                      respondWhenDone(c, r, caller, sent.assistant.id);
                  });
    });
}

void ApiServer::getResponse(HttpConnection *c, const HttpRequest &r, const Caller &caller,
                            const QString &id)
{
    owned(c, r, caller, id, [this, c, r, caller, id] {
        if (r.query.queryItemValue(str("stream")) != u"true")
            return respondResponse(c, r, caller, id);
        qint64 after = -1;
        const QString text = r.query.queryItemValue(str("starting_after"));
        if (!text.isEmpty()) {
            bool ok = false;
            after = text.toLongLong(&ok);
            if (!ok || after < 0)
                return error(c, r, caller.token.name, 400,
                             str("“starting_after” must be a sequence number (0 or more)."));
        }
        streamResponse(c, r, caller, id, after);
    });
}

void ApiServer::cancelResponse(HttpConnection *c, const HttpRequest &r, const Caller &caller,
                               const QString &id)
{
    owned(c, r, caller, id, [this, c, r, caller, id] {
        core::whenReady(c, m_backend.chat().stop(id), [this, c, r, caller, id](QFuture<bool>) {
            respondWhenDone(c, r, caller, id);
        });
    });
}

void ApiServer::respondWhenDone(HttpConnection *c, const HttpRequest &r, const Caller &caller,
                                const QString &id)
{
    whenEnded(id, c, [this, c, r, caller, id](const auto &) { respondResponse(c, r, caller, id); });
}

void ApiServer::respondResponse(HttpConnection *c, const HttpRequest &r, const Caller &caller,
                                const QString &id)
{
    auto pending = m_backend.store().read([id](QSqlDatabase &db) {
        return std::pair(store::serve::replyWithPrevious(db, id), responseecho::ofReply(db, id));
    });
    using Read = std::pair<store::serve::Reply, QJsonObject>;
    core::whenReady(c, pending, [this, c, r, caller, id](QFuture<Read> f) {
        store::serve::Reply reply;
        QJsonObject echo;
        try {
            std::tie(reply, echo) = f.result();
        } catch (const std::exception &e) {
            return error(c, r, caller.token.name, 500, QString::fromUtf8(e.what()),
                         str("server_error"));
        }
        if (!reply.message)
            return error(c, r, caller.token.name, 404, QStringLiteral("No response %1.").arg(id),
                         str("not_found_error"));
        QString text = reply.message->content;
        if (domain::isLive(reply.message->status))
            if (const auto live = m_backend.liveTexts().text(id);
                live && live->size() > text.size())
                text = *live;
        json(c, r, caller.token.name,
             ResponseStream::responseObject(*reply.message, text, reply.previousId, false, echo));
    });
}

void ApiServer::streamResponse(HttpConnection *c, const HttpRequest &r, const Caller &caller,
                               const QString &id, qint64 startingAfter, int pollMs,
                               const std::optional<QJsonObject> &echo)
{
    if (!echo) {
        auto pending = m_backend.store().read(
            [id](QSqlDatabase &db) { return responseecho::ofReply(db, id); });
        core::whenReady(c, pending,
                        [this, c, r, caller, id, startingAfter, pollMs](QFuture<QJsonObject> f) {
                            QJsonObject read;
                            try {
                                read = f.result();
                            } catch (const std::exception &) {
                                // the stream's own read of the reply says what is wrong
                            }
                            streamResponse(c, r, caller, id, startingAfter, pollMs, read);
                        });
        return;
    }
    c->beginStream(200, "text/event-stream");
    ++m_streams;
    m_streaming.append(c);
    auto *stream = new ResponseStream(m_backend.chat(), *m_feed, id, startingAfter, c);
    stream->setPollInterval(pollMs);
    stream->setEcho(*echo);
    connect(stream, &ResponseStream::event, c, [c](const QByteArray &type, const QByteArray &json) {
        c->write("event: " + type + "\ndata: " + json + "\n\n");
    });
    connect(stream, &ResponseStream::finished, c, [this, c, r, caller] {
        c->endStream();
        if (m_streaming.removeAll(c) > 0)
            --m_streams;
        logLine(r.method, r.path, 200, c->elapsedMs(), caller.token.name);
    });
    connect(c, &HttpConnection::closed, this, [this, c] {
        if (m_streaming.removeAll(c) > 0)
            --m_streams;
    });
    stream->start();
}

void ApiServer::responsesSocket(QWebSocket *socket, const Caller &caller)
{
    // The WebSocket mode: each text message is {"type": "response.create", ...the body of
    // POST /v1/responses}; the events of the response come back as text messages, one response
    // at a time per socket (as the Open Responses WebSocket mode says).
    auto busy = std::make_shared<bool>(false);
    auto sendError = [socket](int status, const QString &message, const QString &type) {
        socket->sendTextMessage(QString::fromUtf8(
            QJsonDocument(
                QJsonObject{
                    {str("type"), str("error")},
                    {str("status"), status},
                    {str("error"), QJsonObject{{str("type"), type}, {str("message"), message}}}})
                .toJson(QJsonDocument::Compact)));
    };
    connect(socket, &QWebSocket::textMessageReceived, this,
            [this, socket, caller, busy, sendError](const QString &message) {
                if (message.size() > HttpConnection::MaxBodyBytes)
                    return sendError(413, str("The message is too large."),
                                     str("invalid_request_error"));
                QJsonParseError e{};
                const QJsonDocument doc = QJsonDocument::fromJson(message.toUtf8(), &e);
                if (e.error != QJsonParseError::NoError || !doc.isObject())
                    return sendError(400, str("The message is not a JSON object."),
                                     str("invalid_request_error"));
                QJsonObject body = doc.object();
                if (body.value(str("type")).toString() != u"response.create")
                    return sendError(400, str("Only “response.create” messages are served."),
                                     str("invalid_request_error"));
                if (body.value(str("response")).isObject())
                    body = body.value(str("response")).toObject();
                Submission s = fromResponses(body);
                if (!s.error.isEmpty())
                    return sendError(400, s.error, str("invalid_request_error"));
                if (*busy)
                    return sendError(409, str("A response is in progress on this socket."),
                                     str("invalid_request_error"));
                *busy = true;
                admit(caller, s.modelKey, socket,
                      [this, socket, caller, s, busy, sendError](const Refusal &refusal) {
                          if (refusal.status) {
                              *busy = false;
                              return sendError(refusal.status, refusal.message, refusal.type);
                          }
                          submitFor(
                              caller, s, socket,
                              [this, socket, busy, sendError, echo = s.echo](
                                  const chat::SendResult &sent, const QString &failure) {
                                  if (!failure.isEmpty()) {
                                      *busy = false;
                                      return sendError(400, failure, str("invalid_request_error"));
                                  }
                                  auto *stream = new ResponseStream(m_backend.chat(), *m_feed,
                                                                    sent.assistant.id, -1, socket);
                                  stream->setPollInterval(LocalPollMs);
                                  stream->setEcho(echo);
                                  connect(stream, &ResponseStream::event, socket,
                                          [socket](const QByteArray &, const QByteArray &json) {
                                              socket->sendTextMessage(QString::fromUtf8(json));
                                          });
                                  connect(stream, &ResponseStream::finished, socket,
                                          [stream, busy] {
                                              *busy = false;
                                              stream->deleteLater();
                                          });
                                  stream->start();
                              });
                      });
            });
    connect(socket, &QWebSocket::disconnected, socket, &QObject::deleteLater);
}

} // namespace arbor::serve
