// jobs::Backoff: exponential ceiling with full jitter, capped; Retry-After is a floor.
#include "jobs/backoff.h"

#include <QTest>

using arbor::jobs::Backoff;

namespace {
Backoff make(double r, qint64 base = 1000, qint64 cap = 60000)
{
    Backoff b;
    b.baseMs = base;
    b.capMs = cap;
    b.random = [r] { return r; };
    return b;
}
} // namespace

class TestBackoff : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void ceilingDoublesPerAttempt()
    {
        const Backoff b = make(0.5);
        QCOMPARE(b.ceilingFor(1), 1000);
        QCOMPARE(b.ceilingFor(2), 2000);
        QCOMPARE(b.ceilingFor(3), 4000);
        QCOMPARE(b.ceilingFor(6), 32000);
        QCOMPARE(b.ceilingFor(7), 60000); // 64 s capped
        QCOMPARE(b.ceilingFor(0), 1000);  // nonsense attempts do not go below the base
    }

    void delayGrowsWithAttemptsUntilTheCap()
    {
        const Backoff b = make(0.75);
        qint64 previous = -1;
        for (int attempt = 1; attempt <= 6; ++attempt) {
            const qint64 d = b.delayFor(attempt);
            QVERIFY2(d > previous,
                     qPrintable(
                         QStringLiteral("attempt %1: %2 <= %3").arg(attempt).arg(d).arg(previous)));
            previous = d;
        }
        QCOMPARE(b.delayFor(1), 750);
        QCOMPARE(b.delayFor(3), 3000);
    }

    void delayIsBoundedByTheCap()
    {
        const Backoff b = make(0.999999, 1000, 30000);
        for (int attempt : {1, 5, 6, 10, 31, 64, 1000, std::numeric_limits<int>::max()}) {
            const qint64 d = b.delayFor(attempt);
            QVERIFY2(d >= 0 && d <= 30000,
                     qPrintable(QStringLiteral("attempt %1 gave %2").arg(attempt).arg(d)));
        }
        QVERIFY(b.delayFor(1000) > 29000); // the top of the range is reachable
    }

    void jitterSpansZeroToCeiling()
    {
        QCOMPARE(make(0.0).delayFor(4), 0);
        QCOMPARE(make(0.5).delayFor(4), 4000);
        QVERIFY(make(0.999).delayFor(4) < 8000);
    }

    void retryAfterIsAFloor()
    {
        QCOMPARE(make(0.0).delayFor(1, 5000), 5000);
        QCOMPARE(make(0.5).delayFor(2, 200), 1000);
        // A server may ask for more than the cap: it is obeyed.
        QCOMPARE(make(0.5, 1000, 60000).delayFor(1, 120000), 120000);
    }

    void defaultRandomStaysInRange()
    {
        Backoff b; // no injected random: the global generator
        for (int i = 0; i < 200; ++i) {
            const qint64 d = b.delayFor(3);
            QVERIFY(d >= 0 && d <= b.ceilingFor(3));
        }
    }
};

QTEST_GUILESS_MAIN(TestBackoff)
#include "tst_backoff.moc"
