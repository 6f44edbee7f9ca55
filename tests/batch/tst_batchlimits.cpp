// Rate limits hold for batch runs (issue 21): with 6,000 requests/minute configured on the
// provider's queue, no 10-second window of the fake vendor's request log holds more than 1,000
// requests. A correctness property of the limiter, not a measure of our speed: the run may be
// slower, never faster.
#include "batchtestsupport.h"

#include <QProcess>
#include <QTest>

#include <algorithm>

using namespace arbor::testsupport;

class TestBatchLimits : public QObject
{
    Q_OBJECT

    static constexpr int Rows = 1500; // 15 s of requests at the limit: some window is full

private Q_SLOTS:
    void sixThousandPerMinuteIsAThousandPerTenSeconds()
    {
        BatchFixture f;
        f.server.setLogBodies(false);
        QVERIFY(f.addFakeVendor());
        const qint64 run = f.createRun(Rows, QStringLiteral("fake/m1"));
        QVERIFY(run > 0);
        const ArbordRun limit =
            f.arbord({QStringLiteral("jobs"), QStringLiteral("limit"), QStringLiteral("fake"),
                      QStringLiteral("--rpm"), QStringLiteral("6000")});
        QVERIFY2(limit.endedWith(0), qPrintable(limit.describe()));

        QProcess runner;
        runner.setProcessEnvironment(BatchFixture::env());
        runner.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        runner.start(QStringLiteral(ARBORD_PATH),
                     {QStringLiteral("batch"), QStringLiteral("start"), QString::number(run),
                      QStringLiteral("--wait"), QStringLiteral("--concurrency"),
                      QStringLiteral("32"), QStringLiteral("--db"), f.db()});
        QVERIFY(runner.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(runner.state() == QProcess::NotRunning, 150000);
        QCOMPARE(runner.exitStatus(), QProcess::NormalExit);
        QCOMPARE(runner.exitCode(), 0);
        QCOMPARE(f.scalar(QStringLiteral("SELECT done_count FROM batch_runs WHERE id = ?"), {run})
                     .toInt(),
                 Rows);

        QList<qint64> at;
        for (const auto &r : f.server.requests())
            at.append(r.receivedAtMs);
        std::sort(at.begin(), at.end());
        QCOMPARE(at.size(), Rows);
        qsizetype most = 0;
        for (qsizetype i = 0, j = 0; i < at.size(); ++i) {
            while (j < at.size() && at[j] < at[i] + 10000)
                ++j;
            most = std::max(most, j - i);
        }
        qInfo("%d requests in %.1f s; at most %lld in a 10-second window", Rows,
              double(at.last() - at.first()) / 1000.0, qint64(most));
        QVERIFY2(most <= 1000, qPrintable(QStringLiteral("%1 requests in 10 s").arg(most)));
    }
};

QTEST_GUILESS_MAIN(TestBatchLimits)
#include "tst_batchlimits.moc"
