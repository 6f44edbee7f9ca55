#include "dispatcher.h"

#include "jobengine.h"
#include "jobhandler.h"
#include "jobqueries.h"

#include "store/store.h"

#include <QFuture>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcJobs, "arbor.jobs", QtInfoMsg)

namespace arbor::jobs {

Dispatcher::Dispatcher(JobEngine *engine)
    : m_engine(engine)
    , m_poll(this)
    , m_heartbeat(this)
{
    connect(&m_poll, &QTimer::timeout, this, &Dispatcher::dispatch);
    connect(&m_heartbeat, &QTimer::timeout, this, &Dispatcher::beat);
}

void Dispatcher::begin()
{
    m_poll.start(m_engine->options().pollIntervalMs);
    m_heartbeat.start(m_engine->options().heartbeatMs);
    dispatch();
}

void Dispatcher::dispatch()
{
    if (m_stopping)
        return;
    if (m_claimInFlight) {
        m_wakePending = true;
        return;
    }
    const int free = m_engine->options().concurrency - int(m_running.size());
    if (free <= 0)
        return;
    m_claimInFlight = true;
    m_wakePending = false;
    const QString owner = m_engine->workerId();
    const QStringList kinds = m_engine->m_handlers.keys();
    const qint64 now = m_engine->now();
    m_engine->store()
        .write([owner, kinds, free, now](QSqlDatabase &db) { return queries::claim(db, owner, kinds, free, now); })
        .then(this, [this, free](QFuture<QList<Job>> f) {
            m_claimInFlight = false;
            QList<Job> jobs;
            try {
                jobs = f.result();
            } catch (const std::exception &e) {
                qCWarning(lcJobs) << "claim failed:" << e.what();
                return;
            }
            for (const Job &job : std::as_const(jobs))
                startRun(job);
            // A full batch may mean more are due; a wake-up during the claim must not be lost.
            if (jobs.size() == free || m_wakePending)
                dispatch();
            maybeFinishShutdown();
        });
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
    const Job job = run->job();
    const QString owner = m_engine->workerId();
    const qint64 now = m_engine->now();
    qint64 retryAt = 0;
    if (outcome == Outcome::Failure && error.retryable && job.attempts < job.maxAttempts)
        retryAt = now + std::max<qint64>(1, m_engine->options().backoff.delayFor(job.attempts, error.retryAfterMs));

    m_engine->store()
        .write([job, owner, now, retryAt, outcome, error, also = std::move(also)](QSqlDatabase &db) -> QString {
            JobState state = JobState::Running;
            switch (outcome) {
            case Outcome::Success:
                if (!queries::complete(db, job.id, owner, now))
                    return {};
                state = JobState::Done;
                break;
            case Outcome::Failure: {
                const auto s = queries::fail(db, job.id, owner, error.message, retryAt, now);
                if (!s)
                    return {};
                state = *s;
                break;
            }
            case Outcome::Cancelled:
                if (!queries::cancelRunning(db, job.id, owner, error.message, now))
                    return {};
                state = JobState::Cancelled;
                break;
            }
            if (also)
                also(db, state);
            return toString(state);
        })
        .then(this, [this, run, job, error, retryAt, now](QFuture<QString> f) {
            QString state;
            try {
                state = f.result();
            } catch (const std::exception &e) {
                qCWarning(lcJobs) << "recording the end of job" << job.id << "failed:" << e.what();
            }
            if (state.isEmpty())
                qCWarning(lcJobs) << "job" << job.id << "was no longer ours when it ended (recovered elsewhere)";
            m_running.remove(job.id);
            Q_EMIT run->ended(state);
            run->deleteLater();
            Q_EMIT m_engine->jobFinished(job.id, job.kind, state, error.message);
            if (retryAt > 0)
                QTimer::singleShot(std::chrono::milliseconds(retryAt - now), this, &Dispatcher::dispatch);
            dispatch();
            maybeFinishShutdown();
        });
}

void Dispatcher::beat()
{
    const QString owner = m_engine->workerId();
    const qint64 now = m_engine->now();
    m_engine->store().post([owner, now](QSqlDatabase &db) { queries::heartbeat(db, owner, now); });
    // Every few beats, look for jobs whose worker died (another process that crashed).
    if (++m_beats % 3 == 0)
        m_engine->store().post([task = m_engine->recoveryTask()](QSqlDatabase &db) { task(db); });
}

void Dispatcher::shutdown(std::function<void()> done)
{
    m_stopping = true;
    m_poll.stop();
    m_heartbeat.stop();
    m_shutdownDone = std::move(done);
    const auto runs = m_running.values();
    for (JobRun *run : runs)
        run->requestCancel(CancelReason::Shutdown);
    maybeFinishShutdown();
}

void Dispatcher::maybeFinishShutdown()
{
    if (!m_stopping || !m_running.isEmpty() || m_claimInFlight || !m_shutdownDone)
        return;
    auto done = std::exchange(m_shutdownDone, {});
    const QString owner = m_engine->workerId();
    m_engine->store().post([owner](QSqlDatabase &db) { queries::unregisterWorker(db, owner); },
                           [done](std::exception_ptr) { done(); });
}

} // namespace arbor::jobs
