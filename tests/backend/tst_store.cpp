// Store: opens (creating folder and file), migrates once, WAL; group commit on the writer
// thread with a savepoint per task; path resolution.
#include "store/migrator.h"
#include "store/sql.h"
#include "store/store.h"
#include "support/dbconnection.h"
#include "support/storefiles.h"

#include <QDir>
#include <QFileInfo>
#include <QFuture>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <atomic>
#include <future>
#include <optional>
#include <thread>

using arbor::store::exec;
using arbor::store::Migrator;
using arbor::store::Store;
using arbor::store::StoreError;
using arbor::testsupport::DbConnection;

Q_DECLARE_METATYPE(arbor::store::Store::Access)

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
    return store
        .read([table](QSqlDatabase &db) {
            QSqlQuery q = exec(db, QStringLiteral("SELECT count(*) FROM %1").arg(table));
            return q.next() ? q.value(0).toInt() : -1;
        })
        .result();
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
        QCOMPARE(c.scalar(QStringLiteral("SELECT max(version) FROM schema_migrations")).toInt(),
                 Migrator::latestVersion());
        QCOMPARE(c.scalar(QStringLiteral("SELECT count(*) FROM schema_migrations")).toInt(),
                 Migrator::latestVersion());
    }

    void reopeningDoesNotReapply()
    {
        qint64 appliedAt = 0;
        {
            Store store(dbPath());
            store.open();
            appliedAt =
                store
                    .read([](QSqlDatabase &db) {
                        QSqlQuery q =
                            exec(db,
                                 QStringLiteral(
                                     "SELECT applied_at FROM schema_migrations WHERE version = 1"));
                        return q.next() ? q.value(0).toLongLong() : 0;
                    })
                    .result();
            store
                .write([](QSqlDatabase &db) {
                    exec(db,
                         QStringLiteral("INSERT INTO conversations (id, title, created_at, "
                                        "updated_at) VALUES ('c', 't', 1, 1)"));
                })
                .waitForFinished();
        }
        Store store(dbPath());
        store.open();
        QCOMPARE(countRows(store, QStringLiteral("schema_migrations")), Migrator::latestVersion());
        QCOMPARE(countRows(store, QStringLiteral("conversations")), 1);
        const qint64 again =
            store
                .read([](QSqlDatabase &db) {
                    QSqlQuery q =
                        exec(db,
                             QStringLiteral(
                                 "SELECT applied_at FROM schema_migrations WHERE version = 1"));
                    return q.next() ? q.value(0).toLongLong() : 0;
                })
                .result();
        QCOMPARE(again, appliedAt);
    }

    void newerDatabaseIsRefusedWithAClearMessage()
    {
        {
            Store store(dbPath());
            store.open();
            store
                .write([](QSqlDatabase &db) {
                    exec(db,
                         QStringLiteral("INSERT INTO schema_migrations (version, name, applied_at) "
                                        "VALUES (9999, '9999_future', 1)"));
                })
                .waitForFinished();
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
        QCOMPARE(c.scalar(QStringLiteral("SELECT max(version) FROM schema_migrations")).toInt(),
                 9999);
        QCOMPARE(c.scalar(QStringLiteral("SELECT count(*) FROM schema_migrations")).toInt(),
                 Migrator::latestVersion() + 1);
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
                        exec(db,
                             QStringLiteral("INSERT INTO conversations (id, title, created_at, "
                                            "updated_at) VALUES (?, '', 1, 1)"),
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

    /** The WAL starts over while writes keep coming and readers keep reading: its file stays
     *  bounded (journal_size_limit and a few thousand pages), where it used to take every
     *  commit's pages until the writes stopped (a million-row batch left gigabytes). */
    void walStaysBoundedUnderSustainedWritesAndReads()
    {
        Store store(dbPath());
        store.open();
        store
            .write([](QSqlDatabase &db) {
                exec(db, QStringLiteral("CREATE TABLE blobs (id INTEGER PRIMARY KEY, v BLOB)"));
                exec(db, QStringLiteral("INSERT INTO blobs (id, v) VALUES (1, zeroblob(32768))"));
            })
            .waitForFinished();
        std::atomic<bool> writing{true};
        std::atomic<int> reads{0};
        std::thread reader([&] {
            while (writing) {
                store
                    .read([](QSqlDatabase &db) {
                        return exec(db, QStringLiteral("SELECT length(v) FROM blobs")).next();
                    })
                    .waitForFinished();
                ++reads;
            }
        });
        // Each write a commit of its own rewriting ~9 pages: some 180 MB of WAL frames in all.
        constexpr int Writes = 5000;
        const QString wal = dbPath() + QStringLiteral("-wal");
        qint64 largest = 0;
        for (int i = 0; i < Writes; ++i) {
            store
                .write([](QSqlDatabase &db) {
                    exec(db, QStringLiteral("UPDATE blobs SET v = randomblob(32768) WHERE id = 1"));
                })
                .waitForFinished();
            if (i % 50 == 0)
                largest = std::max(largest, QFileInfo(wal).size());
        }
        writing = false;
        reader.join();
        largest = std::max(largest, QFileInfo(wal).size());
        QVERIFY(reads > 0);
        qInfo() << "largest WAL" << largest / 1024 << "KiB over" << Writes << "commits," << reads
                << "reads";
        QVERIFY2(largest < 48 * 1024 * 1024, qPrintable(QString::number(largest)));
        QCOMPARE(store
                     .read([](QSqlDatabase &db) {
                         return exec(db, QStringLiteral("SELECT length(v) FROM blobs WHERE id = 1"))
                             .next();
                     })
                     .result(),
                 true);
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
                exec(db,
                     QStringLiteral("INSERT INTO conversations (id, title, created_at, updated_at) "
                                    "VALUES (?, 'ok', 1, 1)"),
                     {QStringLiteral("good-%1").arg(i)});
                return i;
            }));
        }
        QFuture<int> bad = store.write([](QSqlDatabase &db) -> int {
            exec(db,
                 QStringLiteral("INSERT INTO conversations (id, title, created_at, updated_at) "
                                "VALUES ('bad', 'x', 1, 1)"));
            throw StoreError(QStringLiteral("task failed on purpose"));
        });
        QFuture<void> after = store.write([](QSqlDatabase &db) {
            exec(db,
                 QStringLiteral("INSERT INTO conversations (id, title, created_at, updated_at) "
                                "VALUES ('after', 'ok', 1, 1)"));
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
        const bool badRowExists =
            store
                .read([](QSqlDatabase &db) {
                    return exec(db, QStringLiteral("SELECT 1 FROM conversations WHERE id = 'bad'"))
                        .next();
                })
                .result();
        QVERIFY(!badRowExists);
    }

    void writeFutureFinishesAfterCommit()
    {
        Store store(dbPath());
        store.open();
        store
            .write([](QSqlDatabase &db) {
                exec(db,
                     QStringLiteral("INSERT INTO conversations (id, title, created_at, updated_at) "
                                    "VALUES ('durable', '', 1, 1)"));
            })
            .waitForFinished();
        // Another connection (not the writer's) sees it at once.
        DbConnection c(dbPath(), DbConnection::Mode::ReadOnly);
        QCOMPARE(c.scalar(QStringLiteral("SELECT count(*) FROM conversations WHERE id = 'durable'"))
                     .toInt(),
                 1);
    }

    void readsRunOffTheCallingThread()
    {
        Store store(dbPath());
        store.open();
        QThread *const self = QThread::currentThread();
        const bool elsewhere =
            store.read([self](QSqlDatabase &) { return QThread::currentThread() != self; })
                .result();
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

    void readOnlyOpenNeverCreatesAFileOrFolder()
    {
        Store store(dbPath(), 1, Store::Access::ReadOnly);
        try {
            store.open();
            QFAIL("a read-only open created a store");
        } catch (const StoreError &e) {
            QCOMPARE(e.kind(), StoreError::Kind::Missing);
            QVERIFY2(e.message().contains(dbPath()), qPrintable(e.message()));
        }
        QVERIFY(!QFileInfo::exists(QFileInfo(dbPath()).absolutePath()));
        QCOMPARE(arbor::testsupport::entriesOf(m_dir->path()), QStringList());
    }

    void foreignDatabaseIsRefusedUntouched_data()
    {
        QTest::addColumn<Store::Access>("access");
        QTest::addColumn<QByteArray>("sql");
        QTest::newRow("read-write, another program's tables")
            << Store::Access::ReadWrite
            << QByteArray("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('x')");
        QTest::newRow("read-only, another program's tables")
            << Store::Access::ReadOnly
            << QByteArray("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('x')");
        QTest::newRow("read-only, an empty database")
            << Store::Access::ReadOnly << QByteArray("PRAGMA user_version = 7");
        QTest::newRow("read-write, not SQLite") << Store::Access::ReadWrite << QByteArray();
        QTest::newRow("read-only, not SQLite") << Store::Access::ReadOnly << QByteArray();
    }

    void foreignDatabaseIsRefusedUntouched()
    {
        QFETCH(Store::Access, access);
        QFETCH(QByteArray, sql);
        const QString path = m_dir->filePath(QStringLiteral("other.db"));
        if (sql.isEmpty()) {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("Dear diary,\nthis is not a database.\n");
        } else {
            // Made with the sqlite3 tool, as another program would (not through Arbor's code).
            QProcess sqlite;
            sqlite.start(QStringLiteral("sqlite3"), {path, QString::fromUtf8(sql)});
            QVERIFY(sqlite.waitForFinished() && sqlite.exitCode() == 0);
        }
        const QByteArray before = arbor::testsupport::fileBytes(path);
        QVERIFY(!before.isEmpty());
        Store store(path, 1, access);
        try {
            store.open();
            QFAIL("a file that is not an Arbor store was opened");
        } catch (const StoreError &e) {
            QCOMPARE(e.kind(), StoreError::Kind::NotAStore);
            QVERIFY2(e.message().contains(QLatin1String("is not an Arbor store")),
                     qPrintable(e.message()));
        }
        QCOMPARE(arbor::testsupport::fileBytes(path), before);
        QCOMPARE(arbor::testsupport::entriesOf(m_dir->path()),
                 QStringList{QStringLiteral("other.db")});
    }

    void readOnlyAccessReadsAndLeavesNoFile()
    {
        {
            Store store(dbPath());
            store.open();
            store
                .write([](QSqlDatabase &db) {
                    exec(db,
                         QStringLiteral("INSERT INTO conversations (id, title, created_at, "
                                        "updated_at) VALUES ('c', 't', 1, 1)"));
                })
                .waitForFinished();
        }
        const QString folder = QFileInfo(dbPath()).absolutePath();
        QCOMPARE(arbor::testsupport::entriesOf(folder), QStringList{QStringLiteral("arbor.db")});
        const QByteArray before = arbor::testsupport::fileBytes(dbPath());
        {
            Store store(dbPath(), 1, Store::Access::ReadOnly);
            store.open();
            QCOMPARE(countRows(store, QStringLiteral("conversations")), 1);
            QFuture<void> refused = store.write(
                [](QSqlDatabase &db) { exec(db, QStringLiteral("DELETE FROM conversations")); });
            QVERIFY_THROWS_EXCEPTION(StoreError, refused.waitForFinished());
        }
        // SQLite's own read-only connections leave -wal and -shm files behind.
        QCOMPARE(arbor::testsupport::entriesOf(folder), QStringList{QStringLiteral("arbor.db")});
        QCOMPARE(arbor::testsupport::fileBytes(dbPath()), before);
    }

    void damagedStoreSaysSo()
    {
        {
            Store store(dbPath());
            store.open();
            store
                .write([](QSqlDatabase &db) {
                    exec(db,
                         QStringLiteral("INSERT INTO conversations (id, title, created_at, "
                                        "updated_at) VALUES ('c', 't', 1, 1)"));
                })
                .waitForFinished();
        }
        QVERIFY(arbor::testsupport::damageTable(dbPath(), QStringLiteral("conversations")));
        Store store(dbPath(), 1, Store::Access::ReadOnly);
        store.open(); // the schema is intact: the damage shows when the table is read
        try {
            store
                .read([](QSqlDatabase &db) {
                    QSqlQuery q = exec(db, QStringLiteral("SELECT * FROM conversations"));
                    while (q.next()) {}
                })
                .waitForFinished();
            QFAIL("a damaged table was read without an error");
        } catch (const StoreError &e) {
            QCOMPARE(e.kind(), StoreError::Kind::Damaged);
            QVERIFY2(
                e.message().startsWith(QStringLiteral("The store %1 is damaged").arg(dbPath())),
                qPrintable(e.message()));
            QVERIFY2(!e.message().contains(QLatin1String("SELECT")), qPrintable(e.message()));
        }
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
        QVERIFY2(Store::defaultPath().endsWith(QLatin1String("Arbor/arbor.db")),
                 qPrintable(Store::defaultPath()));
    }
};

QTEST_GUILESS_MAIN(TestStore)
#include "tst_store.moc"
