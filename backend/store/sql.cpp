#include "sql.h"

#include <QLoggingCategory>
#include <QSqlError>

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
    t_cache = m_previous;
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
