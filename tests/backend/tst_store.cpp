// Store: opens (creating folder and file), migrates once, WAL; group commit on the writer
// thread with a savepoint per task; path resolution.
#include "support/dbconnection.h"

#include "store/migrator.h"
#include "store/sql.h"
#include "store/store.h"

#include <QDir>
#include <QFileInfo>
#include <QFuture>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <future>
#include <optional>
#include <thread>

using arbor::store::exec;
using arbor::store::Migrator;
using arbor::store::Store;
using arbor::store::StoreError;
using arbor::testsupport::DbConnection;

namespace {

/** @brief Sets (or unsets) an environment variable for one scope. */
class EnvGuard
{
public:
    EnvGuard(const char *name, std::optional<QByteArray> value)
        : m_name(name)
        , m_had(qEnvironmentVariableIsSet(name))
        , m_old(qgetenv(name))
    {
        if (value)
            qputenv(name, *value);
        else
            qunsetenv(name);
    }
    ~EnvGuard()
    {
        if (m_had)
            qputenv(m_name, m_old);
        else
            qunsetenv(m_name);
    }

private:
    const char *m_name;
    bool m_had;
    QByteArray m_old;
};

int countRows(Store &store, const QString &table)
{
    return store.read([table](QSqlDatabase &db) {
        QSqlQuery q = exec(db, QStringLiteral("SELECT count(*) FROM %1").arg(table));
        return q.next() ? q.value(0).toInt() : -1;
    }).result();
}

} // namespace

class TestStore : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    QString dbPath() const { return m_dir->filePath(QStringLiteral("nested/folder/arbor.db")); }

private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
    }

    void openCreatesMigratedWalFile()
    {
        Store store(dbPath());
        store.open();
        QVERIFY(QFileInfo::exists(dbPath()));
        store.close();

        DbConnection c(dbPath(), DbConnection::Mode::ReadOnly);
        QCOMPARE(c.scalar(QStringLiteral("PRAGMA journal_mode")).toString(), QStringLiteral("wal"));
        QCOMPARE(c.scalar(QStringLiteral("SELECT max(version) FROM schema_migrations")).toInt(), Migrator::latestVersion());
        QCOMPARE(c.scalar(QStringLiteral("SELECT count(*) FROM schema_migrations")).toInt(), Migrator::latestVersion());
    }

    void reopeningDoesNotReapply()
    {
        qint64 appliedAt = 0;
        {
            Store store(dbPath());
            store.open();
            appliedAt = store.read([](QSqlDatabase &db) {
                QSqlQuery q = exec(db, QStringLiteral("SELECT applied_at FROM schema_migrations WHERE version = 1"));
                return q.next() ? q.value(0).toLongLong() : 0;
            }).result();
            store.write([](QSqlDatabase &db) {
                exec(db, QStringLiteral("INSERT INTO conversations (id, title, created_at, updated_at) VALUES ('c', 't', 1, 1)"));
            }).waitForFinished();
        }
        Store store(dbPath());
        store.open();
        QCOMPARE(countRows(store, QStringLiteral("schema_migrations")), Migrator::latestVersion());
        QCOMPARE(countRows(store, QStringLiteral("conversations")), 1);
        const qint64 again = store.read([](QSqlDatabase &db) {
            QSqlQuery q = exec(db, QStringLiteral("SELECT applied_at FROM schema_migrations WHERE version = 1"));
            return q.next() ? q.value(0).toLongLong() : 0;
        }).result();
        QCOMPARE(again, appliedAt);
    }

    void newerDatabaseIsRefusedWithAClearMessage()
    {
        {
            Store store(dbPath());
            store.open();
            store.write([](QSqlDatabase &db) {
                exec(db, QStringLiteral("INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_future', 1)"));
            }).waitForFinished();
        }
        Store store(dbPath());
        try {
            store.open();
            QFAIL("Store::open accepted a database from a newer Arbor");
        } catch (const StoreError &e) {
            const QString text = e.message();
            QVERIFY2(text.contains(QLatin1String("newer version of Arbor")), qPrintable(text));
            QVERIFY2(text.contains(QLatin1String("Update Arbor")), qPrintable(text));
            QVERIFY2(text.contains(QLatin1String("was not changed")), qPrintable(text));
        }
        // The refused file still says what it said.
        DbConnection c(dbPath(), DbConnection::Mode::ReadOnly);
        QCOMPARE(c.scalar(QStringLiteral("SELECT max(version) FROM schema_migrations")).toInt(), 9999);
        QCOMPARE(c.scalar(QStringLiteral("SELECT count(*) FROM schema_migrations")).toInt(), Migrator::latestVersion() + 1);
    }

    void unopenableFileIsAStoreError()
    {
        // A folder where the file should be.
        QVERIFY(QDir().mkpath(dbPath()));
        Store store(dbPath());
        QVERIFY_THROWS_EXCEPTION(StoreError, store.open());
    }

    void concurrentWritesAllLand()
    {
        Store store(dbPath());
        store.open();
        constexpr int Threads = 4;
        constexpr int PerThread = 250;
        std::vector<std::thread> threads;
        std::vector<std::vector<QFuture<void>>> futures(Threads);
        for (int t = 0; t < Threads; ++t) {
            threads.emplace_back([&store, &futures, t] {
                for (int i = 0; i < PerThread; ++i) {
                    const QString id = QStringLiteral("c-%1-%2").arg(t).arg(i);
                    futures[size_t(t)].push_back(store.write([id](QSqlDatabase &db) {
                        exec(db, QStringLiteral("INSERT INTO conversations (id, title, created_at, updated_at) VALUES (?, '', 1, 1)"),
                             {id});
                    }));
                }
            });
        }
        for (auto &t : threads)
            t.join();
        for (auto &list : futures)
            for (auto &f : list)
                f.waitForFinished(); // throws if the write failed
        QCOMPARE(countRows(store, QStringLiteral("conversations")), Threads * PerThread);
    }

    void groupCommitRollsBackOnlyTheFailingTask()
    {
        Store store(dbPath());
        store.open();
        // Hold the writer so that the tasks below are all queued when it wakes: one group.
        std::promise<void> entered;
        std::promise<void> release;
        auto releaseFuture = release.get_future().share();
        QFuture<void> gate = store.write([&entered, releaseFuture](QSqlDatabase &) {
            entered.set_value();
            releaseFuture.wait();
        });
        entered.get_future().wait();
        const quint64 commitsBefore = store.writer().commits();

        QList<QFuture<int>> good;
        for (int i = 0; i < 10; ++i) {
            good.append(store.write([i](QSqlDatabase &db) {
                exec(db, QStringLiteral("INSERT INTO conversations (id, title, created_at, updated_at) VALUES (?, 'ok', 1, 1)"),
                     {QStringLiteral("good-%1").arg(i)});
                return i;
            }));
        }
        QFuture<int> bad = store.write([](QSqlDatabase &db) -> int {
            exec(db, QStringLiteral("INSERT INTO conversations (id, title, created_at, updated_at) VALUES ('bad', 'x', 1, 1)"));
            throw StoreError(QStringLiteral("task failed on purpose"));
        });
        QFuture<void> after = store.write([](QSqlDatabase &db) {
            exec(db, QStringLiteral("INSERT INTO conversations (id, title, created_at, updated_at) VALUES ('after', 'ok', 1, 1)"));
        });
        release.set_value();
        gate.waitForFinished();

        for (int i = 0; i < good.size(); ++i)
            QCOMPARE(good[i].result(), i);
        try {
            bad.waitForFinished();
            QFAIL("the failing task's future did not carry its exception");
        } catch (const StoreError &e) {
            QCOMPARE(e.message(), QStringLiteral("task failed on purpose"));
        }
        after.waitForFinished();

        // commitsBefore was read while the gate's own group was still open: that group's commit,
        // then one commit for everything queued behind it.
        QCOMPARE(store.writer().commits(), commitsBefore + 2);
        QCOMPARE(countRows(store, QStringLiteral("conversations")), 11);
        const bool badRowExists = store.read([](QSqlDatabase &db) {
            return exec(db, QStringLiteral("SELECT 1 FROM conversations WHERE id = 'bad'")).next();
        }).result();
        QVERIFY(!badRowExists);
    }

    void writeFutureFinishesAfterCommit()
    {
        Store store(dbPath());
        store.open();
        store.write([](QSqlDatabase &db) {
            exec(db, QStringLiteral("INSERT INTO conversations (id, title, created_at, updated_at) VALUES ('durable', '', 1, 1)"));
        }).waitForFinished();
        // Another connection (not the writer's) sees it at once.
        DbConnection c(dbPath(), DbConnection::Mode::ReadOnly);
        QCOMPARE(c.scalar(QStringLiteral("SELECT count(*) FROM conversations WHERE id = 'durable'")).toInt(), 1);
    }

    void readsRunOffTheCallingThread()
    {
        Store store(dbPath());
        store.open();
        QThread *const self = QThread::currentThread();
        const bool elsewhere = store.read([self](QSqlDatabase &) { return QThread::currentThread() != self; }).result();
        QVERIFY(elsewhere);
    }

    void closedStoreAnswersWithAnError()
    {
        Store store(dbPath());
        store.open();
        store.close();
        QFuture<int> f = store.write([](QSqlDatabase &) { return 1; });
        QVERIFY_THROWS_EXCEPTION(StoreError, f.waitForFinished());
    }

    void resolvePathPrecedence()
    {
        const QString explicitPath = m_dir->filePath(QStringLiteral("explicit.db"));
        const QString envPath = m_dir->filePath(QStringLiteral("env.db"));
        {
            EnvGuard env("ARBOR_DB", envPath.toUtf8());
            QCOMPARE(Store::resolvePath(explicitPath), explicitPath);
            QCOMPARE(Store::resolvePath(QString()), envPath);
        }
        {
            EnvGuard env("ARBOR_DB", std::nullopt);
            QCOMPARE(Store::resolvePath(explicitPath), explicitPath);
            QCOMPARE(Store::resolvePath(QString()), Store::defaultPath());
        }
        {
            EnvGuard env("ARBOR_DB", QByteArray("")); // set but empty: as if unset
            QCOMPARE(Store::resolvePath(QString()), Store::defaultPath());
        }
        QVERIFY2(Store::defaultPath().endsWith(QLatin1String("Arbor/arbor.db")), qPrintable(Store::defaultPath()));
    }
};

QTEST_GUILESS_MAIN(TestStore)
#include "tst_store.moc"
