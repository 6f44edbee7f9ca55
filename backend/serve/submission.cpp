#include "submission.h"

#include "core/backend.h"
#include "core/whenready.h"
#include "store/store.h"

#include <QJsonArray>

namespace arbor::serve {

namespace {

QString str(const char *s)
{
    return QString::fromLatin1(s);
}

/** @brief The text of a message's content: a string, or parts with "text". */
std::optional<QString> textOf(const QJsonValue &content)
{
    if (content.isString())
        return content.toString();
    if (!content.isArray())
        return std::nullopt;
    QString text;
    for (const QJsonValue &part : content.toArray()) {
        const QJsonObject p = part.toObject();
        const QString type = p.value(str("type")).toString();
        if (type != u"text" && type != u"input_text" && type != u"output_text")
            return std::nullopt;
        text += p.value(str("text")).toString();
    }
    return text;
}

/** @brief Common parameters; returns an error text or "". */
QString readCommon(const QJsonObject &body, Submission &s, const char *maxTokensKey)
{
    const QJsonValue model = body.value(str("model"));
    if (!model.isUndefined() && !model.isString())
        return str("“model” must be a string such as “demo/demo”.");
    s.modelKey = model.toString();
    const QJsonValue stream = body.value(str("stream"));
    if (!stream.isUndefined() && !stream.isNull() && !stream.isBool())
        return str("“stream” must be true or false.");
    s.stream = stream.toBool();
    if (const QJsonValue t = body.value(str("temperature")); !t.isUndefined() && !t.isNull()) {
        if (!t.isDouble())
            return str("“temperature” must be a number.");
        s.settings.insert(str("temperature"), t.toDouble());
    }
    for (const char *key : {maxTokensKey, "max_tokens"}) {
        if (const QJsonValue m = body.value(str(key)); !m.isUndefined() && !m.isNull()) {
            if (!m.isDouble() || m.toDouble() != double(qint64(m.toDouble())))
                return QStringLiteral("“%1” must be a whole number.").arg(str(key));
            s.settings.insert(str("max_tokens"), qint64(m.toDouble()));
            break;
        }
    }
    const QJsonValue metadata = body.value(str("metadata"));
    if (!metadata.isUndefined() && !metadata.isNull() && !metadata.isObject())
        return str("“metadata” must be an object.");
    s.conversationId = metadata.toObject().value(str("arbor_conversation_id")).toString();
    return {};
}

/** @brief Turns messages into system prompt, history and the new text. */
QString readTurns(const QJsonArray &messages, Submission &s, bool allowEmptyHistory)
{
    QStringList system;
    for (qsizetype i = 0; i < messages.size(); ++i) {
        const QJsonValue v = messages[i];
        if (!v.isObject())
            return QStringLiteral("Message %1 is not an object.").arg(i);
        const QJsonObject m = v.toObject();
        const QString type = m.value(str("type")).toString(str("message"));
        if (type != u"message")
            return QStringLiteral("Input item %1 has type “%2”; only messages are served.")
                .arg(i)
                .arg(type);
        const QString role = m.value(str("role")).toString();
        const auto text = textOf(m.value(str("content")));
        if (!text)
            return QStringLiteral("Message %1 has content that is not text (only text is "
                                  "served).")
                .arg(i);
        if (role == u"system" || role == u"developer")
            system.append(*text);
        else if (role == u"user" || role == u"assistant")
            s.history.append({role, *text});
        else
            return QStringLiteral("Message %1 has the role “%2”; system, developer, user and "
                                  "assistant are served.")
                .arg(i)
                .arg(role);
    }
    if (s.history.isEmpty() || s.history.constLast().role != u"user")
        return str("The last message must be from the user.");
    Q_UNUSED(allowEmptyHistory)
    s.text = s.history.takeLast().text;
    if (!system.isEmpty())
        s.settings.insert(str("system_prompt"), system.join(str("\n\n")));
    return {};
}

} // namespace

Submission fromChatCompletions(const QJsonObject &body)
{
    Submission s;
    s.error = readCommon(body, s, "max_completion_tokens");
    if (!s.error.isEmpty())
        return s;
    if (s.modelKey.isEmpty()) {
        s.error = str("“model” is required (GET /v1/models lists them).");
        return s;
    }
    const QJsonValue messages = body.value(str("messages"));
    if (!messages.isArray() || messages.toArray().isEmpty()) {
        s.error = str("“messages” must be a non-empty array.");
        return s;
    }
    s.includeUsage =
        body.value(str("stream_options")).toObject().value(str("include_usage")).toBool();
    s.error = readTurns(messages.toArray(), s, true);
    return s;
}

Submission fromResponses(const QJsonObject &body)
{
    Submission s;
    s.error = readCommon(body, s, "max_output_tokens");
    if (!s.error.isEmpty())
        return s;
    const QJsonValue previous = body.value(str("previous_response_id"));
    if (!previous.isUndefined() && !previous.isNull() && !previous.isString()) {
        s.error = str("“previous_response_id” must be a string.");
        return s;
    }
    s.parentId = previous.toString();
    if (s.modelKey.isEmpty() && s.parentId.isEmpty()) {
        s.error = str("“model” is required (GET /v1/models lists them).");
        return s;
    }
    const QJsonValue background = body.value(str("background"));
    if (!background.isUndefined() && !background.isNull() && !background.isBool()) {
        s.error = str("“background” must be true or false.");
        return s;
    }
    s.background = background.toBool();
    const QJsonValue input = body.value(str("input"));
    QJsonArray items;
    if (input.isString())
        items.append(QJsonObject{{str("role"), str("user")}, {str("content"), input}});
    else if (input.isArray())
        items = input.toArray();
    else {
        s.error = str("“input” must be a string or an array of messages.");
        return s;
    }
    s.error = readTurns(items, s, true);
    if (!s.error.isEmpty())
        return s;
    if (const QJsonValue i = body.value(str("instructions")); i.isString())
        s.settings.insert(str("system_prompt"), i.toString());
    return s;
}

void submit(core::Backend &backend, const Submission &s, const QString &tokenId, QObject *context,
            std::function<void(const chat::SendResult &, const QString &)> done,
            std::function<void(const QString &conversationId)> placed)
{
    QString error = chat::ChatService::validate(s.text);
    for (const auto &turn : s.history)
        if (error.isEmpty() && turn.text.size() > chat::ChatService::MaxMessageLength)
            error = str("A message of the history is too long.");
    if (!error.isEmpty()) {
        done({}, error);
        return;
    }
    core::Backend *b = &backend;
    const QString title =
        chat::ChatService::titleFor(s.history.isEmpty() ? s.text : s.history.constFirst().text);
    // Each step continues on the context's thread: never wait for the writer on the writer.
    auto pending = backend.store().write([s, title, tokenId](QSqlDatabase &db) {
        return store::serve::placeHistory(db, tokenId, s.conversationId, s.parentId, s.history,
                                          title);
    });
    core::whenReady(context, pending,
                    [b, s, tokenId, context, done, placed](QFuture<store::serve::Place> f) {
                        store::serve::Place place;
                        try {
                            place = f.result();
                        } catch (const std::exception &e) {
                            done({}, QString::fromUtf8(e.what()));
                            return;
                        }
                        if (placed) // before the send makes its messages (and their events)
                            placed(place.conversationId);
                        chat::SendRequest request;
                        request.conversationId = place.conversationId;
                        request.parentId = place.parentId;
                        request.text = s.text;
                        request.modelKey = s.modelKey;
                        request.settings = s.settings;
                        core::whenReady(context, b->chat().send(request),
                                        [b, tokenId, done](QFuture<chat::SendResult> sentFuture) {
                                            chat::SendResult sent;
                                            try {
                                                sent = sentFuture.result();
                                            } catch (const std::exception &e) {
                                                done({}, QString::fromUtf8(e.what()));
                                                return;
                                            }
                                            b->store().post([id = sent.assistant.id,
                                                             tokenId](QSqlDatabase &db) {
                                                store::serve::tagReply(db, id, tokenId);
                                            });
                                            done(sent, {});
                                        });
                    });
}

} // namespace arbor::serve
