#include "job.h"

namespace arbor::jobs {

QString toString(JobState state)
{
    switch (state) {
    case JobState::Queued: return QStringLiteral("queued");
    case JobState::Running: return QStringLiteral("running");
    case JobState::Done: return QStringLiteral("done");
    case JobState::Failed: return QStringLiteral("failed");
    case JobState::Cancelled: return QStringLiteral("cancelled");
    }
    return QStringLiteral("failed");
}

JobState jobStateFromString(const QString &text)
{
    if (text == u"queued") return JobState::Queued;
    if (text == u"running") return JobState::Running;
    if (text == u"done") return JobState::Done;
    if (text == u"cancelled") return JobState::Cancelled;
    return JobState::Failed;
}

} // namespace arbor::jobs
