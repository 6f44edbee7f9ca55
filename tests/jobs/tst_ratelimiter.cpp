// TokenBucket and QueueLimiter on a simulated clock.
#include "jobs/ratelimiter.h"

#include <QTest>

using namespace arbor::jobs;

class TestRateLimiter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void requestsPerMinuteHoldOverTenMinutes_data()
    {
        QTest::addColumn<int>("perMinute");
        QTest::addColumn<int>("stepMs");
        QTest::newRow("60/min, 10 ms steps") << 60 << 10;
        QTest::newRow("500/min, 7 ms steps") << 500 << 7;
        QTest::newRow("3500/min, 1 ms steps") << 3500 << 1;
        QTest::newRow("10000/min, 50 ms steps") << 10000 << 50;
    }

    void requestsPerMinuteHoldOverTenMinutes()
    {
        QFETCH(int, perMinute);
        QFETCH(int, stepMs);
        QueueSettings s;
        s.name = QStringLiteral("p");
        s.requestsPerMinute = perMinute;
        const qint64 start = 1'000'000;
        QueueLimiter limiter(s, start);
        // A greedy client: starts everything the limiter allows, as often as it may ask.
        qint64 passed = 0;
        for (qint64 now = start; now < start + 10 * 60'000; now += stepMs) {
            int n = limiter.startable(0, now);
            while (n-- > 0 && limiter.tryStart(0, now))
                ++passed;
        }
        const double expected = 10.0 * perMinute;
        QVERIFY2(std::abs(double(passed) - expected) <= 0.02 * expected,
                 qPrintable(QStringLiteral("%1 passed, expected %2 ± 2%").arg(passed).arg(expected)));
    }

    void tokensPerMinuteUseEstimatesCorrectedByUsage()
    {
        QueueSettings s;
        s.name = QStringLiteral("p");
        s.tokensPerMinute = 60'000; // 1 token per ms, capacity 3000
        QueueLimiter limiter(s, 0);
        QVERIFY(limiter.tryStart(2000, 0));
        QVERIFY(!limiter.tryStart(2000, 0)); // 1000 left
        // The call used 500 tokens, not 2000: the difference comes back.
        limiter.correctTokens(2000, 500, 0);
        QVERIFY(limiter.tryStart(2000, 0));
        // Under-estimated: the extra is owed and delays the next start.
        limiter.correctTokens(100, 3100, 0);
        QVERIFY(!limiter.tryStart(1, 0));
        QCOMPARE(limiter.msUntilReady(0), qint64(2501));
        QVERIFY(limiter.tryStart(1, 2501));
    }

    void aCostAboveTheBurstPassesWhenTheBucketIsFull()
    {
        TokenBucket bucket(6000, QueueLimiter::BurstMs, 0); // capacity 300
        QVERIFY(bucket.canSpend(1000, 0));
        bucket.spend(1000, 0); // now -700
        QVERIFY(!bucket.canSpend(1, 0));
        QCOMPARE(bucket.msUntil(300, 0), qint64(10000));
        QVERIFY(bucket.canSpend(1000, 10000));
    }

    void retryAfterHoldsTheQueue()
    {
        QueueSettings s;
        s.name = QStringLiteral("p");
        QueueLimiter limiter(s, 0);
        QCOMPARE(limiter.startable(0, 0), INT_MAX);
        limiter.holdUntil(30'000);
        QCOMPARE(limiter.startable(0, 29'999), 0);
        QCOMPARE(limiter.msUntilReady(10'000), qint64(20'000));
        QCOMPARE(limiter.startable(0, 30'000), INT_MAX);
    }

    void vendorHeadersTightenTheBuckets()
    {
        QueueSettings s;
        s.name = QStringLiteral("p");
        s.requestsPerMinute = 600; // capacity 30
        QueueLimiter limiter(s, 0);
        QCOMPARE(limiter.startable(0, 0), 30);
        RateLimitInfo info;
        info.remainingRequests = 4;
        limiter.applyVendorInfo(info, 0);
        QCOMPARE(limiter.startable(0, 0), 4);
        // Exhausted with a reset time: nothing starts until then, even if the bucket refills.
        info.remainingRequests = 0;
        info.requestsResetMs = 20'000;
        limiter.applyVendorInfo(info, 0);
        QCOMPARE(limiter.startable(0, 19'999), 0);
        QVERIFY(limiter.startable(0, 20'000) > 0);
    }

    void concurrencyAndPause()
    {
        QueueSettings s;
        s.name = QStringLiteral("p");
        s.concurrency = 3;
        QueueLimiter limiter(s, 0);
        QCOMPARE(limiter.startable(1, 0), 2);
        QCOMPARE(limiter.startable(3, 0), 0);
        s.paused = true;
        limiter.configure(s, 0);
        QCOMPARE(limiter.startable(0, 0), 0);
        QCOMPARE(limiter.msUntilReady(0), qint64(-1));
        const QueueLimitState state = limiter.state(2, 0);
        QVERIFY(state.paused);
        QCOMPARE(state.running, 2);
        QCOMPARE(state.requestsAvailable, -1.0);
    }
};

QTEST_GUILESS_MAIN(TestRateLimiter)
#include "tst_ratelimiter.moc"
