// arbord bench batch: a run of a million rows on a temporary store with the demo model at zero
// latency — import, processing through the job engine, export, and the process's peak memory
// (issue 21).
#include "commands.h"
#include "common.h"

#include "batch/batchexport.h"
#include "batch/batchservice.h"
#include "core/backend.h"
#include "jobs/jobengine.h"
#include "store/store.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QThread>

#include <cstdlib>

namespace arbor::cli {

namespace {

/** @brief The machine's 1-minute load average (other work competes for the cores). */
double loadAverage()
{
    double load[1] = {-1};
    return getloadavg(load, 1) == 1 ? qRound(load[0] * 100) / 100.0 : -1;
}

/** @brief A CSV list of @p rows rows: an id, a name and a text with commas, quotes and, every
 *  hundredth row, a line break inside its quotes. */
bool writeInput(const QString &path, qint64 rows)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return false;
    QByteArray chunk;
    chunk.reserve(1 << 20);
    chunk.append("id,name,text\n");
    for (qint64 i = 0; i < rows; ++i) {
        chunk.append(QByteArray::number(i));
        chunk.append(",customer ");
        chunk.append(QByteArray::number(i % 9973));
        chunk.append(",\"The order ");
        chunk.append(QByteArray::number(i * 7919 % 100003));
        chunk.append(i % 100 == 0 ? " arrived late,\nsays \"\"urgent\"\"\"\n"
                                  : " arrived late, \"\"please\"\" refund\"\n");
        if (chunk.size() > (1 << 20) - 256) {
            f.write(chunk);
            chunk.clear();
        }
    }
    f.write(chunk);
    return f.error() == QFileDevice::NoError;
}

} // namespace

int runBenchBatch(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("arbord bench batch: import, run (demo model, zero latency) and export a "
                       "batch run on a temporary store."));
    const QCommandLineOption rowsOption(QStringLiteral("rows"),
                                        QStringLiteral("Input rows (default 1000000)."),
                                        QStringLiteral("N"), QStringLiteral("1000000"));
    const QCommandLineOption concurrency(QStringLiteral("concurrency"),
                                         QStringLiteral("Engine concurrency (default 64)."),
                                         QStringLiteral("N"), QStringLiteral("64"));
    const QCommandLineOption tokens(QStringLiteral("max-tokens"),
                                    QStringLiteral("Tokens per demo reply (default 16)."),
                                    QStringLiteral("N"), QStringLiteral("16"));
    const QCommandLineOption json = jsonOption();
    parser.addOptions({rowsOption, concurrency, tokens, json});
    if (const auto code = parse(parser, QStringLiteral("bench batch"), args))
        return *code;
    const QString cmd = QStringLiteral("bench batch");
    const auto rows = wholeOption(parser, rowsOption, 100, 100'000'000, cmd);
    const auto jobsAtOnce = wholeOption(parser, concurrency, 1, 1000, cmd);
    const auto maxTokens = wholeOption(parser, tokens, 1, 100000, cmd);
    if (!rows || !jobsAtOnce || !maxTokens)
        return Usage;

    QTemporaryDir dir;
    const QString input = dir.filePath(QStringLiteral("input.csv"));
    if (!writeInput(input, *rows)) {
        err() << "arbord bench batch: cannot write the input in " << dir.path() << "\n";
        return Failure;
    }
    core::BackendOptions options;
    options.dbPath = dir.filePath(QStringLiteral("bench.db"));
    options.demoRate = 0;
    options.concurrency = int(*jobsAtOnce);
    core::Backend backend(options);
    if (const auto code = openBackend(backend, cmd))
        return *code;
    batch::BatchService &service = backend.batch();

    batch::CreateSpec spec;
    spec.name = QStringLiteral("bench");
    spec.templateText = QStringLiteral("Classify this message from {{name}} (#{{id}}): {{text}}");
    spec.inputPath = input;
    spec.models = {{0, QStringLiteral("demo"), QStringLiteral("demo")}};
    spec.maxTokens = int(*maxTokens);
    QElapsedTimer clock;
    clock.start();
    batch::CreateResult created;
    try {
        created = service.create(spec).result();
    } catch (const std::exception &e) {
        err() << "arbord bench batch: " << e.what() << "\n";
        return Failure;
    }
    const double importS = double(clock.nsecsElapsed()) / 1e9;

    clock.restart();
    const double cpuBefore = processCpuMicros();
    std::optional<batch::Run> run;
    try {
        service.start(created.runId).waitForFinished();
        for (;;) {
            QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
            QThread::msleep(50);
            run = service.run(created.runId).result();
            if (!run || run->state != batch::RunState::Running)
                break;
        }
    } catch (const std::exception &e) {
        err() << "arbord bench batch: " << e.what() << "\n";
        return Failure;
    }
    const double runS = double(clock.nsecsElapsed()) / 1e9;
    const double runCpuUs = processCpuMicros() - cpuBefore;
    if (!run || run->state != batch::RunState::Completed || run->done != created.rows) {
        err() << "arbord bench batch: the run did not complete every row\n";
        return Failure;
    }

    clock.restart();
    QFile exported(dir.filePath(QStringLiteral("export.csv")));
    qint64 exportedRows = 0;
    try {
        exported.open(QIODevice::WriteOnly);
        exportedRows = batch::exportRun(store::StoreReader(backend.store()), created.runId,
                                        batch::ExportFormat::Csv, &exported);
        exported.close();
    } catch (const std::exception &e) {
        err() << "arbord bench batch: " << e.what() << "\n";
        return Failure;
    }
    const double exportS = double(clock.nsecsElapsed()) / 1e9;
    const qint64 dbBytes = QFileInfo(options.dbPath).size()
        + QFileInfo(options.dbPath + QStringLiteral("-wal")).size();
    backend.close();

    const QJsonObject result{
        {QStringLiteral("rows"), created.rows},
        {QStringLiteral("import_rows_per_s"), qRound64(double(created.rows) / importS)},
        {QStringLiteral("rows_per_s"), qRound64(double(created.rows) / runS)},
        {QStringLiteral("export_rows_per_s"), qRound64(double(exportedRows) / exportS)},
        {QStringLiteral("peak_rss_mb"), qRound(processMemory().peakMb * 10) / 10.0},
        {QStringLiteral("import_s"), qRound(importS * 100) / 100.0},
        {QStringLiteral("run_s"), qRound(runS * 100) / 100.0},
        {QStringLiteral("export_s"), qRound(exportS * 100) / 100.0},
        {QStringLiteral("input_mb"), qRound(QFileInfo(input).size() / 1e5) / 10.0},
        {QStringLiteral("export_mb"), qRound(QFileInfo(exported).size() / 1e5) / 10.0},
        {QStringLiteral("db_mb"), qRound(double(dbBytes) / 1e5) / 10.0},
        {QStringLiteral("run_cpu_us_per_row"), qRound(runCpuUs / double(created.rows) * 10) / 10.0},
        {QStringLiteral("concurrency"), *jobsAtOnce},
        {QStringLiteral("load_avg_1m"), loadAverage()},
    };
    if (parser.isSet(json)) {
        printJson(result);
        return Ok;
    }
    for (auto it = result.begin(); it != result.end(); ++it)
        out() << it.key() << ": " << it.value().toVariant().toString() << "\n";
    return Ok;
}

} // namespace arbor::cli
