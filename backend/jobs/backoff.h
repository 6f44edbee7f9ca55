#pragma once

#include <QtGlobal>

#include <functional>

namespace arbor::jobs {

/**
 * @brief Exponential backoff with full jitter: a delay drawn uniformly from
 * [0, min(cap, base * 2^(attempt-1))]. A server's Retry-After, when given, is a floor.
 */
struct Backoff
{
    qint64 baseMs = 1000;
    qint64 capMs = 60000;
    /** @brief Random source returning a value in [0, 1); injectable for tests. */
    std::function<double()> random;

    qint64 ceilingFor(int attempt) const;
    qint64 delayFor(int attempt, qint64 retryAfterMs = -1) const;
};

} // namespace arbor::jobs
