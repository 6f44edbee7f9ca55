#include "toolformats.h"

#include "reasoningdata.h"

#include <QJsonDocument>

namespace arbor::llm::toolformats {

QJsonObject argumentsObject(const ToolExchange &call)
{
    return QJsonDocument::fromJson(call.arguments.toUtf8()).object();
}

QJsonArray openAiMessages(const QList<ChatTurn> &turns)
{
    QJsonArray messages;
    for (const ChatTurn &t : turns) {
        if (t.toolCalls.isEmpty()) {
            messages.append(QJsonObject{{QStringLiteral("role"), t.role},
                                        {QStringLiteral("content"), t.content}});
            continue;
        }
        QJsonArray calls;
        for (const ToolExchange &c : t.toolCalls)
            calls.append(QJsonObject{
                {QStringLiteral("id"), c.id},
                {QStringLiteral("type"), QStringLiteral("function")},
                {QStringLiteral("function"),
                 QJsonObject{{QStringLiteral("name"), c.name},
                             {QStringLiteral("arguments"),
                              c.arguments.isEmpty() ? QStringLiteral("{}") : c.arguments}}}});
        messages.append(QJsonObject{
            {QStringLiteral("role"), QStringLiteral("assistant")},
            {QStringLiteral("content"),
             t.content.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(t.content)},
            {QStringLiteral("tool_calls"), calls}});
        for (const ToolExchange &c : t.toolCalls)
            messages.append(QJsonObject{{QStringLiteral("role"), QStringLiteral("tool")},
                                        {QStringLiteral("tool_call_id"), c.id},
                                        {QStringLiteral("content"), c.result}});
    }
    return messages;
}

QJsonArray openAiTools(const QList<ToolSpec> &tools)
{
    QJsonArray out;
    for (const ToolSpec &t : tools) {
        QJsonObject parameters = t.inputSchema;
        if (parameters.isEmpty())
            parameters.insert(QStringLiteral("type"), QStringLiteral("object"));
        out.append(QJsonObject{{QStringLiteral("type"), QStringLiteral("function")},
                               {QStringLiteral("function"),
                                QJsonObject{{QStringLiteral("name"), t.name},
                                            {QStringLiteral("description"), t.description},
                                            {QStringLiteral("parameters"), parameters}}}});
        if (t.strict) {
            QJsonObject tool = out.last().toObject();
            QJsonObject function = tool.value(QStringLiteral("function")).toObject();
            function.insert(QStringLiteral("strict"), true);
            tool.insert(QStringLiteral("function"), function);
            out.replace(out.size() - 1, tool);
        }
    }
    return out;
}

namespace {
/** @brief The tool a choice names ({"name": tool}), or "". */
QString chosenName(const QJsonValue &choice)
{
    return choice.toObject().value(QStringLiteral("name")).toString();
}
} // namespace

QJsonValue openAiToolChoice(const QJsonValue &choice)
{
    if (choice.isString())
        return choice;
    if (const QString name = chosenName(choice); !name.isEmpty())
        return QJsonObject{
            {QStringLiteral("type"), QStringLiteral("function")},
            {QStringLiteral("function"), QJsonObject{{QStringLiteral("name"), name}}}};
    return QJsonValue(QJsonValue::Undefined);
}

QJsonValue anthropicToolChoice(const QJsonValue &choice)
{
    const QString word = choice.toString();
    if (word == u"auto" || word == u"none")
        return QJsonObject{{QStringLiteral("type"), word}};
    if (word == u"required")
        return QJsonObject{{QStringLiteral("type"), QStringLiteral("any")}};
    if (const QString name = chosenName(choice); !name.isEmpty())
        return QJsonObject{{QStringLiteral("type"), QStringLiteral("tool")},
                           {QStringLiteral("name"), name}};
    return QJsonValue(QJsonValue::Undefined);
}

QJsonValue geminiToolConfig(const QJsonValue &choice)
{
    const QString word = choice.toString();
    QJsonObject config;
    if (word == u"auto")
        config.insert(QStringLiteral("mode"), QStringLiteral("AUTO"));
    else if (word == u"none")
        config.insert(QStringLiteral("mode"), QStringLiteral("NONE"));
    else if (word == u"required")
        config.insert(QStringLiteral("mode"), QStringLiteral("ANY"));
    else if (const QString name = chosenName(choice); !name.isEmpty())
        config = {{QStringLiteral("mode"), QStringLiteral("ANY")},
                  {QStringLiteral("allowedFunctionNames"), QJsonArray{name}}};
    else
        return QJsonValue(QJsonValue::Undefined);
    return QJsonObject{{QStringLiteral("functionCallingConfig"), config}};
}

QJsonArray ollamaMessages(const QList<ChatTurn> &turns)
{
    QJsonArray messages;
    for (const ChatTurn &t : turns) {
        QJsonObject m{{QStringLiteral("role"), t.role}, {QStringLiteral("content"), t.content}};
        if (t.toolCalls.isEmpty()) {
            messages.append(m);
            continue;
        }
        QJsonArray calls;
        for (const ToolExchange &c : t.toolCalls)
            calls.append(
                QJsonObject{{QStringLiteral("function"),
                             QJsonObject{{QStringLiteral("name"), c.name},
                                         {QStringLiteral("arguments"), argumentsObject(c)}}}});
        m.insert(QStringLiteral("tool_calls"), calls);
        messages.append(m);
        for (const ToolExchange &c : t.toolCalls)
            messages.append(QJsonObject{{QStringLiteral("role"), QStringLiteral("tool")},
                                        {QStringLiteral("content"), c.result},
                                        {QStringLiteral("tool_name"), c.name}});
    }
    return messages;
}

QJsonArray anthropicTools(const QList<ToolSpec> &tools)
{
    QJsonArray out;
    for (const ToolSpec &t : tools) {
        QJsonObject schema = t.inputSchema;
        if (schema.isEmpty())
            schema.insert(QStringLiteral("type"), QStringLiteral("object"));
        out.append(QJsonObject{{QStringLiteral("name"), t.name},
                               {QStringLiteral("description"), t.description},
                               {QStringLiteral("input_schema"), schema}});
    }
    return out;
}

QJsonArray anthropicToolUses(const ChatTurn &turn)
{
    QJsonArray blocks;
    for (const ToolExchange &c : turn.toolCalls)
        blocks.append(QJsonObject{{QStringLiteral("type"), QStringLiteral("tool_use")},
                                  {QStringLiteral("id"), c.id},
                                  {QStringLiteral("name"), c.name},
                                  {QStringLiteral("input"), argumentsObject(c)}});
    return blocks;
}

QJsonObject anthropicToolResults(const ChatTurn &turn)
{
    QJsonArray blocks;
    for (const ToolExchange &c : turn.toolCalls) {
        QJsonObject r{{QStringLiteral("type"), QStringLiteral("tool_result")},
                      {QStringLiteral("tool_use_id"), c.id},
                      {QStringLiteral("content"), c.result}};
        if (c.isError)
            r.insert(QStringLiteral("is_error"), true);
        blocks.append(r);
    }
    return {{QStringLiteral("role"), QStringLiteral("user")}, {QStringLiteral("content"), blocks}};
}

QJsonArray geminiTools(const QList<ToolSpec> &tools)
{
    QJsonArray declarations;
    for (const ToolSpec &t : tools) {
        QJsonObject schema = t.inputSchema;
        if (schema.isEmpty())
            schema.insert(QStringLiteral("type"), QStringLiteral("object"));
        declarations.append(QJsonObject{{QStringLiteral("name"), t.name},
                                        {QStringLiteral("description"), t.description},
                                        {QStringLiteral("parametersJsonSchema"), schema}});
    }
    return {QJsonObject{{QStringLiteral("functionDeclarations"), declarations}}};
}

QJsonArray geminiCallParts(const ChatTurn &turn)
{
    QHash<int, QString> signatures;
    if (turn.reasoningData.value(u"format").toString() == reasoningdata::Gemini) {
        for (const QJsonValue &v : turn.reasoningData.value(u"parts").toArray()) {
            const QJsonObject part = v.toObject();
            if (part.value(u"type").toString() == u"function_call")
                signatures.insert(part.value(u"call").toInt(-1),
                                  part.value(u"signature").toString());
        }
    }
    QJsonArray parts;
    for (const ToolExchange &c : turn.toolCalls) {
        QJsonObject part{{QStringLiteral("functionCall"),
                          QJsonObject{{QStringLiteral("name"), c.name},
                                      {QStringLiteral("args"), argumentsObject(c)}}}};
        if (const QString s = signatures.value(c.index); !s.isEmpty())
            part.insert(QStringLiteral("thoughtSignature"), s);
        parts.append(part);
    }
    return parts;
}

QJsonObject geminiResponses(const ChatTurn &turn)
{
    QJsonArray parts;
    for (const ToolExchange &c : turn.toolCalls)
        parts.append(QJsonObject{{QStringLiteral("functionResponse"),
                                  QJsonObject{{QStringLiteral("name"), c.name},
                                              {QStringLiteral("response"),
                                               QJsonObject{{c.isError ? QStringLiteral("error")
                                                                      : QStringLiteral("result"),
                                                            c.result}}}}}});
    return {{QStringLiteral("role"), QStringLiteral("user")}, {QStringLiteral("parts"), parts}};
}

} // namespace arbor::llm::toolformats
