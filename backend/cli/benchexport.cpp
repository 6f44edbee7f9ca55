// arbord bench export: `arbord export --all` (Arbor JSON, to a file) of a store of 10,000
// conversation trees and 1,000,000 messages, run as the real command in a child process so its
// peak memory and CPU time are the export's alone.
#include "benchdata.h"
#include "commands.h"
#include "common.h"

#include "store/store.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTextStream>

#ifdef Q_OS_UNIX
#include <sys/resource.h>
#endif

namespace arbor::cli {

int runBenchExport(const QStringList &args)
{
    QCommandLineParser parser;
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print JSON."));
    const QCommandLineOption messagesOption(QStringLiteral("messages"),
                                            QStringLiteral("Messages in the store."),
                                            QStringLiteral("N"), QStringLiteral("1000000"));
    const QCommandLineOption conversationsOption(QStringLiteral("conversations"),
                                                 QStringLiteral("Conversations in the store."),
                                                 QStringLiteral("N"), QStringLiteral("10000"));
    const QCommandLineOption dbOption(
        QStringLiteral("db"),
        QStringLiteral("Build in PATH (default: a temporary folder); an existing store at PATH "
                       "is exported as it is."),
        QStringLiteral("PATH"));
    parser.addOptions({json, messagesOption, conversationsOption, dbOption});
    if (!parser.parse(QStringList{QStringLiteral("arbord bench export")} + args)) {
        QTextStream(stderr) << "arbord bench export: " << parser.errorText() << "\n";
        return Usage;
    }
    const QString command = QStringLiteral("bench export");
    const auto total = wholeOption(parser, messagesOption, 1, 1'000'000'000, command);
    const auto conversations = wholeOption(parser, conversationsOption, 1, 100'000'000, command);
    if (!total || !conversations)
        return Usage;
    const int each = int(std::max<qint64>(1, *total / *conversations));
    QTextStream log(stderr);
    QTemporaryDir dir;
    const QString path =
        parser.isSet(dbOption) ? parser.value(dbOption) : dir.filePath(QStringLiteral("bench.db"));

    double buildS = 0;
    if (!QFileInfo::exists(path)) {
        QElapsedTimer t;
        t.start();
        store::Store store(path, 1);
        store.open();
        benchdata::Rng rng{18};
        benchdata::TextMaker text(rng);
        qint64 clock = 1'700'000'000'000;
        constexpr int Batch = 50; // conversations per write transaction
        for (int first = 0; first < *conversations; first += Batch) {
            const int last = int(std::min<qint64>(*conversations, first + Batch));
            store
                .write([&](QSqlDatabase &db) {
                    for (int c = first; c < last; ++c) {
                        QString id;
                        // Trees of `each` messages whose deepest path is 40: branches at random
                        // places, as edits and regenerations make them.
                        benchdata::makeConversation(db, rng, text, each, std::min(each, 40), clock,
                                                    &id);
                    }
                })
                .waitForFinished();
            if (last % 1000 == 0)
                log << "bench export: built " << last << " of " << *conversations
                    << " conversations\n"
                    << Qt::flush;
        }
        store.close();
        buildS = double(t.elapsed()) / 1000.0;
    }

    // The real command, so that what is measured is what a user runs.
    const QString file = dir.filePath(QStringLiteral("export.json"));
    QProcess child;
    child.setProcessChannelMode(QProcess::SeparateChannels);
    QElapsedTimer t;
    t.start();
    child.start(QCoreApplication::applicationFilePath(),
                {QStringLiteral("export"), QStringLiteral("--all"), QStringLiteral("--format"),
                 QStringLiteral("arbor"), QStringLiteral("-o"), file, QStringLiteral("--db"),
                 path});
    if (!child.waitForFinished(-1) || child.exitStatus() != QProcess::NormalExit
        || child.exitCode() != 0) {
        log << "bench export: the export failed: " << child.readAllStandardError() << "\n";
        return Failure;
    }
    const double exportS = double(t.nsecsElapsed()) / 1e9;
    const QString summary = QString::fromUtf8(child.readAllStandardOutput());
    const QRegularExpressionMatch counts =
        QRegularExpression(QStringLiteral("exported (\\d+) conversations? \\((\\d+) messages?\\)"))
            .match(summary);
    const qint64 exportedConversations = counts.captured(1).toLongLong();
    const qint64 exportedMessages = counts.captured(2).toLongLong();
    double peakMb = 0;
    double cpuS = 0; // on a busy machine the wall time says more of the machine than of this
#ifdef Q_OS_UNIX
    rusage usage{};
    getrusage(RUSAGE_CHILDREN, &usage); // the export is the only child waited for
    peakMb = double(usage.ru_maxrss) / 1024.0;
    cpuS = double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
#endif
    const QJsonObject figures{
        {QStringLiteral("scenario"), QStringLiteral("export")},
        {QStringLiteral("format"), QStringLiteral("arbor")},
        {QStringLiteral("conversations"), exportedConversations},
        {QStringLiteral("messages"), exportedMessages},
        {QStringLiteral("build_s"), buildS},
        {QStringLiteral("export_s"), exportS},
        {QStringLiteral("export_cpu_s"), cpuS},
        {QStringLiteral("messages_per_s"), exportS > 0 ? double(exportedMessages) / exportS : 0},
        {QStringLiteral("bytes"), QFileInfo(file).size()},
        {QStringLiteral("db_bytes"), QFileInfo(path).size()},
        {QStringLiteral("peak_rss_mb"), peakMb},
    };
    QTextStream out(stdout);
    if (parser.isSet(json)) {
        out << QJsonDocument(figures).toJson(QJsonDocument::Indented);
    } else {
        for (auto it = figures.constBegin(); it != figures.constEnd(); ++it)
            out << it.key() << ": " << it.value().toVariant().toString() << "\n";
    }
    return Ok;
}

} // namespace arbor::cli
