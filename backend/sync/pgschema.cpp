#include "pgschema.h"

#include "pgconnection.h"

#include <QDir>
#include <QFile>

namespace arbor::sync {

namespace {

const QString MigrationsDir = QStringLiteral(":/arbor/pgmigrations");
// pg_advisory_xact_lock key shared by every Arbor migrator ("arbormig" in ASCII).
const QString LockKey = QStringLiteral("7022364487223519591");

int versionOf(const QString &fileName)
{
    return fileName.section(u'_', 0, 0).toInt();
}

} // namespace

QStringList PgSchema::migrationFiles()
{
    return QDir(MigrationsDir).entryList({QStringLiteral("*.sql")}, QDir::Files, QDir::Name);
}

int PgSchema::latestVersion()
{
    const QStringList files = migrationFiles();
    return files.isEmpty() ? 0 : versionOf(files.last());
}

int PgSchema::currentVersion(PgConnection &conn)
{
    if (conn.scalar(QStringLiteral("SELECT to_regclass('arbor.schema_migrations') IS NOT NULL"))
        != u"t")
        return 0;
    return conn
        .scalar(QStringLiteral("SELECT coalesce(max(version), 0) FROM arbor.schema_migrations"))
        .toInt();
}

void PgSchema::createSchema(PgConnection &conn)
{
    // CREATE SCHEMA checks CREATE on the database even with IF NOT EXISTS: skip it when the
    // schema is there, so its owner can rerun init without that privilege.
    if (conn.scalar(QStringLiteral("SELECT count(*) FROM pg_namespace WHERE nspname = 'arbor'"))
        == u"0")
        conn.execScript(QStringLiteral("CREATE SCHEMA IF NOT EXISTS arbor"));
    conn.execScript(QStringLiteral("CREATE TABLE IF NOT EXISTS arbor.schema_migrations ("
                                   "  version    integer PRIMARY KEY,"
                                   "  name       text NOT NULL,"
                                   "  applied_at timestamptz NOT NULL DEFAULT now())"));
}

PgSchema::Result PgSchema::migrate(PgConnection &conn, int upTo)
{
    Result result;
    result.from = currentVersion(conn);
    result.to = result.from;
    const int latest = latestVersion();
    if (result.from > latest)
        throw PgError(
            QStringLiteral(
                "the server's Arbor schema is version %1, newer than this arbord knows (%2): "
                "upgrade arbord")
                .arg(result.from)
                .arg(latest));
    for (const QString &file : migrationFiles()) {
        const int version = versionOf(file);
        if (version <= result.to)
            continue;
        if (upTo >= 0 && version > upTo)
            break;
        QFile f(MigrationsDir + u'/' + file);
        if (!f.open(QIODevice::ReadOnly))
            throw PgError(QStringLiteral("cannot read migration %1").arg(file));
        const QString sql = QString::fromUtf8(f.readAll());

        conn.execScript(QStringLiteral("BEGIN"));
        try {
            conn.exec(QStringLiteral("SELECT pg_advisory_xact_lock(%1)").arg(LockKey));
            // Another migrator may have applied it while we waited for the lock.
            const bool done =
                conn.scalar(QStringLiteral(
                                "SELECT count(*) FROM arbor.schema_migrations WHERE version = $1"),
                            {QString::number(version)})
                != u"0";
            if (!done) {
                conn.execScript(sql);
                conn.exec(
                    QStringLiteral(
                        "INSERT INTO arbor.schema_migrations (version, name) VALUES ($1, $2)"),
                    {QString::number(version), file});
                result.applied << file;
            }
            conn.execScript(QStringLiteral("COMMIT"));
        } catch (const PgError &e) {
            try {
                conn.execScript(QStringLiteral("ROLLBACK"));
            } catch (const PgError &) {
                // The connection is gone; the server rolls back on its own.
            }
            throw PgError(
                QStringLiteral("migration %1 failed (rolled back): %2").arg(file, e.message()),
                e.sqlState());
        }
        result.to = version;
    }
    return result;
}

} // namespace arbor::sync
