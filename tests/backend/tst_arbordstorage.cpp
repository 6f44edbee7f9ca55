// arbord and the file it is given: a path with a typo, another program's database, a damaged
// store, a read-only medium. The real binary, real files; one plain line on stderr and exit 1,
// never a crash, and nothing created or changed by a command that only reads.
#include "support/arbordprocess.h"
#include "support/storefiles.h"
#include "support/tmpfsmount.h"

#include <QDir>
#include <QFileInfo>
#include <QStorageInfo>
#include <QTemporaryDir>
#include <QTest>

using arbor::testsupport::ArbordRun;
using arbor::testsupport::entriesOf;
using arbor::testsupport::fileBytes;
using arbor::testsupport::TmpfsMount;

class TestArbordStorage : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    QString dbPath() const { return m_dir->filePath(QStringLiteral("arbor.db")); }

    static ArbordRun arbord(const QStringList &args)
    {
        return arbor::testsupport::runArbord(QStringLiteral(ARBORD_PATH), args);
    }

    /** @brief A store at @p path with one conversation made by `arbord chat`; its id. */
    static QString storeWithAConversation(const QString &path)
    {
        const ArbordRun r =
            arbord({QStringLiteral("chat"), QStringLiteral("--db"), path, QStringLiteral("--rate"),
                    QStringLiteral("0"), QStringLiteral("--json"), QStringLiteral("Hello")});
        if (!r.endedWith(0))
            qWarning("%s", qPrintable(r.describe()));
        return r.object().value(QLatin1String("conversation_id")).toString();
    }

    /** @brief @p command (with "ID" standing for @p conversation) run on the store at @p path. */
    static QStringList commandLine(QStringList command, const QString &path,
                                   const QString &conversation)
    {
        command.replaceInStrings(QStringLiteral("ID"), conversation);
        return command + QStringList{QStringLiteral("--db"), path};
    }

private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
    }

    void readingNeverCreatesAStore_data()
    {
        QTest::addColumn<QStringList>("command");
        QTest::newRow("list") << QStringList{QStringLiteral("list")};
        QTest::newRow("show") << QStringList{QStringLiteral("show"), QStringLiteral("some-id")};
        QTest::newRow("jobs") << QStringList{QStringLiteral("jobs")};
        QTest::newRow("sync status")
            << QStringList{QStringLiteral("sync"), QStringLiteral("status")};
    }

    void readingNeverCreatesAStore()
    {
        QFETCH(QStringList, command);
        const QString typo = m_dir->filePath(QStringLiteral("typo/arbro.db"));
        const ArbordRun r = arbord(command + QStringList{QStringLiteral("--db"), typo});
        QVERIFY2(r.endedWith(1), qPrintable(r.describe()));
        QCOMPARE(r.errLines().size(), 1);
        QVERIFY2(r.err.contains(QStringLiteral("There is no Arbor store at %1").arg(typo)),
                 qPrintable(r.describe()));
        QVERIFY(r.out.isEmpty());
        QCOMPARE(entriesOf(m_dir->path()), QStringList());
    }

    void foreignFileIsRefusedUntouched_data()
    {
        QTest::addColumn<QStringList>("command");
        QTest::addColumn<bool>("sqlite");
        for (const bool sqlite : {true, false}) {
            const char *kind = sqlite ? "another program's database" : "a text file";
            QTest::addRow("list, %s", kind) << QStringList{QStringLiteral("list")} << sqlite;
            QTest::addRow("show, %s", kind)
                << QStringList{QStringLiteral("show"), QStringLiteral("some-id")} << sqlite;
            QTest::addRow("jobs, %s", kind) << QStringList{QStringLiteral("jobs")} << sqlite;
            QTest::addRow("sync status, %s", kind)
                << QStringList{QStringLiteral("sync"), QStringLiteral("status")} << sqlite;
            QTest::addRow("chat, %s", kind)
                << QStringList{QStringLiteral("chat"), QStringLiteral("--rate"),
                               QStringLiteral("0"), QStringLiteral("hi")}
                << sqlite;
        }
    }

    void foreignFileIsRefusedUntouched()
    {
        QFETCH(QStringList, command);
        QFETCH(bool, sqlite);
        const QString path = m_dir->filePath(QStringLiteral("notes.db"));
        if (sqlite) {
            QProcess tool;
            tool.start(QStringLiteral("sqlite3"),
                       {path,
                        QStringLiteral("CREATE TABLE notes (body TEXT); INSERT INTO notes "
                                       "VALUES ('mine, not Arbor''s')")});
            QVERIFY(tool.waitForFinished() && tool.exitCode() == 0);
        } else {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(QByteArray("Not a database at all.\n").repeated(200));
        }
        const QByteArray before = fileBytes(path);
        const ArbordRun r = arbord(command + QStringList{QStringLiteral("--db"), path});
        QVERIFY2(r.endedWith(1), qPrintable(r.describe()));
        QCOMPARE(r.errLines().size(), 1);
        QVERIFY2(r.err.contains(QStringLiteral("%1 is not an Arbor store").arg(path)),
                 qPrintable(r.describe()));
        QCOMPARE(fileBytes(path), before);
        QCOMPARE(entriesOf(m_dir->path()), QStringList{QStringLiteral("notes.db")});
    }

    void readersLeaveTheStoreAsItIs_data()
    {
        QTest::addColumn<QStringList>("command");
        const QString id = QStringLiteral("ID");
        QTest::newRow("list") << QStringList{QStringLiteral("list")};
        QTest::newRow("list --json")
            << QStringList{QStringLiteral("list"), QStringLiteral("--json")};
        QTest::newRow("show") << QStringList{QStringLiteral("show"), id};
        QTest::newRow("show --tree")
            << QStringList{QStringLiteral("show"), QStringLiteral("--tree"), id};
        QTest::newRow("jobs") << QStringList{QStringLiteral("jobs")};
        QTest::newRow("jobs --json")
            << QStringList{QStringLiteral("jobs"), QStringLiteral("--json")};
        QTest::newRow("sync status")
            << QStringList{QStringLiteral("sync"), QStringLiteral("status")};
        QTest::newRow("sync status --json") << QStringList{
            QStringLiteral("sync"), QStringLiteral("status"), QStringLiteral("--json")};
    }

    void readersLeaveTheStoreAsItIs()
    {
        // Byte for byte, and no -wal or -shm left next to it.
        QFETCH(QStringList, command);
        const QString conversation = storeWithAConversation(dbPath());
        QVERIFY(!conversation.isEmpty());
        QCOMPARE(entriesOf(m_dir->path()), QStringList{QStringLiteral("arbor.db")});
        const QByteArray before = fileBytes(dbPath());
        const ArbordRun r = arbord(commandLine(command, dbPath(), conversation));
        QVERIFY2(r.endedWith(0), qPrintable(r.describe()));
        QVERIFY(!r.out.isEmpty());
        QCOMPARE(entriesOf(m_dir->path()), QStringList{QStringLiteral("arbor.db")});
        QCOMPARE(fileBytes(dbPath()), before);
    }

    void readersDoNotMigrateAnOlderStore_data() { readersLeaveTheStoreAsItIs_data(); }

    void readersDoNotMigrateAnOlderStore()
    {
        // Reading never upgrades a store: it says so and leaves the file as it was.
        QFETCH(QStringList, command);
        QVERIFY(arbor::testsupport::makeOlderStore(dbPath()) > 0);
        QCOMPARE(entriesOf(m_dir->path()), QStringList{QStringLiteral("arbor.db")});
        const QByteArray before = fileBytes(dbPath());
        const ArbordRun r = arbord(commandLine(command, dbPath(), QStringLiteral("some-id")));
        QVERIFY2(r.endedWith(1), qPrintable(r.describe()));
        QCOMPARE(r.errLines().size(), 1);
        QVERIFY2(r.err.contains(QLatin1String("older version of Arbor")), qPrintable(r.describe()));
        QCOMPARE(entriesOf(m_dir->path()), QStringList{QStringLiteral("arbor.db")});
        QCOMPARE(fileBytes(dbPath()), before);
    }

    void damagedStoreIsAnErrorNotACrash_data()
    {
        QTest::addColumn<QString>("table");
        QTest::addColumn<QStringList>("command");
        QTest::newRow("list") << QStringLiteral("conversations")
                              << QStringList{QStringLiteral("list")};
        QTest::newRow("list --json")
            << QStringLiteral("conversations")
            << QStringList{QStringLiteral("list"), QStringLiteral("--json")};
        QTest::newRow("show") << QStringLiteral("messages")
                              << QStringList{QStringLiteral("show"), QStringLiteral("ID")};
        QTest::newRow("show --tree")
            << QStringLiteral("messages")
            << QStringList{QStringLiteral("show"), QStringLiteral("--tree"), QStringLiteral("ID")};
        QTest::newRow("jobs") << QStringLiteral("jobs") << QStringList{QStringLiteral("jobs")};
        QTest::newRow("chat") << QStringLiteral(
            "messages") << QStringList{QStringLiteral("chat"), QStringLiteral("--conversation"),
                                       QStringLiteral("ID"),   QStringLiteral("--rate"),
                                       QStringLiteral("0"),    QStringLiteral("More")};
    }

    void damagedStoreIsAnErrorNotACrash()
    {
        QFETCH(QString, table);
        QFETCH(QStringList, command);
        const QString conversation = storeWithAConversation(dbPath());
        QVERIFY(!conversation.isEmpty());
        QVERIFY(arbor::testsupport::damageTable(dbPath(), table));
        const ArbordRun r = arbord(commandLine(command, dbPath(), conversation));
        QVERIFY2(r.endedWith(1), qPrintable(r.describe()));
        QVERIFY2(r.errLines().size() == 1, qPrintable(r.describe()));
        QVERIFY2(r.err.contains(QStringLiteral("The store %1 is damaged").arg(dbPath())),
                 qPrintable(r.describe()));
        QVERIFY2(!r.err.contains(QLatin1String("SQL")), qPrintable(r.describe()));
    }

    void aFullDiskIsSaidPlainly_data()
    {
        QTest::addColumn<qint64>("free");
        // From nothing left to room for the reply: each fails at another write (opening the
        // WAL, the send, the stream's chunks, the end) or does not fail at all.
        for (const qint64 free : {0, 8'000, 40'000, 100'000, 150'000, 1'000'000})
            QTest::addRow("%lld bytes free", free) << free;
    }

    void aFullDiskIsSaidPlainly()
    {
        QFETCH(qint64, free);
        const QString seeded = dbPath();
        const QString conversation = storeWithAConversation(seeded);
        QVERIFY(!conversation.isEmpty());
        const QString folder = m_dir->filePath(QStringLiteral("small"));
        TmpfsMount disk(folder, 2 * 1024 * 1024);
        QVERIFY2(disk.ok(), qPrintable(disk.error()));
        const QString path = QDir(folder).filePath(QStringLiteral("arbor.db"));
        QVERIFY(QFile::copy(seeded, path));
        {
            QFile filler(QDir(folder).filePath(QStringLiteral("filler")));
            QVERIFY(filler.open(QIODevice::WriteOnly));
            const qint64 fill = QStorageInfo(folder).bytesAvailable() - free;
            if (fill > 0)
                filler.write(QByteArray(fill, '\0'));
        }
        const QString diskFull =
            QStringLiteral(
                "The disk is full: the store %1 cannot be written. Free some space and try "
                "again; what is already stored is kept.")
                .arg(path);

        const ArbordRun chat = arbord({QStringLiteral("chat"), QStringLiteral("--conversation"),
                                       conversation, QStringLiteral("--rate"), QStringLiteral("0"),
                                       QStringLiteral("More"), QStringLiteral("--db"), path});
        if (free == 0 || !chat.endedWith(0)) {
            QVERIFY2(chat.endedWith(1), qPrintable(chat.describe()));
            QCOMPARE(chat.err, QStringLiteral("arbord chat: %1\n").arg(diskFull)); // once, plainly
        } else {
            QVERIFY2(chat.err.isEmpty() && !chat.out.isEmpty(), qPrintable(chat.describe()));
        }
        if (free >= 1'000'000)
            QVERIFY2(chat.endedWith(0), qPrintable(chat.describe()));
        const ArbordRun list = arbord({QStringLiteral("list"), QStringLiteral("--db"), path});
        if (!list.endedWith(0)) {
            QVERIFY2(list.endedWith(1), qPrintable(list.describe()));
            QCOMPARE(list.err, QStringLiteral("arbord list: %1\n").arg(diskFull));
        }

        // With room again, the store is whole and still holds what it held.
        QVERIFY(QFile::remove(QDir(folder).filePath(QStringLiteral("filler"))));
        const ArbordRun after = arbord({QStringLiteral("show"), conversation,
                                        QStringLiteral("--json"), QStringLiteral("--db"), path});
        QVERIFY2(after.endedWith(0), qPrintable(after.describe()));
        const QJsonArray messages = after.object().value(QLatin1String("messages")).toArray();
        QVERIFY(messages.size() >= 2);
        QCOMPARE(messages.at(0).toObject().value(QLatin1String("content")).toString(),
                 QStringLiteral("Hello"));
        QCOMPARE(messages.at(1).toObject().value(QLatin1String("status")).toString(),
                 QStringLiteral("complete"));
        arbor::testsupport::DbConnection c(path, arbor::testsupport::DbConnection::Mode::ReadOnly);
        QCOMPARE(c.scalar(QStringLiteral("PRAGMA integrity_check")).toString(),
                 QStringLiteral("ok"));
    }

    void readOnlyMediumIsRead()
    {
        const QString folder = m_dir->filePath(QStringLiteral("medium"));
        TmpfsMount medium(folder, 8 * 1024 * 1024);
        QVERIFY2(medium.ok(), qPrintable(medium.error()));
        const QString path = QDir(folder).filePath(QStringLiteral("arbor.db"));
        const QString conversation = storeWithAConversation(path);
        QVERIFY(!conversation.isEmpty());
        QCOMPARE(entriesOf(folder), QStringList{QStringLiteral("arbor.db")});
        QVERIFY2(medium.remountReadOnly(), qPrintable(medium.error()));

        const ArbordRun list = arbord(
            {QStringLiteral("list"), QStringLiteral("--json"), QStringLiteral("--db"), path});
        QVERIFY2(list.endedWith(0), qPrintable(list.describe()));
        QCOMPARE(list.array().size(), 1);
        const ArbordRun show = arbord({QStringLiteral("show"), conversation,
                                       QStringLiteral("--json"), QStringLiteral("--db"), path});
        QVERIFY2(show.endedWith(0), qPrintable(show.describe()));
        QCOMPARE(show.object().value(QLatin1String("messages")).toArray().size(), 2);
        const ArbordRun jobs = arbord({QStringLiteral("jobs"), QStringLiteral("--db"), path});
        QVERIFY2(jobs.endedWith(0), qPrintable(jobs.describe()));
        QVERIFY2(list.err.isEmpty() && show.err.isEmpty() && jobs.err.isEmpty(),
                 qPrintable(list.err + show.err + jobs.err));
    }
};

QTEST_GUILESS_MAIN(TestArbordStorage)
#include "tst_arbordstorage.moc"
