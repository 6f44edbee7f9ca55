#include "jobsmonitor.h"

#include "store/sql.h"

#include <QDateTime>
#include <QHash>

namespace arbor::jobs {

JobsMonitor::JobsMonitor(store::StoreReader store)
    : m_reader(store)
{
}

QFuture<JobsSnapshot> JobsMonitor::snapshot(SnapshotOptions options, qint64 now)
{
    if (now <= 0)
        now = QDateTime::currentMSecsSinceEpoch();
    return m_reader.read([options, now](QSqlDatabase &db) { return read(db, options, now, {}); });
}

JobsSnapshot JobsMonitor::read(const QSqlDatabase &db, const SnapshotOptions &options, qint64 now,
                               const QList<QueueLimitState> &live)
{
    JobsSnapshot s;
    s.takenAt = now;
    QList<admin::QueueCounts> counts;
    QList<QueueSettings> settings;
    store::inReadTransaction(db, [&](const QSqlDatabase &tx) {
        counts = admin::counts(tx);
        settings = admin::queueSettings(tx);
        if (options.minutes > 0)
            s.series = admin::series(tx, now, options.minutes);
        if (options.history) {
            s.overview = stats::overview(tx, now);
            s.queueSeries = stats::series(tx, now, options.range);
        }
        if (options.recent > 0)
            s.recent = admin::recentJobs(tx, options.recent, options.filter);
        if (options.failed > 0)
            for (const Job &job : admin::failedJobs(tx, options.failed, options.filter))
                s.failed.append({job, admin::attempts(tx, job.id)});
        if (options.waiting > 0)
            s.waiting = admin::waitingJobs(tx, options.waiting);
    });

    QHash<QString, QueueSettings> stored;
    for (const QueueSettings &q : settings)
        stored.insert(q.name, q);
    QHash<QString, QueueLimitState> running;
    for (const QueueLimitState &l : live)
        running.insert(l.name, l);
    for (const admin::QueueCounts &c : counts) {
        QueueView q;
        q.name = c.queue;
        q.paused = c.paused;
        q.queued = c.byState.value(QStringLiteral("queued"));
        q.running = c.byState.value(QStringLiteral("running"));
        q.done = c.byState.value(QStringLiteral("done"));
        q.failed = c.byState.value(QStringLiteral("failed"));
        q.cancelled = c.byState.value(QStringLiteral("cancelled"));
        // The limits the engine applies when it runs the queue here, else the stored ones.
        if (const auto l = running.constFind(c.queue); l != running.cend()) {
            q.concurrency = l->concurrency;
            q.requestsPerMinute = l->requestsPerMinute;
            q.requestsAvailable = l->requestsPerMinute > 0 ? l->requestsAvailable : -1.0;
            q.tokensPerMinute = l->tokensPerMinute;
            q.tokensAvailable = l->tokensPerMinute > 0 ? l->tokensAvailable : -1.0;
            q.refillMs = l->refillMs;
            q.blockedMs = l->blockedUntil > now ? l->blockedUntil - now : 0;
        } else {
            const QueueSettings limits = stored.value(c.queue);
            q.concurrency = limits.concurrency;
            q.requestsPerMinute = limits.requestsPerMinute;
            q.tokensPerMinute = limits.tokensPerMinute;
        }
        s.queues.append(q);
    }
    int lastFive = 0;
    for (qsizetype i = std::max<qsizetype>(0, s.series.size() - 5); i < s.series.size(); ++i)
        lastFive += s.series.at(i).done + s.series.at(i).failed;
    s.throughputPerMinute = s.series.isEmpty() ? 0 : lastFive / 5.0;
    return s;
}

} // namespace arbor::jobs
