#pragma once

#include "job.h"

#include <QSqlDatabase>

namespace arbor::jobs {

class JobRun;

/**
 * @brief Runs one kind of job. Adding a job kind is one subclass and one
 * JobEngine::registerHandler call.
 *
 * start() is called on the engine thread and must not block: it starts the work (a network
 * stream, a task on a pool) and later calls exactly one of JobRun::succeed/fail/finishCancelled.
 */
class JobHandler
{
public:
    virtual ~JobHandler() = default;
    virtual QString kind() const = 0;
    virtual void start(JobRun *run) = 0;
    /** @brief How many attempts a job of this kind gets when its JobSpec leaves maxAttempts at 0
     *  (JobEngine::Options::maxAttempts may override it per kind). */
    virtual int maxAttempts() const { return 1; }

    /** @brief What becomes of a job whose worker died while running it. */
    enum class Recovery { Requeue, Cancel, Fail };
    /** @brief Decides, inside the writer transaction, and updates the job's subject to match.
     *  @p canRetry is false when no attempt is left (Requeue is then treated as Fail). The
     *  default runs the job again when it can. */
    virtual Recovery recover(const QSqlDatabase &db, const Job &job, bool canRetry)
    {
        Q_UNUSED(db);
        Q_UNUSED(job);
        return canRetry ? Recovery::Requeue : Recovery::Fail;
    }
};

} // namespace arbor::jobs
