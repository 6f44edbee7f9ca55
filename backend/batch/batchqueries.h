#pragma once

#include "batchrun.h"

#include <QList>
#include <QSqlDatabase>

#include <optional>

namespace arbor::batch::queries {

/** @brief Job kind of one row × model. Payload {"run", "row", "model"}: ids only. */
inline constexpr auto JobKind = "batch.row";
/** @brief Jobs a model of a run keeps queued or running when the run sets no cap: enough to
 *  keep any engine busy, few enough that the jobs table never holds the list. */
inline constexpr int DefaultWindow = 256;
/** @brief Attempts of a row's job (a killed worker's job counts one). */
inline constexpr int MaxAttempts = 5;

/** @brief Inserts a draft run and its models; returns its id. */
qint64 createRun(const QSqlDatabase &db, const Run &run, qint64 now);
/** @brief Stores rows @p firstRowNo.. of a run (one prepared statement). */
struct NewRow
{
    qint64 line = 0;
    QByteArray input;
};
void insertRows(const QSqlDatabase &db, qint64 runId, qint64 firstRowNo, const QList<NewRow> &rows);
void insertBadRows(const QSqlDatabase &db, qint64 runId, const QList<BadRow> &rows);
/** @brief The import is over: the columns (JSONL ones grow), counts. */
void finishImport(const QSqlDatabase &db, qint64 runId, const QStringList &columns, qint64 rowCount,
                  qint64 badRows);
/** @brief Removes a run with its rows and results (and its queued jobs). */
void deleteRun(const QSqlDatabase &db, qint64 runId);

std::optional<Run> get(const QSqlDatabase &db, qint64 runId);
/** @brief Every run, newest first. */
QList<Run> list(const QSqlDatabase &db);
QList<BadRow> badRows(const QSqlDatabase &db, qint64 runId, int limit);

/** @brief Rows @p fromRow.. (at most @p limit) with their results; @p filter: 0 all, 1 rows
 *  with a failed result, 2 rows where the models' texts differ; @p search: rows whose input or
 *  a result contains it (empty: no search). */
QList<RowView> rows(const QSqlDatabase &db, const Run &run, qint64 fromRow, int limit,
                    int filter = 0, const QString &search = {});

/** @brief What a row's job reads when it runs. */
struct Unit
{
    RunState state = RunState::Draft;
    QByteArray input;
    bool found = false;
};
Unit unit(const QSqlDatabase &db, qint64 runId, qint64 rowNo);

/** @brief A finished call of one row × model. */
struct Outcome
{
    bool ok = false;
    QString text;
    QString error;
    qint64 inputTokens = -1;
    qint64 outputTokens = -1;
    qint64 costNanos = -1;
    QString currency;
};
/** @brief Records the result of the job @p jobId for (run, row, model) if that job still holds
 *  it (exactly once), updates the run's counts, completes the run when it was the last, removes
 *  the finished job row and queues the model's next row while the run runs. Returns whether it
 *  recorded. Inside the job's end transaction. */
bool recordResult(const QSqlDatabase &db, qint64 runId, qint64 rowNo, int modelIdx, qint64 jobId,
                  const Outcome &outcome, qint64 now);
/** @brief A job ended without a result (its run is paused or cancelled): its row is free
 *  again, found by the next resume. Removes the job row. */
void releaseUnit(const QSqlDatabase &db, qint64 runId, qint64 rowNo, int modelIdx, qint64 jobId);
/** @brief Queues up to @p count next rows of one model (those with no result yet, in order).
 *  Returns how many. */
int enqueueNext(const QSqlDatabase &db, qint64 runId, int modelIdx, int count, qint64 now);

/** @brief Transitions; each throws StoreError with a message for people when the run is not
 *  in a state that allows it. start: draft → running; pause: running → paused; resume:
 *  paused → running; cancel: any but completed/cancelled → cancelled; retryFailed: failed
 *  results are cleared and queued again (the run runs, unless it is paused or a draft).
 *  Returns the run afterwards. */
Run start(const QSqlDatabase &db, qint64 runId, qint64 now);
Run pause(const QSqlDatabase &db, qint64 runId, qint64 now);
Run resume(const QSqlDatabase &db, qint64 runId, qint64 now);
Run cancel(const QSqlDatabase &db, qint64 runId, qint64 now);
Run retryFailed(const QSqlDatabase &db, qint64 runId, qint64 now, qint64 *retried = nullptr);

/** @brief Remembers the conversation a row × model was opened as. */
void setConversation(const QSqlDatabase &db, qint64 runId, qint64 rowNo, int modelIdx,
                     const QString &conversationId);

} // namespace arbor::batch::queries
