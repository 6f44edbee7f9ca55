#include "adminqueries.h"

#include "jobqueries.h"

#include "store/sql.h"

#include <QMap>

namespace arbor::jobs::admin {

using store::exec;

QList<QueueSettings> queueSettings(const QSqlDatabase &db)
{
    QSqlQuery q = exec(
        db,
        QStringLiteral("SELECT name, paused, concurrency, requests_per_minute, tokens_per_minute"
                       " FROM job_queues ORDER BY name"));
    QList<QueueSettings> out;
    while (q.next()) {
        QueueSettings s;
        s.name = q.value(0).toString();
        s.paused = q.value(1).toInt() != 0;
        s.concurrency = q.value(2).toInt();
        s.requestsPerMinute = q.value(3).toLongLong();
        s.tokensPerMinute = q.value(4).toLongLong();
        out.append(s);
    }
    return out;
}

void saveQueueSettings(const QSqlDatabase &db, const QueueSettings &s, qint64 now)
{
    exec(db,
         QStringLiteral(
             "INSERT OR REPLACE INTO job_queues (name, paused, concurrency, requests_per_minute,"
             " tokens_per_minute, updated_at) VALUES (?, ?, ?, ?, ?, ?)"),
         {s.name, s.paused ? 1 : 0, s.concurrency, s.requestsPerMinute, s.tokensPerMinute, now});
}

QueueSettings setLimits(const QSqlDatabase &db, const QString &queue, int concurrency,
                        qint64 requestsPerMinute, qint64 tokensPerMinute, qint64 now)
{
    QueueSettings s;
    s.name = queue;
    QSqlQuery q =
        exec(db,
             QStringLiteral("SELECT paused, concurrency, requests_per_minute, tokens_per_minute"
                            " FROM job_queues WHERE name = ?"),
             {queue});
    if (q.next()) {
        s.paused = q.value(0).toInt() != 0;
        s.concurrency = q.value(1).toInt();
        s.requestsPerMinute = q.value(2).toLongLong();
        s.tokensPerMinute = q.value(3).toLongLong();
    }
    if (concurrency >= 0)
        s.concurrency = concurrency;
    if (requestsPerMinute >= 0)
        s.requestsPerMinute = requestsPerMinute;
    if (tokensPerMinute >= 0)
        s.tokensPerMinute = tokensPerMinute;
    saveQueueSettings(db, s, now);
    return s;
}

void setPaused(const QSqlDatabase &db, const QString &queue, bool paused, qint64 now)
{
    exec(db,
         QStringLiteral("INSERT INTO job_queues (name, paused, updated_at) VALUES (?, ?, ?)"
                        " ON CONFLICT (name) DO UPDATE SET paused = excluded.paused, updated_at = "
                        "excluded.updated_at"),
         {queue, paused ? 1 : 0, now});
}

QList<QueueCounts> counts(const QSqlDatabase &db)
{
    QMap<QString, QueueCounts> byQueue;
    {
        // Two halves, each on its own partial index (0006): jobs_queue_state holds no queued
        // job, so queued ones are counted through jobs_due. Neither half scans the table.
        QSqlQuery q = exec(db,
                           QStringLiteral("SELECT queue, state, count(*) FROM jobs WHERE state <> "
                                          "'queued' GROUP BY queue, state"
                                          " UNION ALL"
                                          " SELECT queue, 'queued', count(*) FROM jobs WHERE state "
                                          "= 'queued' GROUP BY queue"));
        while (q.next()) {
            QueueCounts &c = byQueue[q.value(0).toString()];
            c.queue = q.value(0).toString();
            c.byState.insert(q.value(1).toString(), q.value(2).toInt());
        }
    }
    QSqlQuery q = exec(db, QStringLiteral("SELECT name, paused FROM job_queues"));
    while (q.next()) {
        QueueCounts &c = byQueue[q.value(0).toString()];
        c.queue = q.value(0).toString();
        c.paused = q.value(1).toInt() != 0;
    }
    return byQueue.values();
}

namespace {

QList<Job> jobsWhere(const QSqlDatabase &db, const QString &where, const QString &order, int limit)
{
    QSqlQuery q =
        exec(db, QStringLiteral("SELECT id FROM jobs %1 ORDER BY %2 LIMIT ?").arg(where, order),
             {limit});
    QList<Job> out;
    while (q.next())
        if (auto job = queries::get(db, q.value(0).toLongLong()))
            out.append(*job);
    return out;
}

} // namespace

QList<Job> failedJobs(const QSqlDatabase &db, int limit)
{
    return jobsWhere(db, QStringLiteral("WHERE state = 'failed'"),
                     QStringLiteral("finished_at DESC, id DESC"), limit);
}

QList<Job> waitingJobs(const QSqlDatabase &db, int limit)
{
    return jobsWhere(db, QStringLiteral("WHERE state = 'queued' AND attempts > 0"),
                     QStringLiteral("run_at, id"), limit);
}

QList<Job> recentJobs(const QSqlDatabase &db, int limit)
{
    return jobsWhere(db, {}, QStringLiteral("id DESC"), limit);
}

QList<Attempt> attempts(const QSqlDatabase &db, qint64 jobId)
{
    QSqlQuery q =
        exec(db,
             QStringLiteral(
                 "SELECT attempt, outcome, error, coalesce(worker, ''), coalesce(started_at, 0),"
                 " finished_at FROM job_attempts WHERE job_id = ? ORDER BY id"),
             {jobId});
    QList<Attempt> out;
    while (q.next())
        out.append(Attempt{q.value(0).toInt(), q.value(1).toString(), q.value(2).toString(),
                           q.value(3).toString(), q.value(4).toLongLong(),
                           q.value(5).toLongLong()});
    return out;
}

bool retry(const QSqlDatabase &db, qint64 jobId, qint64 now)
{
    QSqlQuery q =
        exec(db,
             QStringLiteral(
                 "UPDATE jobs SET state = 'queued', attempts = 0, run_at = ?, finished_at = NULL,"
                 " started_at = NULL, lease_owner = NULL, cancel_requested_at = NULL"
                 " WHERE id = ? AND state IN ('failed', 'cancelled')"),
             {now, jobId});
    return q.numRowsAffected() > 0;
}

bool discard(const QSqlDatabase &db, qint64 jobId)
{
    QSqlQuery q =
        exec(db,
             QStringLiteral(
                 "DELETE FROM jobs WHERE id = ? AND state IN ('failed', 'cancelled', 'done')"),
             {jobId});
    if (q.numRowsAffected() <= 0)
        return false;
    exec(db, QStringLiteral("DELETE FROM job_attempts WHERE job_id = ?"), {jobId});
    return true;
}

QList<MinuteBucket> series(const QSqlDatabase &db, qint64 now, int minutes)
{
    const qint64 lastMinute = now / 60000;
    const qint64 firstMinute = lastMinute - minutes + 1;
    QList<MinuteBucket> out;
    out.reserve(minutes);
    for (int i = 0; i < minutes; ++i) {
        MinuteBucket b;
        b.minuteStart = (firstMinute + i) * 60000;
        out.append(b);
    }
    QSqlQuery q = exec(
        db,
        QStringLiteral("SELECT finished_at / 60000 AS m,"
                       " sum(state = 'done'), sum(state = 'failed'),"
                       " avg(max(0, coalesce(started_at, finished_at) - run_at)), max(max(0, "
                       "coalesce(started_at, finished_at) - run_at))"
                       " FROM jobs WHERE finished_at >= ? AND finished_at IS NOT NULL GROUP BY m"),
        {firstMinute * 60000});
    while (q.next()) {
        const qint64 index = q.value(0).toLongLong() - firstMinute;
        if (index < 0 || index >= minutes)
            continue;
        MinuteBucket &b = out[index];
        b.done = q.value(1).toInt();
        b.failed = q.value(2).toInt();
        b.avgWaitMs = q.value(3).toDouble();
        b.maxWaitMs = q.value(4).toDouble();
    }
    return out;
}

} // namespace arbor::jobs::admin
