#pragma once

#include "backoff.h"
#include "job.h"
#include "jobhandler.h"
#include "jobrun.h"
#include "ratelimiter.h"

#include <QFuture>
#include <QHash>
#include <QMutex>
#include <QObject>
#include <QSqlDatabase>
#include <QThread>

#include <functional>
#include <memory>
#include <optional>

namespace arbor::store {
class Store;
}

namespace arbor::jobs {

class ClaimChannel;
class Dispatcher;
class JobHandler;

/**
 * @brief The durable job engine: jobs are rows; a dispatcher on its own thread claims due jobs
 * by priority up to a concurrency limit and runs their handlers. Each running job is leased to
 * this process's worker row; a job whose worker died is recovered by the next process that
 * looks (recoverOrphans), whatever the handler decides.
 *
 * Public methods are thread-safe. Signals are emitted from the engine thread.
 */
class JobEngine : public QObject
{
    Q_OBJECT

public:
    struct Options
    {
        int concurrency = 4;
        int pollIntervalMs = 1000; ///< picks up jobs added by other processes and due retries
        int heartbeatMs = 5000;
        int staleAfterMs = 30000; ///< a worker silent this long is dead (other hosts)
        Backoff backoff;
        std::function<qint64()> clock;   ///< ms since epoch; injectable for tests
        QHash<QString, int> maxAttempts; ///< per kind; overrides JobHandler::maxAttempts()
        /// Claims only the jobs given to claimOnly() (none before): a command that runs the one
        /// job it started (`arbord import`), not what else is queued in the store.
        bool onlyGivenJobs = false;
    };

    explicit JobEngine(store::Store &store, Options options);
    explicit JobEngine(store::Store &store);
    ~JobEngine() override;

    /** @brief Registers the handler of one job kind; call before start(). */
    void registerHandler(std::shared_ptr<JobHandler> handler);
    /** @brief How a job of @p kind that this process does not run (it has no handler for it)
     *  is recovered when its process died: as JobHandler::recover(). Lets every process that
     *  recovers settle such jobs as their own kind would (a reply with tools, a tool call). */
    using Recover =
        std::function<JobHandler::Recovery(const QSqlDatabase &db, const Job &job, bool canRetry)>;
    void registerRecovery(const QString &kind, Recover recover);

    /** @brief Recovers jobs held by dead workers, now; blocks the caller (not for the GUI thread).
     *  Returns how many jobs were recovered. */
    int recoverOrphans();
    /** @brief The same recovery as a store task (returns the count). */
    std::function<int(const QSqlDatabase &)> recoveryTask() const;

    /** @brief Registers this process as a worker and starts dispatching. */
    void start();
    /** @brief Stops claiming, asks running jobs to stop (CancelReason::Shutdown), waits up to
     *  @p graceMs for them to record their state, unregisters the worker. Blocks. */
    void stop(int graceMs = 5000);
    /** @brief Stops claiming and lets the running jobs end as they would (stop requests still
     *  reach them); resolves once none runs. Does not block; stop() afterwards ends the thread. */
    QFuture<void> drain();
    bool isRunning() const { return m_thread.isRunning(); }
    /** @brief The thread jobs run on (objects their handlers use live there). */
    QThread *engineThread() { return &m_thread; }

    /** @brief Adds a job; the future resolves with its id once it is durable. */
    QFuture<qint64> enqueue(const JobSpec &spec);
    /** @brief Adds many jobs in one transaction; ids in the order of @p specs. */
    QFuture<QList<qint64>> enqueueMany(const QList<JobSpec> &specs);
    /** @brief Attempts a job of @p kind gets when its spec says 0. */
    int maxAttemptsFor(const QString &kind) const;

    /** @brief Stores a queue's settings (limits, pause) and applies them at once. */
    QFuture<void> setQueueSettings(const QueueSettings &settings);
    /** @brief Stores a queue's (a provider's) concurrency and requests/tokens per minute (each
     *  < 0 = unchanged, 0 = no limit) in job_queues, as `arbord jobs limit` does, keeps its
     *  pause, and applies them to the limiter; resolves with the stored settings. */
    QFuture<QueueSettings> setQueueLimits(const QString &queue, int concurrency,
                                          qint64 requestsPerMinute, qint64 tokensPerMinute);
    /** @brief Pauses or resumes a queue: running jobs finish, no new one starts while paused. */
    QFuture<void> setQueuePaused(const QString &queue, bool paused);
    /** @brief The live limit state of every queue this engine knows (empty when stopped). */
    QFuture<QList<QueueLimitState>> queueStates();
    /** @brief Runs @p fn with that state on the engine's thread (at once with none when
     *  stopped): what comes next needs no continuation on a future that thread finishes. */
    void withQueueStates(std::function<void(const QList<QueueLimitState> &)> fn);
    /** @brief Cancels a job: a queued one at once, a running one of this process by asking its
     *  handler, one running in another process by a request it picks up on its next poll.
     *  Resolves with whether the job was queued or running here. */
    QFuture<bool> cancel(qint64 jobId);
    /** @brief Re-reads the queues' settings (after another process changed them). */
    void reloadQueues();
    /** @brief queries::latestForSubject() as a store read: how the job behind a reply (its
     *  message id) stands — state, attempts, runAt of a retry, lastErrorKind. Works in a
     *  process that runs no jobs too (it only reads). */
    QFuture<std::optional<Job>> latestJobFor(const QString &subjectId);

    /** @brief Looks for due jobs now (after an enqueue done in another transaction). */
    void wake();
    /** @brief With Options::onlyGivenJobs: from now on claims the jobs whose subject is one of
     *  @p subjectIds (and wakes the dispatcher). */
    void claimOnly(const QStringList &subjectIds);
    /** @brief What claims are limited to: nullopt for any job, else the subjects given. */
    std::optional<QStringList> claimSubjects() const;
    /** @brief Asks a job that runs in this process to stop; false if it does not run here. */
    bool cancelRunning(qint64 jobId, CancelReason reason = CancelReason::User);

    QString workerId() const { return m_workerId; }
    store::Store &store() { return m_store; }
    qint64 now() const;
    const Options &options() const { return m_options; }

Q_SIGNALS:
    void jobStarted(qint64 id, const QString &kind);
    void jobFinished(qint64 id, const QString &kind, const QString &state, const QString &error);

private:
    friend class Dispatcher;
    store::Store &m_store;
    Options m_options;
    QString m_workerId;
    QHash<QString, std::shared_ptr<JobHandler>> m_handlers;
    mutable QMutex m_subjectsMutex;
    QStringList m_subjects; ///< with Options::onlyGivenJobs, the subjects claims are limited to
    QHash<QString, Recover> m_recoveries; ///< kinds recovered here but not run
    QThread m_thread;
    Dispatcher *m_dispatcher = nullptr;
    /** @brief Shared with the writer's tasks, which may outlive the engine. */
    std::shared_ptr<ClaimChannel> m_claims;
};

} // namespace arbor::jobs
