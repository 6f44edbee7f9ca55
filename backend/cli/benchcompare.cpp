// arbord bench compare (issue 20): CPU per streamed token when six demo models stream into one
// user message at once, against one stream alone, through the whole backend (job engine, reply
// sessions, live texts, events, the store writer's chunks and finishes).
#include "commands.h"
#include "common.h"

#include "chat/chatevents.h"
#include "chat/chatservice.h"
#include "core/backend.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QTemporaryDir>
#include <QTextStream>

namespace arbor::cli {

namespace {

struct Run
{
    double cpuUs = 0;
    qint64 tokens = 0;
    qint64 wallMs = 0;
    int replies = 0;
    double usPerToken() const { return cpuUs / double(std::max<qint64>(1, tokens)); }
};

/** @brief Sends TEXT to @p streams demo columns (a plain send when 1) and waits for every reply
 *  to end. Deltas are taken on the main thread, as the app's GUI thread takes them. */
Run stream(core::Backend &backend, int streams, double rate, int chars, const QString &text)
{
    QEventLoop loop;
    QSet<QString> live;
    int ended = 0;
    qint64 deltas = 0;
    auto &events = backend.events();
    const auto onDelta = QObject::connect(
        &events, &chat::ChatEvents::messageDelta, &loop,
        [&deltas](const QString &, const QString &, qsizetype, const QString &) { ++deltas; });
    const auto onState = QObject::connect(
        &events, &chat::ChatEvents::messageStateChanged, &loop,
        [&](const QString &, const QString &id, const QString &status, const QString &) {
            if (live.contains(id) && status != u"queued" && status != u"streaming") {
                live.remove(id);
                if (++ended == streams)
                    loop.quit();
            }
        });
    const QJsonObject options{{QStringLiteral("rate"), rate}, {QStringLiteral("chars"), chars}};
    const double cpu0 = processCpuMicros();
    QElapsedTimer wall;
    wall.start();
    if (streams == 1) {
        chat::SendRequest r;
        r.text = text;
        r.options = options;
        live.insert(backend.chat().send(r).result().assistant.id);
    } else {
        chat::CompareRequest r;
        r.text = text;
        r.options = options;
        for (int i = 0; i < streams; ++i)
            r.models.append({QStringLiteral("demo"), QStringLiteral("demo"), {}});
        for (const domain::Message &m : backend.chat().compare(r).result().replies)
            live.insert(m.id);
    }
    loop.exec();
    // The writer's last work (the finishes) is part of the cost.
    backend.store().write([](QSqlDatabase &) {}).waitForFinished();
    Run run;
    run.cpuUs = processCpuMicros() - cpu0;
    run.wallMs = wall.elapsed();
    run.tokens = deltas; // the demo streams one token per delta
    run.replies = streams;
    QObject::disconnect(onDelta);
    QObject::disconnect(onState);
    return run;
}

} // namespace

int runBenchCompare(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("CPU per token: 6 demo models streaming into one message vs 1 stream."));
    parser.addOption({QStringLiteral("json"), QStringLiteral("Print JSON.")});
    parser.addOption({QStringLiteral("rate"),
                      QStringLiteral("Tokens per second of each stream (default 200)."),
                      QStringLiteral("n"), QStringLiteral("200")});
    parser.addOption({QStringLiteral("chars"),
                      QStringLiteral("Length of each reply in characters (default 6000)."),
                      QStringLiteral("n"), QStringLiteral("6000")});
    parser.addOption({QStringLiteral("streams"),
                      QStringLiteral("Columns of the compare (2 to 6, default 6)."),
                      QStringLiteral("n"), QStringLiteral("6")});
    parser.process(QStringList{QStringLiteral("arbord-bench-compare")} + args);
    const QString cmd = QStringLiteral("bench compare");
    const auto rate =
        decimalOption(parser, QCommandLineOption(QStringLiteral("rate")), 1, 100000, cmd);
    const auto chars =
        wholeOption(parser, QCommandLineOption(QStringLiteral("chars")), 200, 10'000'000, cmd);
    const auto streams = wholeOption(parser, QCommandLineOption(QStringLiteral("streams")),
                                     chat::compare::MinModels, chat::compare::MaxModels, cmd);
    if (!rate || !chars || !streams)
        return Usage;

    QTemporaryDir dir;
    core::Backend backend(
        {dir.filePath(QStringLiteral("bench.db")), *rate, true, chat::compare::MaxModels + 2});
    if (const auto code = openBackend(backend, cmd))
        return *code;
    const QString text = QStringLiteral("Explain how a B-tree keeps itself balanced.");
    stream(backend, 2, 0, 1000, text); // warm-up: statements, caches, the engine
    const Run one = stream(backend, 1, *rate, int(*chars), text);
    const Run many = stream(backend, int(*streams), *rate, int(*chars), text);
    const Run oneAgain = stream(backend, 1, *rate, int(*chars), text);
    backend.close();
    // The single stream is measured before and after the compare; the lower figure is its cost.
    const Run &single = one.usPerToken() <= oneAgain.usPerToken() ? one : oneAgain;
    const double ratio = many.usPerToken() / single.usPerToken();

    QJsonObject out{{QStringLiteral("streams"), many.replies},
                    {QStringLiteral("rate_tokens_per_s"), *rate},
                    {QStringLiteral("us_per_token_1_stream"), single.usPerToken()},
                    {QStringLiteral("us_per_token_n_streams"), many.usPerToken()},
                    {QStringLiteral("ratio"), ratio},
                    {QStringLiteral("tokens_1_stream"), single.tokens},
                    {QStringLiteral("tokens_n_streams"), many.tokens},
                    {QStringLiteral("wall_ms_1_stream"), single.wallMs},
                    {QStringLiteral("wall_ms_n_streams"), many.wallMs}};
    QTextStream cout(stdout);
    if (parser.isSet(QStringLiteral("json"))) {
        cout << QJsonDocument(out).toJson(QJsonDocument::Indented);
        return Ok;
    }
    cout << "us_per_token_1_stream: " << QString::number(single.usPerToken(), 'f', 2) << "  ("
         << single.tokens << " tokens in " << single.wallMs << " ms)\n";
    cout << "us_per_token_" << many.replies
         << "_streams: " << QString::number(many.usPerToken(), 'f', 2) << "  (" << many.tokens
         << " tokens in " << many.wallMs << " ms)\n";
    cout << "ratio: " << QString::number(ratio, 'f', 2) << "  (target ≤ 1.25)\n";
    return Ok;
}

} // namespace arbor::cli
