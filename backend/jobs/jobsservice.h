#pragma once

#include "jobsmonitor.h"

#include <QFuture>

namespace arbor::store {
class Store;
}

namespace arbor::jobs {

class JobEngine;

/**
 * @brief The job dashboard as a use case, for the window and `arbord jobs`: snapshots with the
 * engine's live limit state, and the actions — retry or discard a job, cancel one, pause or
 * resume a queue, set a queue's (a provider's) limits. Changes are stored first, so a worker or
 * app in another process picks them up within a second; this process's engine applies them at
 * once. Every call returns at once; thread-safe as the engine is.
 */
class JobsService : public JobsMonitor
{
public:
    JobsService(store::Store &store, JobEngine &engine);

    /** @brief A snapshot with the live limit state of the queues this process runs. */
    QFuture<JobsSnapshot> snapshot(SnapshotOptions options = {}, qint64 now = 0);
    /** @brief Queues a failed or cancelled job again with fresh attempts; false if it is in
     *  another state or does not exist. */
    QFuture<bool> retry(qint64 jobId);
    /** @brief Deletes a finished job and its attempts; false if it is queued, running or gone. */
    QFuture<bool> discard(qint64 jobId);
    /** @brief Cancels a queued job, or one running here or (on its next poll) elsewhere; true
     *  when it was queued or running here. */
    QFuture<bool> cancel(qint64 jobId);
    /** @brief Pauses a queue (running jobs finish, none starts) or resumes it. */
    QFuture<void> setPaused(const QString &queue, bool paused);
    /** @brief A queue's concurrency and requests/tokens per minute (each < 0 = unchanged, 0 = no
     *  limit); answers with the stored settings. */
    QFuture<QueueSettings> setLimits(const QString &queue, int concurrency,
                                     qint64 requestsPerMinute, qint64 tokensPerMinute);
    /** @brief retry() for many jobs; answers how many were queued again. */
    QFuture<int> retryJobs(const QList<qint64> &jobIds);
    /** @brief discard() for many jobs; answers how many were deleted. */
    QFuture<int> discardJobs(const QList<qint64> &jobIds);
    /** @brief Retries every failed job with @p filter's tag (every failed job: no filter). */
    QFuture<int> retryFailed(const admin::TagFilter &filter);
    /** @brief Discards every failed job with @p filter's tag (every failed job: no filter). */
    QFuture<int> discardFailed(const admin::TagFilter &filter);
    /** @brief A job with every attempt (found = false when it is gone). */
    QFuture<admin::JobDetail> detail(qint64 jobId);
    /** @brief Every queue's stored settings (limits and pause), by name. */
    QFuture<QList<QueueSettings>> queueSettings();

private:
    store::Store &m_store;
    JobEngine &m_engine;
};

} // namespace arbor::jobs
