#include "jobrun.h"

#include "dispatcher.h"

namespace arbor::jobs {

JobRun::JobRun(Dispatcher *dispatcher, Job job)
    : QObject(dispatcher)
    , m_dispatcher(dispatcher)
    , m_job(std::move(job))
{
}

void JobRun::succeed(Also also)
{
    if (std::exchange(m_ended, true))
        return;
    m_dispatcher->endRun(this, Dispatcher::Outcome::Success, {}, std::move(also));
}

void JobRun::fail(const JobError &error, Also also)
{
    if (std::exchange(m_ended, true))
        return;
    m_dispatcher->endRun(this, Dispatcher::Outcome::Failure, error, std::move(also));
}

void JobRun::finishCancelled(const QString &reason, Also also)
{
    if (std::exchange(m_ended, true))
        return;
    m_dispatcher->endRun(this, Dispatcher::Outcome::Cancelled, JobError{reason, false, -1}, std::move(also));
}

void JobRun::requestCancel(CancelReason reason)
{
    if (m_ended || std::exchange(m_cancelRequested, true))
        return;
    m_cancelReason = reason;
    Q_EMIT cancelRequested(reason);
}

} // namespace arbor::jobs
