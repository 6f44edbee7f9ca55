#pragma once

#include "statetypes.h"

#include "domain/message.h"
#include "jobs/job.h"

#include <optional>

namespace arbor::app {

/**
 * @brief Which actions a message of the thread allows, and what its state means for the user:
 * the one place these rules live (STYLE rule 16). ThreadModel exposes the answers as `can…`
 * roles, the controllers check them before acting, QML only renders them.
 */
class MessagePolicy
{
public:
    /** @brief Every action @p message allows. @p lastFailure: the kind of its reply job's last
     *  error, when known (it decides OpenSettings). */
    static MessageAction::Actions allowed(const domain::Message &message,
                                          std::optional<jobs::ErrorKind> lastFailure = {});
    static bool allows(const domain::Message &message, MessageAction::Action action,
                       std::optional<jobs::ErrorKind> lastFailure = {})
    {
        return allowed(message, lastFailure).testFlag(action);
    }
    /** @brief A reply whose last attempt failed and that will be tried again by itself. */
    static bool isRetrying(const domain::Message &message);
    /** @brief A failure of this kind is fixed in Settings (key, model, quota, request); one of
     *  the network or the vendor's servers is not. Unknown (no job, an older one): offered. */
    static bool fixedInSettings(std::optional<jobs::ErrorKind> kind);
};

} // namespace arbor::app
