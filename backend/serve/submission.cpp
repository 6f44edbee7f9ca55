#include "submission.h"

#include "responseecho.h"

#include "chat/clienttools.h"
#include "core/backend.h"
#include "core/whenready.h"
#include "domain/ids.h"
#include "domain/toolcall.h"
#include "store/store.h"

#include <QJsonArray>

namespace arbor::serve {

namespace {

QString str(const char *s)
{
    return QString::fromUtf8(s); // the messages quote with “ ”
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

/** @brief The output text of a tool: a string, or parts with "text". */
std::optional<QString> outputOf(const QJsonValue &output)
{
    if (output.isString())
        return output.toString();
    if (!output.isArray())
        return std::nullopt;
    QString text;
    for (const QJsonValue &part : output.toArray()) {
        const QJsonObject p = part.toObject();
        if (!p.value(str("text")).isString())
            return std::nullopt;
        text += p.value(str("text")).toString();
    }
    return text;
}

/** @brief A call as a client names it (Responses function_call, Chat Completions tool_calls). */
domain::ToolCall callFrom(const QString &id, const QJsonValue &name, const QJsonValue &arguments)
{
    domain::ToolCall c;
    c.id = id;
    c.name = name.toString();
    c.arguments = arguments.isString() ? arguments.toString() : str("{}");
    return c;
}

/** @brief Reads the turns of @p items (Responses input items, or Chat Completions messages with
 *  @p chat) into @p s: system prompt, history with tool calls and outputs, and the new user
 *  text, or a continuation when the input ends with tool outputs. */
QString readTurns(const QJsonArray &items, Submission &s, bool chat)
{
    QStringList system;
    QList<QList<domain::ToolCall>> calls; // per turn of s.history
    QList<std::pair<QString, QString>> outputs;
    bool endsWithOutput = false;
    auto assistantTurn = [&]() -> QList<domain::ToolCall> & {
        if (s.history.isEmpty() || s.history.constLast().role != u"assistant") {
            s.history.append({str("assistant"), QString()});
            calls.append(QList<domain::ToolCall>());
        }
        return calls.last();
    };
    for (qsizetype i = 0; i < items.size(); ++i) {
        const QJsonValue v = items[i];
        if (!v.isObject())
            return QStringLiteral("Message %1 is not an object.").arg(i);
        const QJsonObject m = v.toObject();
        const QString type = m.value(str("type")).toString(str("message"));
        endsWithOutput = false;
        if (!chat && type == u"function_call") {
            const QString id = m.value(str("call_id")).toString();
            if (id.isEmpty() || !m.value(str("name")).isString())
                return QStringLiteral("Input item %1 (function_call) needs “call_id” and “name”.")
                    .arg(i);
            QList<domain::ToolCall> &turnCalls = assistantTurn();
            turnCalls.append(callFrom(id, m.value(str("name")), m.value(str("arguments"))));
            turnCalls.last().at = s.history.constLast().text.size(); // after the turn's text
            continue;
        }
        if (!chat && type == u"function_call_output") {
            const QString id = m.value(str("call_id")).toString();
            const auto output = outputOf(m.value(str("output")));
            if (id.isEmpty() || !output)
                return QStringLiteral("Input item %1 (function_call_output) needs “call_id” and "
                                      "a text “output”.")
                    .arg(i);
            outputs.append({id, *output});
            endsWithOutput = true;
            continue;
        }
        if (!chat && type == u"reasoning")
            continue; // a client resending a reasoning item: the stored reply keeps its own
        if (type != u"message")
            return QStringLiteral("Input item %1 has type “%2”; messages, function_call and "
                                  "function_call_output are served.")
                .arg(i)
                .arg(type);
        const QString role = m.value(str("role")).toString();
        if (chat && role == u"tool") {
            const QString id = m.value(str("tool_call_id")).toString();
            const auto output = outputOf(m.value(str("content")));
            if (id.isEmpty() || !output)
                return QStringLiteral("Message %1 (tool) needs “tool_call_id” and text content.")
                    .arg(i);
            outputs.append({id, *output});
            endsWithOutput = true;
            continue;
        }
        const QJsonValue toolCalls = m.value(str("tool_calls"));
        const bool withCalls = chat && role == u"assistant" && toolCalls.isArray();
        const QJsonValue content = m.value(str("content"));
        auto text = withCalls && (content.isNull() || content.isUndefined())
            ? std::optional<QString>(QString())
            : textOf(content);
        if (!text)
            return QStringLiteral("Message %1 has content that is not text (only text is "
                                  "served).")
                .arg(i);
        if (role == u"system" || role == u"developer") {
            system.append(*text);
        } else if (role == u"user" || role == u"assistant") {
            s.history.append({role, *text});
            calls.append(QList<domain::ToolCall>());
        } else {
            return QStringLiteral("Message %1 has the role “%2”; system, developer, user, "
                                  "assistant%3 are served.")
                .arg(i)
                .arg(role, chat ? str(" and tool") : QString());
        }
        for (const QJsonValue &call : toolCalls.toArray()) {
            const QJsonObject c = call.toObject();
            const QJsonObject f = c.value(str("function")).toObject();
            if (c.value(str("id")).toString().isEmpty() || !f.value(str("name")).isString())
                return QStringLiteral("Message %1 has a tool call without “id” or a function "
                                      "name.")
                    .arg(i);
            calls.last().append(callFrom(c.value(str("id")).toString(), f.value(str("name")),
                                         f.value(str("arguments"))));
            calls.last().last().at = text->size(); // after the message's text
        }
    }
    // Each output goes on its call: in the resent history, else on previous_response_id's.
    for (const auto &[id, output] : outputs) {
        bool found = false;
        for (qsizetype t = calls.size() - 1; t >= 0 && !found; --t) {
            for (qsizetype k = 0; k < calls.at(t).size() && !found; ++k) {
                if (store::serve::callId(calls.at(t).at(k).id, k) != id)
                    continue;
                domain::ToolCall &c = calls[t][k];
                c.status = domain::ToolCall::Done;
                c.result = output;
                c.startedAt = c.finishedAt = domain::nowMs();
                found = true;
            }
        }
        if (!found) {
            if (s.parentId.isEmpty())
                return QStringLiteral("No call “%1” precedes its output (send the call, or "
                                      "previous_response_id).")
                    .arg(id);
            s.outputs.insert(id, output);
        }
    }
    for (qsizetype t = 0; t < calls.size(); ++t)
        s.history[t].toolCalls = domain::toolcalls::toText(calls.at(t));
    if (!system.isEmpty())
        s.settings.insert(str("system_prompt"), system.join(str("\n\n")));
    if (endsWithOutput) {
        s.continuation = true;
        return {};
    }
    if (s.history.isEmpty() || s.history.constLast().role != u"user")
        return chat ? str("The last message must be from the user or a tool.")
                    : str("The input must end with a user message or function_call_output items.");
    s.text = s.history.takeLast().text;
    return {};
}

/** @brief Reads "tools" and "tool_choice" (function tools only) into the job options: the
 *  Responses form ({"type":"function","name",...}) or, with @p chat, Chat Completions'
 *  ({"type":"function","function":{"name",...}}). */
QString readTools(const QJsonObject &body, Submission &s, bool chat)
{
    const QJsonValue tools = body.value(str("tools"));
    if (tools.isUndefined() || tools.isNull())
        return {};
    if (!tools.isArray())
        return QStringLiteral("“tools” must be an array.");
    QJsonArray out;
    for (qsizetype i = 0; i < tools.toArray().size(); ++i) {
        const QJsonObject t = tools.toArray().at(i).toObject();
        if (t.value(str("type")).toString() != u"function")
            return QStringLiteral("Tool %1 has type “%2”; only function tools are served.")
                .arg(i)
                .arg(t.value(str("type")).toString());
        const QJsonObject f = chat ? t.value(str("function")).toObject() : t;
        const QString name = f.value(str("name")).toString();
        if (name.isEmpty())
            return QStringLiteral("Tool %1 has no name.").arg(i);
        const QJsonValue parameters = f.value(str("parameters"));
        if (!parameters.isUndefined() && !parameters.isNull() && !parameters.isObject())
            return QStringLiteral("The parameters of tool “%1” must be a JSON Schema object.")
                .arg(name);
        llm::ToolSpec spec;
        spec.name = name;
        spec.description = f.value(str("description")).toString();
        spec.inputSchema = parameters.toObject();
        spec.strict = f.value(str("strict")).toBool();
        out.append(chat::clienttools::toJson(spec));
    }
    if (out.isEmpty())
        return {};
    s.options.insert(QLatin1String(chat::clienttools::ToolsKey), out);
    const QJsonValue choice = body.value(str("tool_choice"));
    if (choice.isUndefined() || choice.isNull())
        return {};
    if (choice.isString()) {
        const QString word = choice.toString();
        if (word != u"auto" && word != u"none" && word != u"required")
            return QStringLiteral(
                "“tool_choice” must be “auto”, “none”, “required” or a function.");
        s.options.insert(QLatin1String(chat::clienttools::ChoiceKey), word);
        return {};
    }
    const QJsonObject c = choice.toObject();
    const QString name = chat ? c.value(str("function")).toObject().value(str("name")).toString()
                              : c.value(str("name")).toString();
    if (c.value(str("type")).toString() != u"function" || name.isEmpty())
        return QStringLiteral("“tool_choice” must be “auto”, “none”, “required” or a function.");
    s.options.insert(QLatin1String(chat::clienttools::ChoiceKey), QJsonObject{{str("name"), name}});
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
    s.error = readTools(body, s, true);
    if (s.error.isEmpty())
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
    s.error = readTools(body, s, false);
    if (s.error.isEmpty())
        s.error = readTurns(items, s, false);
    if (!s.error.isEmpty())
        return s;
    if (const QJsonValue i = body.value(str("instructions")); i.isString())
        s.settings.insert(str("system_prompt"), i.toString());
    s.echo = responseecho::fromRequest(body);
    if (!s.echo.isEmpty())
        s.options.insert(QLatin1String(responseecho::Key), s.echo);
    return s;
}

void submit(core::Backend &backend, const Submission &s, const QString &tokenId, QObject *context,
            std::function<void(const chat::SendResult &, const QString &)> done,
            std::function<void(const QString &conversationId)> placed)
{
    QString error = s.continuation ? QString() : chat::ChatService::validate(s.text);
    for (const auto &turn : s.history)
        if (error.isEmpty() && turn.text.size() > chat::ChatService::MaxMessageLength)
            error = str("A message of the history is too long.");
    if (!error.isEmpty()) {
        done({}, error);
        return;
    }
    core::Backend *b = &backend;
    const QString title = chat::ChatService::titleFor(
        s.history.isEmpty() ? (s.text.isEmpty() ? str("Tool outputs") : s.text)
                            : s.history.constFirst().text);
    // Each step continues on the context's thread: never wait for the writer on the writer.
    // Tool outputs for previous_response_id's calls are stored in the same transaction.
    auto stored = backend.store().write([s, title, tokenId](QSqlDatabase &db) {
        const store::serve::Place place =
            store::serve::placeHistory(db, tokenId, s.conversationId, s.parentId, s.history, title);
        if (!s.outputs.isEmpty())
            store::serve::storeOutputs(db, s.parentId, s.outputs);
        return place;
    });
    core::whenReady(
        context, stored, [b, s, tokenId, context, done, placed](QFuture<store::serve::Place> f) {
            store::serve::Place place;
            try {
                place = f.result();
            } catch (const std::exception &e) {
                done({}, QString::fromUtf8(e.what()));
                return;
            }
            if (placed) // before the send makes its messages (and their events)
                placed(place.conversationId);
            QFuture<chat::SendResult> sending;
            if (s.continuation) {
                // The outputs are on the calls: the model answers the path as it is.
                sending = b->chat().replyUnder(place.parentId, s.modelKey, s.options, s.settings);
            } else {
                chat::SendRequest request;
                request.conversationId = place.conversationId;
                request.parentId = place.parentId;
                request.text = s.text;
                request.modelKey = s.modelKey;
                request.settings = s.settings;
                request.options = s.options;
                sending = b->chat().send(request);
            }
            core::whenReady(
                context, sending, [b, tokenId, done](QFuture<chat::SendResult> sentFuture) {
                    chat::SendResult sent;
                    try {
                        sent = sentFuture.result();
                    } catch (const std::exception &e) {
                        done({}, QString::fromUtf8(e.what()));
                        return;
                    }
                    b->store().post([id = sent.assistant.id, tokenId](QSqlDatabase &db) {
                        store::serve::tagReply(db, id, tokenId);
                    });
                    done(sent, {});
                });
        });
}

} // namespace arbor::serve
