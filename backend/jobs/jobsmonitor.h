#pragma once

#include "adminqueries.h"
#include "job.h"
#include "jobstats.h"
#include "ratelimiter.h"

#include "store/store.h"

#include <QFuture>
#include <QList>

namespace arbor::jobs {

/** @brief One queue as the dashboard and `arbord jobs` show it. */
struct QueueView
{
    QString name;
    bool paused = false;
    int queued = 0;
    int running = 0;
    int done = 0;
    int failed = 0;
    int cancelled = 0;
    int concurrency = 0;           ///< 0 = only the engine's limit
    qint64 requestsPerMinute = 0;  ///< 0 = unlimited
    double requestsAvailable = -1; ///< -1 = unlimited, or not run by this process
    qint64 tokensPerMinute = 0;    ///< 0 = unlimited
    double tokensAvailable = -1;   ///< -1 = unlimited, or not run by this process
    qint64 refillMs = 0;           ///< until both buckets are full again
    qint64 blockedMs = 0;          ///< a vendor's Retry-After holds the queue this long
};

/** @brief A job that failed for good, with every attempt. */
struct FailedJob
{
    Job job;
    QList<admin::Attempt> attempts; ///< oldest first
};

/** @brief What to read for a snapshot (0 = none of that list). */
struct SnapshotOptions
{
    int minutes = 60;     ///< per-minute buckets, ending with the current minute
    int recent = 30;      ///< newest jobs
    int failed = 30;      ///< dead letters
    int waiting = 0;      ///< jobs waiting to run again after a failed attempt
    bool history = false; ///< the tiles and the per-queue charts (JobsSnapshot::overview)
    stats::Range range = stats::Range::Hour; ///< of the per-queue charts
    admin::TagFilter filter;                 ///< of the recent and failed lists
};

/** @brief The queue at one moment (one read transaction). */
struct JobsSnapshot
{
    qint64 takenAt = 0;      ///< ms since epoch
    QList<QueueView> queues; ///< every queue with jobs or settings, by name
    QList<admin::MinuteBucket> series;
    double throughputPerMinute = 0;        ///< jobs finished per minute over the last 5 minutes
    QList<Job> recent;                     ///< newest first
    QList<FailedJob> failed;               ///< newest first
    QList<Job> waiting;                    ///< next to run first
    stats::Overview overview;              ///< when SnapshotOptions::history
    QList<stats::QueueSeries> queueSeries; ///< when history: "" (all) first, then by queue
};

/**
 * @brief The reading side of the job dashboard (in the spirit of Laravel Horizon): counts per
 * queue and state, the queues' limits, per-minute throughput and wait time, recent, failed and
 * waiting jobs. Needs only a StoreReader, so a read-only backend offers it (`arbord jobs`);
 * JobsService adds the live limit state and the actions.
 */
class JobsMonitor
{
public:
    explicit JobsMonitor(store::StoreReader store);

    /** @brief Reads a snapshot at @p now (0: the current time) in one read transaction. */
    QFuture<JobsSnapshot> snapshot(SnapshotOptions options = {}, qint64 now = 0);

    /** @brief The snapshot read inside a store task; @p live: the limit state of the queues this
     *  process runs. */
    static JobsSnapshot read(const QSqlDatabase &db, const SnapshotOptions &options, qint64 now,
                             const QList<QueueLimitState> &live);

protected:
    store::StoreReader m_reader;
};

} // namespace arbor::jobs
