#include "responseecho.h"

#include "jobs/jobqueries.h"

#include <QJsonArray>

namespace arbor::serve::responseecho {

namespace {

QString str(const char *s)
{
    return QString::fromLatin1(s);
}

/** @brief The echoed fields and their defaults in the Responses API's response object. */
QJsonObject defaults()
{
    return {{str("tools"), QJsonArray()},
            {str("tool_choice"), str("auto")},
            {str("parallel_tool_calls"), true},
            {str("temperature"), 1.0},
            {str("top_p"), 1.0},
            {str("max_output_tokens"), QJsonValue()},
            {str("max_tool_calls"), QJsonValue()},
            {str("instructions"), QJsonValue()},
            {str("background"), false},
            {str("store"), true},
            {str("truncation"), str("disabled")},
            {str("top_logprobs"), 0},
            {str("service_tier"), str("default")},
            {str("text"), QJsonObject{{str("format"), QJsonObject{{str("type"), str("text")}}}}},
            {str("reasoning"),
             QJsonObject{{str("effort"), QJsonValue()}, {str("summary"), QJsonValue()}}}};
}

} // namespace

QJsonObject fromRequest(const QJsonObject &body)
{
    QJsonObject echo;
    const QJsonObject all = defaults();
    for (auto it = all.begin(); it != all.end(); ++it) {
        const QJsonValue v = body.value(it.key());
        if (!v.isUndefined() && !v.isNull())
            echo.insert(it.key(), v);
    }
    return echo;
}

QJsonObject withDefaults(const QJsonObject &echo)
{
    QJsonObject out = defaults();
    for (auto it = echo.begin(); it != echo.end(); ++it)
        if (out.contains(it.key()))
            out.insert(it.key(), it.value());
    return out;
}

QJsonObject ofReply(const QSqlDatabase &db, const QString &messageId)
{
    const QList<jobs::Job> found = jobs::queries::forSubject(db, messageId);
    if (found.isEmpty())
        return {};
    return found.constFirst()
        .payload.value(QLatin1String("options"))
        .toObject()
        .value(QLatin1String(Key))
        .toObject();
}

} // namespace arbor::serve::responseecho
