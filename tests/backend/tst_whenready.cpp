// core::whenReady: the backend's continuation on a context's thread. Qt 6.4 runs a then()
// continuation a second time (with the promise its first run moved away, a SIGSEGV in
// QFutureInterfaceBase::reportStarted) when it is attached between the two halves of
// QFutureInterface::reportFinished() — the base's Finished state, then runContinuation(). That
// is what crashed `arbord bench batch` at a million rows: the store's threads finish futures
// while the engine attaches. whenReady runs exactly once, and never for a context that is gone.
#include "core/whenready.h"
#include "store/store.h"

#include <QObject>
#include <QPromise>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using arbor::core::whenReady;
using arbor::store::Store;

class TestWhenReady : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    /** Deterministically the moment the race hits: the future is finished when the
     *  continuation is attached, and runContinuation() runs afterwards (here: a second
     *  finish(), which is the second half of the finishing thread's reportFinished()). With
     *  future.then(&context, …) the second run crashes. */
    void runsOnceWhenFinishingCompletesAfterTheAttach()
    {
        QObject context;
        QPromise<int> promise;
        QFuture<int> future = promise.future();
        promise.start();
        promise.addResult(7);
        promise.finish();
        int calls = 0;
        int value = 0;
        whenReady(&context, future, [&](QFuture<int> f) {
            ++calls;
            value = f.result();
        });
        QCOMPARE(calls, 0); // always later, never inside the call
        promise.finish();   // runContinuation() again, as the finishing thread does
        QTRY_COMPARE(calls, 1);
        QCOMPARE(value, 7);
        QTest::qWait(20);
        QCOMPARE(calls, 1);
    }

    /** The store's futures, finished on its reader threads while continuations attach: every
     *  read reports exactly once, with its own value. */
    void everyStoreReadReportsOnce()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        Store store(dir.filePath(QStringLiteral("arbor.db")));
        store.open();
        QObject context;
        constexpr int n = 20000;
        std::vector<int> seen(n, 0);
        int done = 0;
        for (int i = 0; i < n; ++i)
            whenReady(&context, store.read([i](QSqlDatabase &) { return i; }), [&](QFuture<int> f) {
                ++seen[size_t(f.result())];
                ++done;
            });
        QTRY_COMPARE_WITH_TIMEOUT(done, n, 60000);
        for (int i = 0; i < n; ++i)
            QCOMPARE(seen[size_t(i)], 1);
    }

    /** An exception reaches the continuation through the future. */
    void carriesExceptions()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        Store store(dir.filePath(QStringLiteral("arbor.db")));
        store.open();
        QObject context;
        QString error;
        whenReady(&context, store.read([](QSqlDatabase &) -> int {
            throw std::runtime_error("no such row");
        }),
                  [&](QFuture<int> f) {
                      try {
                          f.result();
                      } catch (const std::exception &e) {
                          error = QString::fromUtf8(e.what());
                      }
                  });
        QTRY_COMPARE(error, QStringLiteral("no such row"));
    }

    /** A context deleted before the future finishes hears nothing (a job run that ended). */
    void nothingForAContextThatIsGone()
    {
        QPromise<int> promise;
        promise.start();
        int calls = 0;
        auto context = std::make_unique<QObject>();
        whenReady(context.get(), promise.future(), [&](QFuture<int>) { ++calls; });
        context.reset();
        promise.addResult(1);
        promise.finish();
        QTest::qWait(20);
        QCOMPARE(calls, 0);
    }
};

QTEST_GUILESS_MAIN(TestWhenReady)
#include "tst_whenready.moc"
