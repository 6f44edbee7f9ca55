// JobEngine: a real engine on a temp store, running jobs of a kind defined here.
#include "jobs/jobengine.h"
#include "jobs/jobhandler.h"
#include "jobs/jobqueries.h"
#include "jobs/jobrun.h"
#include "store/store.h"
#include "support/dbconnection.h"

#include <QCoreApplication>
#include <QMutex>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <atomic>

using namespace arbor::jobs;
using arbor::store::Store;

namespace {

/** @brief What the test handler does with a run. */
enum class Behaviour { Succeed, FailRetryable, FailOnce, FailFatal, WaitForCancel };

/**
 * @brief The handler of job kind "test.work". Payload {"behaviour": int}. Records what it saw
 * (thread-safely: it runs on the engine thread).
 */
class TestHandler : public JobHandler
{
public:
    QString kind() const override { return QStringLiteral("test.work"); }

    void start(JobRun *run) override
    {
        const int running = ++m_running;
        int seen = m_maxRunning.load();
        while (running > seen && !m_maxRunning.compare_exchange_weak(seen, running)) {}
        QObject::connect(run, &JobRun::ended, run, [this] { --m_running; });
        {
            QMutexLocker lock(&m_mutex);
            m_attempts.append(run->job().attempts);
        }
        const auto behaviour =
            Behaviour(run->job().payload.value(QStringLiteral("behaviour")).toInt());
        switch (behaviour) {
        case Behaviour::Succeed:
            // Finish from the event loop, as a real handler does, so runs could overlap.
            QTimer::singleShot(0, run, [run] { run->succeed(); });
            break;
        case Behaviour::FailRetryable:
            QTimer::singleShot(0, run, [run] {
                run->fail({QStringLiteral("temporarily down"), true, -1});
            });
            break;
        case Behaviour::FailOnce:
            QTimer::singleShot(0, run, [run] {
                if (run->job().attempts == 1)
                    run->fail({QStringLiteral("first try fails"), true, -1});
                else
                    run->succeed();
            });
            break;
        case Behaviour::FailFatal:
            QTimer::singleShot(0, run, [run] {
                run->fail({QStringLiteral("bad request"), false, -1});
            });
            break;
        case Behaviour::WaitForCancel:
            QObject::connect(run, &JobRun::cancelRequested, run, [this, run](CancelReason reason) {
                {
                    QMutexLocker lock(&m_mutex);
                    m_cancelReasons.append(reason);
                }
                run->finishCancelled(QStringLiteral("asked to stop"));
            });
            if (run->isCancelRequested())
                run->finishCancelled(QStringLiteral("asked to stop"));
            break;
        }
    }

    QList<int> attempts() const
    {
        QMutexLocker lock(&m_mutex);
        return m_attempts;
    }
    QList<CancelReason> cancelReasons() const
    {
        QMutexLocker lock(&m_mutex);
        return m_cancelReasons;
    }
    int maxRunning() const { return m_maxRunning.load(); }

private:
    mutable QMutex m_mutex;
    QList<int> m_attempts;
    QList<CancelReason> m_cancelReasons;
    std::atomic<int> m_running{0};
    std::atomic<int> m_maxRunning{0};
};

/** @brief Re-emits the engine's signals on the test thread (QSignalSpy is not thread-safe). */
class EngineSignals : public QObject
{
    Q_OBJECT

public:
    explicit EngineSignals(JobEngine &engine)
    {
        connect(&engine, &JobEngine::jobStarted, this, &EngineSignals::jobStarted,
                Qt::QueuedConnection);
        connect(&engine, &JobEngine::jobFinished, this, &EngineSignals::jobFinished,
                Qt::QueuedConnection);
    }

Q_SIGNALS:
    void jobStarted(qint64 id, const QString &kind);
    void jobFinished(qint64 id, const QString &kind, const QString &state, const QString &error);
};

JobSpec specFor(Behaviour behaviour, int priority = 0, int maxAttempts = 1)
{
    JobSpec s;
    s.kind = QStringLiteral("test.work");
    s.priority = priority;
    s.maxAttempts = maxAttempts;
    s.payload = {{QStringLiteral("behaviour"), int(behaviour)}};
    return s;
}

} // namespace

class TestJobEngine : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Store> m_store;
    std::shared_ptr<TestHandler> m_handler;
    std::unique_ptr<JobEngine> m_engine;

    void makeEngine(int concurrency)
    {
        JobEngine::Options o;
        o.concurrency = concurrency;
        o.pollIntervalMs = 60000; // retries must come from the engine's own timer, not the poll
        o.backoff.baseMs = 5;
        o.backoff.capMs = 20;
        o.backoff.random = [] { return 0.5; };
        m_engine = std::make_unique<JobEngine>(*m_store, o);
        m_handler = std::make_shared<TestHandler>();
        m_engine->registerHandler(m_handler);
    }

    Job job(qint64 id)
    {
        return *m_store->read([id](QSqlDatabase &db) { return queries::get(db, id); }).result();
    }

private Q_SLOTS:
    void initTestCase() { qRegisterMetaType<CancelReason>(); }

    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        m_store = std::make_unique<Store>(m_dir->filePath(QStringLiteral("arbor.db")));
        m_store->open();
    }

    void cleanup()
    {
        m_engine.reset();
        m_handler.reset();
        m_store.reset();
        m_dir.reset();
    }

    void runsAJobToDone()
    {
        makeEngine(2);
        EngineSignals relay(*m_engine);
        QSignalSpy started(&relay, &EngineSignals::jobStarted);
        QSignalSpy finished(&relay, &EngineSignals::jobFinished);
        m_engine->start();
        QVERIFY(m_engine->isRunning());

        const qint64 id = m_engine->enqueue(specFor(Behaviour::Succeed)).result();
        QVERIFY(id > 0);
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 30000);
        QCOMPARE(started.size(), 1);
        QCOMPARE(started.at(0).at(0).toLongLong(), id);
        QCOMPARE(started.at(0).at(1).toString(), QStringLiteral("test.work"));
        QCOMPARE(finished.at(0).at(0).toLongLong(), id);
        QCOMPARE(finished.at(0).at(2).toString(), QStringLiteral("done"));
        // jobFinished comes after the end is committed.
        const Job j = job(id);
        QCOMPARE(arbor::jobs::toString(j.state), QStringLiteral("done"));
        QCOMPARE(j.attempts, 1);
        QCOMPARE(j.leaseOwner, QString());
    }

    void registersAndUnregistersItsWorker()
    {
        makeEngine(1);
        m_engine->start();
        arbor::testsupport::DbConnection c(m_store->path(),
                                           arbor::testsupport::DbConnection::Mode::ReadOnly);
        QCOMPARE(
            c.scalar(QStringLiteral("SELECT pid FROM workers WHERE id = ?"), {m_engine->workerId()})
                .toLongLong(),
            QCoreApplication::applicationPid());
        m_engine->stop();
        QVERIFY(!m_engine->isRunning());
        QCOMPARE(c.scalar(QStringLiteral("SELECT count(*) FROM workers")).toInt(), 0);
    }

    void retryableFailureIsRetriedUpToMaxAttempts()
    {
        makeEngine(2);
        EngineSignals relay(*m_engine);
        QSignalSpy finished(&relay, &EngineSignals::jobFinished);
        m_engine->start();
        const qint64 id = m_engine->enqueue(specFor(Behaviour::FailRetryable, 0, 3)).result();
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 3, 30000);
        QCOMPARE(finished.at(0).at(2).toString(), QStringLiteral("queued"));
        QCOMPARE(finished.at(1).at(2).toString(), QStringLiteral("queued"));
        QCOMPARE(finished.at(2).at(2).toString(), QStringLiteral("failed"));
        QCOMPARE(finished.at(2).at(3).toString(), QStringLiteral("temporarily down"));
        QCOMPARE(m_handler->attempts(), (QList<int>{1, 2, 3}));
        const Job j = job(id);
        QCOMPARE(arbor::jobs::toString(j.state), QStringLiteral("failed"));
        QCOMPARE(j.attempts, 3);
        QCOMPARE(j.lastError, QStringLiteral("temporarily down"));
    }

    void retryCanSucceed()
    {
        makeEngine(1);
        EngineSignals relay(*m_engine);
        QSignalSpy finished(&relay, &EngineSignals::jobFinished);
        m_engine->start();
        const qint64 id = m_engine->enqueue(specFor(Behaviour::FailOnce, 0, 5)).result();
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 2, 30000);
        QCOMPARE(finished.at(1).at(2).toString(), QStringLiteral("done"));
        QCOMPARE(job(id).attempts, 2);
    }

    void fatalFailureIsNotRetried()
    {
        makeEngine(1);
        EngineSignals relay(*m_engine);
        QSignalSpy finished(&relay, &EngineSignals::jobFinished);
        m_engine->start();
        const qint64 id = m_engine->enqueue(specFor(Behaviour::FailFatal, 0, 5)).result();
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 30000);
        QCOMPARE(finished.at(0).at(2).toString(), QStringLiteral("failed"));
        // Nothing else runs: a later job is the next thing the engine finishes.
        const qint64 next = m_engine->enqueue(specFor(Behaviour::Succeed)).result();
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 2, 30000);
        QCOMPARE(finished.at(1).at(0).toLongLong(), next);
        const Job j = job(id);
        QCOMPARE(arbor::jobs::toString(j.state), QStringLiteral("failed"));
        QCOMPARE(j.attempts, 1);
    }

    void higherPriorityRunsFirst()
    {
        makeEngine(1);
        // Queued before the engine starts, so all are due when it first looks.
        const qint64 low = m_engine->enqueue(specFor(Behaviour::Succeed, Priority::Batch)).result();
        const qint64 mid =
            m_engine->enqueue(specFor(Behaviour::Succeed, Priority::Background)).result();
        const qint64 high1 =
            m_engine->enqueue(specFor(Behaviour::Succeed, Priority::Interactive)).result();
        const qint64 high2 =
            m_engine->enqueue(specFor(Behaviour::Succeed, Priority::Interactive)).result();
        EngineSignals relay(*m_engine);
        QSignalSpy started(&relay, &EngineSignals::jobStarted);
        QSignalSpy finished(&relay, &EngineSignals::jobFinished);
        m_engine->start();
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 4, 30000);
        QList<qint64> order;
        for (const auto &args : std::as_const(started))
            order.append(args.at(0).toLongLong());
        QCOMPARE(order, (QList<qint64>{high1, high2, mid, low}));
        QCOMPARE(m_handler->maxRunning(), 1);
    }

    void concurrencyLimitHolds()
    {
        makeEngine(2);
        for (int i = 0; i < 8; ++i)
            m_engine->enqueue(specFor(Behaviour::Succeed)).waitForFinished();
        EngineSignals relay(*m_engine);
        QSignalSpy finished(&relay, &EngineSignals::jobFinished);
        m_engine->start();
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 8, 30000);
        QVERIFY(m_handler->maxRunning() >= 1);
        QVERIFY2(m_handler->maxRunning() <= 2,
                 qPrintable(QString::number(m_handler->maxRunning())));
    }

    void stopAsksRunningJobsToCancel()
    {
        makeEngine(2);
        EngineSignals relay(*m_engine);
        QSignalSpy started(&relay, &EngineSignals::jobStarted);
        m_engine->start();
        const qint64 id = m_engine->enqueue(specFor(Behaviour::WaitForCancel)).result();
        QTRY_COMPARE_WITH_TIMEOUT(started.size(), 1, 30000);
        m_engine->stop(30000);
        QVERIFY(!m_engine->isRunning());
        QCOMPARE(m_handler->cancelReasons(), QList<CancelReason>{CancelReason::Shutdown});
        const Job j = job(id);
        QCOMPARE(arbor::jobs::toString(j.state), QStringLiteral("cancelled"));
        QCOMPARE(j.lastError, QStringLiteral("asked to stop"));
        arbor::testsupport::DbConnection c(m_store->path(),
                                           arbor::testsupport::DbConnection::Mode::ReadOnly);
        QCOMPARE(c.scalar(QStringLiteral("SELECT count(*) FROM workers")).toInt(), 0);
    }

    void cancelRunningByTheUser()
    {
        makeEngine(2);
        EngineSignals relay(*m_engine);
        QSignalSpy started(&relay, &EngineSignals::jobStarted);
        QSignalSpy finished(&relay, &EngineSignals::jobFinished);
        m_engine->start();
        const qint64 id = m_engine->enqueue(specFor(Behaviour::WaitForCancel)).result();
        QTRY_COMPARE_WITH_TIMEOUT(started.size(), 1, 30000);
        QVERIFY(!m_engine->cancelRunning(id + 1000));
        QVERIFY(m_engine->cancelRunning(id));
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 30000);
        QCOMPARE(finished.at(0).at(2).toString(), QStringLiteral("cancelled"));
        QCOMPARE(m_handler->cancelReasons(), QList<CancelReason>{CancelReason::User});
        QCOMPARE(arbor::jobs::toString(job(id).state), QStringLiteral("cancelled"));
    }

    void cancelReachesTheEngineThatRunsTheJob()
    {
        // Two engines on one store, as two processes would have: the one that did not claim
        // the job asks for the stop; the one that runs it stops it at its next poll.
        JobEngine::Options o;
        o.pollIntervalMs = 50;
        JobEngine runner(*m_store, o);
        auto handler = std::make_shared<TestHandler>();
        runner.registerHandler(handler);
        EngineSignals relay(runner);
        QSignalSpy started(&relay, &EngineSignals::jobStarted);
        QSignalSpy finished(&relay, &EngineSignals::jobFinished);
        runner.start();
        const qint64 id = runner.enqueue(specFor(Behaviour::WaitForCancel)).result();
        QTRY_COMPARE_WITH_TIMEOUT(started.size(), 1, 30000);

        makeEngine(1); // another engine, never started: it runs nothing
        QCOMPARE(m_engine->cancel(id).result(), false); // neither queued nor running here
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 30000);
        QCOMPARE(finished.at(0).at(2).toString(), QStringLiteral("cancelled"));
        QCOMPARE(handler->cancelReasons(), QList<CancelReason>{CancelReason::User});
        QCOMPARE(arbor::jobs::toString(job(id).state), QStringLiteral("cancelled"));
        runner.stop();
    }

    void drainLetsRunningJobsEnd()
    {
        makeEngine(2);
        EngineSignals relay(*m_engine);
        QSignalSpy started(&relay, &EngineSignals::jobStarted);
        QSignalSpy finished(&relay, &EngineSignals::jobFinished);
        m_engine->start();
        const qint64 running = m_engine->enqueue(specFor(Behaviour::WaitForCancel)).result();
        QTRY_COMPARE_WITH_TIMEOUT(started.size(), 1, 30000);

        QFuture<void> drained = m_engine->drain();
        m_engine->queueStates().waitForFinished(); // answered on the engine thread after the drain
        QVERIFY(!drained.isFinished());
        const qint64 later = m_engine->enqueue(specFor(Behaviour::Succeed)).result();
        m_engine->wake();
        // The run goes on until it ends as it would (here the user stops it); it was not asked
        // to stop by the drain, and the new job waits for another engine.
        QVERIFY(m_engine->cancelRunning(running));
        QTRY_VERIFY_WITH_TIMEOUT(drained.isFinished(), 30000);
        QCOMPARE(m_handler->cancelReasons(), QList<CancelReason>{CancelReason::User});
        QCOMPARE(started.size(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 30000);
        QCOMPARE(arbor::jobs::toString(job(later).state), QStringLiteral("queued"));
        m_engine->stop();
        QVERIFY(!m_engine->isRunning());
    }

    void recoverOrphansUsesTheHandlersPolicy()
    {
        // A job left running by a worker that no longer exists (its row is gone): the default
        // policy queues it again while attempts remain, and fails it when none do.
        const qint64 retry = m_store
                                 ->write([](QSqlDatabase &db) {
                                     const qint64 id =
                                         queries::insert(db, specFor(Behaviour::Succeed, 0, 2), 1);
                                     queries::claim(db, QStringLiteral("vanished"),
                                                    {QStringLiteral("test.work")}, 1, 2);
                                     return id;
                                 })
                                 .result();
        const qint64 last = m_store
                                ->write([](QSqlDatabase &db) {
                                    const qint64 id =
                                        queries::insert(db, specFor(Behaviour::Succeed, 0, 1), 1);
                                    queries::claim(db, QStringLiteral("vanished"),
                                                   {QStringLiteral("test.work")}, 1, 2);
                                    return id;
                                })
                                .result();
        makeEngine(1);
        QCOMPARE(m_engine->recoverOrphans(), 2);
        QCOMPARE(arbor::jobs::toString(job(retry).state), QStringLiteral("queued"));
        QCOMPARE(job(retry).attempts, 1);
        QCOMPARE(arbor::jobs::toString(job(last).state), QStringLiteral("failed"));
        QCOMPARE(m_engine->recoverOrphans(), 0);

        // The requeued job then runs to the end.
        EngineSignals relay(*m_engine);
        QSignalSpy finished(&relay, &EngineSignals::jobFinished);
        m_engine->start();
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 30000);
        QCOMPARE(arbor::jobs::toString(job(retry).state), QStringLiteral("done"));
        QCOMPARE(job(retry).attempts, 2);
    }
};

QTEST_GUILESS_MAIN(TestJobEngine)
#include "tst_jobengine.moc"
