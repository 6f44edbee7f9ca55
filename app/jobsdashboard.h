#pragma once

#include "joblistmodel.h"
#include "queuelistmodel.h"

#include <QFuture>
#include <QObject>
#include <QTimer>
#include <QVariantList>
#include <QVariantMap>
#include <QtQml/qqml.h>

namespace arbor::core {
class Backend;
}
namespace arbor::jobs {
class JobsService;
struct JobsSnapshot;
} // namespace arbor::jobs

namespace arbor::app {

/**
 * @brief The job dashboard's data (in the spirit of Laravel Horizon) for QML: counts per queue
 * and state, per-minute throughput and wait time over the last hour, recent and failed jobs with
 * every attempt's error, and each queue's live rate-limit state; tiles (jobs per minute, in the
 * past hour, failures in 7 days, the longest wait), per-queue charts over an hour, two days or
 * 90 days, tags with a filter, a job's attempts on a timeline, and bulk retry and discard. An
 * adapter over jobs::JobsService: while `active`, the engine's job signals push a new snapshot
 * (at most one per 250 ms); a slow timer catches what other processes (arbord worker) did.
 * Snapshots are applied to the models row by row. GUI thread only.
 */
class JobsDashboard : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("JobsDashboard belongs to App")
    /** @brief Follows the engine while true (the page is shown). */
    Q_PROPERTY(bool active READ active WRITE setActive NOTIFY activeChanged)
    /** @brief Every queue with its counts per state and its rate-limit state. */
    Q_PROPERTY(arbor::app::QueueListModel *queues READ queues CONSTANT)
    /** @brief 60 per-minute buckets, oldest first: [{minute (ms), done, failed, avgWaitMs,
     * maxWaitMs}]. */
    Q_PROPERTY(QVariantList series READ series NOTIFY changed)
    /** @brief The newest jobs, newest first. */
    Q_PROPERTY(arbor::app::JobListModel *recentJobs READ recentJobs CONSTANT)
    /** @brief The dead-letter list, newest first, with every attempt's error. */
    Q_PROPERTY(arbor::app::JobListModel *failedJobs READ failedJobs CONSTANT)
    /** @brief Jobs finished per minute over the last 5 minutes. */
    Q_PROPERTY(double throughputPerMinute READ throughputPerMinute NOTIFY changed)
    /** @brief Last refresh time (ms since epoch); 0 before the first. */
    Q_PROPERTY(qint64 updatedAt READ updatedAt NOTIFY changed)
    /** @brief The tiles: {jobsPerMinute, jobsPastHour, failuresPast7Days, longestWaitQueue,
     *  longestWaitMs}. */
    Q_PROPERTY(QVariantMap overview READ overview NOTIFY changed)
    /** @brief Charts per queue over `range`, "" (all queues) first: [{queue, buckets: [{start,
     *  done, failed, avgWaitMs, maxWaitMs}]}]. */
    Q_PROPERTY(QVariantList queueSeries READ queueSeries NOTIFY changed)
    /** @brief The charts' span: 0 = the last hour (per minute), 1 = two days (per half hour),
     *  2 = 90 days (per day). */
    Q_PROPERTY(int range READ range WRITE setRange NOTIFY rangeChanged)
    /** @brief The tag the job lists are filtered by ("" = none), and its value. */
    Q_PROPERTY(QString filterTag READ filterTag NOTIFY filterChanged)
    Q_PROPERTY(QString filterValue READ filterValue NOTIFY filterChanged)
    /** @brief The job shown in detail: {found, jobId, kind, queueName, state, createdAt, runAt,
     *  finishedAt, tags, attempts: [{attempt, outcome, error, worker, startedAt, finishedAt}]};
     *  empty when none. */
    Q_PROPERTY(QVariantMap jobDetail READ jobDetail NOTIFY jobDetailChanged)

public:
    explicit JobsDashboard(core::Backend *backend, QObject *parent = nullptr);

    bool active() const { return m_active; }
    /** @brief How often the page catches up with other processes' jobs (default 5 s); this
     *  process's own jobs are pushed at once. */
    void setCatchUpMs(int ms) { m_timer.setInterval(ms); }
    void setActive(bool active);
    QueueListModel *queues() { return &m_queues; }
    QVariantList series() const { return m_series; }
    JobListModel *recentJobs() { return &m_recent; }
    JobListModel *failedJobs() { return &m_failed; }
    double throughputPerMinute() const { return m_throughput; }
    qint64 updatedAt() const { return m_updatedAt; }
    QVariantMap overview() const { return m_overview; }
    QVariantList queueSeries() const { return m_queueSeries; }
    int range() const { return m_range; }
    void setRange(int range);
    QString filterTag() const { return m_filterTag; }
    QString filterValue() const { return m_filterValue; }
    QVariantMap jobDetail() const { return m_detail; }

    /** @brief Reads everything again now (also called by the timer). */
    Q_INVOKABLE void refresh();
    /** @brief Queues a failed or cancelled job again. */
    Q_INVOKABLE void retry(qint64 jobId);
    /** @brief Deletes a finished job from the lists. */
    Q_INVOKABLE void discard(qint64 jobId);
    Q_INVOKABLE void cancel(qint64 jobId);
    Q_INVOKABLE void setPaused(const QString &queue, bool paused);
    /** @brief Shows only jobs with @p tag = @p value (an empty tag clears the filter). */
    Q_INVOKABLE void setFilter(const QString &tag, const QString &value);
    /** @brief Retries or discards the jobs with these ids (the selected ones). */
    Q_INVOKABLE void retryJobs(const QVariantList &jobIds);
    Q_INVOKABLE void discardJobs(const QVariantList &jobIds);
    /** @brief Retries or discards every failed job that the filter shows (all without one). */
    Q_INVOKABLE void retryFiltered();
    Q_INVOKABLE void discardFiltered();
    /** @brief Reads @p jobId with every attempt into jobDetail (0 closes it). */
    Q_INVOKABLE void showJob(qint64 jobId);

Q_SIGNALS:
    void activeChanged();
    void changed();
    void rangeChanged();
    void filterChanged();
    void jobDetailChanged();
    /** @brief A bulk action ended: @p count jobs were retried or discarded. */
    void bulkDone(const QString &message);
    /** @brief An action failed (e.g. the job was no longer failed). */
    void actionFailed(const QString &message);

private:
    void apply(const jobs::JobsSnapshot &snapshot);
    /** @brief A refresh soon (coalesced): the engine started or ended a job. */
    void schedule();
    void bulk(QFuture<int> done, const QString &verb);

    jobs::JobsService *m_jobs; ///< null when the store could not be opened
    QTimer m_timer;            ///< the slow catch-up for other processes' jobs
    QTimer m_push;             ///< coalesces the engine's signals into one refresh
    bool m_active = false;
    bool m_again = false; ///< a refresh was asked for while one was in flight
    QVariantMap m_overview;
    QVariantList m_queueSeries;
    int m_range = 0;
    QString m_filterTag;
    QString m_filterValue;
    QVariantMap m_detail;
    qint64 m_detailId = 0;
    quint64 m_detailGeneration = 0; ///< of the latest read of the shown job
    QueueListModel m_queues;
    QVariantList m_series;
    JobListModel m_recent;
    JobListModel m_failed;
    double m_throughput = 0;
    qint64 m_updatedAt = 0;
    bool m_inFlight = false;
};

} // namespace arbor::app
