#include "sql.h"

#include <QLoggingCategory>
#include <QSqlDriver>
#include <QSqlError>

#include <sqlite3.h>

Q_LOGGING_CATEGORY(lcSql, "arbor.store.sql", QtInfoMsg)

namespace arbor::store {

namespace {

thread_local StatementCache *t_cache = nullptr;

template<class Values>
void bindAndRun(QSqlQuery &q, const QString &sql, const Values &values)
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
        throw StoreError(QStringLiteral("SQL failed: %1 [%2]").arg(q.lastError().text(), sql.simplified()));
}

QSqlQuery prepareFor(const QSqlDatabase &db, const QString &sql)
{
    QSqlQuery q(db);
    q.setForwardOnly(true);
    if (!q.prepare(sql))
        throw StoreError(QStringLiteral("SQL prepare failed: %1 [%2]").arg(q.lastError().text(), sql.simplified()));
    return q;
}

} // namespace

QSqlQuery exec(const QSqlDatabase &db, const QString &sql, std::initializer_list<QVariant> values)
{
    QSqlQuery q = prepareFor(db, sql);
    bindAndRun(q, sql, values);
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
    const QVariant v = db.driver() ? db.driver()->handle() : QVariant();
    if (!v.isValid() || qstrcmp(v.typeName(), "sqlite3*") != 0)
        throw StoreError(QStringLiteral("Not an SQLite connection: %1").arg(db.connectionName()));
    return *static_cast<sqlite3 *const *>(v.constData());
}

sqlite3_stmt *prepareNative(sqlite3 *db, const QByteArray &sql, unsigned flags)
{
    sqlite3_stmt *statement = nullptr;
    if (sqlite3_prepare_v3(db, sql.constData(), int(sql.size()), flags, &statement, nullptr) != SQLITE_OK) {
        sqlite3_finalize(statement);
        throw StoreError(QStringLiteral("SQL prepare failed: %1 [%2]")
                             .arg(QString::fromUtf8(sqlite3_errmsg(db)), QString::fromUtf8(sql).simplified()));
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
    const QString error = QString::fromUtf8(sqlite3_errmsg(m_db));
    sqlite3_reset(m_statement);
    throw StoreError(QStringLiteral("SQL failed: %1 [%2]").arg(error, QString::fromUtf8(m_sql).simplified()));
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

CachedQuery::CachedQuery(const QSqlDatabase &db, const QString &sql, std::initializer_list<QVariant> values)
    : m_query(&statement(db, sql))
{
    bindAndRun(*m_query, sql, values);
}

CachedQuery::CachedQuery(const QSqlDatabase &db, const QString &sql, const QVariantList &values)
    : m_query(&statement(db, sql))
{
    bindAndRun(*m_query, sql, values);
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
                    throw StoreError(QStringLiteral("SQL failed: %1 [%2]").arg(q.lastError().text(), statement.simplified()));
                statement.clear();
            }
        }
    }
    if (!statement.trimmed().isEmpty())
        throw StoreError(QStringLiteral("SQL script ends without ';': %1").arg(statement.simplified()));
}

QSqlDatabase openConnection(const QString &path, const QString &name, bool readOnly)
{
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
    db.setDatabaseName(path);
    db.setConnectOptions(readOnly ? QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=5000")
                                  : QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
    if (!db.open()) {
        const QString err = db.lastError().text();
        db = QSqlDatabase();
        QSqlDatabase::removeDatabase(name);
        throw StoreError(QStringLiteral("Cannot open the database %1: %2").arg(path, err));
    }
    if (!readOnly) {
        // WAL lets readers run beside the single writer; NORMAL sync in WAL survives a process
        // crash (a SIGKILL) with every committed transaction.
        exec(db, QStringLiteral("PRAGMA journal_mode=WAL"));
        exec(db, QStringLiteral("PRAGMA synchronous=NORMAL"));
    }
    exec(db, QStringLiteral("PRAGMA foreign_keys=ON"));
    exec(db, QStringLiteral("PRAGMA temp_store=MEMORY"));
    exec(db, QStringLiteral("PRAGMA cache_size=-16000"));
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

} // namespace arbor::store
