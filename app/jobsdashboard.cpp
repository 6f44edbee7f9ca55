#include "jobsdashboard.h"

#include "async.h"

#include "core/backend.h"
#include "jobs/jobengine.h"
#include "jobs/jobsservice.h"

#include <QLoggingCategory>
#include <QVariantMap>

#include <algorithm>

Q_LOGGING_CATEGORY(lcDashboard, "arbor.app.jobs", QtInfoMsg)

namespace arbor::app {

namespace {

QVariantMap bucketMap(const jobs::stats::Bucket &b)
{
    return {{QStringLiteral("start"), b.start},
            {QStringLiteral("done"), b.done},
            {QStringLiteral("failed"), b.failed},
            {QStringLiteral("avgWaitMs"), b.avgWaitMs},
            {QStringLiteral("maxWaitMs"), b.maxWaitMs}};
}

QVariantList tagList(const jobs::Job &job)
{
    QVariantList tags;
    const QMap<QString, QString> all = jobs::tagsOf(job);
    for (auto it = all.cbegin(); it != all.cend(); ++it)
        tags.append(
            QVariantMap{{QStringLiteral("tag"), it.key()}, {QStringLiteral("value"), it.value()}});
    return tags;
}

void idList(const QVariantList &ids, QList<qint64> &out)
{
    for (const QVariant &v : ids)
        out.append(v.toLongLong());
}

} // namespace

JobsDashboard::JobsDashboard(core::Backend *backend, QObject *parent)
    : QObject(parent)
    , m_jobs(backend ? &backend->jobs() : nullptr)
    , m_timer(this)
    , m_push(this)
    , m_queues(this)
    , m_recent(this)
    , m_failed(this)
{
    m_timer.setInterval(5000);
    connect(&m_timer, &QTimer::timeout, this, &JobsDashboard::refresh);
    m_push.setSingleShot(true);
    m_push.setInterval(250);
    connect(&m_push, &QTimer::timeout, this, &JobsDashboard::refresh);
    if (m_jobs) {
        // Pushed: a job that starts or ends here reaches the page within 250 ms (plus a read).
        jobs::JobEngine *engine = &backend->engine();
        connect(engine, &jobs::JobEngine::jobStarted, this, &JobsDashboard::schedule);
        connect(engine, &jobs::JobEngine::jobFinished, this, &JobsDashboard::schedule);
    }
}

void JobsDashboard::setActive(bool active)
{
    if (active == m_active)
        return;
    m_active = active;
    if (active) {
        m_timer.start();
        refresh();
    } else {
        m_timer.stop();
        m_push.stop();
    }
    Q_EMIT activeChanged();
}

void JobsDashboard::schedule()
{
    if (m_active && !m_push.isActive())
        m_push.start();
}

void JobsDashboard::setRange(int range)
{
    range = std::clamp(range, 0, 2);
    if (range == m_range)
        return;
    m_range = range;
    Q_EMIT rangeChanged();
    refresh();
}

void JobsDashboard::setFilter(const QString &tag, const QString &value)
{
    const QString v = tag.isEmpty() ? QString() : value;
    if (tag == m_filterTag && v == m_filterValue)
        return;
    m_filterTag = tag;
    m_filterValue = v;
    Q_EMIT filterChanged();
    refresh();
}

void JobsDashboard::refresh()
{
    if (!m_jobs)
        return;
    if (m_inFlight) {
        m_again = true;
        return;
    }
    m_inFlight = true;
    jobs::SnapshotOptions options;
    options.history = true;
    options.range = jobs::stats::Range(m_range);
    options.filter = {m_filterTag, m_filterValue};
    whenDone(
        this, m_jobs->snapshot(options),
        [this](const jobs::JobsSnapshot &s) {
            m_inFlight = false;
            apply(s);
            if (std::exchange(m_again, false))
                schedule();
        },
        [this](const QString &error) {
            m_inFlight = false;
            qCWarning(lcDashboard).noquote() << "reading the job dashboard failed:" << error;
        });
    if (m_detailId > 0)
        showJob(m_detailId);
}

void JobsDashboard::showJob(qint64 jobId)
{
    m_detailId = jobId;
    // Every refresh reads the shown job again, and readers answer in any order: only the
    // latest read counts (an older one has the job as it was before a retry, say).
    const quint64 generation = ++m_detailGeneration;
    if (!m_jobs || jobId <= 0) {
        if (!m_detail.isEmpty()) {
            m_detail.clear();
            Q_EMIT jobDetailChanged();
        }
        return;
    }
    whenDone(
        this, m_jobs->detail(jobId),
        [this, jobId, generation](const jobs::admin::JobDetail &d) {
            if (generation != m_detailGeneration)
                return;
            QVariantList attempts;
            for (const jobs::admin::Attempt &a : d.attempts)
                attempts.append(QVariantMap{{QStringLiteral("attempt"), a.attempt},
                                            {QStringLiteral("outcome"), a.outcome},
                                            {QStringLiteral("error"), a.error},
                                            {QStringLiteral("worker"), a.worker},
                                            {QStringLiteral("startedAt"), a.startedAt},
                                            {QStringLiteral("finishedAt"), a.finishedAt}});
            const QVariantMap detail{{QStringLiteral("found"), d.found},
                                     {QStringLiteral("jobId"), jobId},
                                     {QStringLiteral("kind"), d.job.kind},
                                     {QStringLiteral("queueName"), d.job.queue},
                                     {QStringLiteral("state"), jobs::toString(d.job.state)},
                                     {QStringLiteral("createdAt"), d.job.createdAt},
                                     {QStringLiteral("runAt"), d.job.runAt},
                                     {QStringLiteral("finishedAt"), d.job.finishedAt},
                                     {QStringLiteral("lastError"), d.job.lastError},
                                     {QStringLiteral("tags"), tagList(d.job)},
                                     {QStringLiteral("attempts"), attempts}};
            if (detail != m_detail) {
                m_detail = detail;
                Q_EMIT jobDetailChanged();
            }
        },
        [this](const QString &error) { Q_EMIT actionFailed(error); });
}

void JobsDashboard::bulk(QFuture<int> done, const QString &verb)
{
    whenDone(
        this, std::move(done),
        [this, verb](int count) {
            Q_EMIT bulkDone(tr("%n job(s) %1.", nullptr, count).arg(verb));
            refresh();
        },
        [this](const QString &error) { Q_EMIT actionFailed(error); });
}

void JobsDashboard::retryJobs(const QVariantList &jobIds)
{
    QList<qint64> ids;
    idList(jobIds, ids);
    if (m_jobs && !ids.isEmpty())
        bulk(m_jobs->retryJobs(ids), tr("retried"));
}

void JobsDashboard::discardJobs(const QVariantList &jobIds)
{
    QList<qint64> ids;
    idList(jobIds, ids);
    if (m_jobs && !ids.isEmpty())
        bulk(m_jobs->discardJobs(ids), tr("discarded"));
}

void JobsDashboard::retryFiltered()
{
    if (m_jobs)
        bulk(m_jobs->retryFailed({m_filterTag, m_filterValue}), tr("retried"));
}

void JobsDashboard::discardFiltered()
{
    if (m_jobs)
        bulk(m_jobs->discardFailed({m_filterTag, m_filterValue}), tr("discarded"));
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
    const jobs::stats::Overview &o = s.overview;
    m_overview = {{QStringLiteral("jobsPerMinute"), o.jobsPerMinute},
                  {QStringLiteral("jobsPastHour"), o.jobsPastHour},
                  {QStringLiteral("failuresPast7Days"), o.failuresPast7Days},
                  {QStringLiteral("longestWaitQueue"), o.longestWaitQueue},
                  {QStringLiteral("longestWaitMs"), o.longestWaitMs}};
    m_queueSeries.clear();
    for (const jobs::stats::QueueSeries &q : s.queueSeries) {
        QVariantList buckets;
        buckets.reserve(q.buckets.size());
        for (const jobs::stats::Bucket &b : q.buckets)
            buckets.append(bucketMap(b));
        m_queueSeries.append(
            QVariantMap{{QStringLiteral("queue"), q.queue}, {QStringLiteral("buckets"), buckets}});
    }
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
