// JobsService and JobsMonitor (jobs/): the job dashboard as a backend use case, the one the
// window's dashboard and `arbord jobs` call. A real backend on a temp store with a job kind that
// fails; snapshots (counts, dead letters with every attempt, the per-minute chart, live limits),
// retry, discard, pause and limits; then the same snapshot read-only, with no engine at all.
#include "core/backend.h"
#include "jobs/jobengine.h"
#include "jobs/jobhandler.h"
#include "jobs/jobrun.h"
#include "jobs/jobsservice.h"
#include "store/store.h"

#include <QTemporaryDir>
#include <QTest>

using namespace arbor;

namespace {

class FailingHandler : public jobs::JobHandler
{
public:
    QString kind() const override { return QStringLiteral("svc.fail"); }
    void start(jobs::JobRun *run) override
    {
        run->fail({QStringLiteral("HTTP 400: bad request"), false, -1});
    }
};

jobs::QueueView queueNamed(const jobs::JobsSnapshot &s, const QString &name)
{
    for (const jobs::QueueView &q : s.queues)
        if (q.name == name)
            return q;
    return {};
}

} // namespace

class TestJobsService : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void snapshotsAndActions()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("a.db"));
        qint64 id = 0;
        {
            core::BackendOptions options;
            options.dbPath = path;
            options.demoRate = 0;
            core::Backend backend(options);
            backend.engine().registerHandler(std::make_shared<FailingHandler>());
            backend.open();
            jobs::JobsService &service = backend.jobs();
            QVERIFY(service.setLimits(QStringLiteral("vendor"), 2, 60, -1).result().concurrency
                    == 2);
            jobs::JobSpec spec;
            spec.kind = QStringLiteral("svc.fail");
            spec.queue = QStringLiteral("vendor");
            id = backend.engine().enqueue(spec).result();

            jobs::JobsSnapshot s;
            QTRY_VERIFY_WITH_TIMEOUT((s = service.snapshot().result()).failed.size() == 1, 30000);
            QCOMPARE(s.failed.first().job.id, id);
            QCOMPARE(s.failed.first().attempts.size(), 1);
            QVERIFY(s.failed.first().attempts.first().error.contains(u"HTTP 400"));
            QCOMPARE(s.series.size(), 60);
            QVERIFY(s.throughputPerMinute > 0);
            QCOMPARE(s.recent.first().id, id);
            const jobs::QueueView vendor = queueNamed(s, QStringLiteral("vendor"));
            QCOMPARE(vendor.failed, 1);
            QCOMPARE(vendor.concurrency, 2);
            QCOMPARE(vendor.requestsPerMinute, 60);
            QVERIFY(vendor.requestsAvailable >= 0); // live: this process runs the queue

            // Retry runs it again (and it fails again): two attempts on the dead letter.
            QVERIFY(service.retry(id).result());
            QTRY_VERIFY_WITH_TIMEOUT((s = service.snapshot().result()).failed.size() == 1
                                         && s.failed.first().attempts.size() == 2,
                                     30000);
            QVERIFY(!service.retry(id + 1000).result());
            QVERIFY(service.discard(id).result());
            QVERIFY(service.snapshot().result().failed.isEmpty());
            QVERIFY(!service.discard(id).result());

            service.setPaused(QStringLiteral("vendor"), true).waitForFinished();
            QVERIFY(queueNamed(service.snapshot().result(), QStringLiteral("vendor")).paused);
            id = backend.engine().enqueue(spec).result(); // waits: the queue is paused
        }

        // Read-only: no engine, the stored limits, the same counts.
        store::Store store(path, 1, store::Store::Access::ReadOnly);
        store.open();
        jobs::JobsMonitor monitor{store::StoreReader(store)};
        jobs::SnapshotOptions options;
        options.waiting = 10;
        const jobs::JobsSnapshot s = monitor.snapshot(options).result();
        const jobs::QueueView vendor = queueNamed(s, QStringLiteral("vendor"));
        QVERIFY(vendor.paused);
        QCOMPARE(vendor.queued, 1);
        QCOMPARE(vendor.concurrency, 2);
        QCOMPARE(vendor.requestsPerMinute, 60);
        QCOMPARE(vendor.requestsAvailable, -1.0);
        QCOMPARE(s.recent.first().id, id);
    }
};

QTEST_GUILESS_MAIN(TestJobsService)
#include "tst_jobsservice.moc"
