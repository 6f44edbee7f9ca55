#include "migrator.h"

#include "sql.h"

#include "domain/ids.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcMigrate, "arbor.store.migrate", QtInfoMsg)

namespace arbor::store {

namespace {
int versionOf(const QString &fileName)
{
    return fileName.left(fileName.indexOf(QLatin1Char('_'))).toInt();
}
} // namespace

QStringList Migrator::migrationFiles()
{
    QStringList files = QDir(QStringLiteral(":/arbor/migrations"))
                            .entryList({QStringLiteral("*.sql")}, QDir::Files, QDir::Name);
    return files;
}

int Migrator::latestVersion()
{
    const QStringList files = migrationFiles();
    return files.isEmpty() ? 0 : versionOf(files.last());
}

int Migrator::currentVersion(const QSqlDatabase &db)
{
    exec(db,
         QStringLiteral(
             "CREATE TABLE IF NOT EXISTS schema_migrations ("
             "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)"));
    QSqlQuery q =
        exec(db, QStringLiteral("SELECT coalesce(max(version), 0) FROM schema_migrations"));
    return q.next() ? q.value(0).toInt() : 0;
}

std::optional<int> Migrator::recordedVersion(const QSqlDatabase &db)
{
    QSqlQuery has =
        exec(db,
             QStringLiteral("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = "
                            "'schema_migrations'"));
    if (!has.next() || has.value(0).toInt() == 0)
        return std::nullopt;
    QSqlQuery q =
        exec(db, QStringLiteral("SELECT coalesce(max(version), 0) FROM schema_migrations"));
    return q.next() ? q.value(0).toInt() : 0;
}

bool Migrator::isEmpty(const QSqlDatabase &db)
{
    QSqlQuery q = exec(db, QStringLiteral("SELECT count(*) FROM sqlite_schema"));
    return q.next() && q.value(0).toInt() == 0;
}

void Migrator::requireKnown(const QString &path, int version)
{
    const int latest = latestVersion();
    if (version > latest) {
        throw StoreError(
            QStringLiteral("This database (%1) was written by a newer version of Arbor "
                           "(schema %2; this build knows up to %3). Update Arbor to open "
                           "it; the file was not changed.")
                .arg(path)
                .arg(version)
                .arg(latest));
    }
}

void Migrator::migrate(const QSqlDatabase &db)
{
    const int current = currentVersion(db);
    requireKnown(db.databaseName(), current);
    for (const QString &file : migrationFiles()) {
        const int version = versionOf(file);
        if (version <= current)
            continue;
        QFile f(QStringLiteral(":/arbor/migrations/") + file);
        if (!f.open(QIODevice::ReadOnly))
            throw StoreError(QStringLiteral("Missing migration %1").arg(file));
        const QString sql = QString::fromUtf8(f.readAll());
        exec(db, QStringLiteral("BEGIN IMMEDIATE"));
        try {
            execScript(db, sql);
            exec(db,
                 QStringLiteral(
                     "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)"),
                 {version, QFileInfo(file).completeBaseName(), domain::nowMs()});
            exec(db, QStringLiteral("COMMIT"));
        } catch (const StoreError &e) {
            QSqlQuery(db).exec(QStringLiteral("ROLLBACK"));
            throw StoreError(QStringLiteral("Migration %1 failed and was rolled back: %2")
                                 .arg(file, e.message()));
        }
        qCDebug(lcMigrate) << "applied migration" << file;
    }
}

} // namespace arbor::store
