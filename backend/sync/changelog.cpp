#include "changelog.h"

#include "pgconnection.h"

namespace arbor::sync {

QList<Change> ChangeLog::read(PgConnection &conn, const QString &workspaceId, qint64 after,
                              int limit)
{
    const PgResult rows = conn.exec(
        QStringLiteral("SELECT workspace_id, position, entity, entity_id, conversation_id, op "
                       "FROM arbor.changes WHERE workspace_id = $1 AND position > $2 "
                       "ORDER BY position LIMIT $3"),
        {workspaceId, QString::number(after), QString::number(limit)});
    QList<Change> changes;
    changes.reserve(rows.rows());
    for (int i = 0; i < rows.rows(); ++i) {
        Change c;
        c.workspaceId = rows.text(i, rows.column("workspace_id"));
        c.position = rows.toInt(i, rows.column("position"));
        c.entity = rows.text(i, rows.column("entity"));
        c.entityId = rows.text(i, rows.column("entity_id"));
        c.conversationId = rows.text(i, rows.column("conversation_id"));
        c.op = rows.text(i, rows.column("op"));
        changes.append(std::move(c));
    }
    return changes;
}

} // namespace arbor::sync
