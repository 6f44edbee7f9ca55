#pragma once

#include "job.h"
#include "jobqueries.h"
#include "pinned.h"

#include <QList>
#include <QSqlDatabase>
#include <QStringList>

#include <atomic>
#include <mutex>
#include <optional>

namespace arbor::jobs {

class Dispatcher;

/** @brief What the writer may claim for an idle dispatcher: the rules it computed when it
 *  went idle (its limiters' blocked queues and caps) and how many slots were free. */
struct ClaimTicket
{
    QString owner;
    QStringList kinds;
    int free = 0;
    int pinnedFree = 0; ///< slots free for the jobs pinned to this worker (PinnedSlots)
    queries::ClaimRules rules;
    bool capped = false;
};

/**
 * @brief The short path from a committed add to a started job, shared by the engine, its
 * dispatcher and the writer's tasks (thread-safe).
 *
 * An idle dispatcher arms a ticket. The next add takes it in its writer task and claims due
 * jobs in the same transaction as the insert; once that commits, the writer hands the claimed
 * jobs straight to the dispatcher thread (one hop, no polling). When no ticket is armed (the
 * dispatcher is busy), a committed add only wakes the dispatcher, once per event-loop turn.
 */
class ClaimChannel
{
public:
    /** @brief Dispatcher side, on its thread: when it goes and stops being idle. */
    void attach(Dispatcher *dispatcher);
    void detach();
    void arm(ClaimTicket ticket);
    enum class Disarm { NotArmed, Disarmed, TakenByWriter };
    /** @brief Takes the ticket back; TakenByWriter means a claim is under way and its jobs will
     *  arrive through Dispatcher::takeWriterClaim. */
    Disarm disarm();
    /** @brief The writer's claim arrived (maybe before the dispatcher asked for its ticket back).
     */
    void settle();

    /** @brief Writer side, inside an add's task: claims with the armed ticket, if any, after
     *  the insert (in its own savepoint: a failed claim never undoes the add). */
    struct Claimed
    {
        bool tookTicket = false;
        ClaimTicket ticket;
        QList<Job> jobs;
    };
    void claimAfterAdd(const QSqlDatabase &db, qint64 now, Claimed &out);
    /** @brief Writer side, after the COMMIT (or its failure, @p committed false): delivers the
     *  claimed jobs, or wakes the dispatcher. */
    void afterAdd(Claimed &claimed, bool committed);

    /** @brief Any thread: asks the dispatcher to look for due jobs (coalesced). */
    void wake();
    /** @brief Dispatcher side: the queued wake-up arrived. */
    void woken() { m_wakeQueued.store(false, std::memory_order_release); }
    /** @brief The jobs pinned to this worker, added and claimed (counted in the writer's tasks). */
    PinnedLedger &pinned() { return m_pinned; }

private:
    std::mutex m_mutex;
    Dispatcher *m_dispatcher = nullptr;
    std::optional<ClaimTicket> m_ticket;
    bool m_taken = false;
    std::atomic<bool> m_wakeQueued{false};
    PinnedLedger m_pinned;
};

} // namespace arbor::jobs
