#pragma once

#include "importer.h"

#include "jobs/jobhandler.h"

#include <QThreadPool>

#include <mutex>

namespace arbor::store {
class Store;
}

namespace arbor::imports {

class ImportService;

/** @brief Runs import jobs: the Importer on a private thread, progress to the service. A job
 *  stopped by a shutdown is queued again and resumes where its run got to. */
class ImportJobHandler : public jobs::JobHandler
{
public:
    ImportJobHandler(store::Store &store, ImportService &service);
    ~ImportJobHandler() override;

    QString kind() const override;
    void start(jobs::JobRun *run) override;
    /** @brief Many: each attempt goes on from where the last stopped. */
    int maxAttempts() const override { return 1000; }

    /** @brief Waits for the run in progress (the engine has asked it to stop). */
    void waitForDone();
    void setLimits(const ImportLimits &limits);
    ImportLimits limits() const;

private:
    store::Store &m_store;
    ImportService &m_service;
    QThreadPool m_pool;
    mutable std::mutex m_mutex;
    ImportLimits m_limits;
};

} // namespace arbor::imports
