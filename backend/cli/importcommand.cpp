// `arbord import FILE`: conversations from ChatGPT, Claude, Open WebUI, LibreChat and Arbor JSON
// exports (issue 18), through the same durable import job as the window's File → Import.
#include "commands.h"
#include "common.h"

#include "core/backend.h"
#include "import/importservice.h"
#include "jobs/jobengine.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonArray>
#include <QTextStream>
#include <QTimer>

namespace arbor::cli {

int runImport(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Import conversations, with every branch, from an export file: ChatGPT "
        "(conversations.json or the export .zip), Claude.ai (conversations.json), Open WebUI "
        "(Export All Chats, or one chat), LibreChat (a conversation export) or Arbor JSON. "
        "Importing a file again adds only what is new. Progress goes to stderr. Exit 0 when the "
        "file was read without errors (also when nothing was new), 1 when errors stopped some "
        "or all of it."));
    parser.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("The export file."));
    const QCommandLineOption formatOption(
        QStringLiteral("format"),
        QStringLiteral("auto (default), chatgpt, claude, openwebui, librechat or arbor."),
        QStringLiteral("FORMAT"), QStringLiteral("auto"));
    parser.addOptions({dbOption(), jsonOption(), formatOption});
    if (auto code = parse(parser, QStringLiteral("import"), args))
        return *code;
    if (parser.positionalArguments().size() != 1) {
        err() << "arbord import: give one FILE (see arbord import --help)\n";
        return Usage;
    }
    bool known = false;
    const imports::Format format = imports::formatFromString(parser.value(formatOption), &known);
    if (!known) {
        err() << "arbord import: unknown --format “" << parser.value(formatOption)
              << "” (auto, chatgpt, claude, openwebui, librechat, arbor)\n";
        return Usage;
    }
    const QString path = parser.positionalArguments().first();

    core::BackendOptions options;
    options.dbPath = parser.value(dbOption());
    options.onlyGivenJobs = true; // this run's job, not what else waits in the store
    core::Backend backend(options);
    if (auto code = openBackend(backend, QStringLiteral("import")))
        return *code;
    imports::ImportService &imports = backend.imports();

    QString runId;
    QEventLoop loop;
    QElapsedTimer since;
    since.start();
    qint64 shownDone = -1;
    QObject::connect(&imports, &imports::ImportService::progress, &loop,
                     [&](const QString &id, qint64 done, qint64 total) {
                         if (id != runId)
                             return;
                         // At most a few lines a second, and always the last one.
                         if (done == total || shownDone < 0 || since.elapsed() >= 250) {
                             err() << "imported " << done << '/' << total << " conversations\n"
                                   << Qt::flush;
                             shownDone = done;
                             since.restart();
                         }
                     });
    QObject::connect(&imports, &imports::ImportService::finished, &loop, [&](const QString &id) {
        if (id == runId)
            loop.quit();
    });
    bool interrupted = false;
    onInterrupt(&loop, [&] {
        interrupted = true;
        loop.quit();
    });
    try {
        runId = imports.start(path, format).result();
        backend.engine().claimOnly({runId});
    } catch (const std::exception &e) {
        err() << "arbord import: " << e.what() << "\n";
        return Failure;
    }
    // The run may have ended before the connection saw its id.
    const auto ended = [&] {
        const auto s = imports.summary(runId).result();
        return s.run.state != u"queued" && s.run.state != u"running";
    };
    // Another process (the app, a worker) may be the one running a resumed run: look now and
    // then too, not only for this process's signal.
    QTimer poll;
    QObject::connect(&poll, &QTimer::timeout, &loop, [&] {
        if (ended())
            loop.quit();
    });
    poll.start(1000);
    if (!ended())
        loop.exec();
    if (interrupted) {
        backend.close();
        err() << "arbord import: stopped; run it again to go on where it stopped\n";
        return Stopped;
    }
    const imports::Summary summary = imports.summary(runId).result();
    backend.close();
    if (parser.isSet(jsonOption())) {
        printJson(imports::toJson(summary));
    } else {
        const QJsonObject json = imports::toJson(summary);
        for (const auto &v : json.value(u"skipped").toArray()) {
            const QJsonObject o = v.toObject();
            out() << "skipped " << o.value(u"source_id").toString() << " “"
                  << o.value(u"title").toString() << "”: " << o.value(u"reason").toString() << '\n';
        }
        for (const auto &v : json.value(u"errors").toArray()) {
            const QJsonObject o = v.toObject();
            err() << "error: " << o.value(u"where").toString() << ": "
                  << o.value(u"message").toString() << '\n';
        }
        out() << imports::describe(summary) << '\n';
    }
    return imports::hasErrors(summary) ? Failure : Ok;
}

} // namespace arbor::cli
