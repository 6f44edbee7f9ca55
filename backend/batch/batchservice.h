#pragma once

#include "batchexport.h"
#include "batchimport.h"
#include "batchrun.h"

#include "store/store.h"

#include <QFuture>
#include <QObject>
#include <QThreadPool>

#include <optional>

namespace arbor::jobs {
class JobEngine;
}
namespace arbor::llm {
class ProviderRegistry;
}

namespace arbor::batch {

class BatchJobHandler;
class BatchMonitor;

/**
 * @brief Batch runs as a use case, for the window and `arbord batch`: create (import), start,
 * pause, resume, cancel, retry failed, read runs and rows, export, open a row as a
 * conversation. Every run's jobs run in any process that runs jobs (BatchJobHandler, registered
 * on the engine by core::Backend). Futures finish on the thread pool or store threads; connect
 * with a context object.
 */
class BatchService : public QObject
{
    Q_OBJECT

public:
    BatchService(store::Store &store, jobs::JobEngine &engine, llm::ProviderRegistry &providers);
    ~BatchService() override;

    /** @brief Watches the runs for a window (started by whoever wants its readings). */
    BatchMonitor &monitor() { return *m_monitor; }
    /** @brief The job handler to register on the engine. */
    std::shared_ptr<BatchJobHandler> handler() const { return m_handler; }

    /** @brief "provider/model" → a model of a run; nullopt (and @p error) when the provider is
     *  not one of @p providers or the text is not of that form. */
    static std::optional<RunModel> parseModel(const QString &key, const QStringList &providers,
                                              QString &error);
    /** @brief The ids of the configured providers (the store's and the demo). */
    QFuture<QStringList> providerIds();

    /** @brief Imports @p spec into a draft run on the service's pool (see importRun()). */
    QFuture<CreateResult> create(CreateSpec spec,
                                 std::function<void(const ImportProgress &)> progress = {},
                                 std::function<void(const BadRow &)> badRow = {});
    QFuture<Run> start(qint64 runId);
    QFuture<Run> pause(qint64 runId);
    QFuture<Run> resume(qint64 runId);
    QFuture<Run> cancel(qint64 runId);
    /** @brief Clears the failed results and queues their rows again. */
    QFuture<Run> retryFailed(qint64 runId);

    QFuture<std::optional<Run>> run(qint64 runId);
    QFuture<QList<Run>> runs();
    QFuture<QList<RowView>> rows(qint64 runId, qint64 fromRow, int limit, int filter = 0,
                                 QString search = {});
    QFuture<QList<BadRow>> badRows(qint64 runId, int limit = 1000);
    /** @brief exportRun() on the service's pool, to @p path. */
    QFuture<qint64> exportTo(qint64 runId, ExportFormat format, QString path);
    /** @brief Makes an ordinary conversation of one row × model (user = the rendered template,
     *  assistant = the result), or returns the one made before; answers its id. */
    QFuture<QString> openAsConversation(qint64 runId, qint64 rowNo, int modelIdx);

Q_SIGNALS:
    /** @brief A run's state or counts changed through this service. */
    void runChanged(qint64 runId);

private:
    QFuture<Run> transition(qint64 runId, Run (*op)(const QSqlDatabase &, qint64, qint64));

    store::Store &m_store;
    jobs::JobEngine &m_engine;
    llm::ProviderRegistry &m_providers;
    std::shared_ptr<BatchJobHandler> m_handler;
    BatchMonitor *m_monitor;
    QThreadPool m_pool;
};

} // namespace arbor::batch
