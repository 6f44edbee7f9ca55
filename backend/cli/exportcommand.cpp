// `arbord export`: conversations as Arbor JSON, Markdown or Open WebUI JSON, on stdout or into a
// file (written beside it and renamed at the end, so a failed export leaves no half file).
#include "commands.h"
#include "common.h"

#include "core/readonlybackend.h"
#include "export/exportservice.h"
#include "store/sql.h"
#include "store/store.h"

#include <QCommandLineParser>
#include <QFile>
#include <QTextStream>

#ifdef Q_OS_UNIX
#include <csignal>
#endif

namespace arbor::cli {

int runExport(const QStringList &args)
{
    const QString command = QStringLiteral("export");
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Writes conversations (CONVERSATION_ID..., or every one with --all) to stdout or FILE.\n"
        "Formats: arbor (Arbor JSON, docs/arbor-json.md: every branch, for import), markdown\n"
        "(for reading), openwebui (Open WebUI's \"Export All Chats\" file, every branch).\n"
        "Deleted messages are left out; a reply still being written is written as interrupted."));
    const QCommandLineOption db = dbOption();
    const QCommandLineOption all(QStringLiteral("all"), QStringLiteral("Every conversation."));
    const QCommandLineOption format(QStringLiteral("format"),
                                    QStringLiteral("arbor (default), markdown or openwebui."),
                                    QStringLiteral("FORMAT"), QStringLiteral("arbor"));
    const QCommandLineOption branches(
        QStringLiteral("branches"),
        QStringLiteral("Markdown only: current (default: the visible path) or all (every "
                       "branch, with headings where the tree forks). Arbor and Open WebUI "
                       "JSON always hold every branch."),
        QStringLiteral("WHICH"));
    const QCommandLineOption output(QStringList{QStringLiteral("o"), QStringLiteral("output")},
                                    QStringLiteral("Write FILE instead of stdout."),
                                    QStringLiteral("FILE"));
    parser.addOptions({db, all, format, branches, output});
    parser.addPositionalArgument(QStringLiteral("CONVERSATION_ID"),
                                 QStringLiteral("The conversations to export."),
                                 QStringLiteral("[CONVERSATION_ID...]"));
    if (const auto code = parse(parser, command, args))
        return *code;

    const auto chosen = exports::formatFromName(parser.value(format));
    if (!chosen) {
        err() << "arbord export: --format takes arbor, markdown or openwebui\n";
        return Usage;
    }
    exports::ExportOptions options;
    options.format = *chosen;
    if (parser.isSet(branches)) {
        const QString which = parser.value(branches);
        if (which != u"all" && which != u"current") {
            err() << "arbord export: --branches takes all or current\n";
            return Usage;
        }
        if (*chosen != exports::Format::Markdown) {
            err() << "arbord export: --branches applies to --format markdown (the JSON formats "
                     "always hold every branch)\n";
            return Usage;
        }
        options.allBranches = which == u"all";
    }
    exports::ExportSelection selection;
    selection.all = parser.isSet(all);
    selection.ids = parser.positionalArguments();
    if (selection.all == !selection.ids.isEmpty()) {
        err() << "arbord export: give CONVERSATION_ID... or --all (one of them)\n";
        return Usage;
    }

    core::ReadOnlyBackend backend(parser.value(db));
    if (const auto code = openBackend(backend, command))
        return *code;
    exports::ExportService service(backend.store());
    try {
        if (parser.isSet(output)) {
            const QString path = parser.value(output);
            const exports::ExportResult r = service.writeFile(selection, options, path);
            out() << "exported " << r.conversations
                  << (r.conversations == 1 ? " conversation (" : " conversations (") << r.messages
                  << (r.messages == 1 ? " message) to " : " messages) to ") << path << "\n";
            return Ok;
        }
#ifdef Q_OS_UNIX
        // A reader that goes away (`| head`) is a write error here, not a signal that kills.
        std::signal(SIGPIPE, SIG_IGN);
#endif
        out().flush();
        QFile stdoutFile;
        // File descriptor 1, written with no buffer in between: a failed write shows at once.
        if (!stdoutFile.open(1, QIODevice::WriteOnly | QIODevice::Unbuffered)) {
            err() << "arbord export: cannot write to stdout: " << stdoutFile.errorString() << "\n";
            return Failure;
        }
        service.write(selection, options, stdoutFile);
        return Ok;
    } catch (const exports::ExportError &e) {
        if (e.kind() == exports::ExportError::Kind::ClosedOutput)
            return Ok; // the reader has what it wanted
        err() << "arbord export: " << e.message() << "\n";
        return Failure;
    } catch (const store::StoreError &e) {
        err() << "arbord export: " << e.message() << "\n";
        return Failure;
    }
}

} // namespace arbor::cli
