#pragma once

#include <QSqlDatabase>
#include <QStringList>

namespace arbor::store {

/**
 * @brief Applies the numbered migrations (resources :/arbor/migrations/NNNN_name.sql) in order,
 * each in its own transaction, recorded in schema_migrations.
 */
class Migrator
{
public:
    /** @brief Highest migration this build knows. */
    static int latestVersion();
    /** @brief Version recorded in @p db (0 for a new file). */
    static int currentVersion(const QSqlDatabase &db);
    /** @brief Brings @p db up to date. Throws StoreError if the file is newer than this build
     *  or a migration fails (that migration is rolled back; the data stays as it was). */
    static void migrate(const QSqlDatabase &db);

private:
    static QStringList migrationFiles();
};

} // namespace arbor::store
