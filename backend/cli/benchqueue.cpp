// arbord bench queue: job engine throughput and idle pickup latency on a temporary store,
// with a no-op job kind (issue #5, item 5).
#include "commands.h"
#include "common.h"

#include "core/whenready.h"
#include "jobs/jobengine.h"
#include "jobs/jobhandler.h"
#include "jobs/jobrun.h"
#include "store/sql.h"
#include "store/store.h"

#include <QCommandLineParser>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTextStream>
#include <QThread>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <vector>

namespace arbor::cli {

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t0)
{
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

/** @brief Kind "bench.noop": succeeds at once; notes when the latest job started (pickup). */
class NoopHandler : public jobs::JobHandler
{
public:
    QString kind() const override { return QStringLiteral("bench.noop"); }
    void start(jobs::JobRun *run) override
    {
        started.store(Clock::now().time_since_epoch().count(), std::memory_order_release);
        run->succeed();
    }
    std::atomic<Clock::rep> started{0};
};

jobs::JobSpec noopSpec(int i)
{
    jobs::JobSpec spec;
    spec.kind = QStringLiteral("bench.noop");
    spec.queue = QStringLiteral("bench");
    spec.payload = {{QStringLiteral("n"), i}};
    spec.maxAttempts = 1;
    return spec;
}

/** @brief Counts jobFinished signals (engine thread) for a waiter (bench thread). A condition
 *  variable, not a promise per sample: the waiter must not replace what the engine thread may
 *  still be signalling through. */
struct FinishCounter
{
    std::mutex mutex;
    std::condition_variable reached;
    int finished = 0;

    void add()
    {
        std::lock_guard lock(mutex);
        ++finished;
        reached.notify_all();
    }
    void reset()
    {
        std::lock_guard lock(mutex);
        finished = 0;
    }
    void waitFor(int target)
    {
        std::unique_lock lock(mutex);
        reached.wait(lock, [&] { return finished >= target; });
    }
};

double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    const size_t i = std::min(v.size() - 1, size_t(p * double(v.size() - 1) + 0.5));
    return v[i];
}

} // namespace

int runBenchQueue(const QStringList &args)
{
    QTextStream out(stdout);
    QTextStream err(stderr);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("arbord bench queue: enqueue, bulk enqueue, processing and idle pickup of "
                       "no-op jobs on a temporary store."));
    const QCommandLineOption jobsOption(QStringLiteral("jobs"),
                                        QStringLiteral("Jobs per phase (default 20000)."),
                                        QStringLiteral("N"), QStringLiteral("20000"));
    const QCommandLineOption concurrencyOption(
        QStringLiteral("concurrency"),
        QStringLiteral("Engine concurrency and adders in flight (default 50)."),
        QStringLiteral("C"), QStringLiteral("50"));
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print JSON."));
    const QCommandLineOption help(QStringList{QStringLiteral("h"), QStringLiteral("help")},
                                  QStringLiteral("Show this help."));
    parser.addOptions({jobsOption, concurrencyOption, json, help});
    if (!parser.parse(QStringList{QStringLiteral("arbord bench queue")} + args)) {
        err << "arbord bench queue: " << parser.errorText() << "\n";
        return Usage;
    }
    if (parser.isSet(help)) {
        out << parser.helpText();
        return Ok;
    }
    const auto jobCount =
        wholeOption(parser, jobsOption, 100, 10'000'000, QStringLiteral("bench queue"));
    const auto inFlight =
        wholeOption(parser, concurrencyOption, 1, 1000, QStringLiteral("bench queue"));
    if (!jobCount || !inFlight)
        return Usage;
    const int n = int(*jobCount);
    const int concurrency = int(*inFlight);

    QTemporaryDir dir;
    store::Store store(dir.filePath(QStringLiteral("bench.db")), 1);
    try {
        store.open();
    } catch (const std::exception &e) {
        err << "arbord bench queue: " << e.what() << "\n";
        return Failure;
    }

    jobs::JobEngine::Options options;
    options.concurrency = concurrency;
    options.pollIntervalMs = 60000; // the bench measures the in-process wake-up, not the poll
    jobs::JobEngine engine(store, options);
    auto handler = std::make_shared<NoopHandler>();
    engine.registerHandler(handler);
    auto counter = std::make_shared<FinishCounter>();
    QObject::connect(
        &engine, &jobs::JobEngine::jobFinished, &engine, [counter] { counter->add(); },
        Qt::DirectConnection);

    // 1. Single adds, each durable when its call returns. enqueue_per_s: one adder that waits
    //    for each add before the next (serial awaited calls, one commit per add).
    //    enqueue_concurrent_per_s: `concurrency` adders in flight, so that group commit can
    //    share a commit between adds pending at the same moment.
    double enqueuePerS = 0;
    double enqueueConcurrentPerS = 0;
    const int serial = n;
    {
        const auto t0 = Clock::now();
        for (int i = 0; i < serial; ++i)
            engine.enqueue(noopSpec(i)).waitForFinished();
        enqueuePerS = serial / secondsSince(t0);

        // Each add continues on a thread of its own (whenReady: Qt 6.4's then() may run twice)
        // and may still be returning when the last add is counted: what they touch is shared
        // with them, not local to this block.
        QThread adderThread;
        adderThread.setObjectName(QStringLiteral("arbor-bench-adders"));
        adderThread.start();
        auto *context = new QObject;
        context->moveToThread(&adderThread);
        QObject::connect(&adderThread, &QThread::finished, context, &QObject::deleteLater);
        struct Adders : std::enable_shared_from_this<Adders>
        {
            std::atomic<int> issued{0};
            FinishCounter committed;
            std::function<void()> addOne;
        };
        auto adders = std::make_shared<Adders>();
        adders->addOne = [a = adders.get(), &engine, n, context] {
            const int i = a->issued++;
            if (i >= n)
                return;
            core::whenReady(context, engine.enqueue(noopSpec(i)),
                            [self = a->shared_from_this()](QFuture<qint64>) {
                                self->addOne(); // the next one first: counting the last may end
                                                // the block
                                self->committed.add();
                            });
        };
        const auto t1 = Clock::now();
        for (int k = 0; k < std::min(concurrency, n); ++k)
            QMetaObject::invokeMethod(context, [a = adders] { a->addOne(); });
        adders->committed.waitFor(n);
        enqueueConcurrentPerS = n / secondsSince(t1);
        adderThread.quit();
        adderThread.wait();
    }

    // 2. Bulk adds: batches of 1000 jobs per call, one transaction each.
    double bulkPerS = 0;
    const int bulkTotal = n;
    {
        const auto t0 = Clock::now();
        QList<QFuture<QList<qint64>>> pending;
        for (int done = 0; done < bulkTotal; done += 1000) {
            QList<jobs::JobSpec> batch;
            for (int i = done; i < std::min(bulkTotal, done + 1000); ++i)
                batch.append(noopSpec(i));
            pending.append(engine.enqueueMany(batch));
        }
        for (auto &f : pending)
            f.waitForFinished();
        bulkPerS = bulkTotal / secondsSince(t0);
    }

    // 3. Processing everything queued so far: claim -> run -> done, each end committed.
    const int queued = serial + n + bulkTotal;
    double processPerS = 0;
    {
        counter->reset();
        const auto t0 = Clock::now();
        engine.start();
        counter->waitFor(queued);
        processPerS = queued / secondsSince(t0);
    }

    // 4. Idle pickup: one job at a time on an idle engine, add -> handler start.
    std::vector<double> pickups;
    {
        const int samples = 500;
        for (int i = 0; i < samples; ++i) {
            counter->reset();
            const auto t0 = Clock::now();
            engine.enqueue(noopSpec(i));
            counter->waitFor(1);
            const auto started = Clock::time_point(
                Clock::duration(handler->started.load(std::memory_order_acquire)));
            pickups.push_back(std::chrono::duration<double, std::milli>(started - t0).count());
        }
    }
    engine.stop();
    store.close();

    const double p50 = percentile(pickups, 0.50);
    const double p99 = percentile(pickups, 0.99);
    if (parser.isSet(json)) {
        out << QJsonDocument(
                   QJsonObject{
                       {QStringLiteral("jobs"), n},
                       {QStringLiteral("concurrency"), concurrency},
                       {QStringLiteral("synchronous"), QStringLiteral("normal")},
                       {QStringLiteral("enqueue_per_s"), qRound(enqueuePerS)},
                       {QStringLiteral("enqueue_concurrent_per_s"), qRound(enqueueConcurrentPerS)},
                       {QStringLiteral("bulk_enqueue_per_s"), qRound(bulkPerS)},
                       {QStringLiteral("process_per_s"), qRound(processPerS)},
                       {QStringLiteral("pickup_p50_ms"), p50},
                       {QStringLiteral("pickup_p99_ms"), p99},
                   })
                   .toJson(QJsonDocument::Indented);
        return Ok;
    }
    out << "queue bench: " << n << " jobs per phase, concurrency " << concurrency
        << ", WAL synchronous=NORMAL\n"
        << "  enqueue_per_s        " << qRound(enqueuePerS)
        << "  (single adds, one adder awaiting each: committed when its call returns)\n"
        << "  enqueue_concurrent_per_s " << qRound(enqueueConcurrentPerS) << "  (single adds, "
        << concurrency << " in flight, each committed when its call returns)\n"
        << "  bulk_enqueue_per_s   " << qRound(bulkPerS) << "  (1000 per call)\n"
        << "  process_per_s        " << qRound(processPerS)
        << "  (claim -> run -> done, committed)\n"
        << "  pickup_p50_ms        " << QString::number(p50, 'f', 3) << "\n"
        << "  pickup_p99_ms        " << QString::number(p99, 'f', 3) << "\n";
    return Ok;
}

} // namespace arbor::cli
