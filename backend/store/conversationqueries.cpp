#include "conversationqueries.h"

#include "sql.h"

#include "domain/ids.h"

#include <QJsonDocument>

namespace arbor::store::conversations {

namespace {
const QString kColumns =
    QStringLiteral("id, title, current_leaf_id, settings, created_at, updated_at, workspace_id,"
                   " source_format, source_id");

/** @brief Where the fields of kColumns are in a result. */
struct ConversationColumns
{
    explicit ConversationColumns(const Columns &c)
        : id(c["id"])
        , title(c["title"])
        , currentLeafId(c["current_leaf_id"])
        , settings(c["settings"])
        , createdAt(c["created_at"])
        , updatedAt(c["updated_at"])
        , workspaceId(c["workspace_id"])
        , sourceFormat(c["source_format"])
        , sourceId(c["source_id"])
    {
    }

    Conversation read(const QSqlQuery &q) const
    {
        Conversation c;
        c.id = q.value(id).toString();
        c.title = q.value(title).toString();
        c.currentLeafId = q.value(currentLeafId).toString();
        c.settings = q.value(settings).toString();
        c.createdAt = q.value(createdAt).toLongLong();
        c.updatedAt = q.value(updatedAt).toLongLong();
        c.workspaceId = q.value(workspaceId).toString();
        c.sourceFormat = q.value(sourceFormat).toString();
        c.sourceId = q.value(sourceId).toString();
        return c;
    }

    int id, title, currentLeafId, settings, createdAt, updatedAt, workspaceId, sourceFormat,
        sourceId;
};

/** @brief Throws when @p id is a teammate's shared conversation and this person is not an admin
 *  of its workspace: the team server refuses their rename, settings change or delete, so a local
 *  edit would stay on this device for good. The person is the role this store last synced as. */
void refuseTeammatesConversation(const QSqlDatabase &db, const QString &id)
{
    requireWritable(db, id);
    QSqlQuery q =
        exec(db,
             QStringLiteral(
                 "SELECT c.title, c.created_by FROM conversations c"
                 " WHERE c.id = ? AND c.workspace_id IS NOT NULL AND c.created_by IS NOT NULL"
                 " AND c.created_by IS NOT (SELECT value FROM sync_state WHERE key = 'user')"
                 " AND coalesce((SELECT role FROM sync_workspaces w WHERE w.id = c.workspace_id),"
                 " '') <> 'admin'"),
             {id});
    const Columns columns(q);
    if (q.next())
        throw StoreError(
            QStringLiteral("“%1” was started by %2. In a shared conversation only its creator "
                           "or a workspace admin can rename it, change its settings or delete it.")
                .arg(q.value(columns["title"]).toString(),
                     q.value(columns["created_by"]).toString()));
}
} // namespace

void requireWritable(const QSqlDatabase &db, const QString &id)
{
    QSqlQuery q =
        exec(db,
             QStringLiteral("SELECT w.name FROM conversations c JOIN sync_workspaces w"
                            " ON w.id = c.workspace_id WHERE c.id = ? AND w.role = 'viewer'"),
             {id});
    if (q.next())
        throw StoreError(
            QStringLiteral(
                "You are a viewer in the workspace “%1”: you can read its conversations "
                "but not write in them. Ask an admin of the workspace to make you a member.")
                .arg(q.value(0).toString()));
}

QList<Conversation> list(const QSqlDatabase &db, int limit)
{
    QSqlQuery q = exec(db,
                       QStringLiteral("SELECT %1 FROM conversations WHERE deleted_at IS NULL "
                                      "ORDER BY updated_at DESC, id DESC LIMIT ?")
                           .arg(kColumns),
                       {limit});
    const ConversationColumns columns{Columns(q)};
    QList<Conversation> out;
    while (q.next())
        out.append(columns.read(q));
    return out;
}

std::optional<Conversation> get(const QSqlDatabase &db, const QString &id)
{
    QSqlQuery q =
        exec(db,
             QStringLiteral("SELECT %1 FROM conversations WHERE id = ? AND deleted_at IS NULL")
                 .arg(kColumns),
             {id});
    const ConversationColumns columns{Columns(q)};
    if (!q.next())
        return std::nullopt;
    return columns.read(q);
}

void insert(const QSqlDatabase &db, const Conversation &c)
{
    exec(db,
         QStringLiteral("INSERT INTO conversations (id, title, current_leaf_id, settings, "
                        "created_at, updated_at) "
                        "VALUES (?, ?, ?, ?, ?, ?)"),
         {c.id, domain::withoutNul(c.title), nullIfEmpty(c.currentLeafId),
          c.settings.isEmpty() ? QStringLiteral("{}") : domain::withoutNulInJson(c.settings),
          c.createdAt, c.updatedAt});
}

void rename(const QSqlDatabase &db, const QString &id, const QString &title)
{
    refuseTeammatesConversation(db, id);
    QSqlQuery q = exec(db,
                       QStringLiteral("UPDATE conversations SET title = ?, updated_at = ? WHERE id "
                                      "= ? AND deleted_at IS NULL"),
                       {domain::withoutNul(title), domain::nowMs(), id});
    if (q.numRowsAffected() == 0)
        throw StoreError(QStringLiteral("No conversation %1.").arg(id));
}

void remove(const QSqlDatabase &db, const QString &id)
{
    refuseTeammatesConversation(db, id);
    QSqlQuery q =
        exec(db,
             QStringLiteral(
                 "UPDATE conversations SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL"),
             {domain::nowMs(), id});
    if (q.numRowsAffected() == 0)
        throw StoreError(QStringLiteral("No conversation %1.").arg(id));
}

void restore(const QSqlDatabase &db, const QString &id)
{
    refuseTeammatesConversation(db, id);
    QSqlQuery q = exec(db,
                       QStringLiteral("UPDATE conversations SET deleted_at = NULL, updated_at = ? "
                                      "WHERE id = ? AND deleted_at IS NOT NULL"),
                       {domain::nowMs(), id});
    if (q.numRowsAffected() == 0)
        throw StoreError(QStringLiteral("No deleted conversation %1.").arg(id));
}

void touch(const QSqlDatabase &db, const QString &id)
{
    exec(db, QStringLiteral("UPDATE conversations SET updated_at = ? WHERE id = ?"),
         {domain::nowMs(), id});
}

void setSettings(const QSqlDatabase &db, const QString &id, const QJsonObject &settings)
{
    refuseTeammatesConversation(db, id);
    const QString json = domain::withoutNulInJson(
        QString::fromUtf8(QJsonDocument(settings).toJson(QJsonDocument::Compact)));
    QSqlQuery q = exec(db,
                       QStringLiteral("UPDATE conversations SET settings = ?, updated_at = ? WHERE "
                                      "id = ? AND deleted_at IS NULL"),
                       {json, domain::nowMs(), id});
    if (q.numRowsAffected() == 0)
        throw StoreError(QStringLiteral("No conversation %1.").arg(id));
}

void setCurrentLeaf(const QSqlDatabase &db, const QString &id, const QString &leafId)
{
    const qint64 now = domain::nowMs();
    exec(
        db,
        QStringLiteral("UPDATE conversations SET current_leaf_id = ?, updated_at = ? WHERE id = ?"),
        {leafId, now, id});
    exec(db, QStringLiteral("UPDATE messages SET visited_at = ? WHERE id = ?"), {now, leafId});
}

} // namespace arbor::store::conversations
