// store::Columns: a result's columns by name, resolved once per query, on Qt SQL and on SQLite's
// C API; a missing column is a clear error, not a silent read of another field.
#include "store/sql.h"
#include "support/dbconnection.h"

#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>

using arbor::store::Columns;
using arbor::store::NativeQuery;
using arbor::store::StoreError;
using arbor::testsupport::DbConnection;

class TestColumns : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<DbConnection> m_conn;
    QSqlDatabase &db() { return m_conn->db(); }

    /** @brief The text of the StoreError that @p f throws ("" when it throws none). */
    template<class F>
    static QString errorOf(F f)
    {
        try {
            f();
        } catch (const StoreError &e) {
            return e.message();
        }
        return {};
    }

private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        m_conn = std::make_unique<DbConnection>(m_dir->filePath(QStringLiteral("columns.db")));
        m_conn->exec(QStringLiteral("CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b TEXT)"));
        m_conn->exec(QStringLiteral("INSERT INTO t (id, a, b) VALUES (1, 'x', 'y')"));
    }

    void cleanup()
    {
        m_conn.reset();
        m_dir.reset();
    }

    void indexesFollowNamesNotOrder()
    {
        QSqlQuery q = arbor::store::exec(
            db(), QStringLiteral("SELECT b, 'two' AS expression, a, t.id FROM t"));
        const Columns columns(q);
        QCOMPARE(columns["a"], 2);
        QCOMPARE(columns["b"], 0);
        QCOMPARE(columns["expression"], 1);
        QCOMPARE(columns["id"], 3); // a qualified column is named without its table
        QVERIFY(q.next());
        QCOMPARE(q.value(columns["a"]).toString(), QStringLiteral("x"));
        QCOMPARE(q.value(columns["b"]).toString(), QStringLiteral("y"));
    }

    void resolvesOnAnEmptyResult()
    {
        QSqlQuery q =
            arbor::store::exec(db(), QStringLiteral("SELECT a, b FROM t WHERE id = ?"), {42});
        QCOMPARE(Columns(q)["b"], 1);
        QVERIFY(!q.next());
    }

    void resolvesReturningColumns()
    {
        // The claim of a capped queue and the sync upsert read rows of UPDATE/INSERT RETURNING.
        QSqlQuery q = arbor::store::exec(
            db(), QStringLiteral("UPDATE t SET a = 'z' WHERE id = 1 RETURNING b, a"));
        const Columns columns(q);
        QVERIFY(q.next());
        QCOMPARE(q.value(columns["a"]).toString(), QStringLiteral("z"));
        QCOMPARE(q.value(columns["b"]).toString(), QStringLiteral("y"));
    }

    void missingColumnIsAClearError()
    {
        QSqlQuery q = arbor::store::exec(db(), QStringLiteral("SELECT a, b FROM t"));
        const Columns columns(q);
        const QString error = errorOf([&] { return columns["content"]; });
        QVERIFY2(error.contains(QStringLiteral("“content”")), qPrintable(error));
        QVERIFY2(error.contains(QStringLiteral("a, b")), qPrintable(error));
        QVERIFY2(error.contains(QStringLiteral("SELECT a, b FROM t")), qPrintable(error));
        // Names are matched exactly: an unnamed expression has no name to find.
        QSqlQuery unnamed = arbor::store::exec(db(), QStringLiteral("SELECT count(*) FROM t"));
        QVERIFY(!errorOf([&] { return Columns(unnamed)["count"]; }).isEmpty());
    }

    void nativeStatement()
    {
        NativeQuery q(db(), QByteArrayLiteral("SELECT b, a, 7 AS seven FROM t"));
        const Columns columns(q.statement());
        QCOMPARE(columns["a"], 1);
        QCOMPARE(columns["seven"], 2);
        QVERIFY(q.step());
        QCOMPARE(sqlite3_column_int(q.statement(), columns["seven"]), 7);
        const QString error = errorOf([&] { return columns["missing"]; });
        QVERIFY2(error.contains(QStringLiteral("“missing”")), qPrintable(error));
        QVERIFY2(error.contains(QStringLiteral("b, a, seven")), qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TestColumns)
#include "tst_columns.moc"
