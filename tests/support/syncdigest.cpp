#include "syncdigest.h"

#include "store/sql.h"
#include "store/store.h"
#include "sync/pgconnection.h"

#include <QCryptographicHash>
#include <QSqlQuery>
#include <QStringList>

#include <algorithm>

namespace arbor::testsupport {

namespace {

/** @brief Shared rows as one canonical text per row, sorted, hashed. */
QByteArray hashRows(QStringList rows)
{
    std::sort(rows.begin(), rows.end());
    QCryptographicHash hash(QCryptographicHash::Sha256);
    for (const QString &row : rows) {
        hash.addData(row.toUtf8());
        hash.addData(QByteArrayView("\n", 1));
    }
    return hash.result().toHex();
}

QString conversationRow(const QString &id, const QString &ws, const QString &title, bool deleted)
{
    return QStringLiteral("c|%1|%2|%3|%4")
        .arg(id, ws, title, deleted ? QStringLiteral("d") : QStringLiteral("-"));
}

QString messageRow(const QString &id, const QString &conv, const QString &parent,
                   const QString &status, const QString &content, bool deleted)
{
    return QStringLiteral("m|%1|%2|%3|%4|%5|%6")
        .arg(id, conv, parent, status, deleted ? QStringLiteral("d") : QStringLiteral("-"),
             QString::fromLatin1(
                 QCryptographicHash::hash(content.toUtf8(), QCryptographicHash::Sha256).toHex()));
}

} // namespace

QByteArray syncDigest(store::Store &store)
{
    return store
        .read([](QSqlDatabase &db) {
            QStringList rows;
            QSqlQuery c =
                store::exec(db,
                            QStringLiteral("SELECT id, workspace_id, title, deleted_at IS NOT "
                                           "NULL FROM conversations WHERE workspace_id IS "
                                           "NOT NULL"));
            while (c.next())
                rows << conversationRow(c.value(0).toString(), c.value(1).toString(),
                                        c.value(2).toString(), c.value(3).toBool());
            QSqlQuery m = store::exec(
                db,
                QStringLiteral(
                    "SELECT m.id, m.conversation_id, coalesce(m.parent_id, ''), m.status, "
                    "m.content || coalesce((SELECT group_concat(text, '') FROM (SELECT text FROM "
                    "message_chunks WHERE message_id = m.id ORDER BY seq)), ''), "
                    "m.deleted_at IS NOT NULL FROM messages m JOIN conversations c ON c.id = "
                    "m.conversation_id WHERE c.workspace_id IS NOT NULL"));
            while (m.next())
                rows << messageRow(m.value(0).toString(), m.value(1).toString(),
                                   m.value(2).toString(), m.value(3).toString(),
                                   m.value(4).toString(), m.value(5).toBool());
            return hashRows(rows);
        })
        .result();
}

QByteArray serverDigest(sync::PgConnection &conn)
{
    QStringList rows;
    const sync::PgResult c = conn.exec(QStringLiteral(
        "SELECT id, workspace_id, title, deleted_at IS NOT NULL FROM arbor.conversations"));
    for (int i = 0; i < c.rows(); ++i)
        rows << conversationRow(c.text(i, 0), c.text(i, 1), c.text(i, 2), c.text(i, 3) == u"t");
    const sync::PgResult m = conn.exec(QStringLiteral(
        "SELECT id, conversation_id, coalesce(parent_id::text, ''), status, content, "
        "deleted_at IS NOT NULL FROM arbor.messages"));
    for (int i = 0; i < m.rows(); ++i)
        rows << messageRow(m.text(i, 0), m.text(i, 1), m.text(i, 2), m.text(i, 3), m.text(i, 4),
                           m.text(i, 5) == u"t");
    return hashRows(rows);
}

} // namespace arbor::testsupport
