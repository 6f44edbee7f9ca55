// `arbord jobs ...` (look at and act on the queue) and `arbord worker` (run jobs headless).
#include "commands.h"
#include "common.h"

#include "core/backend.h"
#include "core/readonlybackend.h"
#include "jobs/jobengine.h"
#include "jobs/jobhandler.h"
#include "jobs/jobqueries.h"
#include "jobs/jobrun.h"
#include "jobs/jobsservice.h"
#include "jobs/pinned.h"
#include "store/sql.h"
#include "store/store.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>
#include <QTimer>

#include <limits>
#include <optional>

namespace arbor::cli {

namespace {

const char *const JobsUsage = R"(Usage: arbord jobs [--db PATH] [--json]
       arbord jobs retry ID | discard ID | pause QUEUE | resume QUEUE [--db PATH]
       arbord jobs limit QUEUE [--concurrency N] [--rpm N] [--tpm N] [--db PATH]

Without an action: every queue with its jobs per state, the jobs waiting to run again after a
failed attempt (with the time of the next and the last error), and the failed (dead-letter) jobs
with every attempt's error. retry queues a failed or cancelled job again with fresh attempts; discard
deletes a finished job; pause stops a queue from starting jobs (running ones finish); resume
undoes it. limit sets a queue's (a provider's) concurrency and its requests/minute and
tokens/minute budgets (0 = no limit; options not given stay as they were). A running worker or
app picks a change up within a second.
)";

QString timeText(qint64 ms)
{
    return ms > 0 ? QDateTime::fromMSecsSinceEpoch(ms).toString(Qt::ISODateWithMs)
                  : QStringLiteral("-");
}

QJsonObject jobJson(const jobs::Job &job, const QList<jobs::admin::Attempt> &attempts)
{
    QJsonArray list;
    for (const auto &a : attempts)
        list.append(QJsonObject{{QStringLiteral("attempt"), a.attempt},
                                {QStringLiteral("outcome"), a.outcome},
                                {QStringLiteral("error"), a.error},
                                {QStringLiteral("started_at"), a.startedAt},
                                {QStringLiteral("finished_at"), a.finishedAt}});
    return QJsonObject{{QStringLiteral("id"), job.id},
                       {QStringLiteral("kind"), job.kind},
                       {QStringLiteral("queue"), jobs::queueForPeople(job.queue)},
                       {QStringLiteral("state"), jobs::toString(job.state)},
                       {QStringLiteral("attempts"), job.attempts},
                       {QStringLiteral("max_attempts"), job.maxAttempts},
                       {QStringLiteral("last_error"), job.lastError},
                       {QStringLiteral("subject_id"), job.subjectId},
                       {QStringLiteral("finished_at"), job.finishedAt},
                       {QStringLiteral("errors"), list}};
}

int showJobs(jobs::JobsMonitor &monitor, bool json)
{
    jobs::SnapshotOptions options;
    options.minutes = 0;
    options.recent = 0;
    options.failed = 50;
    options.waiting = 50;
    const jobs::JobsSnapshot view = monitor.snapshot(options).result();
    if (json) {
        QJsonArray queues;
        for (const jobs::QueueView &q : view.queues) {
            const QJsonObject counts{{QStringLiteral("queued"), q.queued},
                                     {QStringLiteral("running"), q.running},
                                     {QStringLiteral("done"), q.done},
                                     {QStringLiteral("failed"), q.failed},
                                     {QStringLiteral("cancelled"), q.cancelled}};
            queues.append(QJsonObject{
                {QStringLiteral("name"), q.name},
                {QStringLiteral("paused"), q.paused},
                {QStringLiteral("counts"), counts},
                {QStringLiteral("limits"),
                 QJsonObject{{QStringLiteral("concurrency"), q.concurrency},
                             {QStringLiteral("requests_per_minute"), q.requestsPerMinute},
                             {QStringLiteral("tokens_per_minute"), q.tokensPerMinute}}}});
        }
        QJsonArray failed;
        for (const jobs::FailedJob &f : view.failed)
            failed.append(jobJson(f.job, f.attempts));
        QJsonArray waiting;
        for (const jobs::Job &job : view.waiting) {
            QJsonObject o = jobJson(job, {});
            o.remove(QStringLiteral("errors"));
            o.insert(QStringLiteral("run_at"), job.runAt);
            waiting.append(o);
        }
        out() << QJsonDocument(QJsonObject{{QStringLiteral("queues"), queues},
                                           {QStringLiteral("waiting"), waiting},
                                           {QStringLiteral("failed"), failed}})
                     .toJson(QJsonDocument::Indented);
        return Ok;
    }
    out() << QStringLiteral("%1 %2 %3 %4 %5 %6\n")
                 .arg(QStringLiteral("QUEUE"), -20)
                 .arg(QStringLiteral("QUEUED"), 8)
                 .arg(QStringLiteral("RUNNING"), 8)
                 .arg(QStringLiteral("DONE"), 8)
                 .arg(QStringLiteral("FAILED"), 8)
                 .arg(QStringLiteral("CANCELLED"), 10);
    for (const jobs::QueueView &q : view.queues)
        out() << QStringLiteral("%1 %2 %3 %4 %5 %6%7\n")
                     .arg(q.name, -20)
                     .arg(q.queued, 8)
                     .arg(q.running, 8)
                     .arg(q.done, 8)
                     .arg(q.failed, 8)
                     .arg(q.cancelled, 10)
                     .arg(q.paused ? QStringLiteral("  (paused)") : QString());
    if (!view.waiting.isEmpty()) {
        out() << "\nWaiting to run again (next first):\n";
        for (const jobs::Job &job : view.waiting) {
            out() << "  #" << job.id << ' ' << job.kind << " on " << jobs::queueForPeople(job.queue)
                  << ", " << job.attempts << '/' << job.maxAttempts << " attempts, next run "
                  << timeText(job.runAt);
            if (job.runAt > view.takenAt)
                out() << " (in " << (job.runAt - view.takenAt + 999) / 1000 << " s)";
            out() << "\n      " << job.lastError << '\n';
        }
    }
    if (view.failed.isEmpty()) {
        out() << "\nNo failed jobs.\n";
        return Ok;
    }
    out() << "\nFailed jobs (newest first):\n";
    for (const jobs::FailedJob &f : view.failed) {
        const jobs::Job &job = f.job;
        out() << "  #" << job.id << ' ' << job.kind << " on " << jobs::queueForPeople(job.queue)
              << ", " << job.attempts << '/' << job.maxAttempts << " attempts, failed "
              << timeText(job.finishedAt) << '\n';
        for (const auto &a : f.attempts)
            out() << "      attempt " << a.attempt << " (" << a.outcome << "): " << a.error << '\n';
        if (f.attempts.isEmpty())
            out() << "      " << job.lastError << '\n';
    }
    return Ok;
}

} // namespace

int runJobs(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QString::fromLatin1(JobsUsage));
    const QCommandLineOption db(QStringLiteral("db"), QStringLiteral("The store."),
                                QStringLiteral("PATH"));
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print JSON."));
    const QCommandLineOption help(QStringList{QStringLiteral("h"), QStringLiteral("help")},
                                  QStringLiteral("Show this help."));
    const QCommandLineOption concurrency(
        QStringLiteral("concurrency"), QStringLiteral("limit: jobs at once."), QStringLiteral("N"));
    const QCommandLineOption rpm(
        QStringLiteral("rpm"), QStringLiteral("limit: requests per minute."), QStringLiteral("N"));
    const QCommandLineOption tpm(QStringLiteral("tpm"), QStringLiteral("limit: tokens per minute."),
                                 QStringLiteral("N"));
    parser.addOptions({db, json, help, concurrency, rpm, tpm});
    parser.addPositionalArgument(QStringLiteral("action"),
                                 QStringLiteral("retry, discard, pause, resume or limit"));
    if (!parser.parse(QStringList{QStringLiteral("arbord jobs")} + args)) {
        err() << "arbord jobs: " << parser.errorText() << "\n";
        return Usage;
    }
    if (parser.isSet(help)) {
        out() << JobsUsage;
        return Ok;
    }
    const QStringList pos = parser.positionalArguments();
    if (!pos.isEmpty() && pos.size() != 2) {
        err() << JobsUsage;
        return Usage;
    }

    try {
        // Looking at the queue never creates or changes a store; acting on it does.
        if (pos.isEmpty()) {
            core::ReadOnlyBackend reader(parser.value(db));
            reader.open();
            return showJobs(reader.jobs(), parser.isSet(json));
        }

        const QString action = pos[0];
        const QString target = pos[1];
        std::optional<qint64> values[3];
        std::optional<qint64> jobId;
        if (action == u"limit") {
            const QCommandLineOption *options[3] = {&concurrency, &rpm, &tpm};
            // 0 = no limit; the largest values are far beyond any vendor's, and fit their columns.
            const qint64 largest[3] = {1000, 1'000'000'000, 1'000'000'000'000};
            for (int i = 0; i < 3; ++i) {
                if (!parser.isSet(*options[i]))
                    continue;
                values[i] =
                    wholeOption(parser, *options[i], 0, largest[i], QStringLiteral("jobs limit"));
                if (!values[i])
                    return Usage;
            }
        } else if (action != u"pause" && action != u"resume") {
            jobId = wholeNumber(target, 1, std::numeric_limits<qint64>::max());
            if (!jobId || (action != u"retry" && action != u"discard")) {
                err() << JobsUsage;
                return Usage;
            }
        }

        core::BackendOptions options;
        options.dbPath = parser.value(db);
        options.runJobs = false; // acting on the queue; a worker or the app runs the jobs
        core::Backend backend(options);
        if (const auto code = openBackend(backend, QStringLiteral("jobs")))
            return *code;
        jobs::JobsService &service = backend.jobs();
        if (action == u"pause" || action == u"resume") {
            const bool paused = action == u"pause";
            service.setPaused(target, paused).waitForFinished();
            out() << "queue " << target << (paused ? " paused\n" : " resumed\n");
            return Ok;
        }
        if (action == u"limit") {
            const jobs::QueueSettings saved =
                service
                    .setLimits(target, values[0] ? int(*values[0]) : -1, values[1].value_or(-1),
                               values[2].value_or(-1))
                    .result();
            out() << "queue " << target << ": concurrency " << saved.concurrency << ", "
                  << saved.requestsPerMinute << " requests/min, " << saved.tokensPerMinute
                  << " tokens/min (0 = no limit)\n";
            return Ok;
        }
        const qint64 id = *jobId;
        const bool done =
            action == u"retry" ? service.retry(id).result() : service.discard(id).result();
        if (!done) {
            err() << "arbord jobs: job " << id
                  << (action == u"retry" ? " is not failed or cancelled\n"
                                         : " is not finished (or does not exist)\n");
            return Failure;
        }
        out() << "job " << id << (action == u"retry" ? " queued again\n" : " discarded\n");
        return Ok;
    } catch (const std::exception &e) {
        err() << "arbord jobs: " << e.what() << "\n";
        return Failure;
    }
}

namespace {

/**
 * @brief Test-only job kind "test.effect", registered by `arbord worker` only when
 * ARBOR_TEST_JOB_KINDS=1: its effect is one row in test_effects, committed in the same
 * transaction as the job's completion, so a crash test can count effects per job.
 */
class TestEffectHandler : public jobs::JobHandler
{
public:
    QString kind() const override { return QStringLiteral("test.effect"); }
    void start(jobs::JobRun *run) override
    {
        const qint64 id = run->job().id;
        run->succeed([id](const QSqlDatabase &db, jobs::JobState) {
            store::exec(db, QStringLiteral("INSERT INTO test_effects (job_id) VALUES (?)"), {id});
        });
    }
};

} // namespace

int runWorker(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("arbord worker: runs queued jobs until SIGINT or SIGTERM."));
    const QCommandLineOption db(QStringLiteral("db"), QStringLiteral("The store."),
                                QStringLiteral("PATH"));
    const QCommandLineOption concurrency(QStringLiteral("concurrency"),
                                         QStringLiteral("Jobs at once (default 8)."),
                                         QStringLiteral("N"), QStringLiteral("8"));
    const QCommandLineOption rate(
        QStringLiteral("rate"),
        QStringLiteral("Speed of the demo model's replies it runs, tokens per second (default "
                       "0: no delay)."),
        QStringLiteral("TOKENS_PER_S"), QStringLiteral("0"));
    const QCommandLineOption help(QStringList{QStringLiteral("h"), QStringLiteral("help")},
                                  QStringLiteral("Show this help."));
    parser.addOptions({db, concurrency, rate, help});
    if (!parser.parse(QStringList{QStringLiteral("arbord worker")} + args)) {
        err() << "arbord worker: " << parser.errorText() << "\n";
        return Usage;
    }
    if (parser.isSet(help)) {
        out() << parser.helpText();
        return Ok;
    }

    core::BackendOptions options;
    options.dbPath = parser.value(db);
    const auto jobsAtOnce = wholeOption(parser, concurrency, 1, 1000, QStringLiteral("worker"));
    if (!jobsAtOnce)
        return Usage;
    options.concurrency = int(*jobsAtOnce);
    const auto demoRate = decimalOption(parser, rate, 0, 1'000'000, QStringLiteral("worker"));
    if (!demoRate)
        return Usage;
    options.demoRate = *demoRate;
    core::Backend backend(options);
    if (qEnvironmentVariable("ARBOR_TEST_JOB_KINDS") == u"1") {
        backend.engine().registerHandler(std::make_shared<TestEffectHandler>());
        try {
            store::Store setup(store::Store::resolvePath(options.dbPath), 1);
            setup.open();
            setup
                .write([](QSqlDatabase &d) {
                    store::exec(
                        d,
                        QStringLiteral(
                            "CREATE TABLE IF NOT EXISTS test_effects (job_id INTEGER NOT NULL)"));
                })
                .waitForFinished();
        } catch (const std::exception &e) {
            err() << "arbord worker: " << e.what() << "\n";
            return Failure;
        }
    }
    try {
        backend.open();
    } catch (const std::exception &e) {
        err() << "arbord worker: " << e.what() << "\n";
        return Failure;
    }
    err() << "arbord worker: running jobs from " << backend.store().path()
          << " (stop with Ctrl+C)\n";
    err().flush();

    onInterrupt(qApp, [] { QCoreApplication::quit(); });
    QCoreApplication::exec();
    // Stop claiming, let running jobs end (each records its own state), then close the store:
    // nothing is lost, and a job that could not end in time is recovered by the next start.
    backend.close();
    err() << "arbord worker: stopped\n";
    return Ok;
}

} // namespace arbor::cli
