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
        // Never more than the limit allows (a burst of 3 s on top, over ten minutes); at most 5%
        // below it: the request window (StartWindow) holds each 10 s share over 10.5 s.
        const double expected = 10.0 * perMinute;
        QVERIFY2(
            double(passed) <= 1.02 * expected && double(passed) >= 0.95 * expected,
            qPrintable(
                QStringLiteral("%1 passed, expected %2 (-5%, +2%)").arg(passed).arg(expected)));
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

    void noTenSecondsHoldMoreThanTheirShare()
    {
        // 6,000 per minute: a full bucket's burst (300) plus ten seconds of refill (1,000) would
        // be 1,300 in ten seconds; the request window keeps any 10.5 s to 1,000.
        QueueSettings s;
        s.name = QStringLiteral("p");
        s.requestsPerMinute = 6000;
        QueueLimiter limiter(s, 0);
        QList<qint64> starts;
        for (qint64 now = 0; now < 60'000; ++now) {
            int n = limiter.startable(0, now);
            while (n-- > 0 && limiter.tryStart(0, now))
                starts.append(now);
        }
        qsizetype most = 0;
        for (qsizetype i = 0, j = 0; i < starts.size(); ++i) {
            while (j < starts.size() && starts[j] < starts[i] + StartWindow::WindowMs)
                ++j;
            most = std::max(most, j - i);
        }
        QCOMPARE(most, qsizetype(1000));
        QVERIFY(starts.size() <= 6000);
        QVERIFY(starts.size() >= 5700);
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
        // Exhausted: the configured bucket is empty and refills at its own rate (10/s); with no
        // limit stated, the reset alone says nothing about when one more request fits.
        info.remainingRequests = 0;
        info.requestsResetMs = 20'000;
        limiter.applyVendorInfo(info, 0);
        QCOMPARE(limiter.startable(0, 0), 0);
        QCOMPARE(limiter.msUntilReady(0), qint64(100));
        QCOMPARE(limiter.startable(0, 100), 1);
        QCOMPARE(limiter.blockedUntil(), qint64(0));
    }

    void anExhaustedWindowWithoutALimitHoldsNothing()
    {
        // The 429 of issue 15: Retry-After 1, x-ratelimit-remaining-tokens 0,
        // x-ratelimit-reset-tokens 6m0s, no limit. The window must not freeze the queue.
        QueueSettings s;
        s.name = QStringLiteral("p");
        QueueLimiter limiter(s, 0);
        RateLimitInfo info;
        info.remainingTokens = 0;
        info.tokensResetMs = 360'000;
        limiter.applyVendorInfo(info, 0);
        QCOMPARE(limiter.startable(0, 0), INT_MAX);
        QCOMPARE(limiter.msUntilStart(50, 0), qint64(0));
        QVERIFY(!limiter.pacesTokens());
        // The Retry-After holds the queue for its length only.
        limiter.holdUntil(1000);
        QCOMPARE(limiter.msUntilStart(50, 0), qint64(1000));
        QCOMPARE(limiter.state(0, 0).readyAt, qint64(1000));
        QCOMPARE(limiter.startable(0, 1000), INT_MAX);
    }

    void anExhaustedWindowPacesInProportionToTheCost()
    {
        // The same window with its limit: 150,000 tokens come back over 6 minutes, so a request
        // of 50 tokens waits 120 ms, one of 15,000 waits 36 s, and nothing waits 6 minutes
        // unless it needs the whole window.
        QueueSettings s;
        s.name = QStringLiteral("p");
        QueueLimiter limiter(s, 0);
        RateLimitInfo info;
        info.limitTokens = 150'000;
        info.remainingTokens = 0;
        info.tokensResetMs = 360'000;
        limiter.applyVendorInfo(info, 0);
        QVERIFY(limiter.pacesTokens());
        QCOMPARE(limiter.msUntilStart(50, 0), qint64(120));
        QCOMPARE(limiter.msUntilStart(15'000, 0), qint64(36'000));
        QCOMPARE(limiter.msUntilStart(900'000, 0),
                 qint64(360'000)); // above the limit: a full window
        QCOMPARE(limiter.blockedUntil(), qint64(0));
        // The first token is back within 3 ms: the queue claims again; what a job costs it
        // owes, which delays the next one by as much.
        QCOMPARE(limiter.startable(0, 2), 0);
        QCOMPARE(limiter.startable(0, 3), INT_MAX);
        QVERIFY(!limiter.tryStart(50, 119));
        QVERIFY(limiter.tryStart(50, 120));
        QCOMPARE(limiter.msUntilStart(50, 120), qint64(120));
        // The real usage was 10 tokens: the 40 over-estimated come back.
        limiter.correctTokens(50, 10, 120);
        QCOMPARE(limiter.msUntilStart(50, 120), qint64(24));
        // A later response says more is left: it never raises what Arbor charged since.
        info.remainingTokens = 100'000;
        info.tokensResetMs = 120'000;
        limiter.applyVendorInfo(info, 120);
        QCOMPARE(limiter.msUntilStart(50, 120), qint64(24));
        QCOMPARE(limiter.state(0, 120).vendorTokensAvailable, 40.0);
    }

    void requestWindowsPaceToo()
    {
        // A success that says 0 of 60 requests are left, full again in 30 s: one request every
        // 500 ms, not a 30 s freeze.
        QueueSettings s;
        s.name = QStringLiteral("p");
        QueueLimiter limiter(s, 0);
        RateLimitInfo info;
        info.limitRequests = 60;
        info.remainingRequests = 0;
        info.requestsResetMs = 30'000;
        limiter.applyVendorInfo(info, 0);
        QCOMPARE(limiter.msUntilReady(0), qint64(500));
        QCOMPARE(limiter.startable(0, 499), 0);
        QCOMPARE(limiter.startable(0, 500), 1);
        limiter.charge(0, 500);
        QCOMPARE(limiter.msUntilReady(500), qint64(500));
        QCOMPARE(limiter.state(0, 500).vendorRequestsAvailable, 0.0);
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
