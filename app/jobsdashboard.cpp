#include "jobsdashboard.h"

#include "core/backend.h"
#include "jobs/jobadmin.h"
#include "jobs/jobengine.h"
#include "jobs/jobqueries.h"
#include "store/sql.h"
#include "store/store.h"

#include <QDateTime>
#include <QFuture>
#include <QHash>
#include <QLoggingCategory>
#include <QScopeGuard>
#include <QVariantMap>

Q_LOGGING_CATEGORY(lcDashboard, "arbor.app.jobs", QtInfoMsg)

namespace arbor::app {

namespace {

constexpr int kMinutes = 60;

/** @brief What one refresh reads, on a reader thread. */
struct Snapshot
{
    QList<jobs::admin::QueueCounts> counts;
    QList<jobs::admin::MinuteBucket> series;
    QList<jobs::Job> recent;
    QList<std::pair<jobs::Job, QList<jobs::admin::Attempt>>> failed;
};

} // namespace

JobsDashboard::JobsDashboard(core::Backend *backend, QObject *parent)
    : QObject(parent)
    , m_backend(backend)
    , m_timer(this)
    , m_queues(this)
    , m_recent(this)
    , m_failed(this)
{
    m_timer.setInterval(1500);
    connect(&m_timer, &QTimer::timeout, this, &JobsDashboard::refresh);
}

void JobsDashboard::setActive(bool active)
{
    if (active == m_timer.isActive())
        return;
    if (active) {
        m_timer.start();
        refresh();
    } else {
        m_timer.stop();
    }
    Q_EMIT activeChanged();
}

void JobsDashboard::refresh()
{
    if (!m_backend || m_inFlight)
        return;
    m_inFlight = true;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QFuture<Snapshot> read = m_backend->store().read([now](QSqlDatabase &db) {
        // One read transaction, so that the counts and the lists show the same moment (a job
        // that fails between two statements would be failed in one and not in the other).
        store::exec(db, QStringLiteral("BEGIN"));
        // Ended by ROLLBACK: it wrote nothing, and a ROLLBACK ends it even with a statement
        // still open (this reader thread must not keep an old snapshot for its next task).
        const auto end = qScopeGuard([&db] { QSqlQuery(db).exec(QStringLiteral("ROLLBACK")); });
        Snapshot s;
        s.counts = jobs::admin::counts(db);
        s.series = jobs::admin::series(db, now, kMinutes);
        s.recent = jobs::admin::recentJobs(db, 30);
        for (const jobs::Job &job : jobs::admin::failedJobs(db, 30))
            s.failed.append({job, jobs::admin::attempts(db, job.id)});
        return s;
    });
    // The engine's limiter state arrives on its own; the rows use the latest one seen.
    m_backend->engine().queueStates().then(this,
                                           [this](const QList<jobs::QueueLimitState> &states) {
                                               m_limits.clear();
                                               for (const auto &l : states)
                                                   m_limits.insert(l.name, l);
                                           });
    read.then(this, [this, now](QFuture<Snapshot> f) {
        m_inFlight = false;
        Snapshot s;
        try {
            s = f.result();
        } catch (const std::exception &e) {
            qCWarning(lcDashboard) << "reading the job dashboard failed:" << e.what();
            return;
        }
        QList<QueueEntry> queues;
        queues.reserve(s.counts.size());
        for (const auto &c : std::as_const(s.counts)) {
            QueueEntry q;
            q.name = c.queue;
            q.paused = c.paused;
            q.queued = c.byState.value(QStringLiteral("queued"));
            q.running = c.byState.value(QStringLiteral("running"));
            q.done = c.byState.value(QStringLiteral("done"));
            q.failed = c.byState.value(QStringLiteral("failed"));
            q.cancelled = c.byState.value(QStringLiteral("cancelled"));
            const jobs::QueueLimitState l = m_limits.value(c.queue);
            q.concurrency = l.concurrency;
            q.requestsPerMinute = l.requestsPerMinute;
            q.requestsAvailable = l.requestsPerMinute > 0 ? l.requestsAvailable : -1.0;
            q.tokensPerMinute = l.tokensPerMinute;
            q.tokensAvailable = l.tokensPerMinute > 0 ? l.tokensAvailable : -1.0;
            q.refillMs = l.refillMs;
            q.blockedMs = l.blockedUntil > now ? l.blockedUntil - now : 0;
            queues.append(q);
        }
        m_queues.setQueues(queues);
        m_series.clear();
        int lastFive = 0;
        for (qsizetype i = 0; i < s.series.size(); ++i) {
            const auto &b = s.series[i];
            if (i >= s.series.size() - 5)
                lastFive += b.done + b.failed;
            m_series.append(QVariantMap{{QStringLiteral("minute"), b.minuteStart},
                                        {QStringLiteral("done"), b.done},
                                        {QStringLiteral("failed"), b.failed},
                                        {QStringLiteral("avgWaitMs"), b.avgWaitMs},
                                        {QStringLiteral("maxWaitMs"), b.maxWaitMs}});
        }
        m_throughput = lastFive / 5.0;
        QList<JobEntry> recent;
        recent.reserve(s.recent.size());
        for (const auto &job : std::as_const(s.recent))
            recent.append(JobEntry{job, {}});
        m_recent.setJobs(recent);
        QList<JobEntry> failed;
        failed.reserve(s.failed.size());
        for (const auto &[job, attempts] : std::as_const(s.failed)) {
            QStringList errors;
            for (const auto &a : attempts)
                errors.append(tr("attempt %1 (%2): %3").arg(a.attempt).arg(a.outcome, a.error));
            failed.append(JobEntry{job, errors});
        }
        m_failed.setJobs(failed);
        m_updatedAt = now;
        Q_EMIT changed();
    });
}

void JobsDashboard::retry(qint64 jobId)
{
    if (!m_backend)
        return;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    m_backend->store()
        .write([jobId, now](QSqlDatabase &db) { return jobs::admin::retry(db, jobId, now); })
        .then(this, [this, jobId](bool ok) {
            if (!ok)
                Q_EMIT actionFailed(tr("Job %1 is no longer failed.").arg(jobId));
            m_backend->engine().wake();
            refresh();
        });
}

void JobsDashboard::discard(qint64 jobId)
{
    if (!m_backend)
        return;
    m_backend->store()
        .write([jobId](QSqlDatabase &db) { return jobs::admin::discard(db, jobId); })
        .then(this, [this, jobId](bool ok) {
            if (!ok)
                Q_EMIT actionFailed(tr("Job %1 is still queued or running.").arg(jobId));
            refresh();
        });
}

void JobsDashboard::cancel(qint64 jobId)
{
    if (!m_backend)
        return;
    m_backend->engine().cancel(jobId).then(this, [this, jobId](bool ok) {
        if (!ok)
            Q_EMIT actionFailed(tr("Job %1 is not queued or running here.").arg(jobId));
        refresh();
    });
}

void JobsDashboard::setPaused(const QString &queue, bool paused)
{
    if (!m_backend)
        return;
    m_backend->engine().setQueuePaused(queue, paused).then(this, [this] { refresh(); });
}

} // namespace arbor::app
