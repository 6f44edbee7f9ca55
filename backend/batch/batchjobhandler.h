#pragma once

#include "batchrun.h"
#include "batchtemplate.h"

#include "jobs/jobhandler.h"
#include "store/usagequeries.h"

#include <QHash>

#include <memory>
#include <mutex>
#include <optional>

namespace arbor::store {
class Store;
}
namespace arbor::llm {
class ProviderRegistry;
}

namespace arbor::batch {

/**
 * @brief Job kind "batch.row": one row of a run for one model. The job carries ids only
 * ({"run", "row", "model"}); the row is read when it runs, the run's template, system prompt and
 * models once per run (they never change). The result, the run's counts and the model's next
 * job commit in one transaction with the job's end (queries::recordResult), so every row gets
 * exactly one result per model whatever process runs it and whenever one is killed.
 */
class BatchJobHandler : public jobs::JobHandler
{
public:
    BatchJobHandler(store::Store &store, llm::ProviderRegistry &providers);

    QString kind() const override;
    void start(jobs::JobRun *run) override;
    int maxAttempts() const override;
    /** @brief A killed worker's job runs again while attempts remain; after the last one the
     *  row's result is a failure that says so (and the model's next row is queued). */
    Recovery recover(const QSqlDatabase &db, const jobs::Job &job, bool canRetry) override;

    /** @brief What a run's jobs share (read once per run and process). */
    struct RunInfo
    {
        BatchTemplate prompt;
        QString systemPrompt;
        int maxTokens = 0;
        QList<RunModel> models;
    };

private:
    std::shared_ptr<const RunInfo> cachedInfo(qint64 runId);
    /** @brief The cost of @p input / @p output tokens of a model today, or -1 (no price);
     *  prices are looked up once per provider, model and day. Writer thread. */
    qint64 costOf(const QSqlDatabase &db, const RunModel &model, qint64 input, qint64 output,
                  qint64 now, QString &currency);

    store::Store &m_store;
    llm::ProviderRegistry &m_providers;
    std::mutex m_mutex;
    QHash<qint64, std::shared_ptr<const RunInfo>> m_runs;
    QHash<QString, std::optional<store::usage::Price>> m_prices;
};

} // namespace arbor::batch
