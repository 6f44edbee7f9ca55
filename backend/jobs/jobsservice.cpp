#include "jobsservice.h"

#include "jobengine.h"

#include "store/store.h"

#include <QDateTime>
#include <QPromise>

#include <memory>

namespace arbor::jobs {

JobsService::JobsService(store::Store &store, JobEngine &engine)
    : JobsMonitor(store::StoreReader(store))
    , m_store(store)
    , m_engine(engine)
{
}

QFuture<JobsSnapshot> JobsService::snapshot(SnapshotOptions options, qint64 now)
{
    if (now <= 0)
        now = m_engine.now();
    // The engine's limiter state first (its own thread answers), then one store read with it,
    // queued from that thread and answering the promise itself (no then(): core/whenready.h).
    auto promise = std::make_shared<QPromise<JobsSnapshot>>();
    promise->start();
    QFuture<JobsSnapshot> answer = promise->future();
    m_engine.withQueueStates(
        [reader = m_reader, options, now, promise](const QList<QueueLimitState> &live) mutable {
            auto snapshot = std::make_shared<JobsSnapshot>();
            reader.post([options, now, live,
                         snapshot](QSqlDatabase &db) { *snapshot = read(db, options, now, live); },
                        [promise, snapshot](std::exception_ptr error) {
                            if (error)
                                promise->setException(error);
                            else
                                promise->addResult(std::move(*snapshot));
                            promise->finish();
                        });
        });
    return answer;
}

QFuture<bool> JobsService::retry(qint64 jobId)
{
    JobEngine *engine = &m_engine;
    return m_store.write(
        [jobId, now = m_engine.now()](QSqlDatabase &db) { return admin::retry(db, jobId, now); },
        [engine](bool retried) {
            engine->wake();
            return retried;
        });
}

QFuture<int> JobsService::retryJobs(const QList<qint64> &jobIds)
{
    JobEngine *engine = &m_engine;
    return m_store.write([jobIds, now = m_engine.now()](
                             QSqlDatabase &db) { return admin::retryMany(db, jobIds, now); },
                         [engine](int retried) {
                             engine->wake();
                             return retried;
                         });
}

QFuture<int> JobsService::discardJobs(const QList<qint64> &jobIds)
{
    return m_store.write([jobIds](QSqlDatabase &db) { return admin::discardMany(db, jobIds); });
}

QFuture<int> JobsService::retryFailed(const admin::TagFilter &filter)
{
    JobEngine *engine = &m_engine;
    return m_store.write(
        [filter, now = m_engine.now()](QSqlDatabase &db) {
            return admin::retryMany(db, admin::finishedIds(db, filter), now);
        },
        [engine](int retried) {
            engine->wake();
            return retried;
        });
}

QFuture<int> JobsService::discardFailed(const admin::TagFilter &filter)
{
    return m_store.write([filter](QSqlDatabase &db) {
        return admin::discardMany(db, admin::finishedIds(db, filter));
    });
}

QFuture<admin::JobDetail> JobsService::detail(qint64 jobId)
{
    return m_reader.read([jobId](QSqlDatabase &db) { return admin::detail(db, jobId); });
}

QFuture<bool> JobsService::discard(qint64 jobId)
{
    return m_store.write([jobId](QSqlDatabase &db) { return admin::discard(db, jobId); });
}

QFuture<bool> JobsService::cancel(qint64 jobId)
{
    return m_engine.cancel(jobId);
}

QFuture<void> JobsService::setPaused(const QString &queue, bool paused)
{
    return m_engine.setQueuePaused(queue, paused);
}

QFuture<QueueSettings> JobsService::setLimits(const QString &queue, int concurrency,
                                              qint64 requestsPerMinute, qint64 tokensPerMinute)
{
    return m_engine.setQueueLimits(queue, concurrency, requestsPerMinute, tokensPerMinute);
}

QFuture<QList<QueueSettings>> JobsService::queueSettings()
{
    return m_reader.read([](QSqlDatabase &db) { return admin::queueSettings(db); });
}

} // namespace arbor::jobs
