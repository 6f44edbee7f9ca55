#pragma once

#include "domain/message.h"
#include "domain/toolcall.h"

#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

namespace arbor::exports {

/** @brief A piece of a message's answer: a run of its text, or a tool call made there. */
struct ContentPart
{
    QString text;                         ///< when not a call
    std::optional<domain::ToolCall> call; ///< when a call
};

/** @brief The message's text cut where its tool calls were made (`at`, in order; a position past
 *  the end is the end), calls between the runs; empty runs are left out. */
QList<ContentPart> contentParts(const domain::Message &message);

/** @brief The status an export writes: a reply still queued or streaming is written as
 *  interrupted (what it has so far is all the file will ever have). */
domain::MessageStatus exportedStatus(domain::MessageStatus status);

/** @brief UTC with milliseconds: 2026-12-06T14:03:07.123Z. */
QString isoTimestamp(qint64 ms);

/** @brief The settings JSON of a conversation as an object ({} when empty or not an object). */
QJsonObject settingsObject(const QString &json);

} // namespace arbor::exports
