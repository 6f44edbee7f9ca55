#pragma once

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QVariant>

#include <initializer_list>
#include <stdexcept>

namespace arbor::store {

/** @brief A failed SQL statement or connection; carries the driver's text. */
class StoreError : public std::runtime_error
{
public:
    explicit StoreError(const QString &message)
        : std::runtime_error(message.toStdString())
    {
    }
    QString message() const { return QString::fromStdString(what()); }
};

/** @brief Prepares @p sql, binds @p values positionally, executes; throws StoreError on failure. */
QSqlQuery exec(const QSqlDatabase &db, const QString &sql,
               std::initializer_list<QVariant> values = {});

/** @brief Runs @p sql (which may hold several statements separated by ';' at line ends). */
void execScript(const QSqlDatabase &db, const QString &sql);

/** @brief Opens a connection named @p name to @p path with Arbor's pragmas (WAL, foreign keys,
 *  busy timeout). Must be called on the thread that will use the connection. */
QSqlDatabase openConnection(const QString &path, const QString &name, bool readOnly);

/** @brief Closes and unregisters the connection @p name (on the thread that owns it). */
void closeConnection(const QString &name);

/** @brief NULL for an empty string, so optional ids are stored as SQL NULL. */
inline QVariant nullIfEmpty(const QString &s)
{
    return s.isEmpty() ? QVariant() : QVariant(s);
}

} // namespace arbor::store
