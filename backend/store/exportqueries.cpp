#include "exportqueries.h"

#include "sql.h"

namespace arbor::store::exports {

QStringList conversationIds(const QSqlDatabase &db)
{
    QSqlQuery q = exec(db,
                       QStringLiteral("SELECT id FROM conversations WHERE deleted_at IS NULL"
                                      " ORDER BY created_at, id"));
    const int id = Columns(q)["id"];
    QStringList out;
    while (q.next())
        out.append(q.value(id).toString());
    return out;
}

QList<NodeLink> liveNodes(const QSqlDatabase &db, const QString &conversationId)
{
    // The (conversation_id, parent_id, created_at, id) index serves the filter; the sort is of
    // two short columns.
    QSqlQuery q =
        exec(db,
             QStringLiteral("SELECT id, coalesce(parent_id, '') AS parent_id FROM messages"
                            " WHERE conversation_id = ? AND deleted_at IS NULL"
                            " ORDER BY created_at, id"),
             {conversationId});
    const Columns columns(q);
    const int id = columns["id"];
    const int parent = columns["parent_id"];
    QList<NodeLink> out;
    while (q.next())
        out.append({q.value(id).toString(), q.value(parent).toString()});
    return out;
}

} // namespace arbor::store::exports
