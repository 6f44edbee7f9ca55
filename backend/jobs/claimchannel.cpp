#include "claimchannel.h"

#include "dispatcher.h"

#include "store/sql.h"

#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcJobs)

namespace arbor::jobs {

void ClaimChannel::attach(Dispatcher *dispatcher)
{
    std::lock_guard lock(m_mutex);
    m_dispatcher = dispatcher;
}

void ClaimChannel::detach()
{
    std::lock_guard lock(m_mutex);
    m_dispatcher = nullptr;
    m_ticket.reset();
    m_taken = false;
}

void ClaimChannel::arm(ClaimTicket ticket)
{
    std::lock_guard lock(m_mutex);
    m_ticket = std::move(ticket);
    m_taken = false;
}

ClaimChannel::Disarm ClaimChannel::disarm()
{
    std::lock_guard lock(m_mutex);
    if (m_taken) {
        m_taken = false;
        return Disarm::TakenByWriter;
    }
    if (!m_ticket)
        return Disarm::NotArmed;
    m_ticket.reset();
    return Disarm::Disarmed;
}

void ClaimChannel::settle()
{
    std::lock_guard lock(m_mutex);
    m_taken = false;
}

void ClaimChannel::claimAfterAdd(const QSqlDatabase &db, qint64 now, Claimed &out)
{
    {
        std::lock_guard lock(m_mutex);
        if (!m_ticket || !m_dispatcher)
            return;
        out.ticket = std::move(*m_ticket);
        m_ticket.reset();
        m_taken = true;
        out.tookTicket = true;
    }
    store::execCached(db, QStringLiteral("SAVEPOINT claim_after_add"));
    try {
        out.jobs = queries::claim(db, out.ticket.owner, out.ticket.kinds, out.ticket.free, now,
                                  out.ticket.rules);
        out.jobs += queries::claimPinned(db, out.ticket.owner, out.ticket.kinds,
                                         out.ticket.pinnedFree, now, m_pinned);
        store::execCached(db, QStringLiteral("RELEASE claim_after_add"));
    } catch (const std::exception &e) {
        out.jobs.clear();
        store::execCached(db, QStringLiteral("ROLLBACK TO claim_after_add"));
        store::execCached(db, QStringLiteral("RELEASE claim_after_add"));
        qCWarning(lcJobs) << "claim after an add failed:" << e.what();
    }
}

void ClaimChannel::afterAdd(Claimed &claimed, bool committed)
{
    if (!claimed.tookTicket) {
        if (committed)
            wake();
        return;
    }
    if (!committed)
        claimed.jobs.clear(); // rolled back with the add
    // Always answered: the dispatcher counts this claim as in flight until it arrives.
    std::lock_guard lock(m_mutex);
    if (!m_dispatcher)
        return; // stopped meanwhile: the jobs' lease is recovered like any dead worker's
    Dispatcher *d = m_dispatcher;
    QMetaObject::invokeMethod(
        d,
        [d, jobs = std::move(claimed.jobs), free = claimed.ticket.free,
         pinnedFree = claimed.ticket.pinnedFree, capped = claimed.ticket.capped]() mutable {
            d->takeWriterClaim(std::move(jobs), free, pinnedFree, capped);
        },
        Qt::QueuedConnection);
}

void ClaimChannel::wake()
{
    if (m_wakeQueued.exchange(true, std::memory_order_acq_rel))
        return;
    std::lock_guard lock(m_mutex);
    if (!m_dispatcher) {
        m_wakeQueued.store(false, std::memory_order_release);
        return;
    }
    QMetaObject::invokeMethod(m_dispatcher, &Dispatcher::wakeUp, Qt::QueuedConnection);
}

} // namespace arbor::jobs
