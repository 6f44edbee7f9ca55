#pragma once

// Which replies can be carried on (ChatService::continueReply): a rule the app's actions
// (MessagePolicy) and the backend share.

#include "message.h"

namespace arbor::domain {

/** @brief Message::finishReason of a reply that stopped at the limit on rounds of tool calls:
 *  complete (no error), its last round's calls not run; continuing it runs them and goes on. */
inline constexpr QLatin1StringView ToolRoundLimit{"tool_round_limit"};

/** @brief A reply that stopped at the limit on rounds of tool calls (ToolRoundLimit). */
inline bool stoppedAtToolRoundLimit(const Message &message)
{
    return message.role == u"assistant" && message.status == MessageStatus::Complete
        && message.finishReason == ToolRoundLimit;
}

/** @brief A reply that can be carried on as a new sibling: one that stopped early with some
 *  text, or at the limit on rounds of tool calls. */
inline bool canContinue(const Message &message)
{
    if (message.role != u"assistant")
        return false;
    if (stoppedAtToolRoundLimit(message))
        return true;
    const bool stoppedEarly = message.status == MessageStatus::Interrupted
        || message.status == MessageStatus::Cancelled || message.status == MessageStatus::Error;
    return stoppedEarly && !message.content.isEmpty();
}

} // namespace arbor::domain
