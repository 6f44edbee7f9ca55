#include "commands.h"

#include <QTextStream>

namespace arbor::cli {

int runBenchTree(const QStringList &args);
int runBenchQueue(const QStringList &args);
int runBenchStream(const QStringList &args);
int runBenchSync(const QStringList &args);
int runBenchRender(const QStringList &args);
int runBenchUsage(const QStringList &args);
int runBenchExport(const QStringList &args);
int runBenchServe(const QStringList &args);
int runBenchImport(const QStringList &args);
int runBenchCompare(const QStringList &args);
int runBenchBatch(const QStringList &args);

int runBench(const QStringList &args)
{
    QTextStream err(stderr);
    if (args.isEmpty() || args.first() == u"--help" || args.first() == u"-h") {
        err << "Usage: arbord bench SCENARIO [OPTIONS] [--json]\n\nScenarios:\n"
               "  tree    open/switch/layout/search on a 100k-message conversation in a 1M-message "
               "store\n"
               "  queue   job engine: single and bulk enqueue, processing, idle pickup latency\n"
               "  stream  wire-protocol parse throughput; CPU cost per streamed token, short vs "
               "long reply\n"
               "  sync    team sync on PostgreSQL (--dsn): notify-to-visible latency, push, "
               "initial pull\n"
               "  render  Markdown blocks of a streamed reply (split + store); cost per token, "
               "short vs long reply\n"
               "  usage   usage ledger at 1M messages: 90-day report, cost of the totals per "
               "finish, a branch's total at a 100k-message path\n"
               "  export  arbord export --all (Arbor JSON) of 1M messages in 10k trees: time, "
               "throughput, bytes, peak memory\n"
               "  serve   arbord serve: N streaming clients on loopback; first event, delta to "
               "client, CPU per token, RSS\n"
               "  import  a synthetic ChatGPT export (10,000 conversations, 1M messages with "
               "branches)\n"
               "  compare CPU per token of 6 demo models streaming into one message vs 1 stream\n"
               "  batch   a batch run of 1M rows (demo model, zero latency): import, run, export, "
               "peak memory\n";
        return args.isEmpty() ? Usage : Ok;
    }
    const QString scenario = args.first();
    if (scenario == u"tree")
        return runBenchTree(args.mid(1));
    if (scenario == u"queue")
        return runBenchQueue(args.mid(1));
    if (scenario == u"stream")
        return runBenchStream(args.mid(1));
    if (scenario == u"sync")
        return runBenchSync(args.mid(1));
    if (scenario == u"render")
        return runBenchRender(args.mid(1));
    if (scenario == u"usage")
        return runBenchUsage(args.mid(1));
    if (scenario == u"export")
        return runBenchExport(args.mid(1));
    if (scenario == u"serve")
        return runBenchServe(args.mid(1));
    if (scenario == u"import")
        return runBenchImport(args.mid(1));
    if (scenario == u"compare")
        return runBenchCompare(args.mid(1));
    if (scenario == u"batch")
        return runBenchBatch(args.mid(1));
    err << "arbord bench: unknown scenario “" << scenario << "”\n";
    return Usage;
}

} // namespace arbor::cli
