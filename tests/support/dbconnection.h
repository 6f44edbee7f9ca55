#pragma once

#include <QSqlDatabase>
#include <QString>
#include <QVariant>

#include <initializer_list>

namespace arbor::testsupport {

/**
 * @brief A SQLite connection of the test's own thread to a store file, opened with Arbor's
 * pragmas (store::openConnection) and closed on destruction. Tests use it to look at a file
 * that a Store, a JobEngine or another process writes, or to run queries directly.
 */
class DbConnection
{
public:
    enum class Mode { ReadOnly, ReadWrite, Migrated };

    /** @brief Opens @p path; Migrated also brings the schema up to date. Throws StoreError. */
    explicit DbConnection(const QString &path, Mode mode = Mode::ReadWrite);
    ~DbConnection();
    DbConnection(const DbConnection &) = delete;
    DbConnection &operator=(const DbConnection &) = delete;

    QSqlDatabase &db() { return m_db; }
    /** @brief The first column of the first row of @p sql (invalid QVariant if no row). */
    QVariant scalar(const QString &sql, std::initializer_list<QVariant> values = {});
    /** @brief Runs a statement; throws StoreError on failure. */
    void exec(const QString &sql, std::initializer_list<QVariant> values = {});

private:
    QString m_name;
    QSqlDatabase m_db;
};

} // namespace arbor::testsupport
