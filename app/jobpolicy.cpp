#include "jobpolicy.h"

namespace arbor::app {

JobAction::Actions JobPolicy::allowed(jobs::JobState state)
{
    using namespace JobAction;
    switch (state) {
    case jobs::JobState::Queued:
    case jobs::JobState::Running:
        return Cancel; // still to run, or running: it can only be stopped
    case jobs::JobState::Failed:
    case jobs::JobState::Cancelled:
        return Retry | Discard; // ended without a result: again, or away
    case jobs::JobState::Done:
        return Discard;
    }
    return {};
}

} // namespace arbor::app
