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
    endWait();
    m_dispatcher->endRun(this, Dispatcher::Outcome::Success, {}, std::move(also));
}

void JobRun::fail(const JobError &error, Also also)
{
    if (std::exchange(m_ended, true))
        return;
    endWait();
    m_dispatcher->endRun(this, Dispatcher::Outcome::Failure, error, std::move(also));
}

void JobRun::finishCancelled(const QString &reason, Also also)
{
    if (std::exchange(m_ended, true))
        return;
    endWait();
    m_dispatcher->endRun(this, Dispatcher::Outcome::Cancelled, JobError{reason, false, -1},
                         std::move(also));
}

void JobRun::setWaitingForPerson(bool waiting)
{
    if (m_ended || waiting == m_waitingForPerson)
        return;
    m_waitingForPerson = waiting;
    m_dispatcher->setWaiting(this, waiting);
}

void JobRun::endWait()
{
    // The end is counted against the slot the run holds: it takes it back first.
    if (std::exchange(m_waitingForPerson, false))
        m_dispatcher->setWaiting(this, false);
}

void JobRun::reportUsage(qint64 actualTokens)
{
    if (std::exchange(m_usageReported, true))
        return;
    m_dispatcher->reportUsage(m_job, actualTokens);
}

void JobRun::reportRateLimit(const RateLimitInfo &info)
{
    m_dispatcher->reportRateLimit(m_job, info);
}

void JobRun::requestCancel(CancelReason reason)
{
    if (m_ended || std::exchange(m_cancelRequested, true))
        return;
    m_cancelReason = reason;
    Q_EMIT cancelRequested(reason);
}

} // namespace arbor::jobs
