#include "store.h"

#include "migrator.h"
#include "usagequeries.h"

#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>
#include <QTimeZone>
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

Store::Store(QString path, int readerThreads, Access access)
    : m_path(std::move(path))
    , m_readerThreads(readerThreads)
    , m_access(access)
{
}

Store::~Store()
{
    close();
}

void Store::open()
{
    const QFileInfo info(m_path);
    if (m_access == Access::ReadOnly) {
        if (!info.exists())
            throw StoreError(QStringLiteral("There is no Arbor store at %1.").arg(m_path),
                             StoreError::Kind::Missing);
    } else if (!QDir().mkpath(info.absolutePath())) {
        throw StoreError(QStringLiteral("Cannot create the folder %1 for the database.")
                             .arg(info.absolutePath()));
    }
    prepare();
    if (m_access == Access::ReadWrite) {
        m_writer = std::make_unique<SqlThreads>(m_path, SqlThreads::Mode::Writer, 1);
        m_writer->start();
    }
    m_readers = std::make_unique<SqlThreads>(m_path, SqlThreads::Mode::Reader, m_readerThreads);
    m_readers->start();
}

namespace {

/** @brief A connection for this thread that closes itself. */
class ShortConnection
{
public:
    ShortConnection(const QString &path, bool readOnly)
        : m_name(QStringLiteral("arbor-open-") + QUuid::createUuid().toString(QUuid::WithoutBraces))
        , m_db(openConnection(path, m_name, readOnly))
    {
    }
    ~ShortConnection()
    {
        m_db = QSqlDatabase();
        closeConnection(m_name);
    }
    ShortConnection(const ShortConnection &) = delete;
    ShortConnection &operator=(const ShortConnection &) = delete;
    QSqlDatabase &db() { return m_db; }

private:
    QString m_name;
    QSqlDatabase m_db;
};

} // namespace

void Store::prepare()
{
    // Look first, on a read-only connection: a file that is not an Arbor store (another
    // program's database, a typo naming a document) is refused before anything is written.
    const QFileInfo info(m_path);
    std::optional<int> version;
    bool empty = true;
    if (info.exists() && info.size() > 0) {
        ShortConnection look(m_path, true);
        version = Migrator::recordedVersion(look.db());
        empty = !version && Migrator::isEmpty(look.db());
    }
    if (!version && (!empty || m_access == Access::ReadOnly))
        throw StoreError(
            QStringLiteral("%1 is not an Arbor store; Arbor left it as it is.").arg(m_path),
            StoreError::Kind::NotAStore);
    if (version) {
        Migrator::requireKnown(m_path, *version);
        if (*version == Migrator::latestVersion()) {
            if (m_access == Access::ReadWrite)
                bucketUsageDays();
            return;
        }
        if (m_access == Access::ReadOnly)
            throw StoreError(
                QStringLiteral("%1 was written by an older version of Arbor (schema %2; this "
                               "build uses %3). Reading leaves it as it is: open it once in Arbor, "
                               "or with a command that writes (such as arbord chat), to upgrade "
                               "it.")
                    .arg(m_path)
                    .arg(*version)
                    .arg(Migrator::latestVersion()),
                StoreError::Kind::Older);
    }
    // A new store, or an older one: migrate on a short-lived connection, so the writer and
    // readers open a file that is known to be current.
    {
        ShortConnection migrate(m_path, false);
        Migrator::migrate(migrate.db());
    }
    bucketUsageDays();
}

void Store::bucketUsageDays()
{
    // The usage totals' days are local days, made by SQLite in this process's zone: made in
    // another zone (or never), they are made again here, once (store/usagequeries.h).
    const QString zone = QString::fromUtf8(QTimeZone::systemTimeZoneId());
    {
        ShortConnection look(m_path, true);
        QSqlQuery q = exec(look.db(), QStringLiteral("SELECT zone FROM usage_clock"));
        if (q.next() && q.value(0).toString() == zone)
            return;
    }
    ShortConnection write(m_path, false);
    usage::ensureZone(write.db(), zone);
}

std::exception_ptr Store::noWriter() const
{
    return std::make_exception_ptr(StoreError(
        m_access == Access::ReadOnly ? QStringLiteral("The store %1 is open read-only.").arg(m_path)
                                     : QStringLiteral("The store is not open.")));
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
    if (!m_writer) {
        if (done)
            done(noWriter());
        return;
    }
    m_writer->post(std::move(task), std::move(done));
}

} // namespace arbor::store
