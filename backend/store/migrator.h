#pragma once

#include <QSqlDatabase>
#include <QStringList>

#include <optional>

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
    /** @brief Version recorded in @p db (0 for a new file). Creates schema_migrations if needed. */
    static int currentVersion(const QSqlDatabase &db);
    /** @brief Version recorded in @p db without writing anything; nullopt when the file has no
     *  schema_migrations table (a new file, or not an Arbor store). */
    static std::optional<int> recordedVersion(const QSqlDatabase &db);
    /** @brief True when @p db holds no table at all (a new or empty file). */
    static bool isEmpty(const QSqlDatabase &db);
    /** @brief Throws StoreError if @p version (of the store at @p path) is newer than this
     *  build knows. */
    static void requireKnown(const QString &path, int version);
    /** @brief Brings @p db up to date. Throws StoreError if the file is newer than this build
     *  or a migration fails (that migration is rolled back; the data stays as it was). */
    static void migrate(const QSqlDatabase &db);

private:
    static QStringList migrationFiles();
};

} // namespace arbor::store
