#pragma once

#include "job.h"
#include "jobrun.h"
#include "ratelimiter.h"

#include <QHash>
#include <QObject>
#include <QTimer>

#include <functional>
#include <vector>

namespace arbor::jobs {

class JobEngine;

/** @brief The engine's thread-side half: claims, starts and ends runs. Lives on the engine thread. */
class Dispatcher : public QObject
{
    Q_OBJECT

public:
    explicit Dispatcher(JobEngine *engine);

    Q_INVOKABLE void begin();
    Q_INVOKABLE void dispatch();
    Q_INVOKABLE bool cancel(qint64 jobId, int reason);
    /** @brief Stops claiming and asks runs to end; calls @p done (any thread) once all ended. */
    void shutdown(std::function<void()> done);

    enum class Outcome { Success, Failure, Cancelled };
    void endRun(JobRun *run, Outcome outcome, const JobError &error, JobRun::Also also);
    /** @brief A run's end waiting to be recorded with the others of its event-loop turn. */
    struct PendingEnd
    {
        JobRun *run = nullptr;
        Job job;
        Outcome outcome = Outcome::Success;
        JobError error;
        JobRun::Also also;
        qint64 retryAt = 0;
        qint64 now = 0;
    };

    /** @brief Reads the queues' settings from the store and applies them, then dispatches. */
    Q_INVOKABLE void reloadQueues();
    void applyQueueSettings(const QList<QueueSettings> &settings);
    QList<QueueLimitState> queueStates();
    void reportUsage(const Job &job, qint64 actualTokens);
    void reportRateLimit(const Job &job, const RateLimitInfo &info);

private:
    QueueLimiter &limiterFor(const QString &queue);
    void flushEnds();
    void wakeAfter(qint64 ms);
    void startRun(const Job &job);
    void beat();
    void maybeFinishShutdown();

    JobEngine *m_engine;
    QHash<qint64, JobRun *> m_running;
    QTimer m_poll;
    QTimer m_heartbeat;
    QTimer m_limitWake; ///< fires when a rate-limited queue may start again
    QHash<QString, QueueLimiter> m_limiters;
    QHash<QString, int> m_queueRunning;
    std::vector<PendingEnd> m_ends;
    bool m_claimInFlight = false;
    bool m_wakePending = false;
    bool m_stopping = false;
    int m_beats = 0;
    std::function<void()> m_shutdownDone;
};

} // namespace arbor::jobs
