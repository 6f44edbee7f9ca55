// JobsDashboard (app/): a real backend on a temp store, a job kind that fails, and the
// dashboard's polling, dead-letter list, retry, discard and pause.
#include "jobsdashboard.h"

#include "core/backend.h"
#include "jobs/jobengine.h"
#include "jobs/jobhandler.h"
#include "jobs/jobrun.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace arbor;

namespace {

class FailingHandler : public jobs::JobHandler
{
public:
    QString kind() const override { return QStringLiteral("dash.fail"); }
    void start(jobs::JobRun *run) override { run->fail({QStringLiteral("HTTP 400: bad request"), false, -1}); }
};

QVariantMap queueNamed(const QVariantList &queues, const QString &name)
{
    for (const QVariant &q : queues)
        if (q.toMap().value(QStringLiteral("name")).toString() == name)
            return q.toMap();
    return {};
}

} // namespace

class TestJobsDashboard : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void showsFailedJobsAndActsOnThem()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        core::BackendOptions options;
        options.dbPath = dir.filePath(QStringLiteral("a.db"));
        options.demoRate = 0;
        core::Backend backend(options);
        backend.engine().registerHandler(std::make_shared<FailingHandler>());
        backend.open();

        jobs::JobSpec spec;
        spec.kind = QStringLiteral("dash.fail");
        spec.queue = QStringLiteral("vendor");
        const qint64 id = backend.engine().enqueue(spec).result();

        app::JobsDashboard dashboard(&backend);
        QSignalSpy active(&dashboard, &app::JobsDashboard::activeChanged);
        dashboard.setActive(true);
        QCOMPARE(active.size(), 1);
        QVERIFY(dashboard.active());

        QTRY_COMPARE_WITH_TIMEOUT(dashboard.failedJobs().size(), 1, 30000);
        QVariantMap failed = dashboard.failedJobs().first().toMap();
        QCOMPARE(failed.value(QStringLiteral("id")).toLongLong(), id);
        QCOMPARE(failed.value(QStringLiteral("errors")).toStringList().size(), 1);
        QVERIFY(failed.value(QStringLiteral("errors")).toStringList().first().contains(u"HTTP 400"));
        QCOMPARE(queueNamed(dashboard.queues(), QStringLiteral("vendor")).value(QStringLiteral("failed")).toInt(), 1);
        QCOMPARE(dashboard.series().size(), 60);
        QCOMPARE(dashboard.series().last().toMap().value(QStringLiteral("failed")).toInt()
                     + dashboard.series().at(58).toMap().value(QStringLiteral("failed")).toInt(),
                 1);

        // Retry: it runs again and fails again; the dead-letter entry now lists both attempts.
        dashboard.retry(id);
        QTRY_COMPARE_WITH_TIMEOUT(
            dashboard.failedJobs().isEmpty() ? 0 : dashboard.failedJobs().first().toMap().value(QStringLiteral("errors")).toStringList().size(),
            2, 30000);

        dashboard.discard(id);
        QTRY_VERIFY_WITH_TIMEOUT(dashboard.failedJobs().isEmpty(), 30000);

        dashboard.setPaused(QStringLiteral("vendor"), true);
        QTRY_VERIFY_WITH_TIMEOUT(queueNamed(dashboard.queues(), QStringLiteral("vendor")).value(QStringLiteral("paused")).toBool(), 30000);

        dashboard.setActive(false);
        QVERIFY(!dashboard.active());
        QCOMPARE(active.size(), 2);
    }
};

QTEST_GUILESS_MAIN(TestJobsDashboard)
#include "tst_jobsdashboard.moc"
