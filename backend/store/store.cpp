#include "store.h"

#include "migrator.h"

#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>
#include <QUuid>

namespace arbor::store {

QString Store::defaultPath()
{
    // GenericDataLocation, not AppDataLocation: `arbor` and `arbord` must find the same file.
    const QString base = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation);
    return QDir(base).filePath(QStringLiteral("Arbor/arbor.db"));
}

QString Store::resolvePath(const QString &explicitPath)
{
    if (!explicitPath.isEmpty())
        return explicitPath;
    const QString env = qEnvironmentVariable("ARBOR_DB");
    return env.isEmpty() ? defaultPath() : env;
}

Store::Store(QString path, int readerThreads)
    : m_path(std::move(path))
    , m_readerThreads(readerThreads)
{
}

Store::~Store()
{
    close();
}

void Store::open()
{
    const QFileInfo info(m_path);
    if (!QDir().mkpath(info.absolutePath()))
        throw StoreError(QStringLiteral("Cannot create the folder %1 for the database.").arg(info.absolutePath()));

    // Migrate on a short-lived connection first: the writer and readers then open a file that
    // is known to be current (read-only connections cannot create tables).
    const QString name = QStringLiteral("arbor-migrate-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
    try {
        QSqlDatabase db = openConnection(m_path, name, false);
        Migrator::migrate(db);
    } catch (...) {
        closeConnection(name);
        throw;
    }
    closeConnection(name);

    m_writer = std::make_unique<SqlThreads>(m_path, SqlThreads::Mode::Writer, 1);
    m_writer->start();
    m_readers = std::make_unique<SqlThreads>(m_path, SqlThreads::Mode::Reader, m_readerThreads);
    m_readers->start();
}

void Store::close()
{
    if (m_readers)
        m_readers->stop();
    if (m_writer)
        m_writer->stop();
}

void Store::post(SqlThreads::Task task, SqlThreads::Done done)
{
    m_writer->post(std::move(task), std::move(done));
}

} // namespace arbor::store
