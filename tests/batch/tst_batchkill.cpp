// Exactly once under SIGKILL (issue 21): a run of 20,000 rows × 2 models against the fake vendor,
// `arbord worker` killed with SIGKILL at random moments 10 times (fixed seed), restarted each
// time; at the end every row has exactly one result per model, and it is that row's.
#include "batchtestsupport.h"

#include <QProcess>
#include <QRandomGenerator>
#include <QTest>

using namespace arbor::testsupport;

class TestBatchKill : public QObject
{
    Q_OBJECT

    static constexpr int Rows = 20000;
    static constexpr int Models = 2;
    static constexpr int Kills = 10;

    BatchFixture f;

    QProcess *startWorker()
    {
        auto *p = new QProcess(this);
        p->setProcessEnvironment(BatchFixture::env());
        p->setProcessChannelMode(QProcess::ForwardedErrorChannel);
        p->start(QStringLiteral(ARBORD_PATH),
                 {QStringLiteral("worker"), QStringLiteral("--db"), f.db(),
                  QStringLiteral("--concurrency"), QStringLiteral("16")});
        return p;
    }

    int finished() const
    {
        return f
            .scalar(QStringLiteral("SELECT count(*) FROM batch_results WHERE status IN "
                                   "('done', 'failed')"))
            .toInt();
    }

private Q_SLOTS:
    void everyRowOnceAfterTenKills()
    {
        f.server.setLogBodies(false);
        QVERIFY(f.addFakeVendor());
        const qint64 run = f.createRun(Rows, QStringLiteral("fake/m1,fake/m2"));
        QVERIFY(run > 0);
        QVERIFY(f.arbord({QStringLiteral("batch"), QStringLiteral("start"), QString::number(run)})
                    .endedWith(0));

        QRandomGenerator rng(21); // fixed seed: the same kill moments every run
        for (int k = 0; k < Kills; ++k) {
            QProcess *worker = startWorker();
            QVERIFY(worker->waitForStarted());
            const int before = finished();
            // Some progress first (the worker has claimed and is writing), then a random moment.
            QTRY_VERIFY_WITH_TIMEOUT(finished() > before, 60000);
            QTest::qWait(int(rng.bounded(50, 700)));
            worker->kill(); // SIGKILL: no clean-up at all
            QVERIFY(worker->waitForFinished());
            QCOMPARE(worker->exitStatus(), QProcess::CrashExit);
            delete worker;
        }
        const int atLastKill = finished();
        QVERIFY2(atLastKill < Rows * Models,
                 "the run finished before the tenth kill: nothing was tested");

        QProcess *last = startWorker();
        QVERIFY(last->waitForStarted());
        QTRY_COMPARE_WITH_TIMEOUT(
            f.scalar(QStringLiteral("SELECT state FROM batch_runs WHERE id = ?"), {run}).toString(),
            QStringLiteral("completed"), 240000);
        last->terminate();
        QVERIFY(last->waitForFinished(30000));
        QCOMPARE(last->exitStatus(), QProcess::NormalExit);

        // Exactly one result per row and model, done, and it is that row's own answer.
        QCOMPARE(
            f.scalar(QStringLiteral("SELECT count(*) FROM batch_results WHERE run_id = ?"), {run})
                .toInt(),
            Rows * Models);
        QCOMPARE(f.scalar(QStringLiteral("SELECT count(*) FROM batch_results WHERE run_id = ? AND "
                                         "status = 'done'"),
                          {run})
                     .toInt(),
                 Rows * Models);
        QCOMPARE(f.scalar(QStringLiteral("SELECT count(*) FROM (SELECT row_no FROM batch_results"
                                         " WHERE run_id = ? GROUP BY row_no HAVING count(*) = ?)"),
                          {run, Models})
                     .toInt(),
                 Rows);
        QCOMPARE(f.scalar(QStringLiteral(
                              "SELECT count(*) FROM batch_results x JOIN batch_rows r ON"
                              " r.run_id = x.run_id AND r.row_no = x.row_no JOIN batch_models m"
                              " ON m.run_id = x.run_id AND m.idx = x.model_idx WHERE x.run_id = ?"
                              " AND x.text = m.model || '|' || json_extract(r.input, '$[0]') ||"
                              " ': ' || json_extract(r.input, '$[1]')"),
                          {run})
                     .toInt(),
                 Rows * Models);
        QCOMPARE(f.scalar(QStringLiteral("SELECT done_count FROM batch_runs WHERE id = ?"), {run})
                     .toInt(),
                 Rows * Models);
        QCOMPARE(f.scalar(QStringLiteral("SELECT failed_count FROM batch_runs WHERE id = ?"), {run})
                     .toInt(),
                 0);
        // No job of the run is left behind, and every call the vendor got was for a row.
        QCOMPARE(
            f.scalar(QStringLiteral("SELECT count(*) FROM jobs WHERE kind = 'batch.row'")).toInt(),
            0);
        QVERIFY(f.server.requests().size() >= Rows * Models);
        qInfo("%lld vendor calls for %d results after %d kills", qint64(f.server.requests().size()),
              Rows * Models, Kills);
    }
};

QTEST_GUILESS_MAIN(TestBatchKill)
#include "tst_batchkill.moc"
