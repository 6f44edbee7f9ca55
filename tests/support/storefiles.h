#pragma once

#include "store/migrator.h"
#include "store/sql.h"
#include "support/dbconnection.h"

#include <QDir>
#include <QFile>
#include <QStringList>

namespace arbor::testsupport {

/** @brief The whole content of @p path ("" when it cannot be read). */
inline QByteArray fileBytes(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

/** @brief The names in @p dir (files and folders), sorted. */
inline QStringList entriesOf(const QString &dir)
{
    return QDir(dir).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden, QDir::Name);
}

/**
 * @brief Damages the first page of @p table in the store at @p path the way a bad disk does
 * (garbage over it), so SQLite reports "database disk image is malformed" when the table is
 * read, while the schema (page 1) stays readable. The store must
 * be closed (its WAL folded into the file). Returns false if the table was not found.
 */
inline bool damageTable(const QString &path, const QString &table)
{
    qint64 page = 0;
    qint64 pageSize = 0;
    {
        DbConnection c(path, DbConnection::Mode::ReadOnly);
        page =
            c.scalar(QStringLiteral("SELECT rootpage FROM sqlite_schema WHERE name = ?"), {table})
                .toLongLong();
        pageSize = c.scalar(QStringLiteral("PRAGMA page_size")).toLongLong();
    }
    if (page <= 1 || pageSize <= 0)
        return false;
    QFile f(path);
    if (!f.open(QIODevice::ReadWrite) || !f.seek((page - 1) * pageSize))
        return false;
    // Garbage over the whole page: its first byte is no b-tree page type SQLite knows.
    const QByteArray garbage(pageSize, '\x5a');
    return f.write(garbage) == garbage.size();
}

/**
 * @brief Makes @p path a store as the previous Arbor left it: every migration but the last,
 * recorded in schema_migrations, in rollback-journal mode (so the file alone is the store).
 * Returns the version it stopped at.
 */
inline int makeOlderStore(const QString &path)
{
    DbConnection c(path);
    store::Migrator::currentVersion(c.db()); // creates schema_migrations
    QStringList files = QDir(QStringLiteral(":/arbor/migrations")).entryList(QDir::Files);
    files.sort();
    files.removeLast();
    for (const QString &file : std::as_const(files)) {
        QFile f(QStringLiteral(":/arbor/migrations/") + file);
        if (!f.open(QIODevice::ReadOnly))
            return -1;
        store::execScript(c.db(), QString::fromUtf8(f.readAll()));
        c.exec(QStringLiteral("INSERT INTO schema_migrations (version, name, applied_at) VALUES "
                              "(?, ?, 1)"),
               {file.left(4).toInt(), file.chopped(4)});
    }
    c.exec(QStringLiteral("PRAGMA journal_mode=DELETE"));
    return store::Migrator::latestVersion() - 1;
}

} // namespace arbor::testsupport
