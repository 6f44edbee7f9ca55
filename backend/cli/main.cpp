#include "commands.h"
#include "common.h"
#include "providercommands.h"

#include <QCoreApplication>
#include <QTextStream>

using namespace arbor::cli;

namespace {

const char *const UsageText = R"(Usage: arbord COMMAND [OPTIONS]

Arbor's backend without a window.

Commands:
  chat [--db PATH] [--provider NAME] [--model M] [--rate N] [--conversation ID]
       [--parent MESSAGE_ID] [--system TEXT] [--temperature X] [--max-tokens N]
       [--thinking N|off] [--json] TEXT
                      Send TEXT and stream the reply to stdout (exit 0 when complete,
                      3 when stopped, 1 on error), wherever it runs (this process, a
                      worker, the app). --parent starts a branch under a message;
                      --system, --temperature, --max-tokens and --thinking are stored
                      on the conversation first, as the app's Parameters dialog does.
  chat --continue MESSAGE_ID [--system TEXT] [--temperature X] [--max-tokens N]
                      Continue a reply that stopped early, as the app's Continue does.
  compare (--models PROVIDER/MODEL[:temperature=X],... | --set NAME)
          [--conversation ID | --parent ID] [--rate N] [--json] TEXT
                      Send TEXT to 2 to 6 models at once (replies are siblings); exit 0
                      when every reply completed, 1 when any failed, 3 when stopped.
  sets list|add|remove [--db PATH] ...
                      Saved model sets for compare (see arbord sets --help).
  list [--db PATH] [--json]
                      Conversations, newest first.
  show [--db PATH] CONVERSATION_ID [--tree] [--json]
                      The visible path of a conversation (--tree: every branch).
  jobs [--db PATH] [--json]
                      Queues, job counts and failed jobs; also jobs retry|discard ID,
                      jobs pause|resume QUEUE.
  worker [--db PATH] [--concurrency N]
                      Run queued jobs headless until SIGINT/SIGTERM.
  providers list|add|remove|models|discover|default [--db PATH] ...
                      Model providers; API keys go to the system keychain (see
                      arbord providers --help).
  usage [--db PATH] [--since DATE] [--until DATE] [--by day,model,provider,conversation]
        [--json]      Tokens and cost of finished replies, from the kept totals.
  prices list|set|remove [--db PATH] ...
                      The prices (per million tokens) that cost replies when they
                      finish (see arbord prices --help).
  export (CONVERSATION_ID... | --all) [--format arbor|markdown|openwebui]
         [--branches all|current] [-o FILE] [--db PATH]
                      Conversations as Arbor JSON (default), Markdown or Open WebUI
                      JSON; --branches (Markdown only) chooses the visible path or
                      every branch. -o writes FILE whole or not at all.
  import [--db PATH] [--format auto|chatgpt|claude|openwebui|librechat|arbor] [--json] FILE
                      Import conversations with every branch from an export file
                      (ChatGPT .json/.zip, Claude, Open WebUI, LibreChat, Arbor JSON).
  tools add|remove|list|test|policy [--db PATH] ...
                      MCP tool servers of this device and their tools' approval
                      policies (see arbord tools --help).
  batch create|start|pause|resume|cancel|retry-failed|status|export|list [--db PATH] ...
                      Batch runs: a template over a CSV/JSONL list x models (see arbord
                      batch --help).
  bench tree [--json] Scale figures of conversation trees (see arbord bench --help).
  admin COMMAND [--dsn DSN]
                      Team server on PostgreSQL: init, migrate, status, workspace add,
                      user add, member add/remove (see arbord admin --help).
  sync [--db PATH] [--dsn DSN] [--follow] [--json]
                      Sync the store with its team server: push local changes, pull
                      teammates' (once, or --follow); also sync connect|disconnect|
                      share|status (see arbord sync --help).
  serve [--db PATH] [--listen ADDR:PORT] [--tls-cert FILE --tls-key FILE]
        [--concurrency N] [--rate N]
                      Serve Open Responses (/v1/responses, SSE and WebSocket), Chat
                      Completions and live events (/v1/events) to bearer tokens; also
                      serve token add|list|revoke (see arbord serve token --help).
  --version, -v       Print the version.
  --help              Print this help. Each command also takes --help.
  --verbose           With any command: also print the components' log on stderr
                      (arbor.jobs, arbor.llm.http, ...); without it, one line per event.

The store is --db PATH, else $ARBOR_DB, else the platform data folder.
)";

int run(const QString &command, const QStringList &args)
{
    if (command == u"--version" || command == u"-v" || command == u"version") {
        out() << "arbord " << ARBOR_VERSION << '\n';
        return Ok;
    }
    if (command == u"--help" || command == u"-h" || command == u"help") {
        out() << UsageText;
        return Ok;
    }
    if (command == u"chat")
        return runChat(args);
    if (command == u"list")
        return runList(args);
    if (command == u"compare")
        return runCompare(args);
    if (command == u"sets")
        return runSets(args);
    if (command == u"show")
        return runShow(args);
    if (command == u"admin")
        return runAdmin(args);
    if (command == u"sync")
        return runSync(args);
    if (command == u"bench")
        return runBench(args);
    if (command == u"import")
        return runImport(args);
    if (command == u"providers")
        return runProviders(args);
    if (command == u"jobs")
        return runJobs(args);
    if (command == u"worker")
        return runWorker(args);
    if (command == u"usage")
        return runUsage(args);
    if (command == u"prices")
        return runPrices(args);
    if (command == u"export")
        return runExport(args);
    if (command == u"serve")
        return runServe(args);
    if (command == u"tools")
        return runTools(args);
    if (command == u"batch")
        return runBatch(args);
    err() << "arbord: unknown command “" << command << "”\n\n" << UsageText;
    return Usage;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("Arbor"));
    QCoreApplication::setApplicationName(QStringLiteral("arbord"));
    QCoreApplication::setApplicationVersion(QStringLiteral(ARBOR_VERSION));

    QStringList args = QCoreApplication::arguments();
    args.removeFirst();
    setUpLogging(args);
    if (args.isEmpty()) {
        err() << UsageText;
        return Usage;
    }
    const QString command = args.takeFirst();
    // Every command reports its own errors; this is the last net, so that nothing (a damaged
    // store read in the middle of a command, say) ends arbord with an uncaught exception.
    int code = Failure;
    try {
        code = run(command, args);
    } catch (const std::exception &e) {
        err() << "arbord " << command << ": " << e.what() << "\n";
    }
    out().flush();
    err().flush();
    return code;
}
