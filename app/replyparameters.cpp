#include "replyparameters.h"

#include <QJsonDocument>
#include <QLocale>

namespace arbor::app {

QString parametersSuffix(const QJsonObject &parameters)
{
    QString text;
    if (const QJsonValue t = parameters.value(u"temperature"); t.isDouble())
        text += QStringLiteral(" · t=%1").arg(QLocale().toString(t.toDouble()));
    if (const QJsonValue n = parameters.value(u"max_tokens"); n.isDouble())
        text += QStringLiteral(" · ≤%1 tok").arg(QLocale().toString(qint64(n.toDouble())));
    if (const QJsonValue n = parameters.value(u"thinking_budget"); n.isDouble())
        text += QStringLiteral(" · think ≤%1").arg(QLocale().toString(qint64(n.toDouble())));
    return text;
}

QString parametersSuffix(const QString &paramsJson)
{
    if (paramsJson.isEmpty())
        return {};
    return parametersSuffix(QJsonDocument::fromJson(paramsJson.toUtf8()).object());
}

} // namespace arbor::app
