#pragma once

#include "batchrun.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QTimer>

namespace arbor::store {
class StoreReader;
class Store;
} // namespace arbor::store

namespace arbor::batch {

/**
 * @brief Watches the store's batch runs for a window: their progress changes in whatever
 * process runs their jobs (the app, `arbord worker`), so it reads them — every second while one
 * runs, every five otherwise — and pushes what it read. Emits runsRead() after each reading and
 * runEnded() once when a run it saw running has completed or was cancelled. Lives on the thread
 * that makes it (an event loop; the GUI thread in the app); reads on the store's readers.
 */
class BatchMonitor : public QObject
{
    Q_OBJECT

public:
    explicit BatchMonitor(store::Store &store, QObject *parent = nullptr);

    /** @brief Starts reading (at once, then on the timer). */
    void start();
    void stop();
    /** @brief Reads now (after an action of this process). */
    void refresh();

Q_SIGNALS:
    void runsRead(const QList<arbor::batch::Run> &runs);
    void runEnded(const arbor::batch::Run &run);

private:
    void onRead(const QList<Run> &runs);

    store::Store &m_store;
    QTimer m_timer;
    QHash<qint64, RunState> m_states;
    bool m_reading = false;
    bool m_first = true;
};

} // namespace arbor::batch
