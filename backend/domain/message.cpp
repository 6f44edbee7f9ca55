#include "message.h"

namespace arbor::domain {

QString toString(MessageStatus status)
{
    switch (status) {
    case MessageStatus::Queued: return QStringLiteral("queued");
    case MessageStatus::Streaming: return QStringLiteral("streaming");
    case MessageStatus::Complete: return QStringLiteral("complete");
    case MessageStatus::Cancelled: return QStringLiteral("cancelled");
    case MessageStatus::Error: return QStringLiteral("error");
    case MessageStatus::Interrupted: return QStringLiteral("interrupted");
    }
    return QStringLiteral("error");
}

MessageStatus messageStatusFromString(const QString &text)
{
    if (text == u"queued") return MessageStatus::Queued;
    if (text == u"streaming") return MessageStatus::Streaming;
    if (text == u"complete") return MessageStatus::Complete;
    if (text == u"cancelled") return MessageStatus::Cancelled;
    if (text == u"interrupted") return MessageStatus::Interrupted;
    return MessageStatus::Error;
}

bool isLive(MessageStatus status)
{
    return status == MessageStatus::Queued || status == MessageStatus::Streaming;
}

} // namespace arbor::domain
