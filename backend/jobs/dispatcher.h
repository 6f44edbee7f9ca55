#pragma once

#include "job.h"
#include "jobrun.h"

#include <QHash>
#include <QObject>
#include <QTimer>

#include <functional>

namespace arbor::jobs {

class JobEngine;

/** @brief The engine's thread-side half: claims, starts and ends runs. Lives on the engine thread. */
class Dispatcher : public QObject
{
    Q_OBJECT

public:
    explicit Dispatcher(JobEngine *engine);

    Q_INVOKABLE void begin();
    Q_INVOKABLE void dispatch();
    Q_INVOKABLE bool cancel(qint64 jobId, int reason);
    /** @brief Stops claiming and asks runs to end; calls @p done (any thread) once all ended. */
    void shutdown(std::function<void()> done);

    enum class Outcome { Success, Failure, Cancelled };
    void endRun(JobRun *run, Outcome outcome, const JobError &error, JobRun::Also also);

private:
    void startRun(const Job &job);
    void beat();
    void maybeFinishShutdown();

    JobEngine *m_engine;
    QHash<qint64, JobRun *> m_running;
    QTimer m_poll;
    QTimer m_heartbeat;
    bool m_claimInFlight = false;
    bool m_wakePending = false;
    bool m_stopping = false;
    int m_beats = 0;
    std::function<void()> m_shutdownDone;
};

} // namespace arbor::jobs
