// HighlightWatchdog: the time limit that stops a code block highlight.js takes too long over
// (issue 17). It counts the worker's CPU time, so a busy machine does not cut blocks short.
#include "highlightwatchdog.h"

#include <QTest>

#include <atomic>
#include <chrono>
#include <thread>

using namespace std::chrono_literals;
using arbor::app::HighlightWatchdog;

class TestHighlightWatchdog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void expiresWhenTheWorkRunsPastTheLimit()
    {
        std::atomic_int expired = 0;
        HighlightWatchdog watchdog([&] { ++expired; });
        watchdog.arm(20ms);
        const auto start = std::chrono::steady_clock::now();
        // Busy, as highlight.js is, until stopped (or far too long).
        while (expired == 0 && std::chrono::steady_clock::now() - start < 10s) {}
        QCOMPARE(expired.load(), 1);
        QVERIFY(watchdog.disarm());
        QVERIFY(!watchdog.disarm()); // reported once
    }

    void disarmedInTimeNeverExpires()
    {
        std::atomic_int expired = 0;
        HighlightWatchdog watchdog([&] { ++expired; });
        watchdog.arm(200ms);
        QVERIFY(!watchdog.disarm());
        std::this_thread::sleep_for(300ms);
        QCOMPARE(expired.load(), 0);
    }

    void waitingIsNotWorking()
    {
#if defined(Q_OS_UNIX) && !defined(Q_OS_DARWIN)
        std::atomic_int expired = 0;
        HighlightWatchdog watchdog([&] { ++expired; });
        watchdog.arm(30ms);
        std::this_thread::sleep_for(200ms); // the thread uses no CPU: the limit has not passed
        QCOMPARE(expired.load(), 0);
        QVERIFY(!watchdog.disarm());
#else
        QSKIP("the limit counts time on the clock here");
#endif
    }

    void expireNowStopsTheArmedWorkOnly()
    {
        std::atomic_int expired = 0;
        HighlightWatchdog watchdog([&] { ++expired; });
        watchdog.expireNow(); // nothing armed
        QCOMPARE(expired.load(), 0);
        watchdog.arm(10s);
        watchdog.expireNow();
        QCOMPARE(expired.load(), 1);
        QVERIFY(watchdog.disarm());
    }
};

QTEST_GUILESS_MAIN(TestHighlightWatchdog)
#include "tst_highlightwatchdog.moc"
