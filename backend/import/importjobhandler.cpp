#include "importjobhandler.h"

#include "importqueries.h"
#include "importservice.h"

#include "jobs/jobrun.h"
#include "store/store.h"

#include <QPointer>

#include <atomic>

namespace arbor::imports {

ImportJobHandler::ImportJobHandler(store::Store &store, ImportService &service)
    : m_store(store)
    , m_service(service)
{
    m_pool.setMaxThreadCount(1);
}

ImportJobHandler::~ImportJobHandler()
{
    m_pool.waitForDone();
}

void ImportJobHandler::waitForDone()
{
    m_pool.waitForDone();
}

QString ImportJobHandler::kind() const
{
    return ImportService::JobKind;
}

void ImportJobHandler::setLimits(const ImportLimits &limits)
{
    std::lock_guard lock(m_mutex);
    m_limits = limits;
}

ImportLimits ImportJobHandler::limits() const
{
    std::lock_guard lock(m_mutex);
    return m_limits;
}

void ImportJobHandler::start(jobs::JobRun *run)
{
    const QString runId = run->job().payload.value(QStringLiteral("run_id")).toString();
    auto stop = std::make_shared<std::atomic<int>>(-1); // -1 none, else a CancelReason
    QObject::connect(run, &jobs::JobRun::cancelRequested, run,
                     [stop](jobs::CancelReason reason) { stop->store(int(reason)); });
    if (run->isCancelRequested())
        stop->store(int(run->cancelReason()));
    QPointer<jobs::JobRun> guard(run);
    ImportService *service = &m_service;
    store::Store *store = &m_store;
    const ImportLimits limits = this->limits();
    m_pool.start([=] {
        Importer importer(*store, runId, limits);
        const RunOutcome outcome = importer.run(
            [service, runId](qint64 done, qint64 total) {
                Q_EMIT service->progress(runId, done, total);
            },
            [stop] { return stop->load() >= 0; });
        const bool shutdown =
            outcome.state == u"cancelled" && stop->load() == int(jobs::CancelReason::Shutdown);
        if (outcome.state == u"cancelled" && !shutdown)
            store
                ->write([runId](QSqlDatabase &db) {
                    queries::finishRun(db, runId, QStringLiteral("cancelled"), {});
                })
                .waitForFinished();
        if (!shutdown)
            Q_EMIT service->finished(runId, outcome.state, outcome.error);
        if (!guard)
            return;
        QMetaObject::invokeMethod(
            guard.data(),
            [guard, outcome, shutdown] {
                if (!guard)
                    return;
                if (shutdown)
                    guard->fail({QStringLiteral("Arbor stopped during the import; it goes on "
                                                "where it stopped"),
                                 true, 0});
                else if (outcome.state == u"cancelled")
                    guard->finishCancelled(QStringLiteral("import cancelled"));
                else
                    guard->succeed(); // a failed file is a finished job: its run says why
            },
            Qt::QueuedConnection);
    });
}

} // namespace arbor::imports
