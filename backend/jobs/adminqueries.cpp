#include "adminqueries.h"

#include "jobqueries.h"
#include "pinned.h"

#include "store/sql.h"

#include <QMap>

namespace arbor::jobs::admin {

using store::Columns;
using store::exec;

namespace {

/** @brief Where a queue's settings are in a result (the name only where it is selected). */
struct QueueColumns
{
    explicit QueueColumns(const Columns &c)
        : paused(c["paused"])
        , concurrency(c["concurrency"])
        , requestsPerMinute(c["requests_per_minute"])
        , tokensPerMinute(c["tokens_per_minute"])
    {
    }

    void read(const QSqlQuery &q, QueueSettings &s) const
    {
        s.paused = q.value(paused).toInt() != 0;
        s.concurrency = q.value(concurrency).toInt();
        s.requestsPerMinute = q.value(requestsPerMinute).toLongLong();
        s.tokensPerMinute = q.value(tokensPerMinute).toLongLong();
    }

    int paused, concurrency, requestsPerMinute, tokensPerMinute;
};

} // namespace

QList<QueueSettings> queueSettings(const QSqlDatabase &db)
{
    QSqlQuery q = exec(
        db,
        QStringLiteral("SELECT name, paused, concurrency, requests_per_minute, tokens_per_minute"
                       " FROM job_queues ORDER BY name"));
    const Columns columns(q);
    const int name = columns["name"];
    const QueueColumns settings(columns);
    QList<QueueSettings> out;
    while (q.next()) {
        QueueSettings s;
        s.name = q.value(name).toString();
        settings.read(q, s);
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
    const QueueColumns columns{Columns(q)};
    if (q.next())
        columns.read(q, s);
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
        QSqlQuery q =
            exec(db,
                 QStringLiteral("SELECT queue, state, count(*) AS jobs FROM jobs WHERE state <> "
                                "'queued' GROUP BY queue, state"
                                " UNION ALL"
                                " SELECT queue, 'queued', count(*) FROM jobs WHERE state "
                                "= 'queued' GROUP BY queue"));
        const Columns columns(q);
        const int queue = columns["queue"];
        const int state = columns["state"];
        const int jobs = columns["jobs"];
        while (q.next()) {
            // The pinned queues of all workers are one for people: "tools".
            const QString name = queueForPeople(q.value(queue).toString());
            QueueCounts &c = byQueue[name];
            c.queue = name;
            c.byState[q.value(state).toString()] += q.value(jobs).toInt();
        }
    }
    QSqlQuery q = exec(db, QStringLiteral("SELECT name, paused FROM job_queues"));
    const Columns columns(q);
    const int name = columns["name"];
    const int paused = columns["paused"];
    while (q.next()) {
        QueueCounts &c = byQueue[q.value(name).toString()];
        c.queue = q.value(name).toString();
        c.paused = q.value(paused).toInt() != 0;
    }
    return byQueue.values();
}

namespace {

/** @brief The filter as a condition ("1" for none) and its values, appended to @p values. */
QString filterSql(const TagFilter &filter, QVariantList &values)
{
    if (filter.isEmpty())
        return QStringLiteral("1");
    if (filter.tag == QLatin1String("provider")) {
        values.append(filter.value);
        return QStringLiteral("queue = ?");
    }
    if (filter.tag == QLatin1String("run")) {
        values.append(filter.value.toLongLong());
        return QStringLiteral("json_extract(payload, '$.run') = ?");
    }
    values.append(QStringLiteral("$.tags.") + filter.tag);
    values.append(filter.value);
    return QStringLiteral("json_extract(payload, ?) = ?");
}

QList<Job> jobsWhere(const QSqlDatabase &db, const QString &where, const QString &order, int limit,
                     const TagFilter &filter = {})
{
    QVariantList values;
    const QString condition = filterSql(filter, values);
    values.append(limit);
    // Read the ids first (a damaged store is said plainly: store::execCached), then each job.
    QList<qint64> ids;
    {
        store::CachedQuery q = store::execCached(
            db,
            QStringLiteral("SELECT id FROM jobs WHERE (%1) AND %2 ORDER BY %3 LIMIT ?")
                .arg(where.isEmpty() ? QStringLiteral("1") : where, condition, order),
            values);
        while (q->next())
            ids.append(q->value(0).toLongLong());
    }
    QList<Job> out;
    for (qint64 id : std::as_const(ids))
        if (auto job = queries::get(db, id))
            out.append(*job);
    return out;
}

} // namespace

QList<Job> failedJobs(const QSqlDatabase &db, int limit, const TagFilter &filter)
{
    return jobsWhere(db, QStringLiteral("state = 'failed'"),
                     QStringLiteral("finished_at DESC, id DESC"), limit, filter);
}

QList<Job> waitingJobs(const QSqlDatabase &db, int limit)
{
    return jobsWhere(db, QStringLiteral("state = 'queued' AND attempts > 0"),
                     QStringLiteral("run_at, id"), limit);
}

QList<Job> recentJobs(const QSqlDatabase &db, int limit, const TagFilter &filter)
{
    return jobsWhere(db, {}, QStringLiteral("id DESC"), limit, filter);
}

QList<qint64> finishedIds(const QSqlDatabase &db, const TagFilter &filter)
{
    QVariantList values;
    const QString condition = filterSql(filter, values);
    store::CachedQuery q = store::execCached(
        db,
        QStringLiteral("SELECT id FROM jobs WHERE state = 'failed' AND %1 ORDER BY id")
            .arg(condition),
        values);
    QList<qint64> out;
    while (q->next())
        out.append(q->value(0).toLongLong());
    return out;
}

int retryMany(const QSqlDatabase &db, const QList<qint64> &ids, qint64 now)
{
    int n = 0;
    for (qint64 id : ids)
        n += retry(db, id, now) ? 1 : 0;
    return n;
}

int discardMany(const QSqlDatabase &db, const QList<qint64> &ids)
{
    int n = 0;
    for (qint64 id : ids)
        n += discard(db, id) ? 1 : 0;
    return n;
}

JobDetail detail(const QSqlDatabase &db, qint64 jobId)
{
    JobDetail d;
    const auto job = queries::get(db, jobId);
    if (!job)
        return d;
    d.job = *job;
    d.found = true;
    d.attempts = attempts(db, jobId);
    // A success is the job row itself (job_attempts keeps the others): its last attempt.
    if (job->state == JobState::Done || job->state == JobState::Running)
        d.attempts.append(Attempt{job->attempts, toString(job->state), QString(), job->leaseOwner,
                                  job->startedAt, job->finishedAt});
    return d;
}

QList<Attempt> attempts(const QSqlDatabase &db, qint64 jobId)
{
    QSqlQuery q =
        exec(db,
             QStringLiteral("SELECT attempt, outcome, error, coalesce(worker, '') AS worker,"
                            " coalesce(started_at, 0) AS started_at, finished_at"
                            " FROM job_attempts WHERE job_id = ? ORDER BY id"),
             {jobId});
    const Columns columns(q);
    const int attempt = columns["attempt"];
    const int outcome = columns["outcome"];
    const int error = columns["error"];
    const int worker = columns["worker"];
    const int startedAt = columns["started_at"];
    const int finishedAt = columns["finished_at"];
    QList<Attempt> out;
    while (q.next())
        out.append(Attempt{q.value(attempt).toInt(), q.value(outcome).toString(),
                           q.value(error).toString(), q.value(worker).toString(),
                           q.value(startedAt).toLongLong(), q.value(finishedAt).toLongLong()});
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
    // From the history kept as jobs end (jobstats.h), never a scan of the jobs.
    const qint64 lastMinute = now / 60000;
    const qint64 firstMinute = lastMinute - minutes + 1;
    QList<MinuteBucket> out;
    out.reserve(minutes);
    for (int i = 0; i < minutes; ++i) {
        MinuteBucket b;
        b.minuteStart = (firstMinute + i) * 60000;
        out.append(b);
    }
    QSqlQuery q = exec(db,
                       QStringLiteral("SELECT bucket_start / 60000 AS minute, sum(done) AS done,"
                                      " sum(failed) AS failed, sum(wait_sum_ms) AS wait_sum,"
                                      " max(wait_max_ms) AS max_wait FROM job_stats"
                                      " WHERE resolution = 60000 AND bucket_start >= ?"
                                      " GROUP BY minute"),
                       {firstMinute * 60000});
    const Columns columns(q);
    const int minute = columns["minute"];
    const int done = columns["done"];
    const int failed = columns["failed"];
    const int waitSum = columns["wait_sum"];
    const int maxWait = columns["max_wait"];
    while (q.next()) {
        const qint64 index = q.value(minute).toLongLong() - firstMinute;
        if (index < 0 || index >= minutes)
            continue;
        MinuteBucket &b = out[index];
        b.done = q.value(done).toInt();
        b.failed = q.value(failed).toInt();
        const int n = b.done + b.failed;
        b.avgWaitMs = n > 0 ? q.value(waitSum).toDouble() / n : 0;
        b.maxWaitMs = q.value(maxWait).toDouble();
    }
    return out;
}

} // namespace arbor::jobs::admin
