#pragma once

#include <QHash>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QStringList>
#include <QVariant>

#include <initializer_list>
#include <memory>
#include <optional>
#include <stdexcept>

struct sqlite3;
struct sqlite3_stmt;

namespace arbor::store {

/** @brief A failed SQL statement or connection. what() is fit for a person: a full disk, a
 *  damaged file or a file that is not a store say so plainly; other failures carry the
 *  driver's text and the statement. */
class StoreError : public std::runtime_error
{
public:
    /** @brief What went wrong, where a caller may act on it. */
    enum class Kind {
        Other,     ///< a statement failed (the text names it)
        DiskFull,  ///< the disk (or the user's quota) has no room left
        Damaged,   ///< the file is corrupt ("database disk image is malformed")
        NotAStore, ///< not an SQLite database, or one that Arbor did not make
        Missing,   ///< no store at that path (read-only access never creates one)
        Older,     ///< an older Arbor's store, which read-only access does not migrate
    };

    explicit StoreError(const QString &message, Kind kind = Kind::Other)
        : std::runtime_error(message.toStdString())
        , m_kind(kind)
    {
    }
    QString message() const { return QString::fromStdString(what()); }
    Kind kind() const { return m_kind; }

private:
    Kind m_kind;
};

/** @brief True when the disk that holds @p path has no room left for a write of the store. */
bool diskIsFull(const QString &path);
/** @brief The error that says the disk that holds the store at @p path is full. */
StoreError diskFull(const QString &path);

/** @brief The error for a failed SQLite call on @p db: @p sqliteCode (primary or extended) and
 *  the OS error behind it (sqlite3_system_errno, read now: call on the connection's thread
 *  right after the failure) tell a full disk or a damaged file from other failures. */
StoreError sqlFailure(const QSqlDatabase &db, int sqliteCode, const QString &driverText,
                      const QString &sql);

/** @brief Prepares @p sql, binds @p values positionally, executes; throws StoreError on failure. */
QSqlQuery exec(const QSqlDatabase &db, const QString &sql,
               std::initializer_list<QVariant> values = {});

/**
 * @brief Runs @p f(db) inside one read transaction, so that several queries see the same moment
 * (a row that changes between two statements is not counted in one and missed in the other).
 * Ended by ROLLBACK: nothing is written, and the connection keeps no old snapshot afterwards.
 * For reader threads.
 */
template<class F>
auto inReadTransaction(const QSqlDatabase &db, F f)
{
    exec(db, QStringLiteral("BEGIN"));
    struct End
    {
        const QSqlDatabase &db;
        // A ROLLBACK ends the transaction even with a statement still open.
        ~End() { QSqlQuery(db).exec(QStringLiteral("ROLLBACK")); }
    } end{db};
    return f(db);
}

/**
 * @brief exec() with a statement prepared once per connection and thread: on a thread that
 * holds a StatementCache for the connection (the store's writer and reader threads), the
 * prepared statement is kept and run again with new values; elsewhere it is prepared as exec()
 * does. For hot statements. Use the query at once: read every row (or finish()) before the next
 * call with the same SQL, and do not keep it past the task.
 */
class CachedQuery
{
public:
    CachedQuery(const QSqlDatabase &db, const QString &sql, std::initializer_list<QVariant> values);
    CachedQuery(const QSqlDatabase &db, const QString &sql, const QVariantList &values);
    CachedQuery(const CachedQuery &) = delete;
    CachedQuery &operator=(const CachedQuery &) = delete;

    QSqlQuery &operator*() { return *m_query; }
    QSqlQuery *operator->() { return m_query; }

private:
    QSqlQuery &statement(const QSqlDatabase &db, const QString &sql);
    std::optional<QSqlQuery> m_own;
    QSqlQuery *m_query = nullptr;
};

/** @brief See CachedQuery. */
inline CachedQuery execCached(const QSqlDatabase &db, const QString &sql,
                              std::initializer_list<QVariant> values = {})
{
    return CachedQuery(db, sql, values);
}
/** @brief See CachedQuery; for statements whose placeholders vary in number. */
inline CachedQuery execCached(const QSqlDatabase &db, const QString &sql,
                              const QVariantList &values)
{
    return CachedQuery(db, sql, values);
}

/**
 * @brief A statement on SQLite's C API, kept like a CachedQuery (prepared once per connection on
 * a thread with a StatementCache, else prepared here and finalized after use). For the hottest
 * statements (an add, a claim): Qt's binding and row reading (a QVariant per value, text through
 * UTF-16) cost more there than SQLite's own work. Bind with sqlite3_bind_* on statement(); the
 * statement is reset and its bindings cleared when this object goes. Throws StoreError.
 */
class NativeQuery
{
public:
    NativeQuery(const QSqlDatabase &db, const QByteArray &sql);
    ~NativeQuery();
    NativeQuery(const NativeQuery &) = delete;
    NativeQuery &operator=(const NativeQuery &) = delete;

    sqlite3_stmt *statement() const { return m_statement; }
    sqlite3 *handle() const { return m_db; }
    /** @brief Runs to the next row: true if there is one, false once done. */
    bool step();

private:
    sqlite3 *m_db = nullptr;
    sqlite3_stmt *m_statement = nullptr;
    bool m_own = false; ///< not kept by a cache: finalized on destruction
    QByteArray m_sql;
};

/** @brief Prepared statements of one connection, kept while this object lives on its thread
 *  (see CachedQuery). Destroy it before the connection closes. */
class StatementCache
{
public:
    explicit StatementCache(const QString &connectionName);
    ~StatementCache();
    StatementCache(const StatementCache &) = delete;
    StatementCache &operator=(const StatementCache &) = delete;

private:
    friend class CachedQuery;
    friend class NativeQuery;
    QString m_connection;
    QHash<QString, std::shared_ptr<QSqlQuery>> m_queries; ///< pointers stay valid as it grows
    QHash<QByteArray, sqlite3_stmt *> m_native;           ///< finalized by the destructor
    StatementCache *m_previous = nullptr;
};

/**
 * @brief The columns of a query's result, by name: rows are read by the indexes looked up here
 * once per query (q.value(columns["content"]) or, in a loop, an int kept from it), so a reordered
 * SELECT cannot mix up fields and a hot loop does no string lookup per field and row. Give an
 * expression column a name with AS. Not to be kept past its query.
 */
class Columns
{
public:
    /** @brief The columns of @p q's result: after exec(), best before next() (on a row,
     *  QSqlQuery::record() copies the row's values too). */
    explicit Columns(const QSqlQuery &q);
    /** @brief The columns of @p statement's result (a NativeQuery's). */
    explicit Columns(sqlite3_stmt *statement);

    /** @brief The index of the column @p name; throws StoreError naming it when there is none. */
    int operator[](const char *name) const;

private:
    QStringList m_names;
    QString m_sql;                ///< for the error
    mutable qsizetype m_next = 0; ///< where the next look-up starts
};

/** @brief Runs @p sql (which may hold several statements separated by ';' at line ends). */
void execScript(const QSqlDatabase &db, const QString &sql);

/** @brief Opens a connection named @p name to @p path with Arbor's pragmas (WAL, foreign keys,
 *  busy timeout). Must be called on the thread that will use the connection. A @p readOnly
 *  connection never creates the file (StoreError Missing), never writes, and leaves no file
 *  behind, also in a read-only folder. Throws StoreError. */
QSqlDatabase openConnection(const QString &path, const QString &name, bool readOnly);

/** @brief Closes and unregisters the connection @p name (on the thread that owns it). */
void closeConnection(const QString &name);
/** @brief After each commit on @p db (its own thread), sets *@p frames to the number of frames
 *  in the WAL (sqlite3_wal_hook; replaces the automatic checkpoint, which must be off). */
void countWalFrames(const QSqlDatabase &db, int *frames);

/** @brief NULL for an empty string, so optional ids are stored as SQL NULL. */
inline QVariant nullIfEmpty(const QString &s)
{
    return s.isEmpty() ? QVariant() : QVariant(s);
}

} // namespace arbor::store
