#pragma once

#include "job.h"
#include "jobqueries.h"
#include "jobrun.h"
#include "ratelimiter.h"

#include <QHash>
#include <QObject>
#include <QTimer>

#include <functional>
#include <vector>

namespace arbor::jobs {

class ClaimChannel;
class JobEngine;

/**
 * @brief The engine's thread-side half: claims, starts and ends runs. Lives on the engine thread.
 *
 * One store task at a time does both halves of a cycle: it records the runs that ended since
 * the last one and claims as many due jobs as their slots (and the rest) allow, so a busy
 * queue costs one commit and one round trip per batch. When idle it arms a ClaimChannel
 * ticket, so the next add claims its job in its own transaction.
 */
class Dispatcher : public QObject
{
    Q_OBJECT

public:
    explicit Dispatcher(JobEngine *engine);
    ~Dispatcher() override;

    Q_INVOKABLE void begin();
    /** @brief Looks for due jobs now (a claim follows even if none are known to be due). */
    Q_INVOKABLE void dispatch();
    /** @brief A coalesced wake-up from ClaimChannel::wake. */
    Q_INVOKABLE void wakeUp();
    /** @brief Jobs the writer claimed with this dispatcher's ticket, after their COMMIT. */
    void takeWriterClaim(QList<Job> jobs, int free, int pinnedFree, bool capped);
    Q_INVOKABLE bool cancel(qint64 jobId, int reason);
    /** @brief Stops claiming and (with @p cancelRuns) asks runs to end; calls @p done (any
     *  thread) once all ended. */
    void shutdown(std::function<void()> done, bool cancelRuns = true);

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

    /** @brief @p run waits for a person (JobRun::setWaitingForPerson): gives its slot and
     *  its queue's place back, or takes them again. */
    void setWaiting(JobRun *run, bool waiting);

    /** @brief Stops this process's runs that another process asked to stop (see
     *  queries::requestCancel). */
    void takeCancelRequests();
    /** @brief Reads the queues' settings from the store and applies them, then dispatches. */
    Q_INVOKABLE void reloadQueues();
    void applyQueueSettings(const QList<QueueSettings> &settings);
    QList<QueueLimitState> queueStates();
    void reportUsage(const Job &job, qint64 actualTokens);
    void reportRateLimit(const Job &job, const RateLimitInfo &info);

private:
    QueueLimiter &limiterFor(const QString &queue);
    void flushEnds();
    /** @brief Starts a cycle (ends + claim) unless one is under way; @p wantClaim asks for a
     *  claim after it if one is. */
    void pump(bool wantClaim);
    /** @brief The rules of a claim now, with @p running jobs per queue (arms limit wake-ups). */
    queries::ClaimRules claimRules(qint64 now, bool &capped, const QHash<QString, int> &running,
                                   const QHash<QString, int> &low, int lowTotal);
    /** @brief Free shared slots (jobs not pinned to this process). */
    int freeSlots() const;
    /** @brief Free slots of the jobs pinned to this process (PinnedSlots). */
    int freePinnedSlots() const;
    /** @brief Whether pinned jobs may wait to be claimed (PinnedLedger): only then
     *  does a cycle claim for their slots. */
    bool pinnedMayWait() const;
    /** @brief Whether a claim took all it could (more may be due). */
    static bool filled(const QList<Job> &claimed, int free, int pinnedFree);
    /** @brief Counts and starts claimed jobs. */
    void startClaimed(const QList<Job> &jobs, qint64 now);
    /** @brief After a cycle or a writer claim: another cycle, or arm the ticket. */
    void afterCycle(bool more);
    void armTicket();
    void wakeAfter(qint64 ms);
    void startRun(const Job &job);
    /** @brief Deletes the runs of a cycle's ends once control is back in the event loop. */
    void deleteRunsLater(const std::vector<PendingEnd> &ends);
    void beat();
    void maybeFinishShutdown();

    JobEngine *m_engine;
    QHash<qint64, JobRun *> m_running;
    QTimer m_poll;
    QTimer m_heartbeat;
    QTimer m_limitWake; ///< fires when a rate-limited queue may start again
    QHash<QString, QueueLimiter> m_limiters;
    QHash<QString, int> m_queueRunning;
    /** @brief Running jobs below interactive priority, per queue and in all (ClaimRules). */
    QHash<QString, int> m_queueLow;
    int m_lowRunning = 0;
    int m_pinnedRunning = 0; ///< running jobs pinned to this process (their own slots)
    int m_waiting = 0;       ///< running jobs waiting for a person (they hold no shared slot)
    std::vector<PendingEnd> m_ends;
    ClaimChannel *m_channel;
    bool m_claimInFlight = false; ///< a cycle, or the writer's claim with our ticket, is under way
    bool m_wakePending = false;
    bool m_stopping = false;
    int m_beats = 0;
    std::function<void()> m_shutdownDone;
};

} // namespace arbor::jobs
