#pragma once

#include "sync/syncservice.h"

#include <QtQml/qqml.h>

namespace arbor::app {

/** @brief The states of the team connection for QML: TeamSync.Connected, TeamSync.Reconnecting,
 *  ... (sync::SyncService::State, STYLE rule 16). */
struct TeamSyncForeign
{
    Q_GADGET
    QML_FOREIGN(arbor::sync::SyncService)
    QML_NAMED_ELEMENT(TeamSync)
    QML_UNCREATABLE("TeamSync names the states of the team connection")
};

} // namespace arbor::app
