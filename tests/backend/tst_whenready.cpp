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
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <atomic>
#include <memory>
#include <stdexcept>

using arbor::core::thenReady;
using arbor::core::whenReady;
using arbor::store::Store;

namespace {

/** @brief A fresh store in a folder of its own, open, for one test. */
struct TempStore
{
    TempStore() { store.open(); }
    QTemporaryDir dir;
    Store store{dir.filePath(QStringLiteral("arbor.db"))};
};

} // namespace

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
        TempStore temp;
        Store &store = temp.store;
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
        TempStore temp;
        Store &store = temp.store;
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
    /** thenReady: the value, mapped on the context's thread, later, exactly once, also when
     *  the future finishes between the attach and the finishing thread's runContinuation(). */
    void thenReadyMapsTheValueOnce()
    {
        QObject context;
        QPromise<int> promise;
        promise.start();
        promise.addResult(20);
        promise.finish();
        int calls = 0;
        QThread *ranOn = nullptr;
        QFuture<QString> mapped = thenReady(&context, promise.future(), [&](int v) {
            ++calls;
            ranOn = QThread::currentThread();
            return QString::number(v + 1);
        });
        QCOMPARE(calls, 0); // always later, never inside the call
        QVERIFY(!mapped.isFinished());
        promise.finish(); // runContinuation() again, as the finishing thread does
        QTRY_VERIFY(mapped.isFinished());
        QCOMPARE(mapped.result(), QStringLiteral("21"));
        QCOMPARE(calls, 1);
        QCOMPARE(ranOn, context.thread());
    }

    /** A store future's exception passes on to the result; the value function never runs. */
    void thenReadyPassesExceptionsOn()
    {
        TempStore temp;
        Store &store = temp.store;
        QObject context;
        bool ran = false;
        QFuture<int> mapped = thenReady(&context, store.read([](QSqlDatabase &) -> int {
            throw std::runtime_error("no such row");
        }),
                                        [&](int v) {
                                            ran = true;
                                            return v;
                                        });
        QTRY_VERIFY(mapped.isFinished());
        QVERIFY(!ran);
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, mapped.waitForFinished());
        // A function that takes the future sees the exception itself and answers for it.
        QFuture<QString> handled = thenReady(
            &context, store.read([](QSqlDatabase &) -> int { throw std::runtime_error("gone"); }),
            [](QFuture<int> f) {
                try {
                    return QString::number(f.result());
                } catch (const std::exception &e) {
                    return QString::fromUtf8(e.what());
                }
            });
        QTRY_VERIFY(handled.isFinished());
        QCOMPARE(handled.result(), QStringLiteral("gone"));
        // An exception thrown by the function is the result's.
        QFuture<void> thrown = thenReady(&context, store.read([](QSqlDatabase &) { return 1; }),
                                         [](int) { throw std::logic_error("refused"); });
        QTRY_VERIFY(thrown.isFinished());
        QVERIFY_THROWS_EXCEPTION(std::logic_error, thrown.waitForFinished());
    }

    /** A cancelled future cancels the result without running the value function. */
    void thenReadyPassesCancellationOn()
    {
        QObject context;
        bool ran = false;
        QFuture<void> mapped;
        {
            QPromise<int> promise; // dropped unfinished: ~QPromise cancels it
            promise.start();
            mapped = thenReady(&context, promise.future(), [&](int) { ran = true; });
        }
        QTRY_VERIFY(mapped.isFinished());
        QVERIFY(mapped.isCanceled());
        QVERIFY(!ran);
    }

    /** A context gone before the future finishes: the function never runs, the result is
     *  cancelled (nobody waits for it forever). */
    void thenReadyCancelsForAContextThatIsGone()
    {
        QPromise<int> promise;
        promise.start();
        int calls = 0;
        auto context = std::make_unique<QObject>();
        QFuture<int> mapped = thenReady(context.get(), promise.future(), [&](int v) {
            ++calls;
            return v;
        });
        context.reset();
        QVERIFY(mapped.isFinished());
        QVERIFY(mapped.isCanceled());
        promise.addResult(1);
        promise.finish();
        QTest::qWait(20);
        QCOMPARE(calls, 0);
    }

    /** A context on another thread (a tool host on the engine's): the function runs there, as
     *  then() did, and a caller may block on the result. */
    void thenReadyRunsOnAContextOnAnotherThread()
    {
        QThread thread;
        thread.start();
        auto *context = new QObject;
        context->moveToThread(&thread);
        QPromise<int> promise;
        promise.start();
        QThread *ranOn = nullptr; // written there before the result, read here after it
        QFuture<int> mapped = thenReady(context, promise.future(), [&ranOn](int v) {
            ranOn = QThread::currentThread();
            return v * 2;
        });
        promise.addResult(4);
        promise.finish();
        QCOMPARE(mapped.result(), 8);
        QCOMPARE(ranOn, &thread);
        context->deleteLater();
        thread.quit();
        thread.wait();
    }

    /** Chained, with void steps, over the store's writer: each step in order, once. */
    void thenReadyChains()
    {
        TempStore temp;
        Store &store = temp.store;
        QObject context;
        QStringList steps;
        QFuture<void> written = store.write([](QSqlDatabase &) {});
        QFuture<int> first = thenReady(&context, written, [&] {
            steps << QStringLiteral("written");
            return 2;
        });
        QFuture<void> second = thenReady(
            &context, first, [&](int v) { steps << QStringLiteral("doubled %1").arg(v * 2); });
        QFuture<QString> third = thenReady(&context, second, [&] {
            steps << QStringLiteral("done");
            return steps.join(QLatin1Char(','));
        });
        QTRY_VERIFY(third.isFinished());
        QCOMPARE(third.result(), QStringLiteral("written,doubled 4,done"));
    }

    /** The store's own second step (write(f, then)): run on the writer after COMMIT, before
     *  the future finishes, so a caller may block on it (no event loop needed); skipped when
     *  the task failed; its exception is the future's. Many at once, each exactly once. */
    void storeThenRunsOnceAfterCommit()
    {
        TempStore temp;
        Store &store = temp.store;
        store
            .write([](QSqlDatabase &db) {
                QSqlQuery(db).exec(QStringLiteral("CREATE TABLE t (v INTEGER)"));
            })
            .waitForFinished();
        constexpr int n = 5000;
        auto calls = std::make_shared<std::atomic<int>>(0);
        QList<QFuture<QString>> answers;
        for (int i = 0; i < n; ++i)
            answers.append(store.write(
                [i](QSqlDatabase &db) {
                    QSqlQuery q(db);
                    q.prepare(QStringLiteral("INSERT INTO t (v) VALUES (?)"));
                    q.addBindValue(i);
                    q.exec();
                    return i;
                },
                [calls](int stored) {
                    ++*calls;
                    return QString::number(stored);
                }));
        for (int i = 0; i < n; ++i)
            QCOMPARE(answers[i].result(), QString::number(i)); // blocks: no event loop involved
        QCOMPARE(calls->load(), n);
        // The second step saw a committed row: a reader finds it.
        const int rows = store
                             .read([](QSqlDatabase &db) {
                                 QSqlQuery q(db);
                                 q.exec(QStringLiteral("SELECT count(*) FROM t"));
                                 q.next();
                                 return q.value(0).toInt();
                             })
                             .result();
        QCOMPARE(rows, n);

        bool ran = false;
        QFuture<int> failed =
            store.write([](QSqlDatabase &) -> int { throw std::runtime_error("constraint"); },
                        [&ran](int v) {
                            ran = true;
                            return v;
                        });
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, failed.waitForFinished());
        QVERIFY(!ran);
        QFuture<void> refused =
            store.read([](QSqlDatabase &) {}, [] { throw std::logic_error("second step"); });
        QVERIFY_THROWS_EXCEPTION(std::logic_error, refused.waitForFinished());
    }
};

QTEST_GUILESS_MAIN(TestWhenReady)
#include "tst_whenready.moc"
