#pragma once

#include <QList>
#include <QMap>
#include <QString>

namespace arbor::sync {

class PgConnection;

/**
 * @brief Where a pull stands: per workspace id, the last change-log position applied there. A
 * workspace that is absent starts at 0 (everything). Positions are handed out per workspace in
 * commit order (migrations/0004_security.sql), so a pull never waits on another workspace.
 */
using PullPositions = QMap<QString, qint64>;

/** @brief One row of the server's change log. */
struct Change
{
    QString workspaceId;
    qint64 position = 0;
    QString entity; ///< "conversation" or "message"
    QString entityId;
    QString conversationId;
    QString op; ///< "insert" or "update"
};

/**
 * @brief Reads the change log of one workspace: rows after a position, in position order. The
 * committed positions of a workspace always form a prefix (a writer holds the workspace's log
 * head to commit), so reading "after the last position seen" never skips a late commit.
 * Row-level security limits the rows to the caller's workspaces.
 */
class ChangeLog
{
public:
    /** @brief Up to @p limit changes of @p workspaceId after @p after. Throws PgError. */
    static QList<Change> read(PgConnection &conn, const QString &workspaceId, qint64 after,
                              int limit = 1000);
};

} // namespace arbor::sync
