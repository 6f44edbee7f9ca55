#include "sql.h"

#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlRecord>
#include <QStorageInfo>
#include <QUrl>

#include <sqlite3.h>

#include <cerrno>

#ifdef Q_OS_UNIX
#include <unistd.h>
#endif

Q_LOGGING_CATEGORY(lcSql, "arbor.store.sql", QtInfoMsg)

namespace arbor::store {

namespace {

thread_local StatementCache *t_cache = nullptr;

/** @brief Free bytes below which a failed write is put down to a full disk: SQLite needs a
 *  32 KiB shared-memory file and whole pages to write anything. */
constexpr qint64 kNoRoom = 64 * 1024;

/** @brief The connection's sqlite3 handle, or nullptr (closed, or not SQLite). */
sqlite3 *handleOf(const QSqlDatabase &db)
{
    const QVariant v = db.driver() ? db.driver()->handle() : QVariant();
    if (!v.isValid() || qstrcmp(v.typeName(), "sqlite3*") != 0)
        return nullptr;
    return *static_cast<sqlite3 *const *>(v.constData());
}

bool noRoomLeft(const QString &path)
{
    const QStorageInfo volume(QFileInfo(path).absolutePath());
    return volume.isValid() && volume.bytesAvailable() >= 0 && volume.bytesAvailable() < kNoRoom;
}

} // namespace

bool diskIsFull(const QString &path)
{
    return noRoomLeft(path);
}

StoreError diskFull(const QString &path)
{
    return StoreError(
        QStringLiteral("The disk is full: the store %1 cannot be written. Free some space and "
                       "try again; what is already stored is kept.")
            .arg(QFileInfo(path).absoluteFilePath()),
        StoreError::Kind::DiskFull);
}

namespace {

StoreError classify(sqlite3 *handle, const QString &path, int code, const QString &text,
                    const QString &sql)
{
    const int primary = code & 0xff;
    const int os = handle ? sqlite3_system_errno(handle) : 0;
    if (primary == SQLITE_FULL || os == ENOSPC || os == EDQUOT
        || ((primary == SQLITE_IOERR || primary == SQLITE_CANTOPEN) && noRoomLeft(path)))
        return diskFull(path);
    if (primary == SQLITE_CORRUPT)
        return StoreError(
            QStringLiteral(
                "The store %1 is damaged (%2). Restore it from a backup, or move it aside "
                "to start a new one.")
                .arg(path, QString::fromUtf8(sqlite3_errstr(SQLITE_CORRUPT))),
            StoreError::Kind::Damaged);
    if (primary == SQLITE_NOTADB)
        return StoreError(
            QStringLiteral("%1 is not an Arbor store (it is not an SQLite database).").arg(path),
            StoreError::Kind::NotAStore);
    return StoreError(QStringLiteral("SQL failed: %1 [%2]").arg(text, sql.simplified()));
}

StoreError queryFailure(const QSqlQuery &q, const QSqlDatabase &db, const QString &sql)
{
    const QSqlError e = q.lastError();
    return classify(handleOf(db), db.databaseName(), e.nativeErrorCode().toInt(), e.text(), sql);
}

template<class Values>
void bindAndRun(const QSqlDatabase &db, QSqlQuery &q, const QString &sql, const Values &values)
{
    int i = 0;
    for (const QVariant &v : values) {
        // Qt binds a null QString as SQL NULL; Arbor's text columns are NOT NULL DEFAULT '', so
        // an unset string is stored as ''. Use nullIfEmpty() where NULL is meant.
        if (v.typeId() == QMetaType::QString && v.value<QString>().isNull())
            q.bindValue(i++, QString(QLatin1String("")));
        else
            q.bindValue(i++, v);
    }
    if (!q.exec())
        throw queryFailure(q, db, sql);
}

QSqlQuery prepareFor(const QSqlDatabase &db, const QString &sql)
{
    QSqlQuery q(db);
    q.setForwardOnly(true);
    if (!q.prepare(sql))
        throw queryFailure(q, db, sql);
    return q;
}

} // namespace

StoreError sqlFailure(const QSqlDatabase &db, int sqliteCode, const QString &driverText,
                      const QString &sql)
{
    return classify(handleOf(db), db.databaseName(), sqliteCode, driverText, sql);
}

QSqlQuery exec(const QSqlDatabase &db, const QString &sql, std::initializer_list<QVariant> values)
{
    QSqlQuery q = prepareFor(db, sql);
    bindAndRun(db, q, sql, values);
    return q;
}

StatementCache::StatementCache(const QString &connectionName)
    : m_connection(connectionName)
    , m_previous(t_cache)
{
    t_cache = this;
}

StatementCache::~StatementCache()
{
    for (sqlite3_stmt *statement : std::as_const(m_native))
        sqlite3_finalize(statement);
    t_cache = m_previous;
}

namespace {

/** @brief The connection's sqlite3 handle; throws if it is not an SQLite connection. */
sqlite3 *nativeHandle(const QSqlDatabase &db)
{
    sqlite3 *handle = handleOf(db);
    if (!handle)
        throw StoreError(QStringLiteral("Not an SQLite connection: %1").arg(db.connectionName()));
    return handle;
}

StoreError nativeFailure(sqlite3 *db, int code, const QByteArray &sql)
{
    return classify(db, QString::fromUtf8(sqlite3_db_filename(db, "main")), code,
                    QString::fromUtf8(sqlite3_errmsg(db)), QString::fromUtf8(sql));
}

sqlite3_stmt *prepareNative(sqlite3 *db, const QByteArray &sql, unsigned flags)
{
    sqlite3_stmt *statement = nullptr;
    if (const int rc =
            sqlite3_prepare_v3(db, sql.constData(), int(sql.size()), flags, &statement, nullptr);
        rc != SQLITE_OK) {
        sqlite3_finalize(statement);
        throw nativeFailure(db, rc, sql);
    }
    return statement;
}

} // namespace

NativeQuery::NativeQuery(const QSqlDatabase &db, const QByteArray &sql)
    : m_db(nativeHandle(db))
    , m_sql(sql)
{
    StatementCache *cache = t_cache;
    if (!cache || cache->m_connection != db.connectionName()) {
        m_statement = prepareNative(m_db, sql, 0);
        m_own = true;
        return;
    }
    auto it = cache->m_native.find(sql);
    if (it == cache->m_native.end())
        it = cache->m_native.insert(sql, prepareNative(m_db, sql, SQLITE_PREPARE_PERSISTENT));
    m_statement = *it;
}

NativeQuery::~NativeQuery()
{
    if (m_own) {
        sqlite3_finalize(m_statement);
        return;
    }
    sqlite3_reset(m_statement);
    sqlite3_clear_bindings(m_statement);
}

bool NativeQuery::step()
{
    const int rc = sqlite3_step(m_statement);
    if (rc == SQLITE_ROW)
        return true;
    if (rc == SQLITE_DONE)
        return false;
    StoreError error = nativeFailure(m_db, rc, m_sql);
    sqlite3_reset(m_statement);
    throw error;
}

QSqlQuery &CachedQuery::statement(const QSqlDatabase &db, const QString &sql)
{
    StatementCache *cache = t_cache;
    if (!cache || cache->m_connection != db.connectionName()) {
        m_own.emplace(prepareFor(db, sql));
        return *m_own;
    }
    auto it = cache->m_queries.find(sql);
    if (it == cache->m_queries.end())
        it = cache->m_queries.insert(sql, std::make_shared<QSqlQuery>(prepareFor(db, sql)));
    QSqlQuery &q = **it;
    // A statement left mid-rows by an earlier caller would keep its snapshot: start afresh.
    if (q.isActive())
        q.finish();
    return q;
}

CachedQuery::CachedQuery(const QSqlDatabase &db, const QString &sql,
                         std::initializer_list<QVariant> values)
    : m_query(&statement(db, sql))
{
    bindAndRun(db, *m_query, sql, values);
}

CachedQuery::CachedQuery(const QSqlDatabase &db, const QString &sql, const QVariantList &values)
    : m_query(&statement(db, sql))
{
    bindAndRun(db, *m_query, sql, values);
}

Columns::Columns(const QSqlQuery &q)
    : m_sql(q.lastQuery())
{
    const QSqlRecord record = q.record();
    m_names.reserve(record.count());
    for (int i = 0; i < record.count(); ++i)
        m_names.append(record.fieldName(i));
}

Columns::Columns(sqlite3_stmt *statement)
    : m_sql(QString::fromUtf8(sqlite3_sql(statement)))
{
    const int count = sqlite3_column_count(statement);
    m_names.reserve(count);
    for (int i = 0; i < count; ++i)
        m_names.append(QString::fromUtf8(sqlite3_column_name(statement, i)));
}

int Columns::operator[](const char *name) const
{
    const QLatin1String wanted(name);
    // Callers mostly ask in SELECT order: start after the last column found.
    const qsizetype count = m_names.size();
    for (qsizetype n = 0, i = m_next; n < count; ++n, i = (i + 1) % count) {
        if (m_names.at(i) == wanted) {
            m_next = (i + 1) % count;
            return int(i);
        }
    }
    throw StoreError(QStringLiteral("The query's result has no column “%1” (it has: %2) [%3]")
                         .arg(wanted, m_names.join(QStringLiteral(", ")), m_sql.simplified()));
}

void execScript(const QSqlDatabase &db, const QString &sql)
{
    // Statements end with ';' at the end of a line; triggers (BEGIN ... END;) keep inner ';'
    // mid-line or are written with "END;" closing them, so split on END; carefully.
    QString statement;
    int depth = 0;
    const auto lines = sql.split(QLatin1Char('\n'));
    for (const QString &rawLine : lines) {
        const QString line = rawLine.trimmed();
        if (line.startsWith(QLatin1String("--")) || line.isEmpty())
            continue;
        statement += rawLine + QLatin1Char('\n');
        const QString upper = line.toUpper();
        if (upper.endsWith(QLatin1String(" BEGIN")) || upper == QLatin1String("BEGIN"))
            ++depth;
        if (line.endsWith(QLatin1Char(';'))) {
            if (depth > 0 && upper.startsWith(QLatin1String("END")))
                --depth;
            if (depth == 0) {
                QSqlQuery q(db);
                if (!q.exec(statement))
                    throw queryFailure(q, db, statement);
                statement.clear();
            }
        }
    }
    if (!statement.trimmed().isEmpty())
        throw StoreError(
            QStringLiteral("SQL script ends without ';': %1").arg(statement.simplified()));
}

namespace {

bool writable(const QString &path)
{
#ifdef Q_OS_UNIX
    // access(), not the permission bits: a read-only mount refuses even root.
    return ::access(QFile::encodeName(path).constData(), W_OK) == 0;
#else
    return QFileInfo(path).isWritable();
#endif
}

/** @brief How a reader opens @p path. SQLite's read-only connections leave the -wal and -shm
 *  files of a WAL store behind, and cannot open one in a read-only folder at all; so a reader
 *  opens read-write where it may (query_only keeps it from writing; SQLite removes those files
 *  when the last connection closes), and otherwise reads the file as immutable when no other
 *  process can be writing it (no -wal: a writer could not create one there). */
enum class ReaderOpen { QueryOnly, Immutable, ReadOnly };

ReaderOpen readerOpen(const QString &path)
{
    const QFileInfo file(path);
    if (writable(file.absolutePath()) && writable(path))
        return ReaderOpen::QueryOnly;
    if (!QFileInfo::exists(path + QStringLiteral("-wal")))
        return ReaderOpen::Immutable;
    return ReaderOpen::ReadOnly;
}

} // namespace

QSqlDatabase openConnection(const QString &path, const QString &name, bool readOnly)
{
    if (readOnly && !QFileInfo::exists(path))
        throw StoreError(QStringLiteral("There is no Arbor store at %1.").arg(path),
                         StoreError::Kind::Missing);
    const ReaderOpen reader = readOnly ? readerOpen(path) : ReaderOpen::QueryOnly;
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
    QString options = QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000");
    if (readOnly && reader == ReaderOpen::Immutable) {
        QUrl uri = QUrl::fromLocalFile(QFileInfo(path).absoluteFilePath());
        uri.setQuery(QStringLiteral("immutable=1"));
        db.setDatabaseName(uri.toString(QUrl::FullyEncoded));
        options += QStringLiteral(";QSQLITE_OPEN_READONLY;QSQLITE_OPEN_URI");
    } else {
        db.setDatabaseName(path);
        if (readOnly && reader == ReaderOpen::ReadOnly)
            options += QStringLiteral(";QSQLITE_OPEN_READONLY");
    }
    db.setConnectOptions(options);
    if (!db.open()) {
        const QSqlError e = db.lastError();
        StoreError error = classify(nullptr, path, e.nativeErrorCode().toInt(), e.text(), {});
        if (error.kind() == StoreError::Kind::Other)
            error =
                StoreError(QStringLiteral("Cannot open the database %1: %2").arg(path, e.text()));
        db = QSqlDatabase();
        QSqlDatabase::removeDatabase(name);
        throw error;
    }
    try {
        if (!readOnly) {
            // WAL lets readers run beside the single writer; NORMAL sync in WAL survives a process
            // crash (a SIGKILL) with every committed transaction.
            exec(db, QStringLiteral("PRAGMA journal_mode=WAL"));
            exec(db, QStringLiteral("PRAGMA synchronous=NORMAL"));
        } else if (reader == ReaderOpen::QueryOnly) {
            exec(db, QStringLiteral("PRAGMA query_only=ON"));
        }
        exec(db, QStringLiteral("PRAGMA foreign_keys=ON"));
        exec(db, QStringLiteral("PRAGMA temp_store=MEMORY"));
        exec(db, QStringLiteral("PRAGMA cache_size=-16000"));
    } catch (...) {
        db = QSqlDatabase();
        closeConnection(name);
        throw;
    }
    qCDebug(lcSql) << "opened" << name << path << (readOnly ? "read-only" : "read-write");
    return db;
}

void closeConnection(const QString &name)
{
    {
        QSqlDatabase db = QSqlDatabase::database(name, false);
        if (db.isOpen())
            db.close();
    }
    QSqlDatabase::removeDatabase(name);
}

void countWalFrames(const QSqlDatabase &db, int *frames)
{
    sqlite3_wal_hook(
        nativeHandle(db),
        [](void *counter, sqlite3 *, const char *, int walFrames) {
            *static_cast<int *>(counter) = walFrames;
            return SQLITE_OK;
        },
        frames);
}

} // namespace arbor::store
