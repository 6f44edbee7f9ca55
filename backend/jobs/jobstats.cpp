#include "jobstats.h"

#include "store/sql.h"

#include <QHash>
#include <QMap>

#include <algorithm>
#include <map>
#include <tuple>

namespace arbor::jobs::stats {

using store::Columns;
using store::exec;
using store::execCached;

namespace {

struct Key
{
    QString queue;
    qint64 resolution = 0;
    qint64 start = 0;
    bool operator<(const Key &o) const
    {
        return std::tie(queue, resolution, start) < std::tie(o.queue, o.resolution, o.start);
    }
};

struct Sum
{
    int done = 0;
    int failed = 0;
    qint64 waitSum = 0;
    qint64 waitMax = 0;
};

} // namespace

void record(const QSqlDatabase &db, const QList<Ended> &ended)
{
    if (ended.isEmpty())
        return;
    // A cycle's ends fall into a few buckets: one upsert per bucket, not per job.
    std::map<Key, Sum> sums;
    for (const Ended &e : ended) {
        const qint64 wait = std::max<qint64>(0, e.waitMs);
        for (const qint64 resolution : {MinuteMs, HourMs}) {
            Sum &s = sums[Key{e.queue, resolution, e.finishedAt / resolution * resolution}];
            (e.failed ? s.failed : s.done) += 1;
            s.waitSum += wait;
            s.waitMax = std::max(s.waitMax, wait);
        }
    }
    for (const auto &[key, sum] : sums)
        execCached(
            db,
            QStringLiteral("INSERT INTO job_stats (queue, resolution, bucket_start, done, failed,"
                           " wait_sum_ms, wait_max_ms) VALUES (?, ?, ?, ?, ?, ?, ?)"
                           " ON CONFLICT (resolution, queue, bucket_start) DO UPDATE SET"
                           " done = done + excluded.done, failed = failed + excluded.failed,"
                           " wait_sum_ms = wait_sum_ms + excluded.wait_sum_ms,"
                           " wait_max_ms = max(wait_max_ms, excluded.wait_max_ms)"),
            {key.queue, key.resolution, key.start, sum.done, sum.failed, sum.waitSum, sum.waitMax});
}

void prune(const QSqlDatabase &db, qint64 now)
{
    execCached(db,
               QStringLiteral("DELETE FROM job_stats WHERE resolution = ? AND bucket_start < ?"),
               {MinuteMs, now - MinuteRetentionMs});
    execCached(db,
               QStringLiteral("DELETE FROM job_stats WHERE resolution = ? AND bucket_start < ?"),
               {HourMs, now - HourRetentionMs});
}

qint64 bucketMs(Range range)
{
    switch (range) {
    case Range::Hour:
        return MinuteMs;
    case Range::TwoDays:
        return 30 * MinuteMs;
    case Range::NinetyDays:
        return 24 * HourMs;
    }
    return MinuteMs;
}

int bucketCount(Range range)
{
    switch (range) {
    case Range::Hour:
        return 60;
    case Range::TwoDays:
        return 96;
    case Range::NinetyDays:
        return 90;
    }
    return 60;
}

QList<QueueSeries> series(const QSqlDatabase &db, qint64 now, Range range)
{
    const qint64 width = bucketMs(range);
    const int count = bucketCount(range);
    const qint64 resolution = range == Range::NinetyDays ? HourMs : MinuteMs;
    const qint64 last = now / width;
    const qint64 first = last - count + 1;
    QSqlQuery q = exec(db,
                       QStringLiteral("SELECT queue, bucket_start / ? AS slot, sum(done) AS done,"
                                      " sum(failed) AS failed, sum(wait_sum_ms) AS wait_sum,"
                                      " max(wait_max_ms) AS wait_max FROM job_stats"
                                      " WHERE resolution = ? AND bucket_start >= ?"
                                      " GROUP BY queue, slot"),
                       {width, resolution, first * width});
    const Columns c(q);
    const int queueColumn = c["queue"];
    const int slotColumn = c["slot"];
    const int doneColumn = c["done"];
    const int failedColumn = c["failed"];
    const int waitSumColumn = c["wait_sum"];
    const int waitMaxColumn = c["wait_max"];
    auto empty = [&] {
        QList<Bucket> buckets(count);
        for (int i = 0; i < count; ++i)
            buckets[i].start = (first + i) * width;
        return buckets;
    };
    QMap<QString, QList<Bucket>> byQueue;
    QMap<QString, QList<qint64>> waitSums;
    QList<Bucket> all = empty();
    QList<qint64> allWait(count, 0);
    while (q.next()) {
        const qint64 index = q.value(slotColumn).toLongLong() - first;
        if (index < 0 || index >= count)
            continue;
        const QString queue = q.value(queueColumn).toString();
        auto it = byQueue.find(queue);
        if (it == byQueue.end()) {
            it = byQueue.insert(queue, empty());
            waitSums.insert(queue, QList<qint64>(count, 0));
        }
        Bucket &b = (*it)[index];
        b.done = q.value(doneColumn).toInt();
        b.failed = q.value(failedColumn).toInt();
        const qint64 waitSum = q.value(waitSumColumn).toLongLong();
        b.maxWaitMs = q.value(waitMaxColumn).toLongLong();
        const int n = b.done + b.failed;
        b.avgWaitMs = n > 0 ? double(waitSum) / n : 0;
        Bucket &a = all[index];
        a.done += b.done;
        a.failed += b.failed;
        a.maxWaitMs = std::max(a.maxWaitMs, b.maxWaitMs);
        allWait[index] += waitSum;
    }
    for (int i = 0; i < count; ++i) {
        const int n = all[i].done + all[i].failed;
        all[i].avgWaitMs = n > 0 ? double(allWait[i]) / n : 0;
    }
    QList<QueueSeries> out;
    out.append({QString(), all});
    for (auto it = byQueue.cbegin(); it != byQueue.cend(); ++it)
        out.append({it.key(), it.value()});
    return out;
}

Overview overview(const QSqlDatabase &db, qint64 now)
{
    Overview o;
    const qint64 minute = now / MinuteMs * MinuteMs;
    {
        // The current minute and the four before it, like the queue's own throughput figure.
        QSqlQuery q = exec(db,
                           QStringLiteral("SELECT coalesce(sum(CASE WHEN bucket_start >= ?"
                                          " THEN done + failed END), 0) AS five,"
                                          " coalesce(sum(done + failed), 0) AS hour"
                                          " FROM job_stats WHERE resolution = ? AND"
                                          " bucket_start >= ?"),
                           {minute - 4 * MinuteMs, MinuteMs, minute - 59 * MinuteMs});
        const Columns c(q);
        if (q.next()) {
            o.jobsPerMinute = q.value(c["five"]).toLongLong() / 5.0;
            o.jobsPastHour = q.value(c["hour"]).toInt();
        }
    }
    {
        const qint64 hour = now / HourMs * HourMs;
        QSqlQuery q = exec(db,
                           QStringLiteral("SELECT coalesce(sum(failed), 0) AS failed FROM"
                                          " job_stats WHERE resolution = ? AND bucket_start >= ?"),
                           {HourMs, hour - (7 * 24 - 1) * HourMs});
        if (q.next())
            o.failuresPast7Days = q.value(0).toInt();
    }
    {
        // Due jobs, through the index of queued jobs: the oldest due one per queue.
        QSqlQuery q = exec(db,
                           QStringLiteral("SELECT queue, min(run_at) AS since FROM jobs"
                                          " WHERE state = 'queued' AND run_at <= ?"
                                          " AND queue NOT IN (SELECT name FROM job_queues"
                                          " WHERE paused != 0)"
                                          " GROUP BY queue ORDER BY since, queue LIMIT 1"),
                           {now});
        const Columns c(q);
        if (q.next()) {
            o.longestWaitQueue = q.value(c["queue"]).toString();
            o.longestWaitMs = std::max<qint64>(0, now - q.value(c["since"]).toLongLong());
        }
    }
    return o;
}

} // namespace arbor::jobs::stats
