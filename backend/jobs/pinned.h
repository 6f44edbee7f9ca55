#pragma once

// Jobs pinned to one worker (pinnedQueue(), "pin:WORKER"): a reply's tool calls, which only the
// process that runs the reply (and has its servers) can run.

#include "job.h"

#include <QList>
#include <QSqlDatabase>
#include <QStringList>

#include <atomic>

namespace arbor::jobs {

/**
 * @brief Slots a process has for the jobs pinned to it, besides its engine's concurrency: a
 * reply that waits for its calls holds its own slot, so its calls must never wait for one (with
 * as many replies waiting as there are slots, none would ever end). A pinned job waits for
 * nothing but its own work (a tool call, with its timeout), so these slots always free up.
 */
inline constexpr int PinnedSlots = 16;

/** @brief Whether @p queue is a worker's pinned queue (pinnedQueue()). */
inline bool isPinned(const QString &queue)
{
    return queue.startsWith(QLatin1String("pin:"));
}

/** @brief The queue people see for @p queue: every worker's pinned queue is one, "tools" (a
 *  reply's tool calls); the others are themselves. */
inline QString queueForPeople(const QString &queue)
{
    return isPinned(queue) ? QStringLiteral("tools") : queue;
}

/**
 * @brief How many jobs pinned to this worker were added, and how many of those a claim has
 * accounted for: a claim looks for pinned jobs only while some may wait. No index finds a
 * worker's pinned jobs among the queued ones, so without it every claim of a process that runs
 * tool calls would read every queued job. Pinned jobs run at once and once (a tool call:
 * maxAttempts 1), so a claim that found fewer than it could take has seen them all. Counted and
 * read inside the writer's tasks (adds and claims run there in order); the dispatcher only
 * peeks.
 */
struct PinnedLedger
{
    std::atomic<quint64> added{0}; ///< pinned jobs added (counted inside the add's task)
    std::atomic<quint64> seen{0};  ///< `added` as of the last claim that took them all

    bool mayWait() const { return added.load() != seen.load(); }
};

namespace queries {

/** @brief Takes up to @p limit of @p owner's due pinned jobs of @p kinds (their own slots,
 *  PinnedSlots), if @p ledger says some may wait; the shared slots (claim()) never take one. */
QList<Job> claimPinned(const QSqlDatabase &db, const QString &owner, const QStringList &kinds,
                       int limit, qint64 now, PinnedLedger &ledger);
/** @brief Ends a queued job that can never run (pinned to a dead worker) in @p state (cancelled
 *  or failed) with @p reason, of kind WorkerLost; false if it is no longer queued. */
bool endQueued(const QSqlDatabase &db, qint64 id, JobState state, const QString &reason,
               qint64 now);

} // namespace queries

} // namespace arbor::jobs
