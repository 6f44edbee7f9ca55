#include "batchmonitor.h"

#include "batchqueries.h"

#include "core/whenready.h"
#include "store/store.h"

#include <QFuture>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcBatch, "arbor.batch", QtInfoMsg)

namespace arbor::batch {

BatchMonitor::BatchMonitor(store::Store &store, QObject *parent)
    : QObject(parent)
    , m_store(store)
{
    connect(&m_timer, &QTimer::timeout, this, &BatchMonitor::refresh);
}

void BatchMonitor::start()
{
    m_timer.start(5000);
    refresh();
}

void BatchMonitor::stop()
{
    m_timer.stop();
}

void BatchMonitor::refresh()
{
    if (m_reading)
        return;
    m_reading = true;
    core::whenReady(this, m_store.read([](QSqlDatabase &db) { return queries::list(db); }),
                    [this](QFuture<QList<Run>> f) {
                        m_reading = false;
                        try {
                            onRead(f.result());
                        } catch (const std::exception &e) {
                            qCWarning(lcBatch) << "reading the batch runs failed:" << e.what();
                        }
                    });
}

void BatchMonitor::onRead(const QList<Run> &runs)
{
    bool anyRunning = false;
    for (const Run &r : runs) {
        anyRunning = anyRunning || r.state == RunState::Running;
        const auto before = m_states.constFind(r.id);
        const bool ended = r.state == RunState::Completed || r.state == RunState::Cancelled;
        if (!m_first && ended && before != m_states.cend() && *before == RunState::Running)
            Q_EMIT runEnded(r);
        m_states.insert(r.id, r.state);
    }
    m_first = false;
    if (m_timer.isActive())
        m_timer.setInterval(anyRunning ? 1000 : 5000);
    Q_EMIT runsRead(runs);
}

} // namespace arbor::batch
