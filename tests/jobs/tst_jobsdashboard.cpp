// JobsDashboard (app/): a real backend on a temp store, a job kind that fails, and the
// dashboard's polling, dead-letter list, retry, discard and pause; pinned queues as "tools".
#include "jobsdashboard.h"

#include "core/backend.h"
#include "jobs/jobengine.h"
#include "jobs/jobhandler.h"
#include "jobs/jobrun.h"
#include "jobs/jobsservice.h"
#include "support/answerorder.h"
#include "support/tempbackend.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace arbor;

namespace {

class FailingHandler : public jobs::JobHandler
{
public:
    QString kind() const override { return QStringLiteral("dash.fail"); }
    void start(jobs::JobRun *run) override
    {
        run->fail({QStringLiteral("HTTP 400: bad request"), false, -1});
    }
};

/** @brief Queues a job of kind dash.fail (FailingHandler) in queue "vendor"; its id. */
qint64 enqueueFailing(core::Backend &backend)
{
    jobs::JobSpec spec;
    spec.kind = QStringLiteral("dash.fail");
    spec.queue = QStringLiteral("vendor");
    return backend.engine().enqueue(spec).result();
}

app::QueueEntry queueNamed(const app::QueueListModel &queues, const QString &name)
{
    const int row = queues.rowOf(name);
    return row < 0 ? app::QueueEntry{} : queues.queues().at(row);
}

qsizetype attemptsListed(const app::JobListModel &failed)
{
    return failed.rowCount() == 0 ? 0 : failed.jobs().first().errors.size();
}

} // namespace

class TestJobsDashboard : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void showsFailedJobsAndActsOnThem()
    {
        testsupport::TempBackend temp({std::make_shared<FailingHandler>()});
        QVERIFY(temp.isValid());
        core::Backend &backend = *temp;

        const qint64 id = enqueueFailing(backend);

        app::JobsDashboard dashboard(&backend);
        using Tester = QAbstractItemModelTester;
        Tester queuesTester(dashboard.queues(), Tester::FailureReportingMode::QtTest);
        Tester recentTester(dashboard.recentJobs(), Tester::FailureReportingMode::QtTest);
        Tester failedTester(dashboard.failedJobs(), Tester::FailureReportingMode::QtTest);
        QSignalSpy resets(dashboard.failedJobs(), &QAbstractItemModel::modelReset);
        QSignalSpy queueResets(dashboard.queues(), &QAbstractItemModel::modelReset);
        QSignalSpy recentResets(dashboard.recentJobs(), &QAbstractItemModel::modelReset);
        QSignalSpy active(&dashboard, &app::JobsDashboard::activeChanged);
        dashboard.setActive(true);
        QCOMPARE(active.size(), 1);
        QVERIFY(dashboard.active());

        app::JobListModel &failedJobs = *dashboard.failedJobs();
        QTRY_COMPARE_WITH_TIMEOUT(failedJobs.rowCount(), 1, 30000);
        const QModelIndex first = failedJobs.index(0);
        QCOMPARE(failedJobs.data(first, app::JobListModel::JobIdRole).toLongLong(), id);
        QCOMPARE(failedJobs.data(first, app::JobListModel::JobStateRole).toString(),
                 QStringLiteral("failed"));
        const QStringList errors =
            failedJobs.data(first, app::JobListModel::AttemptErrorsRole).toStringList();
        QCOMPARE(errors.size(), 1);
        QVERIFY(errors.first().contains(u"HTTP 400"));
        QCOMPARE(queueNamed(*dashboard.queues(), QStringLiteral("vendor")).failed, 1);
        QCOMPARE(dashboard.queues()
                     ->data(dashboard.queues()->index(
                                dashboard.queues()->rowOf(QStringLiteral("vendor"))),
                            app::QueueListModel::FailedRole)
                     .toInt(),
                 1);
        QVERIFY(dashboard.recentJobs()->rowOf(id) >= 0);
        QCOMPARE(dashboard.series().size(), 60);
        QCOMPARE(dashboard.series().last().toMap().value(QStringLiteral("failed")).toInt()
                     + dashboard.series().at(58).toMap().value(QStringLiteral("failed")).toInt(),
                 1);

        // Retry: it runs again and fails again; the dead-letter entry now lists both attempts.
        dashboard.retry(id);
        QTRY_COMPARE_WITH_TIMEOUT(attemptsListed(failedJobs), 2, 30000);

        dashboard.discard(id);
        QTRY_COMPARE_WITH_TIMEOUT(failedJobs.rowCount(), 0, 30000);
        QTRY_COMPARE_WITH_TIMEOUT(dashboard.recentJobs()->rowOf(id), -1, 30000);

        dashboard.setPaused(QStringLiteral("vendor"), true);
        QTRY_VERIFY_WITH_TIMEOUT(queueNamed(*dashboard.queues(), QStringLiteral("vendor")).paused,
                                 30000);

        // Every refresh was applied row by row, never as a reset.
        QCOMPARE(resets.size(), 0);
        QCOMPARE(queueResets.size(), 0);
        QCOMPARE(recentResets.size(), 0);

        dashboard.setActive(false);
        QVERIFY(!dashboard.active());
        QCOMPARE(active.size(), 2);
    }

    /** Every refresh reads the shown job again, and the store's readers answer in any order:
     *  of two reads, the older answered last (AnswerOrder makes it so) does not bring back
     *  the job as it was before the newer read (here: before it was discarded). */
    void theShownJobKeepsItsNewestRead()
    {
        testsupport::TempBackend temp({std::make_shared<FailingHandler>()});
        QVERIFY(temp.isValid());
        core::Backend &backend = *temp;
        const qint64 id = enqueueFailing(backend);
        QTRY_VERIFY_WITH_TIMEOUT(
            backend.jobs().detail(id).result().job.state == jobs::JobState::Failed, 30000);

        app::JobsDashboard dashboard(&backend);
        testsupport::AnswerOrder order(&dashboard);
        dashboard.showJob(id); // the failed job
        QVERIFY(backend.jobs().discard(id).result());
        dashboard.showJob(id); // no such job any more
        QCOMPARE(order.deliver(testsupport::AnswerOrder::Order::NewestFirst), 2);
        QCOMPARE(dashboard.jobDetail().value(QStringLiteral("jobId")).toLongLong(), id);
        QCOMPARE(dashboard.jobDetail().value(QStringLiteral("found")).toBool(), false);
    }

    /** Pushed, not polled: with the catch-up timer out of the way (an hour), a job that ends in
     *  this process reaches the lists, the tiles and the history through the engine's signals. */
    void updatesArePushedByTheEngine()
    {
        testsupport::TempBackend temp({std::make_shared<FailingHandler>()});
        QVERIFY(temp.isValid());
        core::Backend &backend = *temp;

        app::JobsDashboard dashboard(&backend);
        dashboard.setCatchUpMs(3600 * 1000);
        QSignalSpy changed(&dashboard, &app::JobsDashboard::changed);
        dashboard.setActive(true);
        QTRY_COMPARE_WITH_TIMEOUT(changed.size(), 1, 30000); // the first read, on activation
        QCOMPARE(dashboard.failedJobs()->rowCount(), 0);
        QCOMPARE(dashboard.overview().value(QStringLiteral("jobsPastHour")).toInt(), 0);

        jobs::JobSpec spec;
        spec.kind = QStringLiteral("dash.fail");
        spec.queue = QStringLiteral("vendor");
        spec.payload = {{QStringLiteral("run"), 3}};
        const qint64 id = backend.engine().enqueue(spec).result();
        QTRY_COMPARE_WITH_TIMEOUT(dashboard.failedJobs()->rowCount(), 1, 30000);
        QTRY_COMPARE_WITH_TIMEOUT(
            dashboard.overview().value(QStringLiteral("failuresPast7Days")).toInt(), 1, 30000);
        const QVariantList tags =
            dashboard.failedJobs()
                ->data(dashboard.failedJobs()->index(0), app::JobListModel::TagsRole)
                .toList();
        QCOMPARE(tags.size(), 2);                    // provider (the queue) and run
        QCOMPARE(dashboard.queueSeries().size(), 2); // all queues, then "vendor"

        // The filter, the detail and a bulk retry of what the filter shows.
        dashboard.setFilter(QStringLiteral("run"), QStringLiteral("4"));
        QTRY_COMPARE_WITH_TIMEOUT(dashboard.failedJobs()->rowCount(), 0, 30000);
        dashboard.setFilter(QStringLiteral("run"), QStringLiteral("3"));
        QTRY_COMPARE_WITH_TIMEOUT(dashboard.failedJobs()->rowCount(), 1, 30000);
        dashboard.showJob(id);
        QTRY_VERIFY_WITH_TIMEOUT(dashboard.jobDetail().value(QStringLiteral("found")).toBool(),
                                 30000);
        QCOMPARE(dashboard.jobDetail().value(QStringLiteral("attempts")).toList().size(), 1);
        QSignalSpy bulk(&dashboard, &app::JobsDashboard::bulkDone);
        dashboard.retryFiltered();
        QTRY_COMPARE_WITH_TIMEOUT(bulk.size(), 1, 30000);
        QTRY_COMPARE_WITH_TIMEOUT(
            dashboard.jobDetail().value(QStringLiteral("attempts")).toList().size(), 2, 30000);
        dashboard.discardJobs({id});
        QTRY_COMPARE_WITH_TIMEOUT(bulk.size(), 2, 30000);
        QTRY_COMPARE_WITH_TIMEOUT(dashboard.failedJobs()->rowCount(), 0, 30000);
    }

    /** The queues pinned to each process (a reply's tool calls) are one queue for people:
     *  "tools", in the queue list, the job lists and the per-queue history. */
    void pinnedQueuesShowAsOneToolsQueue()
    {
        testsupport::TempBackend temp({std::make_shared<FailingHandler>()});
        QVERIFY(temp.isValid());
        core::Backend &backend = *temp;

        jobs::JobSpec spec;
        spec.kind = QStringLiteral("dash.fail");
        spec.queue = jobs::pinnedQueue(backend.engine().workerId());
        backend.engine().enqueue(spec).waitForFinished();
        backend.engine().enqueue(spec).waitForFinished();
        spec.queue = jobs::pinnedQueue(QStringLiteral("another-process")); // never ours to run
        backend.engine().enqueue(spec).waitForFinished();

        app::JobsDashboard dashboard(&backend);
        QAbstractItemModelTester tester(dashboard.queues(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        dashboard.setActive(true);
        QTRY_COMPARE_WITH_TIMEOUT(queueNamed(*dashboard.queues(), QStringLiteral("tools")).failed,
                                  2, 30000);
        QCOMPARE(queueNamed(*dashboard.queues(), QStringLiteral("tools")).queued, 1);
        for (const app::QueueEntry &q : dashboard.queues()->queues())
            QVERIFY2(!q.name.startsWith(u"pin:"), qPrintable(q.name));
        app::JobListModel &failed = *dashboard.failedJobs();
        QTRY_COMPARE_WITH_TIMEOUT(failed.rowCount(), 2, 30000);
        for (int row = 0; row < failed.rowCount(); ++row)
            QCOMPARE(failed.data(failed.index(row), app::JobListModel::QueueNameRole).toString(),
                     QStringLiteral("tools"));
        QStringList charted;
        for (const QVariant &series : dashboard.queueSeries())
            charted.append(series.toMap().value(QStringLiteral("queue")).toString());
        QVERIFY2(charted.contains(QStringLiteral("tools")), qPrintable(charted.join(',')));
        for (const QString &name : std::as_const(charted))
            QVERIFY2(!name.startsWith(u"pin:"), qPrintable(name));
    }
};

QTEST_GUILESS_MAIN(TestJobsDashboard)
#include "tst_jobsdashboard.moc"
