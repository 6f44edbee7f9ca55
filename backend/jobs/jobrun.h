#pragma once

#include "job.h"

#include <QObject>
#include <QSqlDatabase>

#include <functional>

namespace arbor::jobs {

class Dispatcher;

/** @brief Why a running job is asked to stop. */
enum class CancelReason { User, Shutdown };

/**
 * @brief One running job, owned by the engine thread. The handler ends it with exactly one of
 * succeed(), fail() or finishCancelled(); each may carry a store task that commits in the same
 * transaction as the job's new state (so "message complete" and "job done" land together, and
 * only if the job is still ours).
 */
class JobRun : public QObject
{
    Q_OBJECT

public:
    /** @brief A store task that commits with the job's new state (it runs only if the job is
     *  still this worker's). */
    using Also = std::function<void(const QSqlDatabase &db, JobState newState)>;

    JobRun(Dispatcher *dispatcher, Job job);

    const Job &job() const { return m_job; }
    bool isCancelRequested() const { return m_cancelRequested; }
    CancelReason cancelReason() const { return m_cancelReason; }

    void succeed(Also also = {});
    /** @brief Ends with an error; a retryable one is queued again after a backoff while
     *  attempts remain (newState tells which happened). */
    void fail(const JobError &error, Also also = {});
    void finishCancelled(const QString &reason, Also also = {});

    /** @brief The call's real token usage, once known: corrects the estimate charged to the
     *  queue's tokens/minute budget when the job was claimed. */
    void reportUsage(qint64 actualTokens);
    /** @brief What the vendor said about its limits (response headers): tightens the queue's
     *  buckets and paces its next starts by the vendor's windows (QueueLimiter::applyVendorInfo).
     */
    void reportRateLimit(const RateLimitInfo &info);

    /** @brief The run waits for a person (the user's approval of a tool call): while it does,
     *  its slot and its place in its queue's concurrency are given back, so other jobs start.
     *  When it goes on it takes them again at once, even if that runs one job past the limits
     *  for a while: a person's answer does not queue behind other work. Ending the run ends
     *  the wait. */
    void setWaitingForPerson(bool waiting);
    bool isWaitingForPerson() const { return m_waitingForPerson; }

    /** @brief Asks the handler to stop (emits cancelRequested once). */
    void requestCancel(CancelReason reason);
    bool isEnded() const { return m_ended; }

Q_SIGNALS:
    void cancelRequested(arbor::jobs::CancelReason reason);
    /** @brief After the end was committed: the job's new state ("" if it was no longer ours). */
    void ended(const QString &state);

private:
    void endWait();

    Dispatcher *m_dispatcher;
    Job m_job;
    bool m_cancelRequested = false;
    CancelReason m_cancelReason = CancelReason::User;
    bool m_ended = false;
    bool m_usageReported = false;
    bool m_waitingForPerson = false;
};

} // namespace arbor::jobs
