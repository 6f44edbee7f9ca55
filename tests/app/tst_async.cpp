// whenDone(): the app's one way to wait for the backend. Always later (never inside the call,
// which Qt 6.4's then() does for a finished future), on the context's thread, errors as text,
// nothing for a context that is gone.
#include "async.h"

#include <QPromise>
#include <QTest>
#include <QThread>
#include <QtConcurrent>

#include <memory>
#include <stdexcept>

using arbor::app::whenDone;
using arbor::app::whenFailed;

class TestAsync : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void aFinishedFutureIsDeliveredLaterNotInline()
    {
        QObject context;
        QStringList order;
        whenDone(
            &context, QtFuture::makeReadyFuture(42),
            [&order](int v) { order << QStringLiteral("value %1").arg(v); },
            [&order](const QString &) { order << QStringLiteral("error"); });
        order << QStringLiteral("after the call");
        QTRY_COMPARE(order.size(), 2);
        QCOMPARE(order,
                 (QStringList{QStringLiteral("after the call"), QStringLiteral("value 42")}));
    }

    void anExceptionBecomesTheErrorText()
    {
        QObject context;
        QString error;
        bool valued = false;
        QFuture<void> failing = QtConcurrent::run([] { throw std::runtime_error("disk is full"); });
        whenDone(
            &context, failing, [&valued] { valued = true; },
            [&error](const QString &e) { error = e; });
        QTRY_COMPARE(error, QStringLiteral("disk is full"));
        QVERIFY(!valued);

        QString other;
        whenFailed(&context, QtConcurrent::run([]() -> int { throw 7; }),
                   [&other](const QString &e) { other = e; });
        QTRY_COMPARE(other, QStringLiteral("an unexpected error"));
    }

    void deliveredOnTheContextsThread()
    {
        QObject context;
        QThread *seen = nullptr;
        QFuture<QString> slow = QtConcurrent::run([] {
            QThread::msleep(20);
            return QStringLiteral("done");
        });
        QString value;
        whenDone(
            &context, slow,
            [&seen, &value](const QString &v) {
                seen = QThread::currentThread();
                value = v;
            },
            [](const QString &) {});
        QTRY_COMPARE(value, QStringLiteral("done"));
        QCOMPARE(seen, context.thread());
    }

    void nothingRunsForAContextThatIsGone()
    {
        auto context = std::make_unique<QObject>();
        bool called = false;
        QPromise<int> promise;
        whenDone(
            context.get(), promise.future(), [&called](int) { called = true; },
            [&called](const QString &) { called = true; });
        context.reset();
        promise.start();
        promise.addResult(1);
        promise.finish();
        QTest::qWait(50);
        QVERIFY(!called);

        // Gone between the future's end and the delivery through the event loop.
        context = std::make_unique<QObject>();
        whenDone(
            context.get(), QtFuture::makeReadyFuture(2), [&called](int) { called = true; },
            [&called](const QString &) { called = true; });
        context.reset();
        QTest::qWait(50);
        QVERIFY(!called);
    }
};

QTEST_GUILESS_MAIN(TestAsync)
#include "tst_async.moc"
