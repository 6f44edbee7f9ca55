#pragma once

#include <QList>
#include <QString>

namespace arbor::sync {

class PgConnection;

/**
 * @brief A pull position in arbor.changes: the last (xid, id) read. Start from the default
 * (everything); store it locally after applying a batch.
 */
struct ChangeCursor
{
    QString xid = QStringLiteral("0"); ///< xid8 as text
    qint64 id = 0;

    bool operator==(const ChangeCursor &) const = default;
};

/** @brief One row of the server's change log. */
struct Change
{
    qint64 id = 0;
    QString xid;
    QString workspaceId;
    QString entity; ///< "conversation" or "message"
    QString entityId;
    QString conversationId;
    QString op; ///< "insert" or "update"
};

/**
 * @brief Reads the change log in commit-safe order (see migrations/0001_team.sql): rows after
 * the cursor in (xid, id) order, only from transactions below the oldest one still running, so
 * a transaction that commits late is read later instead of being skipped. Row-level security
 * limits the rows to the caller's workspaces.
 */
class ChangeLog
{
public:
    struct Batch
    {
        QList<Change> changes;
        ChangeCursor next; ///< the cursor after this batch (unchanged when it is empty)
    };

    /** @brief Up to @p limit changes after @p cursor. Throws PgError. */
    static Batch read(PgConnection &conn, const ChangeCursor &cursor, int limit = 1000);
};

} // namespace arbor::sync
