#include "jobengine.h"

#include "adminqueries.h"
#include "claimchannel.h"
#include "dispatcher.h"
#include "jobhandler.h"
#include "jobqueries.h"
#include "pinned.h"

#include "domain/ids.h"
#include "store/store.h"

#include <QCoreApplication>
#include <QHostInfo>
#include <QLoggingCategory>
#include <QPromise>

#include <future>

Q_DECLARE_LOGGING_CATEGORY(lcJobs)

namespace arbor::jobs {

JobEngine::JobEngine(store::Store &store)
    : JobEngine(store, Options{})
{
}

JobEngine::JobEngine(store::Store &store, Options options)
    : m_store(store)
    , m_options(std::move(options))
    , m_workerId(domain::newId())
    , m_claims(std::make_shared<ClaimChannel>())
{
    m_thread.setObjectName(QStringLiteral("arbor-jobs"));
}

JobEngine::~JobEngine()
{
    stop();
}

qint64 JobEngine::now() const
{
    return m_options.clock ? m_options.clock() : domain::nowMs();
}

void JobEngine::registerHandler(std::shared_ptr<JobHandler> handler)
{
    Q_ASSERT(!m_thread.isRunning());
    m_handlers.insert(handler->kind(), std::move(handler));
}

void JobEngine::registerRecovery(const QString &kind, Recover recover)
{
    Q_ASSERT(!m_thread.isRunning());
    m_recoveries.insert(kind, std::move(recover));
}

std::function<int(const QSqlDatabase &)> JobEngine::recoveryTask() const
{
    const QString host = QHostInfo::localHostName();
    const qint64 staleBefore = now() - m_options.staleAfterMs;
    const qint64 at = now();
    const auto handlers = m_handlers;
    const auto recoveries = m_recoveries;
    return [host, staleBefore, at, handlers, recoveries](const QSqlDatabase &db) {
        const QList<Job> orphans = queries::takeOrphans(db, host, staleBefore);
        for (const Job &job : orphans) {
            const bool canRetry = job.attempts < job.maxAttempts;
            const auto handler = handlers.value(job.kind);
            const auto recovery = recoveries.constFind(job.kind);
            auto decision = handler ? handler->recover(db, job, canRetry)
                : recovery != recoveries.cend()
                ? (*recovery)(db, job, canRetry)
                : (canRetry ? JobHandler::Recovery::Requeue : JobHandler::Recovery::Fail);
            if (decision == JobHandler::Recovery::Requeue && !canRetry)
                decision = JobHandler::Recovery::Fail;
            if (job.state == JobState::Queued) {
                // Pinned to the dead worker and never claimed: it can run nowhere else.
                const QString why =
                    QStringLiteral("the process this job was pinned to stopped before it ran");
                queries::endQueued(db, job.id,
                                   decision == JobHandler::Recovery::Cancel ? JobState::Cancelled
                                                                            : JobState::Failed,
                                   why, at);
                qCInfo(lcJobs) << "settled job" << job.id << job.kind << "of a dead worker";
                continue;
            }
            const QString reason =
                QStringLiteral("the process running this job stopped (attempt %1 of %2)")
                    .arg(job.attempts)
                    .arg(job.maxAttempts);
            queries::recordAttempt(
                db, job,
                decision == JobHandler::Recovery::Requeue      ? QStringLiteral("recovered")
                    : decision == JobHandler::Recovery::Cancel ? QStringLiteral("cancelled")
                                                               : QStringLiteral("failed"),
                reason, at);
            switch (decision) {
            case JobHandler::Recovery::Requeue:
                queries::requeue(db, job.id, reason, at);
                break;
            case JobHandler::Recovery::Cancel:
                queries::cancelRunning(db, job.id, job.leaseOwner, reason, at);
                break;
            case JobHandler::Recovery::Fail:
                queries::fail(db, job.id, job.leaseOwner, reason, 0, at, ErrorKind::WorkerLost);
                break;
            }
            qCInfo(lcJobs) << "recovered job" << job.id << job.kind
                           << "from a dead worker:" << int(decision);
        }
        return int(orphans.size());
    };
}

int JobEngine::recoverOrphans()
{
    return m_store.write([task = recoveryTask()](QSqlDatabase &db) { return task(db); }).result();
}

void JobEngine::start()
{
    if (m_thread.isRunning())
        return;
    const QString host = QHostInfo::localHostName();
    const qint64 pid = QCoreApplication::applicationPid();
    const qint64 at = now();
    m_store
        .write([id = m_workerId, host, pid, at](QSqlDatabase &db) {
            queries::registerWorker(db, id, host, pid, at);
        })
        .waitForFinished();
    m_dispatcher = new Dispatcher(this);
    m_dispatcher->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_dispatcher, &QObject::deleteLater);
    m_thread.start();
    QMetaObject::invokeMethod(m_dispatcher, &Dispatcher::begin, Qt::QueuedConnection);
}

void JobEngine::stop(int graceMs)
{
    if (!m_thread.isRunning())
        return;
    auto finished = std::make_shared<std::promise<void>>();
    auto future = finished->get_future();
    QMetaObject::invokeMethod(
        m_dispatcher,
        [d = m_dispatcher, finished] { d->shutdown([finished] { finished->set_value(); }); },
        Qt::QueuedConnection);
    if (future.wait_for(std::chrono::milliseconds(graceMs)) != std::future_status::ready)
        qCWarning(lcJobs) << "jobs did not stop within" << graceMs
                          << "ms; the next start recovers them";
    m_thread.quit();
    m_thread.wait();
    m_dispatcher = nullptr;
}

QFuture<void> JobEngine::drain()
{
    auto promise = std::make_shared<QPromise<void>>();
    promise->start();
    QFuture<void> future = promise->future();
    Dispatcher *d = m_dispatcher;
    if (!m_thread.isRunning() || !d
        || !QMetaObject::invokeMethod(
            d, [d, promise] { d->shutdown([promise] { promise->finish(); }, false); },
            Qt::QueuedConnection))
        promise->finish();
    return future;
}

int JobEngine::maxAttemptsFor(const QString &kind) const
{
    const auto configured = m_options.maxAttempts.find(kind);
    if (configured != m_options.maxAttempts.end())
        return std::max(1, *configured);
    const auto handler = m_handlers.value(kind);
    return handler ? std::max(1, handler->maxAttempts()) : 1;
}

QFuture<qint64> JobEngine::enqueue(const JobSpec &spec)
{
    const qint64 at = now();
    JobSpec s = spec;
    if (s.maxAttempts <= 0)
        s.maxAttempts = maxAttemptsFor(s.kind);
    // No continuation, no extra hop: the writer answers the promise right after the COMMIT, and
    // an idle dispatcher's job is claimed in the add's own transaction (ClaimChannel).
    struct Add
    {
        qint64 id = 0;
        ClaimChannel::Claimed claimed;
    };
    auto promise = std::make_shared<QPromise<qint64>>();
    auto add = std::make_shared<Add>();
    promise->start();
    QFuture<qint64> future = promise->future();
    const bool pinned = s.queue == pinnedQueue(m_workerId);
    m_store.post(
        [s = std::move(s), at, add, channel = m_claims, pinned](QSqlDatabase &db) {
            add->id = queries::insert(db, s, at);
            if (pinned) // before the claim below, in the writer's order (PinnedLedger)
                ++channel->pinned().added;
            channel->claimAfterAdd(db, at, add->claimed);
        },
        [promise, add, channel = m_claims](std::exception_ptr error) {
            channel->afterAdd(add->claimed, !error);
            if (error)
                promise->setException(error);
            else
                promise->addResult(add->id);
            promise->finish();
        });
    return future;
}

QFuture<QList<qint64>> JobEngine::enqueueMany(const QList<JobSpec> &specs)
{
    const qint64 at = now();
    QList<JobSpec> resolved = specs;
    for (JobSpec &s : resolved)
        if (s.maxAttempts <= 0)
            s.maxAttempts = maxAttemptsFor(s.kind);
    return m_store.write(
        [resolved, at](QSqlDatabase &db) { return queries::insertMany(db, resolved, at); },
        [channel = m_claims](QList<qint64> ids) {
            channel->wake();
            return ids;
        });
}

QFuture<void> JobEngine::setQueueSettings(const QueueSettings &settings)
{
    const qint64 at = now();
    return m_store.write(
        [settings, at](QSqlDatabase &db) { admin::saveQueueSettings(db, settings, at); },
        [this] { reloadQueues(); });
}

QFuture<QueueSettings> JobEngine::setQueueLimits(const QString &queue, int concurrency,
                                                 qint64 requestsPerMinute, qint64 tokensPerMinute)
{
    const qint64 at = now();
    return m_store.write(
        [queue, concurrency, requestsPerMinute, tokensPerMinute, at](QSqlDatabase &db) {
            return admin::setLimits(db, queue, concurrency, requestsPerMinute, tokensPerMinute, at);
        },
        [this](QueueSettings saved) {
            reloadQueues();
            return saved;
        });
}

QFuture<void> JobEngine::setQueuePaused(const QString &queue, bool paused)
{
    const qint64 at = now();
    return m_store.write(
        [queue, paused, at](QSqlDatabase &db) { admin::setPaused(db, queue, paused, at); },
        [this] { reloadQueues(); });
}

void JobEngine::reloadQueues()
{
    if (m_dispatcher)
        QMetaObject::invokeMethod(m_dispatcher, &Dispatcher::reloadQueues, Qt::QueuedConnection);
}

QFuture<std::optional<Job>> JobEngine::latestJobFor(const QString &subjectId)
{
    return m_store.read(
        [subjectId](QSqlDatabase &db) { return queries::latestForSubject(db, subjectId); });
}

QFuture<QList<QueueLimitState>> JobEngine::queueStates()
{
    auto promise = std::make_shared<QPromise<QList<QueueLimitState>>>();
    promise->start();
    QFuture<QList<QueueLimitState>> future = promise->future();
    withQueueStates([promise](const QList<QueueLimitState> &states) {
        promise->addResult(states);
        promise->finish();
    });
    return future;
}

void JobEngine::withQueueStates(std::function<void(const QList<QueueLimitState> &)> fn)
{
    Dispatcher *d = m_dispatcher;
    if (!d
        || !QMetaObject::invokeMethod(
            d, [d, fn] { fn(d->queueStates()); }, Qt::QueuedConnection))
        fn({});
}

QFuture<bool> JobEngine::cancel(qint64 jobId)
{
    const qint64 at = now();
    auto promise = std::make_shared<QPromise<bool>>();
    promise->start();
    QFuture<bool> future = promise->future();
    // Never a blocking call from the writer thread into the engine thread (which may be stopping):
    // the running case is asked with a queued call that answers the promise.
    // The answer from the writer thread after COMMIT (no then(): see core/whenready.h).
    auto wasQueued = std::make_shared<bool>(false);
    m_store.post(
        [jobId, at, wasQueued](QSqlDatabase &db) {
            if (queries::cancelQueued(db, jobId, at)) {
                *wasQueued = true;
                return;
            }
            queries::requestCancel(db, jobId, at); // it may run in another process
        },
        [this, jobId, promise, wasQueued](std::exception_ptr error) {
            if (error) {
                *wasQueued = false;
                try {
                    std::rethrow_exception(error);
                } catch (const std::exception &e) {
                    qCWarning(lcJobs) << "cancelling job" << jobId << "failed:" << e.what();
                } catch (...) {
                    qCWarning(lcJobs) << "cancelling job" << jobId << "failed";
                }
            }
            Dispatcher *d = m_dispatcher;
            if (*wasQueued || !d
                || !QMetaObject::invokeMethod(
                    d,
                    [d, jobId, promise] {
                        promise->addResult(d->cancel(jobId, int(CancelReason::User)));
                        promise->finish();
                    },
                    Qt::QueuedConnection)) {
                promise->addResult(*wasQueued);
                promise->finish();
            }
        });
    return future;
}

void JobEngine::wake()
{
    m_claims->wake();
}

void JobEngine::claimOnly(const QStringList &subjectIds)
{
    {
        QMutexLocker lock(&m_subjectsMutex);
        m_subjects = subjectIds;
    }
    // The armed claim was made with the old subjects: claim again with the new ones.
    if (m_dispatcher)
        QMetaObject::invokeMethod(m_dispatcher, &Dispatcher::wakeUp, Qt::QueuedConnection);
    wake();
}

std::optional<QStringList> JobEngine::claimSubjects() const
{
    if (!m_options.onlyGivenJobs)
        return std::nullopt;
    QMutexLocker lock(&m_subjectsMutex);
    return m_subjects;
}

bool JobEngine::cancelRunning(qint64 jobId, CancelReason reason)
{
    if (!m_dispatcher)
        return false;
    bool found = false;
    if (QThread::currentThread() == &m_thread) {
        found = m_dispatcher->cancel(jobId, int(reason));
    } else {
        Dispatcher *d = m_dispatcher;
        QMetaObject::invokeMethod(
            d, [d, jobId, reason] { return d->cancel(jobId, int(reason)); },
            Qt::BlockingQueuedConnection, &found);
    }
    return found;
}

} // namespace arbor::jobs
