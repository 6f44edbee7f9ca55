#pragma once

#include <QList>
#include <QMap>
#include <QString>

namespace arbor::sync {

/**
 * @brief Where a pull stands: per workspace id, the last change-log position applied there. A
 * workspace that is absent starts at 0 (everything). Positions are handed out per workspace in
 * commit order (migrations/0004_security.sql), so a pull never waits on another workspace.
 */
using PullPositions = QMap<QString, qint64>;

/** @brief One row of the server's change log (remote::changes() reads them). */
struct Change
{
    QString workspaceId;
    qint64 position = 0;
    QString entity; ///< "conversation" or "message"
    QString entityId;
    QString conversationId;
    QString op; ///< "insert" or "update"
};

} // namespace arbor::sync
