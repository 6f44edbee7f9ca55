#include "toolcall.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace arbor::domain::toolcalls {

namespace {

const QLatin1StringView Known[] = {QLatin1StringView("id"),         QLatin1StringView("name"),
                                   QLatin1StringView("arguments"),  QLatin1StringView("at"),
                                   QLatin1StringView("status"),     QLatin1StringView("result"),
                                   QLatin1StringView("is_error"),   QLatin1StringView("started_at"),
                                   QLatin1StringView("finished_at")};

} // namespace

QList<ToolCall> parse(const QString &json)
{
    if (json.isEmpty())
        return {};
    const QJsonDocument doc = QJsonDocument::fromJson(json.toUtf8());
    QList<ToolCall> out;
    for (const QJsonValue &v : doc.array()) {
        if (!v.isObject())
            continue;
        QJsonObject o = v.toObject();
        ToolCall c;
        c.id = o.value(u"id").toString();
        c.name = o.value(u"name").toString();
        c.arguments = o.value(u"arguments").toString();
        c.at = std::max<qint64>(0, o.value(u"at").toInteger());
        c.status = o.value(u"status").toString(ToolCall::Requested);
        c.result = o.value(u"result").toString();
        c.isError = o.value(u"is_error").toBool();
        c.startedAt = o.value(u"started_at").toInteger();
        c.finishedAt = o.value(u"finished_at").toInteger();
        for (const QLatin1StringView key : Known)
            o.remove(key);
        c.other = o;
        out.append(std::move(c));
    }
    return out;
}

QJsonObject toJson(const ToolCall &c)
{
    QJsonObject o = c.other;
    o.insert(QStringLiteral("id"), c.id);
    o.insert(QStringLiteral("name"), c.name);
    o.insert(QStringLiteral("arguments"), c.arguments);
    o.insert(QStringLiteral("at"), c.at);
    o.insert(QStringLiteral("status"), c.status);
    if (!c.result.isEmpty())
        o.insert(QStringLiteral("result"), c.result);
    if (c.isError)
        o.insert(QStringLiteral("is_error"), true);
    if (c.startedAt > 0)
        o.insert(QStringLiteral("started_at"), c.startedAt);
    if (c.finishedAt > 0)
        o.insert(QStringLiteral("finished_at"), c.finishedAt);
    return o;
}

QString toText(const QList<ToolCall> &calls)
{
    if (calls.isEmpty())
        return {};
    QJsonArray array;
    for (const ToolCall &c : calls)
        array.append(toJson(c));
    return QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Compact));
}

} // namespace arbor::domain::toolcalls
