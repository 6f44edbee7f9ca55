#include "messagepolicy.h"

#include "domain/continuation.h"

namespace arbor::app {

MessageAction::Actions MessagePolicy::allowed(const domain::Message &message,
                                              std::optional<jobs::ErrorKind> lastFailure)
{
    using namespace MessageAction;
    // Copying, labelling, forking and deleting (which stops what it deletes) suit any message.
    Actions actions = Copy | CopyPlainText | Label | Fork | Delete;
    const bool live = domain::isLive(message.status);
    if (message.role == u"user")
        actions |= Edit; // an edit is a new sibling: the original and its replies stay
    if (message.role != u"assistant")
        return actions;
    // Nothing that makes a new branch beside a reply that is still being written.
    if (!live)
        actions |= Regenerate;
    // A reply that stopped early with some text can be carried on from that text, and one that
    // stopped at the limit on rounds of tool calls goes on for more rounds.
    if (domain::canContinue(message))
        actions |= Continue;
    if (message.status == domain::MessageStatus::Error) {
        actions |= Retry;
        if (fixedInSettings(lastFailure))
            actions |= OpenSettings;
    }
    return actions;
}

bool MessagePolicy::isRetrying(const domain::Message &message)
{
    return message.role == u"assistant" && message.status == domain::MessageStatus::Queued
        && !message.error.isEmpty();
}

bool MessagePolicy::fixedInSettings(std::optional<jobs::ErrorKind> kind)
{
    if (!kind)
        return true;
    switch (*kind) {
    case jobs::ErrorKind::RateLimited:
    case jobs::ErrorKind::Network:
    case jobs::ErrorKind::Server:
    case jobs::ErrorKind::Overloaded:
    case jobs::ErrorKind::Interrupted:
    case jobs::ErrorKind::Protocol:
    case jobs::ErrorKind::WorkerLost:
        return false;
    case jobs::ErrorKind::None:
    case jobs::ErrorKind::Auth:
    case jobs::ErrorKind::NotFound:
    case jobs::ErrorKind::BadRequest:
    case jobs::ErrorKind::Quota:
    case jobs::ErrorKind::Other:
        return true;
    }
    return true;
}

} // namespace arbor::app
