#include "syncmonitor.h"

#include "localsync.h"

namespace arbor::sync {

SyncMonitor::SyncMonitor(store::StoreReader store)
    : m_reader(store)
{
}

QFuture<SyncOverview> SyncMonitor::overview()
{
    return m_reader.read([](QSqlDatabase &db) {
        SyncOverview o;
        o.server = local::teamServerConfig(db);
        o.pending = local::outboxCounts(db).pending;
        o.refused = local::refusedChanges(db);
        o.pullRefused = local::pullRefusals(db);
        o.workspaces = local::storedWorkspaces(db);
        o.positions = local::positions(db);
        return o;
    });
}

QFuture<TeamServerConfig> SyncMonitor::server()
{
    return m_reader.read([](QSqlDatabase &db) { return local::teamServerConfig(db); });
}

} // namespace arbor::sync
