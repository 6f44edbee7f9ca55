#pragma once

#include "job.h"

#include <QHash>
#include <QList>
#include <QSqlDatabase>
#include <QStringList>

#include <climits>
#include <optional>

namespace arbor::jobs::queries {

/** @brief Inserts a queued job (inside the caller's transaction) and returns its id. */
qint64 insert(const QSqlDatabase &db, const JobSpec &spec, qint64 now);
/** @brief Inserts many queued jobs with one prepared statement; ids in the order of @p specs. */
QList<qint64> insertMany(const QSqlDatabase &db, const QList<JobSpec> &specs, qint64 now);
std::optional<Job> get(const QSqlDatabase &db, qint64 id);
/** @brief Jobs for @p subjectId, newest first. */
QList<Job> forSubject(const QSqlDatabase &db, const QString &subjectId);
/**
 * @brief The newest job for @p subjectId (for a reply: its assistant message id), or nullopt.
 * What `arbord chat`, `arbord jobs` and the app show about a reply that waits: state, attempts
 * of maxAttempts, runAt (when a queued job, e.g. a retry, runs next; ms since epoch),
 * lastErrorKind and lastError (the last failed attempt). Job::waitingToRetry() tells a retry's
 * wait from a first start.
 */
std::optional<Job> latestForSubject(const QSqlDatabase &db, const QString &subjectId);

/** @brief Per-queue limits of one claim: queues that may not start anything, and at most how
 *  many jobs each capped queue may start (a queue not named is unlimited). */
struct ClaimRules
{
    QStringList blocked;
    QHash<QString, int> caps;
    /// Set: only jobs whose subject is one of these (none while it is empty).
    std::optional<QStringList> subjects = std::nullopt;
    /** @brief Interactive chat always goes first: jobs below this priority leave the last slot
     *  of the engine and of each queue with a concurrency of 2 or more to it. */
    int reservedFor = Priority::Interactive;
    int lowLimit = INT_MAX;      ///< at most this many jobs below reservedFor, in all
    QHash<QString, int> lowCaps; ///< and at most this many in these queues
};

/** @brief Takes up to @p limit due jobs of @p kinds, highest priority first, for @p owner. */
QList<Job> claim(const QSqlDatabase &db, const QString &owner, const QStringList &kinds, int limit,
                 qint64 now, const ClaimRules &rules = {});

/** @brief Marks a running job of @p owner done; false if it is no longer @p owner's (it was
 *  recovered or cancelled elsewhere), in which case nothing changes. */
bool complete(const QSqlDatabase &db, qint64 id, const QString &owner, qint64 now);
/** @brief complete() for many jobs in one statement; returns the ids that were still @p owner's. */
QList<qint64> completeMany(const QSqlDatabase &db, const QList<qint64> &ids, const QString &owner,
                           qint64 now);
/** @brief Fails a running job of @p owner: queued again at @p retryAt when given (> 0) and
 *  attempts remain, else state failed. Records @p error and its @p kind as the last error.
 *  Returns the new state, or nullopt if not @p owner's. */
std::optional<JobState> fail(const QSqlDatabase &db, qint64 id, const QString &owner,
                             const QString &error, qint64 retryAt, qint64 now,
                             ErrorKind kind = ErrorKind::Other);
/** @brief Cancels a running job of @p owner. */
bool cancelRunning(const QSqlDatabase &db, qint64 id, const QString &owner, const QString &reason,
                   qint64 now);
/** @brief Asks the process running job @p id to stop it (it looks on its next poll); false if
 *  the job is not running. */
bool requestCancel(const QSqlDatabase &db, qint64 id, qint64 now);
/** @brief The running jobs of @p owner that someone asked to stop (requestCancel). */
QList<qint64> cancelRequests(const QSqlDatabase &db, const QString &owner);
/** @brief Cancels a queued job; false if it is not queued (running or finished). */
bool cancelQueued(const QSqlDatabase &db, qint64 id, qint64 now);
/** @brief Puts a job back in the queue (recovery): attempts are kept; the last error is
 *  @p reason, of kind WorkerLost. */
void requeue(const QSqlDatabase &db, qint64 id, const QString &reason, qint64 now);
/** @brief Records one attempt that did not succeed (outcome: retry, failed, cancelled, recovered).
 */
void recordAttempt(const QSqlDatabase &db, const Job &job, const QString &outcome,
                   const QString &error, qint64 now);

void registerWorker(const QSqlDatabase &db, const QString &id, const QString &host, qint64 pid,
                    qint64 now);
void heartbeat(const QSqlDatabase &db, const QString &id, qint64 now);
void unregisterWorker(const QSqlDatabase &db, const QString &id);
/** @brief The running jobs that no live worker holds, changing nothing: what takeOrphans()
 *  would recover (for readers, which never recover). */
QList<Job> orphaned(const QSqlDatabase &db, const QString &host, qint64 staleBefore);
/** @brief Removes workers that are dead (pid gone on this host, or silent since @p staleBefore)
 *  and returns the running jobs that no live worker holds. */
QList<Job> takeOrphans(const QSqlDatabase &db, const QString &host, qint64 staleBefore);

} // namespace arbor::jobs::queries
