// `arbord batch`: batch runs — a template over a list × models (issue 21).
#include "commands.h"
#include "common.h"

#include "batch/batchqueries.h"
#include "batch/batchservice.h"
#include "core/backend.h"
#include "core/whenready.h"
#include "store/sql.h"
#include "store/store.h"
#include "usage/usageservice.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QTimer>

#include <cstdio>

namespace arbor::cli {

namespace {

using batch::Run;

const char *const BatchUsage = R"(Usage: arbord batch COMMAND [OPTIONS]

Batch runs: a prompt template with {{column}} variables over a CSV (header row) or JSONL list,
for one or more models. Jobs run in any process that runs jobs (the app, arbord worker, or
batch start --wait).

Commands:
  create --template FILE --input FILE --models P/M[,P/M...] [--system TEXT] [--name N]
         [--on-bad-row skip|stop] [--max-concurrency N] [--max-tokens N] [--json]
                      Import the list into a draft run; prints its id ({"id": N} with --json).
  start RUN [--wait]  Start a draft run (--wait: run its jobs here until it ends).
  pause RUN | resume RUN | cancel RUN | retry-failed RUN
  status RUN [--json] State, counts, rows/s, ETA, the first failed rows.
  export RUN --format csv|jsonl [-o FILE]
                      One line per input row: its columns, then each model's result.
  list [--json]       Every run, newest first.
Each takes --db PATH.
)";

QJsonValue costJson(qint64 nanos, const QString &currency)
{
    if (currency.isEmpty())
        return QJsonValue::Null;
    return double(nanos) / 1e9;
}

QJsonObject runJson(const Run &r, qint64 now)
{
    QJsonArray models;
    for (const auto &m : r.models)
        models.append(m.key());
    const double rate = r.rowsPerSecond(now);
    const qint64 eta = r.etaSeconds(now);
    return {
        {QStringLiteral("id"), r.id},
        {QStringLiteral("name"), r.name},
        {QStringLiteral("state"), batch::toString(r.state)},
        {QStringLiteral("models"), models},
        {QStringLiteral("counts"),
         QJsonObject{{QStringLiteral("rows"), r.rowCount},
                     {QStringLiteral("results"), r.total()},
                     {QStringLiteral("done"), r.done},
                     {QStringLiteral("failed"), r.failed},
                     {QStringLiteral("pending"), r.pending()},
                     {QStringLiteral("in_flight"), r.queued},
                     {QStringLiteral("bad_rows"), r.badRows}}},
        {QStringLiteral("rows_per_s"), std::round(rate * 10) / 10},
        {QStringLiteral("eta_s"), eta < 0 ? QJsonValue(QJsonValue::Null) : QJsonValue(eta)},
        {QStringLiteral("input_tokens"), r.inputTokens},
        {QStringLiteral("output_tokens"), r.outputTokens},
        {QStringLiteral("cost"), costJson(r.costNanos, r.currency)},
        {QStringLiteral("currency"),
         r.currency.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(r.currency)},
        {QStringLiteral("created_at"), r.createdAt},
    };
}

QString runLine(const Run &r, qint64 now)
{
    const qint64 eta = r.etaSeconds(now);
    return QStringLiteral("%1  %2  %3  %4/%5 done, %6 failed  %7 rows/s%8  %9")
        .arg(r.id)
        .arg(batch::toString(r.state), -9)
        .arg(r.createdAt > 0 ? QDateTime::fromMSecsSinceEpoch(r.createdAt)
                                   .toString(QStringLiteral("yyyy-MM-dd HH:mm"))
                             : QString())
        .arg(usage::countText(r.done))
        .arg(usage::countText(r.total()))
        .arg(usage::countText(r.failed))
        .arg(r.rowsPerSecond(now), 0, 'f', 1)
        .arg(eta > 0 && r.state == batch::RunState::Running ? QStringLiteral(", ETA %1 s").arg(eta)
                                                            : QString())
        .arg(r.name);
}

std::optional<qint64> runId(const QCommandLineParser &parser, const QString &command)
{
    const QStringList pos = parser.positionalArguments();
    if (pos.size() != 1) {
        err() << "arbord batch " << command << ": give one run id\n";
        return std::nullopt;
    }
    const auto id = wholeNumber(pos.first(), 1, std::numeric_limits<qint64>::max());
    if (!id)
        err() << "arbord batch " << command << ": “" << pos.first() << "” is not a run id\n";
    return id;
}

/** @brief The store opened read-only, for commands that only look. */
std::optional<int> openReader(store::Store &store, const QString &command)
{
    try {
        store.open();
    } catch (const std::exception &e) {
        err() << "arbord batch " << command << ": " << e.what() << "\n";
        return Failure;
    }
    return std::nullopt;
}

int runCreate(const QStringList &args)
{
    QCommandLineParser parser;
    const QCommandLineOption db = dbOption();
    const QCommandLineOption json = jsonOption();
    const QCommandLineOption templ(QStringLiteral("template"),
                                   QStringLiteral("The prompt template file ({{column}})."),
                                   QStringLiteral("FILE"));
    const QCommandLineOption input(QStringLiteral("input"),
                                   QStringLiteral("The list: CSV with a header row, or JSONL."),
                                   QStringLiteral("FILE"));
    const QCommandLineOption models(QStringLiteral("models"),
                                    QStringLiteral("Models, comma-separated provider/model."),
                                    QStringLiteral("P/M,..."));
    const QCommandLineOption system(QStringLiteral("system"), QStringLiteral("A system prompt."),
                                    QStringLiteral("TEXT"));
    const QCommandLineOption name(QStringLiteral("name"), QStringLiteral("The run's name."),
                                  QStringLiteral("N"));
    const QCommandLineOption onBad(QStringLiteral("on-bad-row"),
                                   QStringLiteral("skip (default) or stop."),
                                   QStringLiteral("skip|stop"), QStringLiteral("skip"));
    const QCommandLineOption cap(QStringLiteral("max-concurrency"),
                                 QStringLiteral("At most N of the run's requests at once."),
                                 QStringLiteral("N"), QStringLiteral("0"));
    const QCommandLineOption maxTokens(QStringLiteral("max-tokens"),
                                       QStringLiteral("At most N tokens per reply."),
                                       QStringLiteral("N"), QStringLiteral("0"));
    parser.addOptions({db, json, templ, input, models, system, name, onBad, cap, maxTokens});
    if (const auto code = parse(parser, QStringLiteral("batch create"), args))
        return *code;
    const QString cmd = QStringLiteral("batch create");
    if (!parser.isSet(templ) || !parser.isSet(input) || !parser.isSet(models)) {
        err() << "arbord batch create: --template, --input and --models are required\n";
        return Usage;
    }
    if (parser.value(onBad) != u"skip" && parser.value(onBad) != u"stop") {
        err() << "arbord batch create: --on-bad-row takes skip or stop\n";
        return Usage;
    }
    const auto capValue = wholeOption(parser, cap, 0, 100000, cmd);
    const auto tokensValue = wholeOption(parser, maxTokens, 0, 1'000'000, cmd);
    if (!capValue || !tokensValue)
        return Usage;
    QFile templateFile(parser.value(templ));
    if (!templateFile.open(QIODevice::ReadOnly)) {
        err() << "arbord batch create: cannot read " << parser.value(templ) << ": "
              << templateFile.errorString() << "\n";
        return Failure;
    }
    core::BackendOptions options;
    options.dbPath = parser.value(db);
    options.runJobs = false;
    core::Backend backend(options);
    if (const auto code = openBackend(backend, cmd))
        return *code;
    batch::CreateSpec spec;
    spec.templateText = QString::fromUtf8(templateFile.readAll());
    spec.inputPath = parser.value(input);
    spec.systemPrompt = parser.value(system);
    spec.name = parser.value(name);
    spec.stopOnBadRow = parser.value(onBad) == u"stop";
    spec.maxConcurrency = int(*capValue);
    spec.maxTokens = int(*tokensValue);
    const QStringList known = backend.batch().providerIds().result();
    for (const QString &key : parser.value(models).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        QString error;
        const auto model = batch::BatchService::parseModel(key.trimmed(), known, error);
        if (!model) {
            err() << "arbord batch create: " << error << "\n";
            return Usage;
        }
        spec.models.append(*model);
    }
    const bool tty = stderrIsTerminal();
    int shown = 0;
    try {
        const batch::CreateResult r =
            backend.batch()
                .create(
                    spec,
                    [tty](const batch::ImportProgress &p) {
                        if (!tty)
                            return;
                        err() << "\rimported " << usage::countText(p.rows) << " rows ("
                              << (p.bytesTotal > 0 ? 100 * p.bytesRead / p.bytesTotal : 100)
                              << " %)";
                        err().flush();
                    },
                    [&shown](const batch::BadRow &b) {
                        if (++shown <= 20)
                            err() << "line " << b.line << ": " << b.reason << "\n";
                        err().flush();
                    })
                .result();
        if (tty)
            err() << "\n";
        if (shown > 20)
            err() << "… and " << (shown - 20) << " more bad rows\n";
        err() << "run " << r.runId << ": " << usage::countText(r.rows) << " rows imported"
              << (r.badRows > 0 ? QStringLiteral(", %1 bad rows skipped").arg(r.badRows)
                                : QString())
              << "; start it with: arbord batch start " << r.runId << "\n";
        if (parser.isSet(json))
            printJson(QJsonObject{{QStringLiteral("id"), r.runId},
                                  {QStringLiteral("rows"), r.rows},
                                  {QStringLiteral("bad_rows"), r.badRows}});
        else
            out() << r.runId << "\n";
    } catch (const std::exception &e) {
        err() << "arbord batch create: " << e.what() << "\n";
        return Failure;
    }
    return Ok;
}

/** @brief Runs jobs here until run @p id is no longer running. */
int waitForRun(core::Backend &backend, qint64 id)
{
    int code = Ok;
    QTimer timer;
    QString last;
    auto check = [&] {
        core::thenReady(&timer, backend.batch().run(id), [&](std::optional<Run> r) {
            if (!r) {
                code = Failure;
                QCoreApplication::quit();
                return;
            }
            const QString line = runLine(*r, QDateTime::currentMSecsSinceEpoch());
            if (line != last && stderrIsTerminal())
                err() << "\r" << line;
            err().flush();
            last = line;
            if (r->state != batch::RunState::Running)
                QCoreApplication::quit();
        });
    };
    QObject::connect(&timer, &QTimer::timeout, &timer, check);
    timer.start(500);
    onInterrupt(qApp, [&code] {
        code = Stopped;
        QCoreApplication::quit();
    });
    check();
    QCoreApplication::exec();
    if (stderrIsTerminal())
        err() << "\n";
    backend.close();
    return code;
}

int runTransition(const QString &command, const QStringList &args)
{
    QCommandLineParser parser;
    const QCommandLineOption db = dbOption();
    const QCommandLineOption json = jsonOption();
    const QCommandLineOption wait(QStringLiteral("wait"),
                                  QStringLiteral("start: run the jobs here until the run ends."));
    const QCommandLineOption concurrency(QStringLiteral("concurrency"),
                                         QStringLiteral("With --wait: jobs at once (default 8)."),
                                         QStringLiteral("N"), QStringLiteral("8"));
    parser.addOptions({db, json});
    if (command == u"start")
        parser.addOptions({wait, concurrency});
    parser.addPositionalArgument(QStringLiteral("RUN"), QStringLiteral("The run's id."));
    const QString cmd = QStringLiteral("batch ") + command;
    if (const auto code = parse(parser, cmd, args))
        return *code;
    const auto id = runId(parser, command);
    if (!id)
        return Usage;
    const bool waiting = command == u"start" && parser.isSet(wait);
    core::BackendOptions options;
    options.dbPath = parser.value(db);
    options.runJobs = waiting;
    options.demoRate = 0;
    if (waiting) {
        const auto n = wholeOption(parser, concurrency, 1, 1000, cmd);
        if (!n)
            return Usage;
        options.concurrency = int(*n);
    }
    core::Backend backend(options);
    if (const auto code = openBackend(backend, cmd))
        return *code;
    batch::BatchService &service = backend.batch();
    qint64 retried = 0;
    try {
        QFuture<Run> f;
        if (command == u"start")
            f = service.start(*id);
        else if (command == u"pause")
            f = service.pause(*id);
        else if (command == u"resume")
            f = service.resume(*id);
        else if (command == u"cancel")
            f = service.cancel(*id);
        else {
            const auto before = service.run(*id).result();
            f = service.retryFailed(*id);
            if (before)
                retried = before->failed;
        }
        const Run r = f.result();
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        if (command == u"retry-failed")
            err() << "run " << r.id << ": " << usage::countText(retried - r.failed)
                  << " failed results queued again\n";
        if (parser.isSet(json))
            printJson(runJson(r, now));
        else
            out() << runLine(r, now) << "\n";
    } catch (const std::exception &e) {
        err() << "arbord " << cmd << ": " << e.what() << "\n";
        return Failure;
    }
    if (waiting)
        return waitForRun(backend, *id);
    return Ok;
}

int runStatus(const QStringList &args)
{
    QCommandLineParser parser;
    const QCommandLineOption db = dbOption();
    const QCommandLineOption json = jsonOption();
    parser.addOptions({db, json});
    parser.addPositionalArgument(QStringLiteral("RUN"), QStringLiteral("The run's id."));
    if (const auto code = parse(parser, QStringLiteral("batch status"), args))
        return *code;
    const auto id = runId(parser, QStringLiteral("status"));
    if (!id)
        return Usage;
    store::Store store(store::Store::resolvePath(parser.value(db)), 1,
                       store::Store::Access::ReadOnly);
    if (const auto code = openReader(store, QStringLiteral("status")))
        return *code;
    struct Status
    {
        std::optional<Run> run;
        QList<batch::RowView> failed;
        QList<batch::BadRow> bad;
    };
    const Status s = store
                         .read([id = *id](QSqlDatabase &d) {
                             Status found;
                             found.run = batch::queries::get(d, id);
                             if (found.run) {
                                 found.failed = batch::queries::rows(d, *found.run, 0, 100, 1);
                                 found.bad = batch::queries::badRows(d, id, 100);
                             }
                             return found;
                         })
                         .result();
    if (!s.run) {
        err() << "arbord batch status: there is no batch run " << *id << "\n";
        return Failure;
    }
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (parser.isSet(json)) {
        QJsonObject o = runJson(*s.run, now);
        QJsonArray failed;
        for (const auto &row : s.failed)
            for (qsizetype m = 0; m < row.results.size(); ++m)
                if (row.results[m].status == u"failed")
                    failed.append(QJsonObject{{QStringLiteral("row"), row.rowNo + 1},
                                              {QStringLiteral("line"), row.line},
                                              {QStringLiteral("model"), s.run->models[m].key()},
                                              {QStringLiteral("error"), row.results[m].error}});
        o.insert(QStringLiteral("failed"), failed);
        QJsonArray bad;
        for (const auto &b : s.bad)
            bad.append(QJsonObject{{QStringLiteral("line"), b.line},
                                   {QStringLiteral("reason"), b.reason}});
        o.insert(QStringLiteral("bad_rows"), bad);
        printJson(o);
        return Ok;
    }
    out() << runLine(*s.run, now) << "\n";
    for (const auto &row : s.failed)
        for (qsizetype m = 0; m < row.results.size(); ++m)
            if (row.results[m].status == u"failed")
                out() << "  failed: row " << row.rowNo + 1 << " (line " << row.line << "), "
                      << s.run->models[m].key() << ": " << row.results[m].error << "\n";
    for (const auto &b : s.bad)
        out() << "  bad row: line " << b.line << ": " << b.reason << "\n";
    return Ok;
}

int runBatchExport(const QStringList &args)
{
    QCommandLineParser parser;
    const QCommandLineOption db = dbOption();
    const QCommandLineOption format(QStringLiteral("format"), QStringLiteral("csv or jsonl."),
                                    QStringLiteral("csv|jsonl"));
    const QCommandLineOption output(QStringList{QStringLiteral("o"), QStringLiteral("output")},
                                    QStringLiteral("The file (default: standard output)."),
                                    QStringLiteral("FILE"));
    parser.addOptions({db, format, output});
    parser.addPositionalArgument(QStringLiteral("RUN"), QStringLiteral("The run's id."));
    if (const auto code = parse(parser, QStringLiteral("batch export"), args))
        return *code;
    const auto id = runId(parser, QStringLiteral("export"));
    if (!id)
        return Usage;
    if (parser.value(format) != u"csv" && parser.value(format) != u"jsonl") {
        err() << "arbord batch export: --format takes csv or jsonl\n";
        return Usage;
    }
    store::Store store(store::Store::resolvePath(parser.value(db)), 1,
                       store::Store::Access::ReadOnly);
    if (const auto code = openReader(store, QStringLiteral("export")))
        return *code;
    QFile file;
    const bool toFile = parser.isSet(output) && parser.value(output) != u"-";
    if (toFile) {
        file.setFileName(parser.value(output));
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
            err() << "arbord batch export: cannot write " << file.fileName() << ": "
                  << file.errorString() << "\n";
            return Failure;
        }
    } else {
        out().flush();
        file.open(stdout, QIODevice::WriteOnly);
    }
    try {
        const qint64 n = batch::exportRun(
            store::StoreReader(store), *id,
            parser.value(format) == u"csv" ? batch::ExportFormat::Csv : batch::ExportFormat::Jsonl,
            &file);
        file.flush();
        if (toFile)
            err() << "wrote " << usage::countText(n) << " rows to " << file.fileName() << "\n";
    } catch (const std::exception &e) {
        err() << "arbord batch export: " << e.what() << "\n";
        return Failure;
    }
    return Ok;
}

int runBatchList(const QStringList &args)
{
    QCommandLineParser parser;
    const QCommandLineOption db = dbOption();
    const QCommandLineOption json = jsonOption();
    parser.addOptions({db, json});
    if (const auto code = parse(parser, QStringLiteral("batch list"), args))
        return *code;
    store::Store store(store::Store::resolvePath(parser.value(db)), 1,
                       store::Store::Access::ReadOnly);
    if (const auto code = openReader(store, QStringLiteral("list")))
        return *code;
    const QList<Run> runs =
        store.read([](QSqlDatabase &d) { return batch::queries::list(d); }).result();
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (parser.isSet(json)) {
        QJsonArray a;
        for (const Run &r : runs)
            a.append(runJson(r, now));
        printJson(a);
        return Ok;
    }
    for (const Run &r : runs)
        out() << runLine(r, now) << "\n";
    return Ok;
}

} // namespace

int runBatch(const QStringList &args)
{
    if (args.isEmpty() || args.first() == u"--help" || args.first() == u"-h") {
        (args.isEmpty() ? err() : out()) << BatchUsage;
        return args.isEmpty() ? Usage : Ok;
    }
    const QString command = args.first();
    const QStringList rest = args.mid(1);
    if (command == u"create")
        return runCreate(rest);
    if (command == u"start" || command == u"pause" || command == u"resume" || command == u"cancel"
        || command == u"retry-failed")
        return runTransition(command, rest);
    if (command == u"status")
        return runStatus(rest);
    if (command == u"export")
        return runBatchExport(rest);
    if (command == u"list")
        return runBatchList(rest);
    err() << "arbord batch: unknown command “" << command << "”\n\n" << BatchUsage;
    return Usage;
}

} // namespace arbor::cli
