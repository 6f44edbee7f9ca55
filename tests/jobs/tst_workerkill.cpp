// A real `arbord worker` killed with SIGKILL in the middle of 10,000 jobs, restarted, and every
// job's effect recorded exactly once. The effect (a row in test_effects) commits in the same
// transaction as the job's completion (hidden kind "test.effect", ARBOR_TEST_JOB_KINDS=1).
#include "jobs/jobqueries.h"
#include "store/sql.h"
#include "store/store.h"
#include "support/dbconnection.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using arbor::testsupport::DbConnection;

class TestWorkerKill : public QObject
{
    Q_OBJECT

    static constexpr int Jobs = 10000;

    QProcess *startWorker(const QString &db, int concurrency)
    {
        auto *p = new QProcess(this);
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("ARBOR_TEST_JOB_KINDS"), QStringLiteral("1"));
        env.insert(QStringLiteral("ARBOR_DB"), db);
        p->setProcessEnvironment(env);
        p->setProcessChannelMode(QProcess::ForwardedErrorChannel);
        p->start(QStringLiteral(ARBORD_PATH),
                 {QStringLiteral("worker"), QStringLiteral("--db"), db,
                  QStringLiteral("--concurrency"), QString::number(concurrency)});
        return p;
    }

private Q_SLOTS:
    void killedWorkerLosesNothingAndDoublesNothing()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("arbor.db"));
        {
            arbor::store::Store store(path, 1);
            store.open();
            store
                .write([](QSqlDatabase &db) {
                    arbor::store::exec(
                        db, QStringLiteral("CREATE TABLE test_effects (job_id INTEGER NOT NULL)"));
                    for (int i = 0; i < Jobs; ++i) {
                        arbor::jobs::JobSpec s;
                        s.kind = QStringLiteral("test.effect");
                        s.maxAttempts = 3;
                        s.payload = {{QStringLiteral("n"), i}};
                        arbor::jobs::queries::insert(db, s, 1);
                    }
                })
                .waitForFinished();
        }
        DbConnection c(path, DbConnection::Mode::ReadOnly);
        auto done = [&c] {
            return c.scalar(QStringLiteral("SELECT count(*) FROM jobs WHERE state = 'done'"))
                .toInt();
        };

        QProcess *first = startWorker(path, 2);
        QVERIFY(first->waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(done() >= 500, 60000);
        first->kill(); // SIGKILL: no clean-up at all
        QVERIFY(first->waitForFinished());
        QCOMPARE(first->exitStatus(), QProcess::CrashExit);
        const int doneAtKill = done();
        QVERIFY2(doneAtKill < Jobs, "the worker finished before it could be killed");

        QProcess *second = startWorker(path, 8);
        QVERIFY(second->waitForStarted());
        QTRY_COMPARE_WITH_TIMEOUT(done(), Jobs, 120000);
        second->terminate(); // SIGTERM: clean shutdown
        QVERIFY(second->waitForFinished(30000));
        QCOMPARE(second->exitStatus(), QProcess::NormalExit);
        QCOMPARE(second->exitCode(), 0);

        QCOMPARE(
            c.scalar(QStringLiteral("SELECT count(*) FROM jobs WHERE state != 'done'")).toInt(), 0);
        QCOMPARE(c.scalar(QStringLiteral("SELECT count(*) FROM test_effects")).toInt(), Jobs);
        QCOMPARE(
            c.scalar(QStringLiteral("SELECT count(DISTINCT job_id) FROM test_effects")).toInt(),
            Jobs);
        QCOMPARE(c.scalar(QStringLiteral(
                              "SELECT count(*) FROM test_effects e JOIN jobs j ON j.id = e.job_id"))
                     .toInt(),
                 Jobs);
        // The clean stop unregistered its worker; the killed one was cleared by the restart.
        QCOMPARE(c.scalar(QStringLiteral("SELECT count(*) FROM workers")).toInt(), 0);
    }
};

QTEST_GUILESS_MAIN(TestWorkerKill)
#include "tst_workerkill.moc"
