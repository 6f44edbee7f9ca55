#pragma once

#include <QStringList>

class QTextStream;

namespace arbor::cli {

/** @brief Exit codes of arbord: scripts can tell a stopped reply from a failed one. */
enum ExitCode { Ok = 0, Failure = 1, Usage = 2, Stopped = 3 };

/** @brief Standard output and error of arbord: one stream each, shared by every command so
 *  their buffers never interleave out of order. */
QTextStream &out();
QTextStream &err();

/** @brief `arbord chat`: sends TEXT and streams the reply. @p args excludes the program name. */
int runChat(const QStringList &args);
/** @brief `arbord compare`: sends TEXT to several models at once and follows every reply. */
int runCompare(const QStringList &args);
/** @brief `arbord sets`: list, add, remove saved model sets. */
int runSets(const QStringList &args);
/** @brief `arbord list`: conversations, newest first. */
int runList(const QStringList &args);
/** @brief `arbord import FILE`: conversations from other apps' exports (issue 18). */
int runImport(const QStringList &args);
/** @brief `arbord bench SCENARIO`: prints performance figures. */
int runBench(const QStringList &args);
/** @brief `arbord show`: the visible path of one conversation. */
int runShow(const QStringList &args);
/** @brief `arbord admin`: schema, users, workspaces and members of a team server. */
int runAdmin(const QStringList &args);
/** @brief `arbord sync`: headless team sync of a store (once or --follow). */
int runSync(const QStringList &args);
/** @brief `arbord jobs`: queues, counts, dead letters; retry, discard, pause, resume. */
int runJobs(const QStringList &args);
/** @brief `arbord worker`: runs queued jobs headless until SIGINT/SIGTERM. */
int runWorker(const QStringList &args);
/** @brief `arbord usage`: tokens and cost by day, model, provider, conversation. */
int runUsage(const QStringList &args);
/** @brief `arbord export`: conversations as Arbor JSON, Markdown or Open WebUI JSON. */
int runExport(const QStringList &args);
/** @brief `arbord batch`: batch runs (create, start, pause, status, export, list). */
int runBatch(const QStringList &args);
/** @brief `arbord prices`: list, set, remove the prices that cost replies. */
int runPrices(const QStringList &args);
/** @brief `arbord tools`: MCP servers (add, remove, list, test) and their tools' policies. */
int runTools(const QStringList &args);

/** @brief `arbord serve`: Open Responses, Chat Completions and live events over HTTP and
 *  WebSocket; also serve token add|list|revoke. */
int runServe(const QStringList &args);

} // namespace arbor::cli
