#include "changelog.h"

#include "pgconnection.h"

namespace arbor::sync {

ChangeLog::Batch ChangeLog::read(PgConnection &conn, const ChangeCursor &cursor, int limit)
{
    // The cursor rule itself is arbor.changes_after() (server version 3), shared with
    // arbor.pull(); it also pins the (xid, id) index scan.
    const PgResult rows =
        conn.exec(QStringLiteral("SELECT id, xid::text, workspace_id, entity, entity_id, "
                                 "conversation_id, op FROM arbor.changes_after($1::xid8, "
                                 "$2::bigint, $3::integer)"),
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
