#include "jobsdashboard.h"

#include "async.h"

#include "core/backend.h"
#include "jobs/jobsservice.h"

#include <QLoggingCategory>
#include <QVariantMap>

Q_LOGGING_CATEGORY(lcDashboard, "arbor.app.jobs", QtInfoMsg)

namespace arbor::app {

JobsDashboard::JobsDashboard(core::Backend *backend, QObject *parent)
    : QObject(parent)
    , m_jobs(backend ? &backend->jobs() : nullptr)
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
    if (!m_jobs || m_inFlight)
        return;
    m_inFlight = true;
    whenDone(
        this, m_jobs->snapshot(),
        [this](const jobs::JobsSnapshot &s) {
            m_inFlight = false;
            apply(s);
        },
        [this](const QString &error) {
            m_inFlight = false;
            qCWarning(lcDashboard).noquote() << "reading the job dashboard failed:" << error;
        });
}

void JobsDashboard::apply(const jobs::JobsSnapshot &s)
{
    QList<QueueEntry> queues;
    queues.reserve(s.queues.size());
    for (const jobs::QueueView &v : s.queues)
        queues.append({v.name, v.paused, v.queued, v.running, v.done, v.failed, v.cancelled,
                       v.concurrency, v.requestsPerMinute, v.requestsAvailable, v.tokensPerMinute,
                       v.tokensAvailable, v.refillMs, v.blockedMs});
    m_queues.setQueues(queues);
    m_series.clear();
    for (const jobs::admin::MinuteBucket &b : s.series)
        m_series.append(QVariantMap{{QStringLiteral("minute"), b.minuteStart},
                                    {QStringLiteral("done"), b.done},
                                    {QStringLiteral("failed"), b.failed},
                                    {QStringLiteral("avgWaitMs"), b.avgWaitMs},
                                    {QStringLiteral("maxWaitMs"), b.maxWaitMs}});
    m_throughput = s.throughputPerMinute;
    QList<JobEntry> recent;
    recent.reserve(s.recent.size());
    for (const jobs::Job &job : s.recent)
        recent.append(JobEntry{job, {}});
    m_recent.setJobs(recent);
    QList<JobEntry> failed;
    failed.reserve(s.failed.size());
    for (const jobs::FailedJob &f : s.failed) {
        QStringList errors;
        for (const jobs::admin::Attempt &a : f.attempts)
            errors.append(tr("attempt %1 (%2): %3").arg(a.attempt).arg(a.outcome, a.error));
        failed.append(JobEntry{f.job, errors});
    }
    m_failed.setJobs(failed);
    m_updatedAt = s.takenAt;
    Q_EMIT changed();
}

void JobsDashboard::retry(qint64 jobId)
{
    if (!m_jobs)
        return;
    whenDone(
        this, m_jobs->retry(jobId),
        [this, jobId](bool retried) {
            if (!retried)
                Q_EMIT actionFailed(tr("Job %1 is no longer failed.").arg(jobId));
            refresh();
        },
        [this](const QString &error) { Q_EMIT actionFailed(error); });
}

void JobsDashboard::discard(qint64 jobId)
{
    if (!m_jobs)
        return;
    whenDone(
        this, m_jobs->discard(jobId),
        [this, jobId](bool discarded) {
            if (!discarded)
                Q_EMIT actionFailed(tr("Job %1 is still queued or running.").arg(jobId));
            refresh();
        },
        [this](const QString &error) { Q_EMIT actionFailed(error); });
}

void JobsDashboard::cancel(qint64 jobId)
{
    if (!m_jobs)
        return;
    whenDone(
        this, m_jobs->cancel(jobId),
        [this, jobId](bool cancelled) {
            if (!cancelled)
                Q_EMIT actionFailed(tr("Job %1 is not queued or running here.").arg(jobId));
            refresh();
        },
        [this](const QString &error) { Q_EMIT actionFailed(error); });
}

void JobsDashboard::setPaused(const QString &queue, bool paused)
{
    if (!m_jobs)
        return;
    whenDone(
        this, m_jobs->setPaused(queue, paused), [this] { refresh(); },
        [this](const QString &error) { Q_EMIT actionFailed(error); });
}

} // namespace arbor::app
