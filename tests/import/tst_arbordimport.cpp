// `arbord import` as a user runs it (issue 18, item 5): the real binary, a real store; the JSON
// summary's shape, progress on stderr, exit 0 when the file was read without errors (also when
// nothing was new), 1 when errors stopped some or all of it.
#include "support/arbordprocess.h"

#include <QFile>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace arbor::testsupport;

class TestArbordImport : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString db() const { return m_dir.filePath(QStringLiteral("store.db")); }
    ArbordRun arbord(const QStringList &args)
    {
        return runArbord(QStringLiteral(ARBORD_PATH),
                         QStringList{args.first(), QStringLiteral("--db"), db()} + args.mid(1));
    }
    static QString data(const QString &name)
    {
        return QStringLiteral(ARBOR_IMPORT_DATA "/") + name;
    }

private Q_SLOTS:
    void importsThenAddsNothing()
    {
        const QString file = data(QStringLiteral("chatgpt/shapes.json"));
        ArbordRun r = arbord({QStringLiteral("import"), file, QStringLiteral("--json")});
        QVERIFY2(r.endedWith(0), qPrintable(r.describe()));
        const QJsonObject o = r.object();
        const QJsonArray conversations = o.value(u"conversations").toArray();
        QCOMPARE(conversations.size(), 4);
        const QJsonObject first = conversations.first().toObject();
        QCOMPARE(first.keys(),
                 (QStringList{QStringLiteral("id"), QStringLiteral("messages"),
                              QStringLiteral("messages_added"), QStringLiteral("source_id"),
                              QStringLiteral("title")}));
        QCOMPARE(first.value(u"source_id").toString(), QStringLiteral("cg-linear"));
        QCOMPARE(first.value(u"messages").toInt(), 3);
        QCOMPARE(first.value(u"messages_added").toInt(), 3);
        QCOMPARE(o.value(u"skipped").toArray().size(), 0);
        QCOMPARE(o.value(u"errors").toArray().size(), 0);
        QVERIFY2(r.errLines().contains(QStringLiteral("imported 4/4 conversations")),
                 qPrintable(r.err));

        r = arbord({QStringLiteral("import"), file, QStringLiteral("--json"),
                    QStringLiteral("--format"), QStringLiteral("chatgpt")});
        QVERIFY2(r.endedWith(0), qPrintable(r.describe()));
        for (const QJsonValue &v : r.object().value(u"conversations").toArray())
            QCOMPARE(v.toObject().value(u"messages_added").toInt(), 0);

        // The imported tree is there for the other commands.
        r = arbord({QStringLiteral("list"), QStringLiteral("--json")});
        QVERIFY2(r.endedWith(0), qPrintable(r.describe()));
        QCOMPARE(r.array().size(), 4);
    }

    void errorsExitOne()
    {
        const QString bad = m_dir.filePath(QStringLiteral("bad.json"));
        QFile f(bad);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("[{\"id\":\"x\",\"mapping\":{}}, {\"id\":\"y\",\"mapping\":");
        f.close();
        const ArbordRun r = arbord({QStringLiteral("import"), bad, QStringLiteral("--json")});
        QVERIFY2(r.endedWith(1), qPrintable(r.describe()));
        const QJsonArray errors = r.object().value(u"errors").toArray();
        QCOMPARE(errors.size(), 1);
        const QJsonObject e = errors.first().toObject();
        QCOMPARE(e.value(u"where").toString(), bad);
        QVERIFY2(e.value(u"message").toString().contains(u"conversation 1"),
                 qPrintable(e.value(u"message").toString()));
        // The empty conversation before the cut is skipped, with its reason.
        const QJsonArray skipped = r.object().value(u"skipped").toArray();
        QCOMPARE(skipped.size(), 1);
        QCOMPARE(skipped.first().toObject().value(u"reason").toString(),
                 QStringLiteral("no messages"));
    }

    void killedImportResumes()
    {
        // 3,000 small conversations: the first progress line comes after a few hundred.
        const QString file = m_dir.filePath(QStringLiteral("many.json"));
        {
            QFile f(file);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("[");
            for (int c = 0; c < 3000; ++c) {
                const QByteArray id = QByteArray::number(c);
                f.write((c ? "," : "") + QByteArray("{\"id\":\"k") + id
                        + "\",\"title\":\"T\",\"create_time\":1700000000,\"mapping\":{\"a\":"
                          "{\"id\":\"a\",\"parent\":null,\"children\":[],\"message\":{\"id\":"
                          "\"a\",\"author\":{\"role\":\"user\"},\"content\":{\"parts\":[\"hi "
                        + id + "\"]}}}}}");
            }
            f.write("]");
        }
        const QString db = m_dir.filePath(QStringLiteral("killed.db"));
        QProcess p;
        p.start(QStringLiteral(ARBORD_PATH),
                {QStringLiteral("import"), QStringLiteral("--db"), db, file});
        QVERIFY(p.waitForStarted());
        QByteArray err;
        while (!err.contains("imported ") && p.state() == QProcess::Running) {
            p.waitForReadyRead(1000);
            err += p.readAllStandardError();
        }
        p.kill(); // SIGKILL: no chance to record anything more
        p.waitForFinished();

        // Run again: the same run goes on after the last conversation it finished.
        const ArbordRun r = runArbord(
            QStringLiteral(ARBORD_PATH),
            {QStringLiteral("import"), QStringLiteral("--db"), db, file, QStringLiteral("--json")});
        QVERIFY2(r.endedWith(0), qPrintable(r.describe()));
        QCOMPARE(r.object().value(u"conversations").toArray().size(), 3000);
        const ArbordRun list = runArbord(
            QStringLiteral(ARBORD_PATH),
            {QStringLiteral("list"), QStringLiteral("--db"), db, QStringLiteral("--json")});
        QCOMPARE(list.array().size(), 3000); // none twice
    }

    void runsOnlyItsOwnJob()
    {
        // Jobs others queued in the store (a reply, another import) wait for their own process:
        // `arbord import` runs the import it started and nothing else.
        const QString db = m_dir.filePath(QStringLiteral("shared.db"));
        const QString file = data(QStringLiteral("librechat/flat.json"));
        ArbordRun r = runArbord(QStringLiteral(ARBORD_PATH),
                                {QStringLiteral("import"), QStringLiteral("--db"), db, file});
        QVERIFY2(r.endedWith(0), qPrintable(r.describe()));
        {
            QSqlDatabase sql =
                QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("others"));
            sql.setDatabaseName(db);
            QVERIFY(sql.open());
            QSqlQuery q(sql);
            for (const char *kind : {"chat", "import"}) {
                QVERIFY2(q.exec(QStringLiteral("INSERT INTO jobs (kind, queue, payload, subject_id,"
                                               " state, run_at, created_at) VALUES ('%1',"
                                               " 'default', '{}', 'someone-else', 'queued', 0, 0)")
                                    .arg(QLatin1StringView(kind))),
                         qPrintable(q.lastError().text()));
            }
            sql.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("others"));
        r = runArbord(QStringLiteral(ARBORD_PATH),
                      {QStringLiteral("import"), QStringLiteral("--db"), db,
                       data(QStringLiteral("librechat/recursive.json")), QStringLiteral("--json")});
        QVERIFY2(r.endedWith(0), qPrintable(r.describe()));
        QCOMPARE(r.object().value(u"conversations").toArray().size(), 1);
        {
            QSqlDatabase sql =
                QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("others"));
            sql.setDatabaseName(db);
            QVERIFY(sql.open());
            QSqlQuery q(sql);
            QVERIFY(q.exec(QStringLiteral("SELECT kind, state, attempts FROM jobs WHERE subject_id"
                                          " = 'someone-else' ORDER BY kind")));
            QStringList rows;
            while (q.next())
                rows << q.value(0).toString() + u'|' + q.value(1).toString() + u'|'
                        + q.value(2).toString();
            QCOMPARE(
                rows,
                (QStringList{QStringLiteral("chat|queued|0"), QStringLiteral("import|queued|0")}));
            // Its own two imports ran.
            QVERIFY(q.exec(QStringLiteral("SELECT count(*) FROM jobs WHERE kind = 'import' AND"
                                          " state = 'done'")));
            QVERIFY(q.next());
            QCOMPARE(q.value(0).toInt(), 2);
            sql.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("others"));
    }

    void usageErrors()
    {
        QVERIFY(arbord({QStringLiteral("import")}).endedWith(2));
        QVERIFY(arbord({QStringLiteral("import"), data(QStringLiteral("chatgpt/shapes.json")),
                        QStringLiteral("--format"), QStringLiteral("gemini")})
                    .endedWith(2));
        const ArbordRun missing =
            arbord({QStringLiteral("import"), m_dir.filePath(QStringLiteral("nope.json"))});
        QVERIFY2(missing.endedWith(1) && missing.err.contains(u"nope.json"),
                 qPrintable(missing.describe()));
    }
};

QTEST_GUILESS_MAIN(TestArbordImport)
#include "tst_arbordimport.moc"
