#include "dbconnection.h"

#include "store/migrator.h"
#include "store/sql.h"

#include <QUuid>

namespace arbor::testsupport {

DbConnection::DbConnection(const QString &path, Mode mode)
    : m_name(QStringLiteral("test-") + QUuid::createUuid().toString(QUuid::WithoutBraces))
{
    m_db = store::openConnection(path, m_name, mode == Mode::ReadOnly);
    if (mode == Mode::Migrated) {
        try {
            store::Migrator::migrate(m_db);
        } catch (...) {
            m_db = QSqlDatabase();
            store::closeConnection(m_name);
            throw;
        }
    }
}

DbConnection::~DbConnection()
{
    m_db = QSqlDatabase();
    store::closeConnection(m_name);
}

QVariant DbConnection::scalar(const QString &sql, std::initializer_list<QVariant> values)
{
    QSqlQuery q = store::exec(m_db, sql, values);
    return q.next() ? q.value(0) : QVariant();
}

void DbConnection::exec(const QString &sql, std::initializer_list<QVariant> values)
{
    store::exec(m_db, sql, values);
}

} // namespace arbor::testsupport
