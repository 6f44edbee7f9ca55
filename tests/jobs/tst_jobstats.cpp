// The jobs dashboard's history and actions (issue 21): per-queue buckets kept as jobs end (not a
// scan of the jobs: they survive the jobs being discarded and the process restarting), the
// tiles, the 48-hour and 90-day retention, tags and their filter, a job's every attempt for the
// timeline, and bulk retry and discard of selected or filtered failed jobs.
#include "core/backend.h"
#include "jobs/jobengine.h"
#include "jobs/jobhandler.h"
#include "jobs/jobrun.h"
#include "jobs/jobsservice.h"
#include "jobs/jobstats.h"
#include "store/sql.h"
#include "store/store.h"

#include <QTemporaryDir>
#include <QTest>

using namespace arbor;

namespace {

class OkHandler : public jobs::JobHandler
{
public:
    QString kind() const override { return QStringLiteral("st.ok"); }
    void start(jobs::JobRun *run) override { run->succeed(); }
};

class FailingHandler : public jobs::JobHandler
{
public:
    QString kind() const override { return QStringLiteral("st.fail"); }
    void start(jobs::JobRun *run) override
    {
        run->fail({QStringLiteral("HTTP 400: refused"), false, -1});
    }
};

jobs::JobSpec spec(const QString &kind, const QString &queue, const QJsonObject &payload = {})
{
    jobs::JobSpec s;
    s.kind = kind;
    s.queue = queue;
    s.payload = payload;
    return s;
}

const jobs::stats::QueueSeries *seriesOf(const jobs::JobsSnapshot &s, const QString &queue)
{
    for (const jobs::stats::QueueSeries &q : s.queueSeries)
        if (q.queue == queue)
            return &q;
    return nullptr;
}

int total(const jobs::stats::QueueSeries *q, bool failed)
{
    int n = 0;
    if (q)
        for (const jobs::stats::Bucket &b : q->buckets)
            n += failed ? b.failed : b.done;
    return n;
}

jobs::JobsSnapshot history(jobs::JobsService &service, jobs::stats::Range range,
                           jobs::admin::TagFilter filter = {})
{
    jobs::SnapshotOptions o;
    o.history = true;
    o.range = range;
    o.filter = filter;
    return service.snapshot(o).result();
}

} // namespace

class TestJobStats : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    std::unique_ptr<core::Backend> open()
    {
        core::BackendOptions options;
        options.dbPath = m_dir.filePath(QStringLiteral("a.db"));
        options.demoRate = 0;
        auto backend = std::make_unique<core::Backend>(options);
        backend->engine().registerHandler(std::make_shared<OkHandler>());
        backend->engine().registerHandler(std::make_shared<FailingHandler>());
        backend->open();
        return backend;
    }

private Q_SLOTS:
    void historyIsKeptAsJobsEndAndSurvives()
    {
        {
            auto backend = open();
            QList<jobs::JobSpec> specs;
            for (int i = 0; i < 5; ++i)
                specs.append(spec(QStringLiteral("st.ok"), QStringLiteral("alpha")));
            for (int i = 0; i < 2; ++i)
                specs.append(spec(QStringLiteral("st.fail"), QStringLiteral("beta")));
            backend->engine().enqueueMany(specs).waitForFinished();
            jobs::JobsSnapshot s;
            QTRY_VERIFY_WITH_TIMEOUT(
                (s = history(backend->jobs(), jobs::stats::Range::Hour)).overview.jobsPastHour == 7,
                30000);
            QCOMPARE(s.overview.failuresPast7Days, 2);
            QCOMPARE(s.overview.jobsPerMinute, 7 / 5.0);
            QCOMPARE(s.queueSeries.first().queue, QString()); // all queues first
            QCOMPARE(s.queueSeries.first().buckets.size(), 60);
            QCOMPARE(total(&s.queueSeries.first(), false), 5);
            QCOMPARE(total(&s.queueSeries.first(), true), 2);
            QCOMPARE(total(seriesOf(s, QStringLiteral("alpha")), false), 5);
            QCOMPARE(total(seriesOf(s, QStringLiteral("beta")), true), 2);
            QCOMPARE(total(seriesOf(s, QStringLiteral("beta")), false), 0);
            // The global per-minute series reads the same history.
            int done = 0;
            for (const jobs::admin::MinuteBucket &b : s.series)
                done += b.done;
            QCOMPARE(done, 5);
            // Every job discarded: the history does not come from the jobs table.
            QCOMPARE(backend->jobs().discardFailed({}).result(), 2);
            backend->store()
                .write([](QSqlDatabase &db) {
                    store::exec(db, QStringLiteral("DELETE FROM jobs WHERE state = 'done'"));
                })
                .waitForFinished();
        }
        auto backend = open(); // and a restart
        const jobs::JobsSnapshot days = history(backend->jobs(), jobs::stats::Range::NinetyDays);
        QCOMPARE(days.queueSeries.first().buckets.size(), 90);
        QCOMPARE(days.queueSeries.first().buckets.last().done, 5);
        QCOMPARE(days.queueSeries.first().buckets.last().failed, 2);
        const jobs::JobsSnapshot twoDays = history(backend->jobs(), jobs::stats::Range::TwoDays);
        QCOMPARE(twoDays.queueSeries.first().buckets.size(), 96);
        QCOMPARE(total(&twoDays.queueSeries.first(), false), 5);
        QCOMPARE(history(backend->jobs(), jobs::stats::Range::Hour).overview.jobsPastHour, 7);
    }

    void oldBucketsArePruned()
    {
        store::Store store(m_dir.filePath(QStringLiteral("prune.db")));
        store.open();
        const qint64 now = 400LL * 24 * jobs::stats::HourMs;
        const auto counts = [&] {
            return store
                .read([](QSqlDatabase &db) {
                    QSqlQuery q = store::exec(
                        db,
                        QStringLiteral("SELECT resolution, count(*) FROM job_stats GROUP BY"
                                       " resolution ORDER BY resolution"));
                    QList<int> out;
                    while (q.next())
                        out.append(q.value(1).toInt());
                    return out;
                })
                .result();
        };
        store
            .write([now](QSqlDatabase &db) {
                jobs::stats::record(
                    db,
                    {{QStringLiteral("q"), false, 10, now - 49 * jobs::stats::HourMs},
                     {QStringLiteral("q"), false, 10, now - 47 * jobs::stats::HourMs},
                     {QStringLiteral("q"), true, 10, now - 91 * 24 * jobs::stats::HourMs}});
            })
            .waitForFinished();
        QCOMPARE(counts(), (QList<int>{3, 3})); // minute buckets, hour buckets
        store.write([now](QSqlDatabase &db) { jobs::stats::prune(db, now); }).waitForFinished();
        // Minutes: only the one of 47 hours ago; hours: all but the one of 91 days ago.
        QCOMPARE(counts(), (QList<int>{1, 2}));
    }

    void tagsBulkActionsAndTheTimeline()
    {
        auto backend = open();
        jobs::JobsService &service = backend->jobs();
        QList<jobs::JobSpec> specs;
        for (int i = 0; i < 3; ++i)
            specs.append(spec(QStringLiteral("st.fail"), QStringLiteral("vendor"),
                              {{QStringLiteral("run"), 7}}));
        for (int i = 0; i < 2; ++i)
            specs.append(spec(QStringLiteral("st.fail"), QStringLiteral("vendor"),
                              {{QStringLiteral("run"), 8},
                               {QStringLiteral("tags"),
                                QJsonObject{{QStringLiteral("conversation"), QStringLiteral("c-1")},
                                            {QStringLiteral("model"), QStringLiteral("m1")}}}}));
        specs.append(spec(QStringLiteral("st.ok"), QStringLiteral("default")));
        const QList<qint64> ids = backend->engine().enqueueMany(specs).result();
        QTRY_COMPARE_WITH_TIMEOUT(service.snapshot().result().failed.size(), 5, 30000);

        // Tags: provider (the queue), run, and the payload's own.
        const jobs::Job tagged = service.detail(ids[3]).result().job;
        const QMap<QString, QString> tags = jobs::tagsOf(tagged);
        QCOMPARE(tags.value(QStringLiteral("provider")), QStringLiteral("vendor"));
        QCOMPARE(tags.value(QStringLiteral("run")), QStringLiteral("8"));
        QCOMPARE(tags.value(QStringLiteral("conversation")), QStringLiteral("c-1"));
        QCOMPARE(tags.value(QStringLiteral("model")), QStringLiteral("m1"));
        QVERIFY(!jobs::tagsOf(service.detail(ids[5]).result().job)
                     .contains(QStringLiteral("provider")));
        jobs::SnapshotOptions o;
        o.filter = {QStringLiteral("conversation"), QStringLiteral("c-1")};
        QCOMPARE(service.snapshot(o).result().recent.size(), 2);
        o.filter = {QStringLiteral("run"), QStringLiteral("7")};
        QCOMPARE(service.snapshot(o).result().failed.size(), 3);
        o.filter = {QStringLiteral("provider"), QStringLiteral("vendor")};
        QCOMPARE(service.snapshot(o).result().recent.size(), 5);

        // Retry what a filter shows: run 7's three jobs, which fail again.
        QCOMPARE(service.retryFailed({QStringLiteral("run"), QStringLiteral("7")}).result(), 3);
        // Two attempts, the second ended too (while it runs it is listed as "running").
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                const auto attempts = service.detail(ids[0]).result().attempts;
                return attempts.size() == 2 && attempts.at(1).outcome != u"running";
            }(),
            30000);
        // The timeline: both attempts, each with its start, end and error, in order.
        const jobs::admin::JobDetail d = service.detail(ids[0]).result();
        QVERIFY(d.found);
        for (const jobs::admin::Attempt &a : d.attempts) {
            QCOMPARE(a.outcome, QStringLiteral("failed"));
            QVERIFY(a.startedAt > 0);
            QVERIFY(a.finishedAt >= a.startedAt);
            QVERIFY(a.error.contains(u"refused"));
        }
        QVERIFY(d.attempts.at(1).startedAt >= d.attempts.at(0).finishedAt);
        // A done job's attempt is the job itself.
        const jobs::admin::JobDetail ok = service.detail(ids[5]).result();
        QCOMPARE(ok.attempts.size(), 1);
        QCOMPARE(ok.attempts.first().outcome, QStringLiteral("done"));
        QVERIFY(!service.detail(ids.last() + 100).result().found);

        // Selected: run 8's two; then everything failed that is left.
        QTRY_COMPARE_WITH_TIMEOUT(service.snapshot().result().failed.size(), 5, 30000);
        QCOMPARE(service.discardJobs({ids[3], ids[4], ids[5]}).result(), 3); // the done one too
        QCOMPARE(service.snapshot().result().failed.size(), 3);
        QCOMPARE(service.retryJobs({ids[3]}).result(), 0); // gone
        QCOMPARE(service.discardFailed({}).result(), 3);
        QVERIFY(service.snapshot().result().failed.isEmpty());
    }

    void theLongestWait()
    {
        auto backend = open();
        jobs::JobSpec waiting = spec(QStringLiteral("nobody.runs.this"), QStringLiteral("slow"));
        waiting.runAt = backend->engine().now() - 90'000;
        backend->engine().enqueue(waiting).waitForFinished();
        backend->engine()
            .enqueue(spec(QStringLiteral("nobody.runs.this"), QStringLiteral("fast")))
            .waitForFinished();
        const jobs::JobsSnapshot s = history(backend->jobs(), jobs::stats::Range::Hour);
        QCOMPARE(s.overview.longestWaitQueue, QStringLiteral("slow"));
        QVERIFY(s.overview.longestWaitMs >= 90'000);
    }
};

QTEST_GUILESS_MAIN(TestJobStats)
#include "tst_jobstats.moc"
