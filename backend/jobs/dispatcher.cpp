#include "dispatcher.h"

#include "adminqueries.h"
#include "claimchannel.h"
#include "jobengine.h"
#include "jobhandler.h"
#include "jobqueries.h"
#include "jobstats.h"
#include "pinned.h"

#include "core/whenready.h"
#include "store/sql.h"
#include "store/store.h"

#include <QFuture>
#include <QLoggingCategory>
#include <QPointer>
#include <QSet>

#include <algorithm>
#include <climits>

Q_LOGGING_CATEGORY(lcJobs, "arbor.jobs", QtInfoMsg)

namespace arbor::jobs {

Dispatcher::Dispatcher(JobEngine *engine)
    : m_engine(engine)
    , m_poll(this)
    , m_heartbeat(this)
    , m_limitWake(this)
    , m_channel(engine->m_claims.get())
{
    m_limitWake.setSingleShot(true);
    // The poll also re-reads the queues' settings: `arbord jobs pause` may run in another process.
    connect(&m_poll, &QTimer::timeout, this, &Dispatcher::reloadQueues);
    // And it looks for stops asked by other processes (a sender's Ctrl+C, `arbord jobs`).
    connect(&m_poll, &QTimer::timeout, this, &Dispatcher::takeCancelRequests);
    connect(&m_heartbeat, &QTimer::timeout, this, &Dispatcher::beat);
    connect(&m_limitWake, &QTimer::timeout, this, &Dispatcher::dispatch);
}

Dispatcher::~Dispatcher()
{
    m_channel->detach();
}

void Dispatcher::begin()
{
    m_channel->attach(this);
    m_poll.start(m_engine->options().pollIntervalMs);
    m_heartbeat.start(m_engine->options().heartbeatMs);
    // Limits and pauses hold from the first claim on: read them before dispatching (once, at
    // start).
    try {
        applyQueueSettings(m_engine->store()
                               .read([](QSqlDatabase &db) { return admin::queueSettings(db); })
                               .result());
    } catch (const std::exception &e) {
        qCWarning(lcJobs) << "reading the queues' settings failed:" << e.what();
    }
    dispatch();
}

void Dispatcher::reloadQueues()
{
    if (m_stopping)
        return;
    core::whenReady(
        this, m_engine->store().read([](QSqlDatabase &db) { return admin::queueSettings(db); }),
        [this](QFuture<QList<QueueSettings>> f) {
            try {
                applyQueueSettings(f.result());
            } catch (const std::exception &e) {
                qCWarning(lcJobs) << "reading the queues' settings failed:" << e.what();
            }
            dispatch();
        });
}

void Dispatcher::takeCancelRequests()
{
    if (m_running.isEmpty())
        return;
    core::whenReady(this, m_engine->store().read([owner = m_engine->workerId()](QSqlDatabase &db) {
        return queries::cancelRequests(db, owner);
    }),
                    [this](QFuture<QList<qint64>> f) {
                        try {
                            for (qint64 id : f.result())
                                cancel(id, int(CancelReason::User));
                        } catch (const std::exception &e) {
                            qCWarning(lcJobs) << "reading stop requests failed:" << e.what();
                        }
                    });
}

void Dispatcher::applyQueueSettings(const QList<QueueSettings> &settings)
{
    const qint64 now = m_engine->now();
    QSet<QString> seen;
    for (const QueueSettings &s : settings) {
        seen.insert(s.name);
        limiterFor(s.name).configure(s, now);
    }
    // A queue whose row is gone runs unlimited again (a Retry-After hold stays).
    for (auto it = m_limiters.begin(); it != m_limiters.end(); ++it)
        if (!seen.contains(it.key())) {
            QueueSettings plain;
            plain.name = it.key();
            it->configure(plain, now);
        }
}

QueueLimiter &Dispatcher::limiterFor(const QString &queue)
{
    auto it = m_limiters.find(queue);
    if (it == m_limiters.end()) {
        QueueSettings plain;
        plain.name = queue;
        it = m_limiters.insert(queue, QueueLimiter(plain, m_engine->now()));
    }
    return *it;
}

void Dispatcher::wakeAfter(qint64 ms)
{
    if (ms <= 0)
        return;
    if (m_limitWake.isActive() && m_limitWake.remainingTime() <= ms)
        return;
    m_limitWake.start(int(std::min<qint64>(ms, INT_MAX)));
}

QList<QueueLimitState> Dispatcher::queueStates()
{
    const qint64 now = m_engine->now();
    QList<QueueLimitState> out;
    for (auto it = m_limiters.begin(); it != m_limiters.end(); ++it)
        out.append(it->state(m_queueRunning.value(it.key()), now));
    for (auto it = m_queueRunning.cbegin(); it != m_queueRunning.cend(); ++it)
        if (!m_limiters.contains(it.key())) {
            QueueLimitState s;
            s.name = it.key();
            s.running = it.value();
            out.append(s);
        }
    return out;
}

void Dispatcher::reportUsage(const Job &job, qint64 actualTokens)
{
    auto it = m_limiters.find(job.queue);
    if (it != m_limiters.end())
        it->correctTokens(job.tokensEstimate, actualTokens, m_engine->now());
}

void Dispatcher::reportRateLimit(const Job &job, const RateLimitInfo &info)
{
    const qint64 now = m_engine->now();
    QueueLimiter &limiter = limiterFor(job.queue);
    limiter.applyVendorInfo(info, now);
    wakeAfter(limiter.msUntilReady(now));
}

void Dispatcher::dispatch()
{
    if (m_stopping)
        return;
    pump(true);
}

void Dispatcher::wakeUp()
{
    m_channel->woken();
    dispatch();
}

queries::ClaimRules Dispatcher::claimRules(qint64 now, bool &capped,
                                           const QHash<QString, int> &running,
                                           const QHash<QString, int> &low, int lowTotal)
{
    queries::ClaimRules rules;
    // Interactive chat always goes first: with two slots or more, the last one is never taken
    // by batch or background work, so a reply starts at once beside a saturating batch run.
    const int engineSlots = m_engine->options().concurrency;
    if (engineSlots >= 2)
        rules.lowLimit = std::max(0, engineSlots - 1 - lowTotal);
    for (auto it = m_limiters.begin(); it != m_limiters.end(); ++it) {
        const int queueSlots = it->settings().concurrency;
        if (queueSlots >= 2)
            rules.lowCaps.insert(it.key(), std::max(0, queueSlots - 1 - low.value(it.key())));
        const int n = it->startable(running.value(it.key()), now);
        if (n <= 0) {
            rules.blocked.append(it.key());
            wakeAfter(it->msUntilReady(now));
        } else if (n != INT_MAX) {
            // With a tokens/minute budget, each job's cost is known only once claimed: one at a
            // time.
            rules.caps.insert(it.key(), it->pacesTokens() ? 1 : n);
        }
    }
    capped = !rules.caps.isEmpty();
    rules.subjects = m_engine->claimSubjects();
    return rules;
}

int Dispatcher::freeSlots() const
{
    return m_engine->options().concurrency - (int(m_running.size()) - m_pinnedRunning - m_waiting);
}

int Dispatcher::freePinnedSlots() const
{
    return PinnedSlots - m_pinnedRunning;
}

bool Dispatcher::pinnedMayWait() const
{
    return m_channel->pinned().mayWait();
}

bool Dispatcher::filled(const QList<Job> &claimed, int free, int pinnedFree)
{
    const auto pinned = qsizetype(std::count_if(claimed.begin(), claimed.end(),
                                                [](const Job &j) { return isPinned(j.queue); }));
    return (free > 0 && claimed.size() - pinned >= free)
        || (pinnedFree > 0 && pinned >= pinnedFree);
}

void Dispatcher::startClaimed(const QList<Job> &jobs, qint64 claimedAt)
{
    // Charged when they start, not when the claim began: a request window counts real starts.
    const qint64 now = std::max(claimedAt, m_engine->now());
    for (const Job &job : jobs) {
        ++m_queueRunning[job.queue];
        if (isPinned(job.queue))
            ++m_pinnedRunning;
        if (job.priority < Priority::Interactive) {
            ++m_queueLow[job.queue];
            ++m_lowRunning;
        }
        auto limiter = m_limiters.find(job.queue);
        if (limiter != m_limiters.end())
            limiter->charge(job.tokensEstimate, now);
    }
    for (const Job &job : jobs)
        startRun(job);
}

void Dispatcher::armTicket()
{
    if (m_stopping || m_claimInFlight || !m_ends.empty())
        return;
    const int free = freeSlots();
    // With the shared slots full there is no ticket: a pinned add wakes the dispatcher.
    if (free <= 0)
        return;
    const int pinnedFree = freePinnedSlots();
    ClaimTicket ticket;
    ticket.owner = m_engine->workerId();
    ticket.kinds = m_engine->m_handlers.keys();
    ticket.free = free;
    ticket.rules =
        claimRules(m_engine->now(), ticket.capped, m_queueRunning, m_queueLow, m_lowRunning);
    ticket.pinnedFree = std::max(0, pinnedFree);
    m_channel->arm(std::move(ticket));
}

void Dispatcher::afterCycle(bool more)
{
    if (more)
        pump(true);
    else
        armTicket();
    maybeFinishShutdown();
}

void Dispatcher::takeWriterClaim(QList<Job> jobs, int free, int pinnedFree, bool capped)
{
    m_channel->settle();
    m_claimInFlight = false;
    startClaimed(jobs, m_engine->now());
    // As after a cycle: a full batch may mean more are due; a capped one may hide other queues.
    afterCycle(filled(jobs, free, pinnedFree) || m_wakePending || (capped && !jobs.isEmpty())
               || !m_ends.empty());
}

void Dispatcher::startRun(const Job &job)
{
    auto handler = m_engine->m_handlers.value(job.kind);
    auto *run = new JobRun(this, job);
    m_running.insert(job.id, run);
    Q_EMIT m_engine->jobStarted(job.id, job.kind);
    if (m_stopping)
        run->requestCancel(CancelReason::Shutdown);
    handler->start(run);
}

void Dispatcher::setWaiting(JobRun *run, bool waiting)
{
    const Job &job = run->job();
    if (isPinned(job.queue))
        return; // a tool call's own slots are never waited on by a person
    const int step = waiting ? -1 : 1;
    m_waiting -= step;
    if ((m_queueRunning[job.queue] += step) <= 0)
        m_queueRunning.remove(job.queue);
    if (job.priority < Priority::Interactive) {
        m_lowRunning += step;
        if ((m_queueLow[job.queue] += step) <= 0)
            m_queueLow.remove(job.queue);
    }
    if (waiting) {
        dispatch(); // its slot is free for the next due job
        return;
    }
    // An armed ticket counted the slot as free: it is armed again with the slot taken. A cycle
    // under way arms it when it returns.
    if (m_claimInFlight)
        return;
    if (m_channel->disarm() == ClaimChannel::Disarm::TakenByWriter)
        m_claimInFlight = true; // the writer claims with the old ticket; its jobs are on their way
    else
        armTicket();
}

bool Dispatcher::cancel(qint64 jobId, int reason)
{
    JobRun *run = m_running.value(jobId);
    if (!run)
        return false;
    run->requestCancel(CancelReason(reason));
    return true;
}

void Dispatcher::endRun(JobRun *run, Outcome outcome, const JobError &error, JobRun::Also also)
{
    PendingEnd end{run, run->job(), outcome, error, std::move(also), 0, m_engine->now()};
    if (outcome == Outcome::Failure && error.retryable && end.job.attempts < end.job.maxAttempts) {
        // The backoff, at least the vendor's Retry-After, and no sooner than the queue's limits
        // let this job's cost go out: the stored run time is when it will really run.
        const qint64 backoff =
            m_engine->options().backoff.delayFor(end.job.attempts, error.retryAfterMs);
        const qint64 limits =
            limiterFor(end.job.queue).msUntilStart(end.job.tokensEstimate, end.now);
        end.retryAt = end.now + std::max<qint64>({1, backoff, limits});
    }
    // Ends of one event-loop turn are recorded by one store task (one savepoint each), so a
    // burst of short jobs costs one task, not one per job.
    m_ends.push_back(std::move(end));
    if (m_ends.size() == 1)
        QMetaObject::invokeMethod(this, &Dispatcher::flushEnds, Qt::QueuedConnection);
}

namespace {

/** @brief Records one end inside the writer transaction; "" when the job is no longer ours. */
QString recordEnd(const QSqlDatabase &db, const Dispatcher::PendingEnd &e, const QString &owner)
{
    const Job &job = e.job;
    JobState state = JobState::Running;
    switch (e.outcome) {
    case Dispatcher::Outcome::Success:
        if (!queries::complete(db, job.id, owner, e.now))
            return {};
        state = JobState::Done;
        break;
    case Dispatcher::Outcome::Failure: {
        const auto s =
            queries::fail(db, job.id, owner, e.error.message, e.retryAt, e.now, e.error.kind);
        if (!s)
            return {};
        state = *s;
        queries::recordAttempt(
            db, job, state == JobState::Queued ? QStringLiteral("retry") : QStringLiteral("failed"),
            e.error.message, e.now);
        break;
    }
    case Dispatcher::Outcome::Cancelled:
        if (!queries::cancelRunning(db, job.id, owner, e.error.message, e.now))
            return {};
        state = JobState::Cancelled;
        queries::recordAttempt(db, job, QStringLiteral("cancelled"), e.error.message, e.now);
        break;
    }
    if (e.also)
        e.also(db, state);
    return toString(state);
}

} // namespace

namespace {

/** @brief Records a cycle's ends inside its writer transaction; a state per end ("" = not ours). */
QStringList recordEnds(const QSqlDatabase &db, const std::vector<Dispatcher::PendingEnd> &ends,
                       const QString &owner)
{
    using Outcome = Dispatcher::Outcome;
    QStringList states;
    states.reserve(qsizetype(ends.size()));
    // Plain successes (nothing to commit with them) share one statement.
    QList<qint64> plain;
    for (const auto &e : ends)
        if (e.outcome == Outcome::Success && !e.also)
            plain.append(e.job.id);
    QSet<qint64> completed;
    if (!plain.isEmpty()) {
        const qint64 now = ends.front().now;
        for (qint64 id : queries::completeMany(db, plain, owner, now))
            completed.insert(id);
    }
    for (const auto &e : ends) {
        if (e.outcome == Outcome::Success && !e.also) {
            states.append(completed.contains(e.job.id) ? toString(JobState::Done) : QString());
            continue;
        }
        // A savepoint per job: one failing end (or its Also task) must not undo the others.
        store::execCached(db, QStringLiteral("SAVEPOINT job_end"));
        try {
            states.append(recordEnd(db, e, owner));
            store::execCached(db, QStringLiteral("RELEASE job_end"));
        } catch (const std::exception &ex) {
            store::execCached(db, QStringLiteral("ROLLBACK TO job_end"));
            store::execCached(db, QStringLiteral("RELEASE job_end"));
            qCWarning(lcJobs) << "recording the end of job" << e.job.id << "failed:" << ex.what();
            states.append(QString());
        }
    }
    // The dashboard's history grows with the ends, in their transaction (jobstats.h).
    const QString done = toString(JobState::Done);
    const QString failed = toString(JobState::Failed);
    QList<stats::Ended> ended;
    for (size_t i = 0; i < ends.size(); ++i) {
        const QString &state = states[qsizetype(i)];
        if (state != done && state != failed)
            continue;
        const Job &job = ends[i].job;
        ended.append(
            {queueForPeople(job.queue), state == failed, job.startedAt - job.runAt, ends[i].now});
    }
    stats::record(db, ended);
    return states;
}

/** @brief What one cycle's store task did. */
struct CycleResult
{
    QStringList states;
    QList<Job> claimed;
    bool ok = true;
};

} // namespace

void Dispatcher::flushEnds()
{
    if (!m_ends.empty())
        pump(false);
}

void Dispatcher::pump(bool wantClaim)
{
    if (m_channel->disarm() == ClaimChannel::Disarm::TakenByWriter)
        m_claimInFlight = true; // the writer claims with our ticket; its jobs are on their way
    if (m_claimInFlight) {
        // Ends wait for the cycle under way (it looks at m_ends when it returns).
        if (wantClaim)
            m_wakePending = true;
        return;
    }
    auto ends = std::make_shared<std::vector<PendingEnd>>(std::exchange(m_ends, {}));
    // The ends are recorded before the claim, in the same transaction: their slots are free.
    // Jobs pinned to this process have slots of their own (PinnedSlots).
    const auto pinnedEnds = int(std::count_if(
        ends->begin(), ends->end(), [](const PendingEnd &e) { return isPinned(e.job.queue); }));
    const int free = m_stopping ? 0 : freeSlots() + int(ends->size()) - pinnedEnds;
    const int pinnedFree = m_stopping || !pinnedMayWait() ? 0 : freePinnedSlots() + pinnedEnds;
    const bool anyFree = free > 0 || pinnedFree > 0;
    if (ends->empty() && (!anyFree || !wantClaim)) {
        maybeFinishShutdown();
        return;
    }
    const qint64 now = m_engine->now();
    bool capped = false;
    queries::ClaimRules rules;
    if (anyFree) {
        // As the claim sees it: the ends before it are recorded, and a 429 among them holds
        // its queue already.
        QHash<QString, int> running = m_queueRunning;
        QHash<QString, int> low = m_queueLow;
        int lowTotal = m_lowRunning;
        for (const PendingEnd &e : *ends) {
            --running[e.job.queue];
            if (e.job.priority < Priority::Interactive) {
                --low[e.job.queue];
                --lowTotal;
            }
            if (e.error.rateLimited && e.error.retryAfterMs > 0)
                limiterFor(e.job.queue).holdUntil(e.now + e.error.retryAfterMs);
        }
        rules = claimRules(now, capped, running, low, lowTotal);
    }
    m_claimInFlight = true;
    m_wakePending = false;
    const QString owner = m_engine->workerId();
    const QStringList kinds = anyFree ? m_engine->m_handlers.keys() : QStringList();
    core::whenReady(
        this,
        m_engine->store().write([ends, owner, kinds, free, pinnedFree, now, rules,
                                 channel = m_engine->m_claims](QSqlDatabase &db) {
            CycleResult r;
            if (!ends->empty())
                r.states = recordEnds(db, *ends, owner);
            if (!kinds.isEmpty()) {
                // Its own savepoint: a failed claim must not undo the ends recorded above.
                store::execCached(db, QStringLiteral("SAVEPOINT claim"));
                try {
                    r.claimed = queries::claim(db, owner, kinds, free, now, rules);
                    r.claimed +=
                        queries::claimPinned(db, owner, kinds, pinnedFree, now, channel->pinned());
                    store::execCached(db, QStringLiteral("RELEASE claim"));
                } catch (const std::exception &e) {
                    store::execCached(db, QStringLiteral("ROLLBACK TO claim"));
                    store::execCached(db, QStringLiteral("RELEASE claim"));
                    r.claimed.clear();
                    r.ok = false;
                    qCWarning(lcJobs) << "claim failed:" << e.what();
                }
            }
            return r;
        }),
        [this, ends, free, pinnedFree, capped, now](QFuture<CycleResult> f) {
            m_claimInFlight = false;
            CycleResult r;
            try {
                r = f.result();
            } catch (const std::exception &ex) {
                r.ok = false;
                qCWarning(lcJobs) << "recording the end of" << ends->size()
                                  << "jobs and claiming failed:" << ex.what();
            }
            for (const PendingEnd &e : *ends) {
                const Job &job = e.job;
                m_running.remove(job.id);
                if (--m_queueRunning[job.queue] <= 0)
                    m_queueRunning.remove(job.queue);
                if (isPinned(job.queue))
                    --m_pinnedRunning;
                if (job.priority < Priority::Interactive) {
                    --m_lowRunning;
                    if (--m_queueLow[job.queue] <= 0)
                        m_queueLow.remove(job.queue);
                }
                if (e.error.rateLimited && e.error.retryAfterMs > 0) {
                    limiterFor(job.queue).holdUntil(e.now + e.error.retryAfterMs);
                    wakeAfter(e.error.retryAfterMs);
                }
                if (e.retryAt > 0)
                    QTimer::singleShot(std::chrono::milliseconds(e.retryAt - e.now), this,
                                       &Dispatcher::dispatch);
            }
            // Nothing more to do: arm the ticket before the signals, so that whoever reacts to
            // jobFinished with an add finds it armed (its claim arrives as a later event).
            const bool idle = r.claimed.isEmpty() && m_ends.empty() && !(r.ok && m_wakePending);
            if (idle)
                armTicket();
            // The ends are told before new runs start: a slot is free once its end is recorded.
            for (size_t i = 0; i < ends->size(); ++i) {
                const PendingEnd &e = (*ends)[i];
                const QString state =
                    qsizetype(i) < r.states.size() ? r.states[qsizetype(i)] : QString();
                if (state.isEmpty())
                    qCWarning(lcJobs) << "job" << e.job.id
                                      << "was no longer ours when it ended (recovered elsewhere)";
                Q_EMIT e.run->ended(state);
                Q_EMIT m_engine->jobFinished(e.job.id, e.job.kind, state, e.error.message);
            }
            deleteRunsLater(*ends);
            if (!idle) {
                startClaimed(r.claimed, now);
                // A full batch may mean more are due; a wake-up during the cycle must not be lost;
                // a capped claim may have hidden other queues' jobs behind a full queue's. After
                // a failed claim, only new ends start another cycle (the poll tries again).
                afterCycle(!m_ends.empty()
                           || (r.ok
                               && (filled(r.claimed, free, pinnedFree) || m_wakePending
                                   || (capped && !r.claimed.isEmpty()))));
                return;
            }
            maybeFinishShutdown();
        });
}

void Dispatcher::deleteRunsLater(const std::vector<PendingEnd> &ends)
{
    if (ends.empty())
        return;
    // One posted event for the cycle's runs, not a deleteLater() each: every posted event wakes
    // this thread's event loop (a write to its eventfd), and a burst of short jobs ends dozens
    // per cycle. Posted to this dispatcher, so the call is dropped if it goes first (its child
    // runs go with it); guarded, in case a handler deleted its run itself.
    std::vector<QPointer<JobRun>> runs;
    runs.reserve(ends.size());
    for (const PendingEnd &e : ends)
        runs.emplace_back(e.run);
    QMetaObject::invokeMethod(
        this,
        [runs = std::move(runs)] {
            for (const QPointer<JobRun> &run : runs)
                delete run.data();
        },
        Qt::QueuedConnection);
}

void Dispatcher::beat()
{
    const QString owner = m_engine->workerId();
    const qint64 now = m_engine->now();
    m_engine->store().post([owner, now](QSqlDatabase &db) { queries::heartbeat(db, owner, now); });
    // Every few beats, look for jobs whose worker died (another process that crashed).
    if (++m_beats % 3 == 0)
        m_engine->store().post([task = m_engine->recoveryTask()](QSqlDatabase &db) { task(db); });
    // Now and then, the dashboard's history loses what is older than it keeps.
    if (m_beats % 60 == 1)
        m_engine->store().post([now](QSqlDatabase &db) { stats::prune(db, now); });
}

void Dispatcher::shutdown(std::function<void()> done, bool cancelRuns)
{
    m_stopping = true;
    m_limitWake.stop();
    if (cancelRuns) {
        m_poll.stop();
        m_heartbeat.stop();
    } // else the runs go on: they still beat and hear stop requests until they end
    m_shutdownDone = std::move(done);
    if (m_channel->disarm() == ClaimChannel::Disarm::TakenByWriter)
        m_claimInFlight = true; // wait for the writer's claim: its jobs are ours to end
    if (cancelRuns) {
        const auto runs = m_running.values();
        for (JobRun *run : runs)
            run->requestCancel(CancelReason::Shutdown);
    }
    maybeFinishShutdown();
}

void Dispatcher::maybeFinishShutdown()
{
    if (!m_stopping || !m_running.isEmpty() || m_claimInFlight || !m_shutdownDone)
        return;
    auto done = std::exchange(m_shutdownDone, {});
    m_channel->detach();
    const QString owner = m_engine->workerId();
    m_engine->store().post([owner](QSqlDatabase &db) { queries::unregisterWorker(db, owner); },
                           [done](std::exception_ptr) { done(); });
}

} // namespace arbor::jobs
