#pragma once

#include "joblistmodel.h"
#include "queuelistmodel.h"

#include <QObject>
#include <QTimer>
#include <QVariantList>
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
 * every attempt's error, and each queue's live rate-limit state. An adapter over
 * jobs::JobsService: while `active`, it asks for a snapshot every 1.5 s and applies it to its
 * models row by row. GUI thread only.
 */
class JobsDashboard : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("JobsDashboard belongs to App")
    /** @brief Polls while true (the page is shown). */
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

public:
    explicit JobsDashboard(core::Backend *backend, QObject *parent = nullptr);

    bool active() const { return m_timer.isActive(); }
    void setActive(bool active);
    QueueListModel *queues() { return &m_queues; }
    QVariantList series() const { return m_series; }
    JobListModel *recentJobs() { return &m_recent; }
    JobListModel *failedJobs() { return &m_failed; }
    double throughputPerMinute() const { return m_throughput; }
    qint64 updatedAt() const { return m_updatedAt; }

    /** @brief Reads everything again now (also called by the timer). */
    Q_INVOKABLE void refresh();
    /** @brief Queues a failed or cancelled job again. */
    Q_INVOKABLE void retry(qint64 jobId);
    /** @brief Deletes a finished job from the lists. */
    Q_INVOKABLE void discard(qint64 jobId);
    Q_INVOKABLE void cancel(qint64 jobId);
    Q_INVOKABLE void setPaused(const QString &queue, bool paused);

Q_SIGNALS:
    void activeChanged();
    void changed();
    /** @brief An action failed (e.g. the job was no longer failed). */
    void actionFailed(const QString &message);

private:
    void apply(const jobs::JobsSnapshot &snapshot);

    jobs::JobsService *m_jobs; ///< null when the store could not be opened
    QTimer m_timer;
    QueueListModel m_queues;
    QVariantList m_series;
    JobListModel m_recent;
    JobListModel m_failed;
    double m_throughput = 0;
    qint64 m_updatedAt = 0;
    bool m_inFlight = false;
};

} // namespace arbor::app
