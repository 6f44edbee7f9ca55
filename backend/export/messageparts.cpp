#include "messageparts.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

namespace arbor::exports {

QList<ContentPart> contentParts(const domain::Message &m)
{
    QList<domain::ToolCall> calls = domain::toolcalls::parse(m.toolCalls);
    std::stable_sort(
        calls.begin(), calls.end(),
        [](const domain::ToolCall &a, const domain::ToolCall &b) { return a.at < b.at; });
    QList<ContentPart> parts;
    const QString &text = m.content;
    qsizetype from = 0;
    for (domain::ToolCall &call : calls) {
        qsizetype at = std::clamp<qsizetype>(call.at, from, text.size());
        // Never between the two halves of a surrogate pair: a run must be valid text on its own.
        if (at > 0 && at < text.size() && text.at(at - 1).isHighSurrogate()
            && text.at(at).isLowSurrogate())
            ++at;
        if (at > from)
            parts.append({text.mid(from, at - from), std::nullopt});
        parts.append({QString(), std::move(call)});
        from = at;
    }
    if (from < text.size())
        parts.append({text.mid(from), std::nullopt});
    return parts;
}

domain::MessageStatus exportedStatus(domain::MessageStatus status)
{
    return domain::isLive(status) ? domain::MessageStatus::Interrupted : status;
}

QString isoTimestamp(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
}

QJsonObject settingsObject(const QString &json)
{
    if (json.isEmpty())
        return {};
    return QJsonDocument::fromJson(json.toUtf8()).object();
}

} // namespace arbor::exports
