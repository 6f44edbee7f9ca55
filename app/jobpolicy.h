#pragma once

#include "statetypes.h"

#include "jobs/job.h"

namespace arbor::app {

/** @brief Which actions a job on the dashboard allows: the one place this rule lives.
 *  JobListModel exposes the answers as `can…` roles; QML only renders them. */
class JobPolicy
{
public:
    static JobAction::Actions allowed(jobs::JobState state);
    static bool allows(jobs::JobState state, JobAction::Action action)
    {
        return allowed(state).testFlag(action);
    }
};

} // namespace arbor::app
