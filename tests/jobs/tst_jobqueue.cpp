// The job engine's queue behaviour on a real store with a simulated clock: backoff schedule,
// Retry-After, dead letters, priority, leases, cancel, pause/resume, per-queue limits.
#include "jobs/adminqueries.h"
#include "jobs/jobengine.h"
#include "jobs/jobhandler.h"
#include "jobs/jobqueries.h"
#include "jobs/jobrun.h"
#include "store/store.h"
#include "support/dbconnection.h"

#include <QDateTime>
#include <QMutex>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <atomic>

using namespace arbor::jobs;

/** @brief Waits until the engine reported exactly @p n job ends in total. */
#define WAIT_FINISHED(n) QTRY_COMPARE_WITH_TIMEOUT(m_finished->size(), qsizetype(n), 30000)
using arbor::store::Store;

namespace {

enum class Behaviour { Succeed, AlwaysFail, RateLimited, Hold, SucceedLater, WaitForPerson };

/** @brief Kind "q.work": payload {"b": Behaviour}. Runs on the engine thread. */
class Handler : public JobHandler
{
public:
    QString kind() const override { return QStringLiteral("q.work"); }
    int maxAttempts() const override { return 2; }

    void start(JobRun *run) override
    {
        const Job job = run->job();
        {
            QMutexLocker lock(&mutex);
            order.append(job.id);
            const int now = ++runningPerQueue[job.queue];
            maxPerQueue[job.queue] = std::max(maxPerQueue.value(job.queue), now);
        }
        QObject::connect(run, &JobRun::ended, run, [this, queue = job.queue] {
            QMutexLocker lock(&mutex);
            --runningPerQueue[queue];
        });
        switch (Behaviour(job.payload.value(QStringLiteral("b")).toInt())) {
        case Behaviour::Succeed:
            run->succeed();
            break;
        case Behaviour::SucceedLater:
            QTimer::singleShot(20, run, [run] { run->succeed(); });
            break;
        case Behaviour::AlwaysFail:
            run->fail({QStringLiteral("attempt %1 failed").arg(job.attempts), true, -1});
            break;
        case Behaviour::RateLimited: {
            JobError e{QStringLiteral("429 too many requests"), true, 45000};
            e.rateLimited = true;
            run->fail(e);
            break;
        }
        case Behaviour::Hold:
            QObject::connect(run, &JobRun::cancelRequested, run, [run] {
                run->finishCancelled(QStringLiteral("stopped by the test"));
            });
            break;
        case Behaviour::WaitForPerson: {
            // Holds no slot until the test answers (answer()); counted as running only then.
            run->setWaitingForPerson(true);
            QMutexLocker lock(&mutex);
            --runningPerQueue[job.queue];
            waiting.append(run);
            QObject::connect(run, &JobRun::cancelRequested, run, [run] {
                run->finishCancelled(QStringLiteral("stopped by the test"));
            });
            break;
        }
        }
    }

    /** @brief Answers the first waiting run: it takes a slot again and ends a moment later.
     *  Engine thread. */
    void answer()
    {
        QMutexLocker lock(&mutex);
        JobRun *run = waiting.takeFirst();
        run->setWaitingForPerson(false);
        const int now = ++runningPerQueue[run->job().queue];
        maxPerQueue[run->job().queue] = std::max(maxPerQueue.value(run->job().queue), now);
        QTimer::singleShot(20, run, [run] { run->succeed(); });
    }

    QMutex mutex;
    QList<qint64> order;
    QHash<QString, int> runningPerQueue;
    QHash<QString, int> maxPerQueue;
    QList<JobRun *> waiting; ///< WaitForPerson runs not answered yet
};

JobSpec spec(Behaviour b, const QString &queue = QStringLiteral("default"), int priority = 0,
             int maxAttempts = 0)
{
    JobSpec s;
    s.kind = QStringLiteral("q.work");
    s.queue = queue;
    s.priority = priority;
    s.maxAttempts = maxAttempts;
    s.payload = {{QStringLiteral("b"), int(b)}};
    return s;
}

} // namespace

class TestJobQueue : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Store> m_store;
    std::shared_ptr<Handler> m_handler;
    std::unique_ptr<JobEngine> m_engine;
    std::atomic<qint64> m_now{1'700'000'000'000};
    std::unique_ptr<QSignalSpy> m_finished;

    void makeEngine(int concurrency, double random = 0.5, bool fakeClock = true)
    {
        JobEngine::Options o;
        o.concurrency = concurrency;
        o.pollIntervalMs = 60000;
        o.backoff.baseMs = 1000;
        o.backoff.capMs = 60000;
        o.backoff.random = [random] { return random; };
        if (fakeClock)
            o.clock = [this] { return m_now.load(); };
        m_engine = std::make_unique<JobEngine>(*m_store, o);
        m_handler = std::make_shared<Handler>();
        m_engine->registerHandler(m_handler);
        m_finished = std::make_unique<QSignalSpy>(m_engine.get(), &JobEngine::jobFinished);
    }

    Job job(qint64 id)
    {
        return *m_store->read([id](QSqlDatabase &db) { return queries::get(db, id); }).result();
    }
    QList<admin::Attempt> attempts(qint64 id)
    {
        return m_store->read([id](QSqlDatabase &db) { return admin::attempts(db, id); }).result();
    }
private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        m_store = std::make_unique<Store>(m_dir->filePath(QStringLiteral("arbor.db")));
        m_store->open();
    }

    void cleanup()
    {
        m_finished.reset();
        m_engine.reset();
        m_handler.reset();
        m_store.reset();
        m_dir.reset();
    }

    void backoffScheduleOnTheSimulatedClock()
    {
        makeEngine(1, 0.5);
        m_engine->start();
        const qint64 id =
            m_engine->enqueue(spec(Behaviour::AlwaysFail, QStringLiteral("default"), 0, 4))
                .result();
        // Full jitter with random 0.5: half of 1 s, 2 s, 4 s.
        const qint64 expected[] = {500, 1000, 2000};
        for (int attempt = 1; attempt <= 3; ++attempt) {
            WAIT_FINISHED(attempt);
            const Job j = job(id);
            QCOMPARE(toString(j.state), QStringLiteral("queued"));
            QCOMPARE(j.attempts, attempt);
            QCOMPARE(j.runAt, m_now.load() + expected[attempt - 1]);
            m_now += expected[attempt - 1];
            m_engine->wake();
        }
        WAIT_FINISHED(4);
        QCOMPARE(toString(job(id).state), QStringLiteral("failed"));
    }

    void retryAfterIsHonouredForTheJobAndItsQueue()
    {
        makeEngine(4, 0.0);
        m_engine->start();
        const qint64 limited =
            m_engine->enqueue(spec(Behaviour::RateLimited, QStringLiteral("vendor"), 0, 2))
                .result();
        WAIT_FINISHED(1);
        const qint64 failedAt = m_now.load();
        QCOMPARE(job(limited).runAt, failedAt + 45000);

        // The whole queue waits, another queue does not.
        const qint64 sameQueue =
            m_engine->enqueue(spec(Behaviour::Succeed, QStringLiteral("vendor"))).result();
        const qint64 otherQueue =
            m_engine->enqueue(spec(Behaviour::Succeed, QStringLiteral("other"))).result();
        WAIT_FINISHED(2);
        QCOMPARE(toString(job(otherQueue).state), QStringLiteral("done"));
        QCOMPARE(toString(job(sameQueue).state), QStringLiteral("queued"));
        const auto states = m_engine->queueStates().result();
        const auto vendor =
            std::find_if(states.begin(), states.end(),
                         [](const QueueLimitState &s) { return s.name == u"vendor"; });
        QVERIFY(vendor != states.end());
        QCOMPARE(vendor->blockedUntil, failedAt + 45000);

        m_now += 45000;
        m_engine->wake();
        WAIT_FINISHED(4);
        QCOMPARE(toString(job(sameQueue).state), QStringLiteral("done"));
        QCOMPARE(toString(job(limited).state),
                 QStringLiteral("failed")); // rate limited again on its last attempt
    }

    void deadLetterAfterTheLastAttemptWithEveryError()
    {
        makeEngine(1, 0.0, false);
        m_engine->start();
        const qint64 id =
            m_engine->enqueue(spec(Behaviour::AlwaysFail, QStringLiteral("default"), 0, 3))
                .result();
        WAIT_FINISHED(3);
        const Job j = job(id);
        QCOMPARE(toString(j.state), QStringLiteral("failed"));
        QCOMPARE(j.attempts, 3);
        QCOMPARE(j.lastError, QStringLiteral("attempt 3 failed"));
        const auto list = attempts(id);
        QCOMPARE(list.size(), 3);
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(list[i].attempt, i + 1);
            QCOMPARE(list[i].error, QStringLiteral("attempt %1 failed").arg(i + 1));
            QCOMPARE(list[i].outcome, i < 2 ? QStringLiteral("retry") : QStringLiteral("failed"));
        }
        const auto dead =
            m_store->read([](QSqlDatabase &db) { return admin::failedJobs(db, 10); }).result();
        QCOMPARE(dead.size(), 1);
        QCOMPARE(dead.first().id, id);

        // Retry from the dead-letter list: fresh attempts, then discard.
        QVERIFY(m_store
                    ->write([id](QSqlDatabase &db) {
                        return admin::retry(db, id, QDateTime::currentMSecsSinceEpoch());
                    })
                    .result());
        m_engine->wake();
        WAIT_FINISHED(6);
        QCOMPARE(attempts(id).size(), 6);
        QVERIFY(m_store->write([id](QSqlDatabase &db) { return admin::discard(db, id); }).result());
        QVERIFY(!m_store->read([id](QSqlDatabase &db) { return queries::get(db, id); }).result());
        QCOMPARE(attempts(id).size(), 0);
    }

    void perKindMaxAttempts()
    {
        makeEngine(1);
        QCOMPARE(m_engine->enqueue(spec(Behaviour::Succeed)).result() > 0, true);
        const qint64 id = m_engine->enqueue(spec(Behaviour::Succeed)).result();
        QCOMPARE(job(id).maxAttempts, 2); // Handler::maxAttempts()
        const qint64 explicitId =
            m_engine->enqueue(spec(Behaviour::Succeed, QStringLiteral("default"), 0, 7)).result();
        QCOMPARE(job(explicitId).maxAttempts, 7);

        JobEngine::Options o;
        o.maxAttempts.insert(QStringLiteral("q.work"), 5);
        JobEngine configured(*m_store, o);
        configured.registerHandler(std::make_shared<Handler>());
        QCOMPARE(job(configured.enqueue(spec(Behaviour::Succeed)).result()).maxAttempts, 5);
    }

    void priorityOrder()
    {
        makeEngine(1);
        const qint64 batch =
            m_engine->enqueue(spec(Behaviour::Succeed, QStringLiteral("default"), Priority::Batch))
                .result();
        const qint64 chat = m_engine
                                ->enqueue(spec(Behaviour::Succeed, QStringLiteral("default"),
                                               Priority::Interactive))
                                .result();
        const qint64 title =
            m_engine
                ->enqueue(spec(Behaviour::Succeed, QStringLiteral("default"), Priority::Background))
                .result();
        m_engine->start();
        WAIT_FINISHED(3);
        QMutexLocker lock(&m_handler->mutex);
        QCOMPARE(m_handler->order, (QList<qint64>{chat, title, batch}));
    }

    void expiredLeaseIsReclaimed()
    {
        makeEngine(2);
        const qint64 id = m_engine->enqueue(spec(Behaviour::Succeed)).result();
        {
            // A worker on another host took the job and then went silent.
            arbor::testsupport::DbConnection c(m_store->path());
            c.exec(QStringLiteral("INSERT INTO workers (id, host, pid, started_at, heartbeat_at) "
                                  "VALUES ('w-gone', 'elsewhere', 1, ?, ?)"),
                   {m_now.load() - 120000, m_now.load() - 60000});
            c.exec(QStringLiteral("UPDATE jobs SET state = 'running', attempts = 1, lease_owner = "
                                  "'w-gone', started_at = ? WHERE id = ?"),
                   {m_now.load() - 60000, id});
        }
        QCOMPARE(m_engine->recoverOrphans(), 1);
        QCOMPARE(toString(job(id).state), QStringLiteral("queued"));
        const auto list = attempts(id);
        QCOMPARE(list.size(), 1);
        QCOMPARE(list.first().outcome, QStringLiteral("recovered"));
        QCOMPARE(list.first().worker, QStringLiteral("w-gone"));
        m_engine->start();
        WAIT_FINISHED(1);
        QCOMPARE(toString(job(id).state), QStringLiteral("done"));
        QCOMPARE(job(id).attempts, 2);
    }

    void cancelRunningAndQueuedJobs()
    {
        makeEngine(2);
        QSignalSpy started(m_engine.get(), &JobEngine::jobStarted);
        m_engine->start();
        const qint64 running = m_engine->enqueue(spec(Behaviour::Hold)).result();
        QTRY_COMPARE_WITH_TIMEOUT(started.size(), 1, 30000);
        QVERIFY(m_engine->cancel(running).result());
        WAIT_FINISHED(1);
        QCOMPARE(toString(job(running).state), QStringLiteral("cancelled"));
        QCOMPARE(attempts(running).first().outcome, QStringLiteral("cancelled"));

        m_engine->setQueuePaused(QStringLiteral("held"), true).waitForFinished();
        const qint64 queued =
            m_engine->enqueue(spec(Behaviour::Succeed, QStringLiteral("held"))).result();
        QVERIFY(m_engine->cancel(queued).result());
        QCOMPARE(toString(job(queued).state), QStringLiteral("cancelled"));
        QVERIFY(!m_engine->cancel(queued).result()); // finished jobs cannot be cancelled
    }

    void pauseAndResumeAQueue()
    {
        makeEngine(4);
        m_engine->start();
        m_engine->setQueuePaused(QStringLiteral("slow"), true).waitForFinished();
        const qint64 paused =
            m_engine->enqueue(spec(Behaviour::Succeed, QStringLiteral("slow"))).result();
        const qint64 other =
            m_engine->enqueue(spec(Behaviour::Succeed, QStringLiteral("fast"))).result();
        WAIT_FINISHED(1);
        QCOMPARE(toString(job(other).state), QStringLiteral("done"));
        QCOMPARE(toString(job(paused).state), QStringLiteral("queued"));
        const auto counts =
            m_store->read([](QSqlDatabase &db) { return admin::counts(db); }).result();
        const auto slow =
            std::find_if(counts.begin(), counts.end(),
                         [](const admin::QueueCounts &c) { return c.queue == u"slow"; });
        QVERIFY(slow != counts.end() && slow->paused);
        QCOMPARE(slow->byState.value(QStringLiteral("queued")), 1);

        m_engine->setQueuePaused(QStringLiteral("slow"), false).waitForFinished();
        WAIT_FINISHED(2);
        QCOMPARE(toString(job(paused).state), QStringLiteral("done"));
    }

    void requestsPerMinuteLimitInTheEngine()
    {
        makeEngine(8);
        QueueSettings s;
        s.name = QStringLiteral("rpm");
        s.requestsPerMinute = 60; // a burst of 3, then one per second
        m_engine->setQueueSettings(s).waitForFinished();
        m_engine->start();
        QList<qint64> ids;
        for (int i = 0; i < 5; ++i)
            ids.append(m_engine->enqueue(spec(Behaviour::Succeed, QStringLiteral("rpm"))).result());
        WAIT_FINISHED(3);
        // Another queue's job runs through, so the dispatcher has looked again.
        m_engine->enqueue(spec(Behaviour::Succeed, QStringLiteral("free"))).waitForFinished();
        WAIT_FINISHED(4);
        QCOMPARE(toString(job(ids[3]).state), QStringLiteral("queued"));
        QCOMPARE(toString(job(ids[4]).state), QStringLiteral("queued"));
        m_now += 2000;
        m_engine->wake();
        WAIT_FINISHED(6);
        for (qint64 id : std::as_const(ids))
            QCOMPARE(toString(job(id).state), QStringLiteral("done"));
    }

    void perQueueConcurrency()
    {
        makeEngine(6);
        QueueSettings s;
        s.name = QStringLiteral("narrow");
        s.concurrency = 2;
        m_engine->setQueueSettings(s).waitForFinished();
        m_engine->start();
        QList<JobSpec> specs;
        for (int i = 0; i < 8; ++i)
            specs.append(
                spec(Behaviour::SucceedLater, QStringLiteral("narrow"), Priority::Interactive));
        for (int i = 0; i < 4; ++i)
            specs.append(spec(Behaviour::SucceedLater, QStringLiteral("wide")));
        m_engine->enqueueMany(specs).waitForFinished();
        WAIT_FINISHED(12);
        QMutexLocker lock(&m_handler->mutex);
        QCOMPARE(m_handler->maxPerQueue.value(QStringLiteral("narrow")), 2);
    }

    /** A run waiting for a person gives its slot and its queue's place back; answered, it
     *  takes them again; the slots add up after it ends, answered or cancelled while waiting. */
    void runWaitingForAPersonHoldsNoSlot()
    {
        makeEngine(1);
        QueueSettings s;
        s.name = QStringLiteral("narrow");
        s.concurrency = 1;
        m_engine->setQueueSettings(s).waitForFinished();
        m_engine->start();
        const qint64 first =
            m_engine->enqueue(spec(Behaviour::WaitForPerson, QStringLiteral("narrow"))).result();
        QTRY_COMPARE_WITH_TIMEOUT(toString(job(first).state), QStringLiteral("running"), 30000);
        // One slot in all, held by nobody while the first waits: the others run one at a time.
        QList<JobSpec> specs;
        for (int i = 0; i < 3; ++i)
            specs.append(spec(Behaviour::SucceedLater, QStringLiteral("narrow")));
        m_engine->enqueueMany(specs).waitForFinished();
        WAIT_FINISHED(3);
        QCOMPARE(toString(job(first).state), QStringLiteral("running"));
        // Answered, it takes the slot again: the next job waits for it to end.
        const qint64 second =
            m_engine->enqueue(spec(Behaviour::WaitForPerson, QStringLiteral("narrow"))).result();
        QTRY_COMPARE_WITH_TIMEOUT(toString(job(second).state), QStringLiteral("running"), 30000);
        JobRun *waiting = nullptr;
        {
            QMutexLocker lock(&m_handler->mutex);
            QCOMPARE(m_handler->waiting.size(), 2);
            waiting = m_handler->waiting.constFirst();
        }
        QMetaObject::invokeMethod(waiting, [this] { m_handler->answer(); });
        m_engine->enqueueMany(specs).waitForFinished();
        WAIT_FINISHED(7);
        QCOMPARE(toString(job(first).state), QStringLiteral("done"));
        // Cancelled while waiting, the second gives back nothing it did not hold.
        QVERIFY(m_engine->cancel(second).result());
        WAIT_FINISHED(8);
        QCOMPARE(toString(job(second).state), QStringLiteral("cancelled"));
        m_engine->enqueueMany(specs).waitForFinished();
        WAIT_FINISHED(11);
        QMutexLocker lock(&m_handler->mutex);
        QCOMPARE(m_handler->maxPerQueue.value(QStringLiteral("narrow")), 1);
    }

    /** Interactive chat always goes first: work below its priority leaves a queue's last slot
     *  (and the engine's) free, so a reply never waits for a batch to drain. */
    void lowPriorityWorkLeavesTheLastSlot()
    {
        makeEngine(3);
        QueueSettings s;
        s.name = QStringLiteral("narrow");
        s.concurrency = 2;
        m_engine->setQueueSettings(s).waitForFinished();
        m_engine->start();
        QList<JobSpec> specs;
        for (int i = 0; i < 6; ++i)
            specs.append(spec(Behaviour::SucceedLater, QStringLiteral("narrow"), Priority::Batch));
        for (int i = 0; i < 6; ++i)
            specs.append(spec(Behaviour::SucceedLater, QStringLiteral("wide"), Priority::Batch));
        m_engine->enqueueMany(specs).waitForFinished();
        WAIT_FINISHED(12);
        QMutexLocker lock(&m_handler->mutex);
        QCOMPARE(m_handler->maxPerQueue.value(QStringLiteral("narrow")), 1);
        // The engine's three slots: two for the batch work, one kept.
        QVERIFY(m_handler->maxPerQueue.value(QStringLiteral("wide")) <= 2);
    }
};

QTEST_GUILESS_MAIN(TestJobQueue)
#include "tst_jobqueue.moc"
