#pragma once

#include "jobs/job.h"
#include "llm/provider.h"

namespace arbor::llm {

/** @brief What a provider's error is to the job engine (its retry policy and the dashboard):
 *  the same kinds under the engine's names. */
inline jobs::ErrorKind jobErrorKind(ChatError::Kind kind)
{
    using Kind = ChatError::Kind;
    switch (kind) {
    case Kind::Network:
        return jobs::ErrorKind::Network;
    case Kind::Auth:
        return jobs::ErrorKind::Auth;
    case Kind::NotFound:
        return jobs::ErrorKind::NotFound;
    case Kind::BadRequest:
        return jobs::ErrorKind::BadRequest;
    case Kind::RateLimited:
        return jobs::ErrorKind::RateLimited;
    case Kind::Server:
        return jobs::ErrorKind::Server;
    case Kind::Overloaded:
        return jobs::ErrorKind::Overloaded;
    case Kind::Protocol:
        return jobs::ErrorKind::Protocol;
    case Kind::Interrupted:
        return jobs::ErrorKind::Interrupted;
    case Kind::Quota:
        return jobs::ErrorKind::Quota;
    }
    return jobs::ErrorKind::Other;
}

} // namespace arbor::llm
