#pragma once

#include "job.h"
#include "ratelimiter.h"

#include <QHash>
#include <QList>
#include <QSqlDatabase>

namespace arbor::jobs::admin {

/** @brief Queue settings and the look at the queue that `arbord jobs` and the dashboard show.
 *  Each function runs inside the caller's store task. */

QList<QueueSettings> queueSettings(const QSqlDatabase &db);
/** @brief Inserts or replaces the settings of @p s.name. */
void saveQueueSettings(const QSqlDatabase &db, const QueueSettings &s, qint64 now);
/** @brief Sets a queue's concurrency and requests/tokens per minute (each < 0 = left as it
 *  is; 0 = no limit), keeping its pause; creates the row if needed. Returns the stored settings. */
QueueSettings setLimits(const QSqlDatabase &db, const QString &queue, int concurrency,
                        qint64 requestsPerMinute, qint64 tokensPerMinute, qint64 now);
/** @brief Pauses or resumes a queue (creating its settings row if needed). */
void setPaused(const QSqlDatabase &db, const QString &queue, bool paused, qint64 now);

/** @brief Jobs of one queue per state ("queued", "running", ...). */
struct QueueCounts
{
    QString queue;
    bool paused = false;
    QHash<QString, int> byState;
};
/** @brief Every queue that has jobs or settings, by name. */
QList<QueueCounts> counts(const QSqlDatabase &db);

/** @brief Jobs with one tag (jobTags()): provider, run, conversation or model; none when the
 *  tag is empty. */
struct TagFilter
{
    QString tag;
    QString value;
    bool isEmpty() const { return tag.isEmpty(); }
};

/** @brief The dead-letter list: failed jobs, most recent first. */
QList<Job> failedJobs(const QSqlDatabase &db, int limit, const TagFilter &filter = {});
/** @brief Jobs queued again after a failed attempt (waiting for a retry), next to run first. */
QList<Job> waitingJobs(const QSqlDatabase &db, int limit);
/** @brief Recently created or finished jobs, newest first. */
QList<Job> recentJobs(const QSqlDatabase &db, int limit, const TagFilter &filter = {});
/** @brief Every failed job with @p filter's tag, oldest first (for a bulk retry or discard). */
QList<qint64> finishedIds(const QSqlDatabase &db, const TagFilter &filter);

/** @brief One attempt that did not succeed. */
struct Attempt
{
    int attempt = 0;
    QString outcome;
    QString error;
    QString worker;
    qint64 startedAt = 0;
    qint64 finishedAt = 0;
};
/** @brief Every recorded attempt of @p jobId, oldest first. */
QList<Attempt> attempts(const QSqlDatabase &db, qint64 jobId);

/** @brief Queues a failed or cancelled job again, with a fresh set of attempts; false if it
 *  is in another state or does not exist. */
bool retry(const QSqlDatabase &db, qint64 jobId, qint64 now);
/** @brief Deletes a finished (failed, cancelled or done) job and its attempts; false otherwise. */
bool discard(const QSqlDatabase &db, qint64 jobId);
/** @brief retry() for each of @p ids; how many were queued again. */
int retryMany(const QSqlDatabase &db, const QList<qint64> &ids, qint64 now);
/** @brief discard() for each of @p ids; how many were deleted. */
int discardMany(const QSqlDatabase &db, const QList<qint64> &ids);

/** @brief A job with every attempt, for a timeline: the recorded ones that did not succeed,
 *  then the job's own last attempt when it is done or running. */
struct JobDetail
{
    bool found = false;
    Job job;
    QList<Attempt> attempts;
};
JobDetail detail(const QSqlDatabase &db, qint64 jobId);

/** @brief One minute of history: jobs finished, and how long they waited from due to start. */
struct MinuteBucket
{
    qint64 minuteStart = 0; ///< ms since epoch
    int done = 0;
    int failed = 0;
    double avgWaitMs = 0;
    double maxWaitMs = 0;
};
/** @brief @p minutes consecutive buckets ending with the minute that holds @p now (empty
 *  minutes included, so a chart can draw them as they are). */
QList<MinuteBucket> series(const QSqlDatabase &db, qint64 now, int minutes);

} // namespace arbor::jobs::admin
