#include "backoff.h"

#include <QRandomGenerator>

#include <algorithm>

namespace arbor::jobs {

qint64 Backoff::ceilingFor(int attempt) const
{
    const int shift = std::clamp(attempt - 1, 0, 30);
    const double ceiling = double(baseMs) * double(qint64(1) << shift);
    return qint64(std::min(double(capMs), ceiling));
}

qint64 Backoff::delayFor(int attempt, qint64 retryAfterMs) const
{
    const double r = random ? random() : QRandomGenerator::global()->generateDouble();
    const qint64 jittered = qint64(r * double(ceilingFor(attempt)));
    return std::max(jittered, retryAfterMs);
}

} // namespace arbor::jobs
