#include "batchrun.h"

#include <cmath>

namespace arbor::batch {

QString toString(RunState state)
{
    switch (state) {
    case RunState::Draft:
        return QStringLiteral("draft");
    case RunState::Running:
        return QStringLiteral("running");
    case RunState::Paused:
        return QStringLiteral("paused");
    case RunState::Completed:
        return QStringLiteral("completed");
    case RunState::Cancelled:
        return QStringLiteral("cancelled");
    }
    return QStringLiteral("draft");
}

RunState runStateFromString(const QString &text)
{
    if (text == u"running")
        return RunState::Running;
    if (text == u"paused")
        return RunState::Paused;
    if (text == u"completed")
        return RunState::Completed;
    if (text == u"cancelled")
        return RunState::Cancelled;
    return RunState::Draft;
}

double Run::resultsPerSecond(qint64 now) const
{
    qint64 ms = activeMs;
    if (state == RunState::Running && startedAt > 0)
        ms += std::max<qint64>(0, now - startedAt);
    if (ms <= 0)
        return 0;
    return double(done + failed) * 1000.0 / double(ms);
}

double Run::rowsPerSecond(qint64 now) const
{
    return models.isEmpty() ? 0 : resultsPerSecond(now) / double(models.size());
}

qint64 Run::etaSeconds(qint64 now) const
{
    if (pending() <= 0)
        return 0;
    const double rate = resultsPerSecond(now);
    if (rate <= 0)
        return -1;
    return qint64(std::ceil(double(pending()) / rate));
}

} // namespace arbor::batch
