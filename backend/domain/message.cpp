#include "message.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace arbor::domain {

QString toString(MessageStatus status)
{
    switch (status) {
    case MessageStatus::Queued:
        return QStringLiteral("queued");
    case MessageStatus::Streaming:
        return QStringLiteral("streaming");
    case MessageStatus::Complete:
        return QStringLiteral("complete");
    case MessageStatus::Cancelled:
        return QStringLiteral("cancelled");
    case MessageStatus::Error:
        return QStringLiteral("error");
    case MessageStatus::Interrupted:
        return QStringLiteral("interrupted");
    }
    return QStringLiteral("error");
}

MessageStatus messageStatusFromString(const QString &text)
{
    if (text == u"queued")
        return MessageStatus::Queued;
    if (text == u"streaming")
        return MessageStatus::Streaming;
    if (text == u"complete")
        return MessageStatus::Complete;
    if (text == u"cancelled")
        return MessageStatus::Cancelled;
    if (text == u"interrupted")
        return MessageStatus::Interrupted;
    return MessageStatus::Error;
}

bool isLive(MessageStatus status)
{
    return status == MessageStatus::Queued || status == MessageStatus::Streaming;
}

QString withoutNul(QString text)
{
    if (text.contains(QChar(u'\0')))
        text.replace(QChar(u'\0'), QChar(NulReplacement));
    return text;
}

namespace {

QJsonValue withoutNul(const QJsonValue &value)
{
    if (value.isString())
        return domain::withoutNul(value.toString());
    if (value.isArray()) {
        QJsonArray out;
        for (const QJsonValue &v : value.toArray())
            out.append(withoutNul(v));
        return out;
    }
    if (value.isObject()) {
        QJsonObject out;
        const QJsonObject in = value.toObject();
        for (auto it = in.begin(); it != in.end(); ++it)
            out.insert(domain::withoutNul(it.key()), withoutNul(it.value()));
        return out;
    }
    return value;
}

} // namespace

QString withoutNulInJson(const QString &json)
{
    // Only JSON that spells U+0000 can hold it (a raw U+0000 is not valid JSON): skip the parse
    // otherwise.
    if (!json.contains(QLatin1String("\\u0000")) && !json.contains(QChar(u'\0')))
        return json;
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json.toUtf8(), &error);
    if (error.error != QJsonParseError::NoError)
        return withoutNul(json);
    const QJsonValue clean =
        withoutNul(doc.isArray() ? QJsonValue(doc.array()) : QJsonValue(doc.object()));
    return QString::fromUtf8(
        (clean.isArray() ? QJsonDocument(clean.toArray()) : QJsonDocument(clean.toObject()))
            .toJson(QJsonDocument::Compact));
}

} // namespace arbor::domain
