// Migrator: numbered migrations applied once, recorded in schema_migrations; a file from a
// newer Arbor is refused with a message a user understands, and left as it was.
#include "store/migrator.h"
#include "store/sql.h"
#include "support/dbconnection.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using arbor::store::Migrator;
using arbor::store::StoreError;
using arbor::testsupport::DbConnection;

class TestMigrator : public QObject
{
    Q_OBJECT

private:
    QString dbPath() const { return m_dir->filePath(QStringLiteral("arbor.db")); }
    std::unique_ptr<QTemporaryDir> m_dir;

    /** @brief Makes @p c a store as the Arbor before the migration named @p suffix left it:
     *  every migration before that one, recorded. */
    static bool migrateBefore(DbConnection &c, QStringView suffix)
    {
        Migrator::currentVersion(c.db()); // creates schema_migrations
        QStringList files = QDir(QStringLiteral(":/arbor/migrations")).entryList(QDir::Files);
        files.sort();
        for (const QString &file : std::as_const(files)) {
            if (file.endsWith(suffix))
                return true;
            QFile f(QStringLiteral(":/arbor/migrations/") + file);
            if (!f.open(QIODevice::ReadOnly))
                return false;
            arbor::store::execScript(c.db(), QString::fromUtf8(f.readAll()));
            c.exec(QStringLiteral("INSERT INTO schema_migrations (version, name, applied_at) "
                                  "VALUES (?, ?, 1)"),
                   {file.left(4).toInt(), file.chopped(4)});
        }
        return false; // no such migration
    }

private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
    }

    void knowsItsMigrations() { QVERIFY(Migrator::latestVersion() >= 1); }

    void aColumnsParametersMoveFromItsJobToItsReply()
    {
        DbConnection c(dbPath());
        QVERIFY(migrateBefore(c, u"_message_params.sql"));
        c.exec(QStringLiteral("INSERT INTO conversations (id, created_at, updated_at) "
                              "VALUES ('c', 1, 1)"));
        const QString question = QStringLiteral("q");
        c.exec(QStringLiteral("INSERT INTO messages (id, conversation_id, role, status, "
                              "created_at) VALUES ('q', 'c', 'user', 'complete', 1)"));
        for (const char *id : {"hot", "plain", "gone"})
            c.exec(QStringLiteral("INSERT INTO messages (id, conversation_id, parent_id, role, "
                                  "status, created_at) VALUES (?, 'c', 'q', 'assistant', "
                                  "'complete', 1)"),
                   {QString::fromLatin1(id)});
        // "hot" was asked twice (a retry): the newest job counts. "plain" had no parameters of
        // its own; "gone" lost its job (pruned).
        const QString job = QStringLiteral(
            "INSERT INTO jobs (kind, payload, subject_id, state, run_at, created_at) "
            "VALUES ('chat.reply', ?, ?, 'done', 1, 1)");
        c.exec(job,
               {QStringLiteral(R"({"message_id":"hot","parameters":{"temperature":0.2}})"),
                QStringLiteral("hot")});
        c.exec(job,
               {QStringLiteral(
                    R"({"message_id":"hot","parameters":{"max_tokens":300,"temperature":1.5}})"),
                QStringLiteral("hot")});
        c.exec(job,
               {QStringLiteral(R"({"message_id":"plain","options":{}})"), QStringLiteral("plain")});
        // Not a reply: a user message keeps none.
        c.exec(job,
               {QStringLiteral(R"({"message_id":"q","parameters":{"temperature":1}})"), question});

        Migrator::migrate(c.db());
        QCOMPARE(Migrator::currentVersion(c.db()), Migrator::latestVersion());
        const auto params = [&c](const char *id) {
            return c
                .scalar(QStringLiteral("SELECT coalesce(params, '<null>') FROM messages "
                                       "WHERE id = ?"),
                        {QString::fromLatin1(id)})
                .toString();
        };
        QCOMPARE(params("hot"), QStringLiteral(R"({"max_tokens":300,"temperature":1.5})"));
        QCOMPARE(params("plain"), QStringLiteral("<null>"));
        QCOMPARE(params("gone"), QStringLiteral("<null>"));
        QCOMPARE(params("q"), QStringLiteral("<null>"));
    }

    void whatARepliesJobWasAskedWithMovesToItsReply()
    {
        DbConnection c(dbPath());
        QVERIFY(migrateBefore(c, u"_message_request.sql"));
        c.exec(QStringLiteral("INSERT INTO conversations (id, created_at, updated_at) "
                              "VALUES ('c', 1, 1)"));
        c.exec(QStringLiteral("INSERT INTO messages (id, conversation_id, role, status, "
                              "created_at) VALUES ('q', 'c', 'user', 'complete', 1)"));
        for (const char *id : {"tooled", "fused", "both", "plain", "gone"})
            c.exec(QStringLiteral("INSERT INTO messages (id, conversation_id, parent_id, role, "
                                  "status, created_at) VALUES (?, 'c', 'q', 'assistant', "
                                  "'complete', 1)"),
                   {QString::fromLatin1(id)});
        const QString job = QStringLiteral(
            "INSERT INTO jobs (kind, payload, subject_id, state, run_at, created_at) "
            "VALUES ('chat.reply', ?, ?, 'done', 1, 1)");
        const auto add = [&c, &job](const char *id, const char *payload) {
            c.exec(job, {QString::fromUtf8(payload), QString::fromLatin1(id)});
        };
        // "tooled" was asked twice (a retry): the newest job counts. "both" was sent with tools
        // turned on but none chosen, and fused. "plain" had neither; "gone" lost its job.
        add("tooled", R"({"message_id":"tooled","options":{"tools":["old"]}})");
        add("tooled", R"({"message_id":"tooled","options":{"tools":["everything","files"]}})");
        // The prompt holds a quote and a line break (JSON escapes in the payload).
        add("fused",
            "{\"message_id\":\"fused\",\"options\":{},\"prompt\":\"Fuse \\\"these\\\"\\nnow\"}");
        add("both", R"({"message_id":"both","options":{"tools":[]},"prompt":"P"})");
        add("plain", R"({"message_id":"plain","options":{},"prompt":""})");
        add("q", R"({"message_id":"q","options":{"tools":["everything"]}})"); // not a reply

        Migrator::migrate(c.db());
        QCOMPARE(Migrator::currentVersion(c.db()), Migrator::latestVersion());
        const auto request = [&c](const char *id) {
            return c
                .scalar(QStringLiteral("SELECT coalesce(request, '<null>') FROM messages "
                                       "WHERE id = ?"),
                        {QString::fromLatin1(id)})
                .toString();
        };
        QCOMPARE(request("tooled"), QStringLiteral(R"({"tools":["everything","files"]})"));
        QCOMPARE(request("fused"), QStringLiteral("{\"prompt\":\"Fuse \\\"these\\\"\\nnow\"}"));
        QCOMPARE(request("both"), QStringLiteral(R"({"prompt":"P","tools":[]})"));
        QCOMPARE(request("plain"), QStringLiteral("<null>"));
        QCOMPARE(request("gone"), QStringLiteral("<null>"));
        QCOMPARE(request("q"), QStringLiteral("<null>"));
    }

    void freshFileIsMigratedAndRecorded()
    {
        DbConnection c(dbPath());
        QCOMPARE(Migrator::currentVersion(c.db()), 0);
        Migrator::migrate(c.db());
        QCOMPARE(Migrator::currentVersion(c.db()), Migrator::latestVersion());
        QCOMPARE(c.scalar(QStringLiteral("SELECT count(*) FROM schema_migrations")).toInt(),
                 Migrator::latestVersion());
        QCOMPARE(c.scalar(QStringLiteral("SELECT name FROM schema_migrations WHERE version = 1"))
                     .toString(),
                 QStringLiteral("0001_init"));
        QVERIFY(
            c.scalar(QStringLiteral("SELECT applied_at FROM schema_migrations WHERE version = 1"))
                .toLongLong()
            > 0);
        for (const char *table : {"conversations", "messages", "message_chunks",
                                  "message_reasoning_chunks", "jobs", "workers"}) {
            QCOMPARE(
                c.scalar(
                     QStringLiteral(
                         "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?"),
                     {QString::fromLatin1(table)})
                    .toInt(),
                1);
        }
    }

    void migratingTwiceAppliesNothing()
    {
        qint64 appliedAt = 0;
        {
            DbConnection c(dbPath());
            Migrator::migrate(c.db());
            appliedAt = c.scalar(QStringLiteral(
                                     "SELECT applied_at FROM schema_migrations WHERE version = 1"))
                            .toLongLong();
            c.exec(QStringLiteral("INSERT INTO conversations (id, title, created_at, updated_at) "
                                  "VALUES ('c', 'kept', 1, 1)"));
        }
        DbConnection c(dbPath());
        Migrator::migrate(c.db()); // would fail on CREATE TABLE if it re-ran 0001
        QCOMPARE(c.scalar(QStringLiteral("SELECT count(*) FROM schema_migrations")).toInt(),
                 Migrator::latestVersion());
        QCOMPARE(
            c.scalar(QStringLiteral("SELECT applied_at FROM schema_migrations WHERE version = 1"))
                .toLongLong(),
            appliedAt);
        QCOMPARE(
            c.scalar(QStringLiteral("SELECT title FROM conversations WHERE id = 'c'")).toString(),
            QStringLiteral("kept"));
    }

    void newerDatabaseIsRefusedClearlyAndLeftAlone()
    {
        {
            DbConnection c(dbPath(), DbConnection::Mode::Migrated);
            c.exec(QStringLiteral("INSERT INTO schema_migrations (version, name, applied_at) "
                                  "VALUES (9999, '9999_future', 1)"));
            c.exec(QStringLiteral("INSERT INTO conversations (id, title, created_at, updated_at) "
                                  "VALUES ('c', 'future', 1, 1)"));
            c.exec(QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)"));
        }
        DbConnection c(dbPath());
        try {
            Migrator::migrate(c.db());
            QFAIL("a database of schema 9999 was accepted");
        } catch (const StoreError &e) {
            const QString text = e.message();
            QVERIFY2(text.contains(QLatin1String("newer version of Arbor")), qPrintable(text));
            QVERIFY2(text.contains(QLatin1String("9999")), qPrintable(text));
            QVERIFY2(text.contains(dbPath()), qPrintable(text));
            QVERIFY2(text.contains(QLatin1String("Update Arbor")), qPrintable(text));
            QVERIFY2(!text.contains(QLatin1String("SQL")), qPrintable(text)); // not a driver dump
        }
        QCOMPARE(Migrator::currentVersion(c.db()), 9999);
        QCOMPARE(c.scalar(QStringLiteral("SELECT count(*) FROM schema_migrations")).toInt(),
                 Migrator::latestVersion() + 1);
        QCOMPARE(
            c.scalar(QStringLiteral("SELECT title FROM conversations WHERE id = 'c'")).toString(),
            QStringLiteral("future"));
    }

    void reasoningMigrationKeepsSearchAndIndexesReasoning()
    {
        // A store of version 10 with messages: after 0011 the old words are still found, and a
        // word only in a reply's reasoning finds the reply.
        {
            DbConnection c(dbPath());
            Migrator::currentVersion(c.db()); // creates schema_migrations
            QStringList files = QDir(QStringLiteral(":/arbor/migrations")).entryList(QDir::Files);
            files.sort();
            for (const QString &file : files) {
                if (file.left(4).toInt() > 10)
                    break;
                QFile f(QStringLiteral(":/arbor/migrations/") + file);
                QVERIFY(f.open(QIODevice::ReadOnly));
                arbor::store::execScript(c.db(), QString::fromUtf8(f.readAll()));
                c.exec(QStringLiteral("INSERT INTO schema_migrations (version, name, applied_at) "
                                      "VALUES (?, ?, 1)"),
                       {file.left(4).toInt(), file.chopped(4)});
            }
            QCOMPARE(Migrator::currentVersion(c.db()), 10);
            c.exec(QStringLiteral("INSERT INTO conversations (id, title, created_at, updated_at) "
                                  "VALUES ('c', 't', 1, 1)"));
            c.exec(QStringLiteral("INSERT INTO messages (id, conversation_id, role, content, "
                                  "status, created_at) VALUES ('m', 'c', 'assistant', "
                                  "'an old zebra', 'complete', 1)"));
            Migrator::migrate(c.db());
            QVERIFY(Migrator::currentVersion(c.db()) >= 11);
            const auto hits = [&c](const QString &word) {
                return c
                    .scalar(QStringLiteral("SELECT group_concat(m.id) FROM message_fts f "
                                           "JOIN messages m ON m.rowid = f.rowid "
                                           "WHERE message_fts MATCH ?"),
                            {word})
                    .toString();
            };
            QCOMPARE(hits(QStringLiteral("zebra")), QStringLiteral("m"));
            QCOMPARE(c.scalar(QStringLiteral("SELECT reasoning FROM messages")).toString(),
                     QString());
            QVERIFY(c.scalar(QStringLiteral("SELECT reasoning_ms FROM messages")).isNull());
            c.exec(QStringLiteral("UPDATE messages SET reasoning = 'pondering giraffes'"));
            QCOMPARE(hits(QStringLiteral("giraffes")), QStringLiteral("m"));
            QCOMPARE(hits(QStringLiteral("zebra")), QStringLiteral("m"));
            c.exec(QStringLiteral("INSERT INTO messages (id, conversation_id, role, content, "
                                  "reasoning, status, created_at) VALUES ('n', 'c', 'assistant', "
                                  "'yes', 'okapi thoughts', 'complete', 2)"));
            QCOMPARE(hits(QStringLiteral("okapi")), QStringLiteral("n"));
            c.exec(QStringLiteral("DELETE FROM messages WHERE id = 'n'"));
            QCOMPARE(hits(QStringLiteral("okapi")), QString());
            c.exec(QStringLiteral("INSERT INTO message_fts (message_fts) VALUES "
                                  "('integrity-check')"));
        }
    }

    void failedMigrationRollsBack()
    {
        // A file where 0001's first table already exists: the migration fails, and nothing of it
        // (not even its record) is left behind.
        DbConnection c(dbPath());
        c.exec(QStringLiteral("CREATE TABLE conversations (id TEXT PRIMARY KEY)"));
        try {
            Migrator::migrate(c.db());
            QFAIL("a failing migration was reported as applied");
        } catch (const StoreError &e) {
            QVERIFY2(e.message().contains(QLatin1String("0001_init.sql")), qPrintable(e.message()));
            QVERIFY2(e.message().contains(QLatin1String("rolled back")), qPrintable(e.message()));
        }
        QCOMPARE(Migrator::currentVersion(c.db()), 0);
        QCOMPARE(
            c.scalar(QStringLiteral("SELECT count(*) FROM sqlite_master WHERE name = 'messages'"))
                .toInt(),
            0);
    }
};

QTEST_GUILESS_MAIN(TestMigrator)
#include "tst_migrator.moc"
