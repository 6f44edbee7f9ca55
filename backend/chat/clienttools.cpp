#include "clienttools.h"

namespace arbor::chat::clienttools {

QJsonObject toJson(const llm::ToolSpec &tool)
{
    QJsonObject o{{QStringLiteral("name"), tool.name},
                  {QStringLiteral("description"), tool.description},
                  {QStringLiteral("parameters"), tool.inputSchema}};
    if (tool.strict)
        o.insert(QStringLiteral("strict"), true);
    return o;
}

void apply(llm::ChatRequest &request)
{
    const QString toolsKey = QLatin1String(ToolsKey);
    const QString choiceKey = QLatin1String(ChoiceKey);
    if (request.options.contains(toolsKey)) {
        const QJsonArray tools =
            QJsonArray::fromVariantList(request.options.take(toolsKey).toList());
        for (const QJsonValue &v : tools) {
            const QJsonObject t = v.toObject();
            llm::ToolSpec spec;
            spec.name = t.value(QStringLiteral("name")).toString();
            spec.description = t.value(QStringLiteral("description")).toString();
            spec.inputSchema = t.value(QStringLiteral("parameters")).toObject();
            spec.strict = t.value(QStringLiteral("strict")).toBool();
            request.tools.append(spec);
        }
    }
    if (request.options.contains(choiceKey))
        request.toolChoice = QJsonValue::fromVariant(request.options.take(choiceKey));
}

} // namespace arbor::chat::clienttools
