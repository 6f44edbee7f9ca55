// arbord bench import: a synthetic ChatGPT export of 10,000 conversations / 1,000,000 messages
// with branches (issue 18), written out as a stream, imported into an empty store.
#include "commands.h"
#include "common.h"

#include "domain/ids.h"
#include "import/importer.h"
#include "import/importqueries.h"
#include "store/sql.h"
#include "store/store.h"

#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTextStream>

namespace arbor::cli {

namespace {

QByteArray node(const QByteArray &id, const QByteArray &parent, const QList<QByteArray> &children,
                const char *role, double time, const QByteArray &text, bool hidden)
{
    QByteArray out = "\"" + id + "\":{\"id\":\"" + id + "\",\"message\":";
    if (hidden) {
        out += "null";
    } else {
        out += "{\"id\":\"" + id + "\",\"author\":{\"role\":\"" + role
            + "\",\"name\":null,\"metadata\":{}},\"create_time\":"
            + QByteArray::number(time, 'f', 3)
            + ",\"update_time\":null,\"content\":{\"content_type\":\"text\",\"parts\":[\"" + text
            + "\"]},\"status\":\"finished_successfully\",\"end_turn\":true,\"weight\":1.0,"
              "\"metadata\":{"
            + (role[0] == 'a' ? "\"model_slug\":\"gpt-4o\",\"finish_details\":{\"type\":\"stop\"}"
                              : "")
            + "},\"recipient\":\"all\"}";
    }
    out += ",\"parent\":" + (parent.isEmpty() ? QByteArray("null") : "\"" + parent + "\"")
        + ",\"children\":[";
    for (qsizetype i = 0; i < children.size(); ++i)
        out += (i ? ",\"" : "\"") + children.at(i) + "\"";
    return out + "]}";
}

/**
 * Conversation c: a hidden root, a chain of `perConversation - branches` user/assistant turns,
 * and `branches` regenerated replies (an assistant sibling of every tenth reply) — every node
 * counts but the root.
 */
void writeConversation(QFile &file, int c, int perConversation)
{
    const int branches = perConversation / 10;
    const int chain = perConversation - branches;
    const QByteArray prefix = "c" + QByteArray::number(c) + "-";
    const QByteArray text =
        "Some **Markdown** text of a synthetic turn, long enough to look like one: a sentence "
        "about trees, branches and leaves, then another about streaming parsers and bounded "
        "memory, with `code` and a list:\\n\\n- one\\n- two\\n";
    double t = 1.7e9 + c * 1000.0;
    QByteArray out = (c ? ",\n{" : "{");
    out += "\"title\":\"Bench conversation " + QByteArray::number(c)
        + "\",\"create_time\":" + QByteArray::number(t, 'f', 3)
        + ",\"update_time\":" + QByteArray::number(t + 900, 'f', 3) + ",\"mapping\":{";
    out += node(prefix + "root", {}, {prefix + "0"}, "system", t, {}, true);
    int branch = 0;
    for (int i = 0; i < chain; ++i) {
        const QByteArray id = prefix + QByteArray::number(i);
        const QByteArray parent = i ? prefix + QByteArray::number(i - 1) : prefix + "root";
        QList<QByteArray> children;
        if (i + 1 < chain)
            children << prefix + QByteArray::number(i + 1);
        const bool assistant = i % 2 == 1;
        out +=
            ',' + node(id, parent, children, assistant ? "assistant" : "user", t + i, text, false);
        // Every tenth reply has a regenerated sibling (a leaf).
        if (assistant && i % 10 == 1 && branch < branches) {
            const QByteArray sibling = prefix + "b" + QByteArray::number(branch++);
            out += ',' + node(sibling, parent, {}, "assistant", t + i + 0.5, text, false);
        }
    }
    while (branch < branches) { // short chains: the rest hang on the first user turn
        const QByteArray sibling = prefix + "b" + QByteArray::number(branch++);
        out += ',' + node(sibling, prefix + "0", {}, "assistant", t + 0.5, text, false);
    }
    out += "},\"moderation_results\":[],\"current_node\":\"" + prefix
        + QByteArray::number(chain - 1) + "\",\"conversation_id\":\"" + prefix + "id\",\"id\":\""
        + prefix + "id\"}";
    file.write(out);
}

} // namespace

int runBenchImport(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Generates a synthetic ChatGPT export (conversations.json with branches and hidden "
        "roots) in a temporary folder, imports it into an empty store there and prints "
        "import_s, messages_per_s and peak_rss_mb. Targets: <= 60 s and <= 400 MB for 10,000 "
        "conversations / 1,000,000 messages."));
    const QCommandLineOption conversationsOption(QStringLiteral("conversations"),
                                                 QStringLiteral("Conversations (default 10000)."),
                                                 QStringLiteral("N"), QStringLiteral("10000"));
    const QCommandLineOption messagesOption(
        QStringLiteral("messages"), QStringLiteral("Messages per conversation (default 100)."),
        QStringLiteral("N"), QStringLiteral("100"));
    parser.addOptions({jsonOption(), conversationsOption, messagesOption});
    if (auto code = parse(parser, QStringLiteral("bench import"), args))
        return *code;
    const auto conversations =
        wholeOption(parser, conversationsOption, 1, 1'000'000, QStringLiteral("bench import"));
    const auto perConversation =
        wholeOption(parser, messagesOption, 2, 100'000, QStringLiteral("bench import"));
    if (!conversations || !perConversation)
        return Usage;

    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("conversations.json"));
    {
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly)) {
            err() << "arbord bench import: cannot write " << path << "\n";
            return Failure;
        }
        file.write("[");
        for (int c = 0; c < *conversations; ++c)
            writeConversation(file, c, int(*perConversation));
        file.write("]\n");
    }
    const qint64 bytes = QFileInfo(path).size();
    err() << "bench import: wrote " << bytes / (1 << 20) << " MB, importing\n" << Qt::flush;

    store::Store store(dir.filePath(QStringLiteral("bench.db")));
    store.open();
    const QString runId = domain::newId();
    store
        .write([&](QSqlDatabase &db) {
            imports::queries::Run run;
            run.id = runId;
            run.path = path;
            run.format = QStringLiteral("auto");
            run.state = QStringLiteral("queued");
            run.createdAt = domain::nowMs();
            imports::queries::insertRun(db, run);
        })
        .waitForFinished();
    QElapsedTimer timer;
    timer.start();
    const double cpuBefore = processCpuMicros();
    const imports::RunOutcome outcome =
        imports::Importer(store, runId).run([](qint64 done, qint64 total) {
            if (done % 1000 == 0 || done == total)
                err() << "imported " << done << '/' << total << " conversations\n" << Qt::flush;
        });
    const double seconds = double(timer.nsecsElapsed()) / 1e9;
    // CPU of every thread (parser and store writer): on a busy machine wall time overstates.
    const double cpuSeconds = (processCpuMicros() - cpuBefore) / 1e6;
    const qint64 messages =
        store
            .read([](QSqlDatabase &db) {
                auto q = store::exec(db, QStringLiteral("SELECT count(*) FROM messages"));
                return q.next() ? q.value(0).toLongLong() : 0;
            })
            .result();
    store.close();
    if (outcome.state != u"done") {
        err() << "arbord bench import: " << outcome.state << ": " << outcome.error << "\n";
        return Failure;
    }
    const double rss = processMemory().peakMb;
    const QJsonObject result{{QStringLiteral("conversations"), qint64(*conversations)},
                             {QStringLiteral("messages"), messages},
                             {QStringLiteral("file_mb"), double(bytes) / (1 << 20)},
                             {QStringLiteral("import_s"), seconds},
                             {QStringLiteral("cpu_s"), cpuSeconds},
                             {QStringLiteral("messages_per_s"), double(messages) / seconds},
                             {QStringLiteral("peak_rss_mb"), rss}};
    if (parser.isSet(jsonOption())) {
        printJson(result);
    } else {
        out() << "import: " << *conversations << " conversations, " << messages << " messages ("
              << bytes / (1 << 20) << " MB) in " << QString::number(seconds, 'f', 1) << " s (CPU "
              << QString::number(cpuSeconds, 'f', 1) << " s), "
              << qint64(double(messages) / seconds) << " messages/s, peak RSS "
              << QString::number(rss, 'f', 0) << " MB (targets: <= 60 s, <= 400 MB)\n";
    }
    return Ok;
}

} // namespace arbor::cli
