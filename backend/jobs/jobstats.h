#pragma once

#include <QList>
#include <QSqlDatabase>
#include <QString>

namespace arbor::jobs::stats {

/**
 * @brief The dashboard's history (table job_stats): per queue, jobs finished and how long they
 * waited from due to start, in per-minute buckets kept 48 hours and hourly buckets kept 90
 * days. Maintained when jobs end, in the transaction that records their end (record()), so
 * the charts never scan the jobs table and survive restarts; prune() drops what is too old.
 * Each function runs inside the caller's store task.
 */

inline constexpr qint64 MinuteMs = 60'000;
inline constexpr qint64 HourMs = 3'600'000;
inline constexpr qint64 MinuteRetentionMs = 48 * HourMs;
inline constexpr qint64 HourRetentionMs = 90 * 24 * HourMs;

/** @brief One job that reached a final state (done or failed). */
struct Ended
{
    QString queue;
    bool failed = false;
    qint64 waitMs = 0; ///< from due (run_at) to the start of its last attempt
    qint64 finishedAt = 0;
};

/** @brief Adds @p ended to their queues' minute and hour buckets (one upsert per bucket). */
void record(const QSqlDatabase &db, const QList<Ended> &ended);
/** @brief Drops minute buckets older than 48 hours and hour buckets older than 90 days. */
void prune(const QSqlDatabase &db, qint64 now);

/** @brief One bucket of one queue (or of all queues). */
struct Bucket
{
    qint64 start = 0; ///< ms since epoch
    int done = 0;
    int failed = 0;
    double avgWaitMs = 0;
    qint64 maxWaitMs = 0;
};

/** @brief How far back a chart looks, and how wide its buckets are. */
enum class Range {
    Hour,      ///< 60 one-minute buckets
    TwoDays,   ///< 96 half-hour buckets (from the minute buckets)
    NinetyDays ///< 90 one-day buckets (from the hour buckets)
};
qint64 bucketMs(Range range);
int bucketCount(Range range);

/** @brief A queue's chart: every bucket of the range, oldest first, empty ones included. */
struct QueueSeries
{
    QString queue;
    QList<Bucket> buckets;
};

/** @brief Every queue with history in the range, by name, and "" first: all queues summed. */
QList<QueueSeries> series(const QSqlDatabase &db, qint64 now, Range range);

/** @brief The dashboard's tiles. */
struct Overview
{
    double jobsPerMinute = 0;  ///< finished per minute over the last 5 minutes
    int jobsPastHour = 0;      ///< finished in the last 60 minutes
    int failuresPast7Days = 0; ///< failed for good in the last 7 days
    QString longestWaitQueue;  ///< the queue whose oldest due job has waited longest ("": none)
    qint64 longestWaitMs = 0;  ///< how long that job has waited
};
Overview overview(const QSqlDatabase &db, qint64 now);

} // namespace arbor::jobs::stats
