#include "conversationqueries.h"

#include "sql.h"

#include "domain/ids.h"

#include <QJsonDocument>

namespace arbor::store::conversations {

namespace {
const QString kColumns = QStringLiteral("id, title, current_leaf_id, settings, created_at, updated_at, workspace_id");

Conversation readRow(const QSqlQuery &q)
{
    Conversation c;
    c.id = q.value(0).toString();
    c.title = q.value(1).toString();
    c.currentLeafId = q.value(2).toString();
    c.settings = q.value(3).toString();
    c.createdAt = q.value(4).toLongLong();
    c.updatedAt = q.value(5).toLongLong();
    c.workspaceId = q.value(6).toString();
    return c;
}
} // namespace

QList<Conversation> list(const QSqlDatabase &db, int limit)
{
    QSqlQuery q = exec(db, QStringLiteral("SELECT %1 FROM conversations WHERE deleted_at IS NULL "
                                          "ORDER BY updated_at DESC, id DESC LIMIT ?").arg(kColumns),
                       {limit});
    QList<Conversation> out;
    while (q.next())
        out.append(readRow(q));
    return out;
}

std::optional<Conversation> get(const QSqlDatabase &db, const QString &id)
{
    QSqlQuery q = exec(db, QStringLiteral("SELECT %1 FROM conversations WHERE id = ? AND deleted_at IS NULL").arg(kColumns), {id});
    if (!q.next())
        return std::nullopt;
    return readRow(q);
}

void insert(const QSqlDatabase &db, const Conversation &c)
{
    exec(db, QStringLiteral("INSERT INTO conversations (id, title, current_leaf_id, settings, created_at, updated_at) "
                            "VALUES (?, ?, ?, ?, ?, ?)"),
         {c.id, c.title, nullIfEmpty(c.currentLeafId), c.settings.isEmpty() ? QStringLiteral("{}") : c.settings,
          c.createdAt, c.updatedAt});
}

void rename(const QSqlDatabase &db, const QString &id, const QString &title)
{
    QSqlQuery q = exec(db, QStringLiteral("UPDATE conversations SET title = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL"),
                       {title, domain::nowMs(), id});
    if (q.numRowsAffected() == 0)
        throw StoreError(QStringLiteral("No conversation %1.").arg(id));
}

void remove(const QSqlDatabase &db, const QString &id)
{
    QSqlQuery q = exec(db, QStringLiteral("UPDATE conversations SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL"),
                       {domain::nowMs(), id});
    if (q.numRowsAffected() == 0)
        throw StoreError(QStringLiteral("No conversation %1.").arg(id));
}

void touch(const QSqlDatabase &db, const QString &id)
{
    exec(db, QStringLiteral("UPDATE conversations SET updated_at = ? WHERE id = ?"), {domain::nowMs(), id});
}

void setSettings(const QSqlDatabase &db, const QString &id, const QJsonObject &settings)
{
    const QString json = QString::fromUtf8(QJsonDocument(settings).toJson(QJsonDocument::Compact));
    QSqlQuery q = exec(db, QStringLiteral("UPDATE conversations SET settings = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL"),
                       {json, domain::nowMs(), id});
    if (q.numRowsAffected() == 0)
        throw StoreError(QStringLiteral("No conversation %1.").arg(id));
}

void setCurrentLeaf(const QSqlDatabase &db, const QString &id, const QString &leafId)
{
    const qint64 now = domain::nowMs();
    exec(db, QStringLiteral("UPDATE conversations SET current_leaf_id = ?, updated_at = ? WHERE id = ?"), {leafId, now, id});
    exec(db, QStringLiteral("UPDATE messages SET visited_at = ? WHERE id = ?"), {now, leafId});
}

} // namespace arbor::store::conversations
