#include "changelog.h"

#include "pgconnection.h"

namespace arbor::sync {

ChangeLog::Batch ChangeLog::read(PgConnection &conn, const ChangeCursor &cursor, int limit)
{
    const PgResult rows =
        // xid_text, not xid: ORDER BY would take an output column named "xid" (text) before the
        // table's xid8, and sort '1000' before '999' (skipping rows at the LIMIT, and never
        // using the (xid, id) index).
        conn.exec(
            QStringLiteral("SELECT id, xid::text AS xid_text, workspace_id, entity, entity_id, "
                           "conversation_id, op FROM arbor.changes "
                           "WHERE (xid, id) > ($1::xid8, $2::bigint) AND xid < "
                           "pg_snapshot_xmin(pg_current_snapshot()) "
                           "ORDER BY xid, id LIMIT $3"),
            {cursor.xid, QString::number(cursor.id), QString::number(limit)});
    Batch batch;
    batch.next = cursor;
    batch.changes.reserve(rows.rows());
    for (int i = 0; i < rows.rows(); ++i) {
        Change c;
        c.id = rows.toInt(i, 0);
        c.xid = rows.text(i, 1);
        c.workspaceId = rows.text(i, 2);
        c.entity = rows.text(i, 3);
        c.entityId = rows.text(i, 4);
        c.conversationId = rows.text(i, 5);
        c.op = rows.text(i, 6);
        batch.next = {c.xid, c.id};
        batch.changes.append(std::move(c));
    }
    return batch;
}

} // namespace arbor::sync
