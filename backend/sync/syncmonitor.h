#pragma once

#include "changelog.h"
#include "localstate.h"
#include "teamserverconfig.h"

#include "store/store.h"

#include <QFuture>
#include <QList>
#include <QPair>

namespace arbor::sync {

/** @brief How a store stands with its team server, read without a connection. */
struct SyncOverview
{
    TeamServerConfig server;                ///< empty when none is configured
    int pending = 0;                        ///< outbox rows (refused ones included)
    QList<QPair<QString, QString>> refused; ///< outbox rows the server refused: id, reason
    QList<local::PullRefusal> pullRefused;  ///< rows pulls refused here
    QList<Workspace> workspaces;            ///< as last stored, by name
    PullPositions positions;                ///< how far each workspace is pulled
};

/**
 * @brief The reading side of team sync: the configured server and the local sync state. Needs
 * only a StoreReader, so a read-only backend offers it (`arbord sync status`); SyncService adds
 * everything that writes or connects.
 */
class SyncMonitor
{
public:
    explicit SyncMonitor(store::StoreReader store);

    /** @brief The configured team server and the outbox, refusals, workspaces, positions, read
     *  in one task. */
    QFuture<SyncOverview> overview();
    /** @brief The configured team server (an empty config when none). */
    QFuture<TeamServerConfig> server();

protected:
    store::StoreReader m_reader;
};

} // namespace arbor::sync
