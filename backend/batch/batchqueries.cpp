#include "batchqueries.h"

#include "jobs/job.h"
#include "jobs/jobqueries.h"
#include "store/sql.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <sqlite3.h>

namespace arbor::batch::queries {

using store::exec;
using store::execCached;
using store::NativeQuery;
using store::StoreError;

namespace {

void bindText(sqlite3_stmt *st, int i, const QByteArray &utf8)
{
    sqlite3_bind_text(st, i, utf8.constData(), int(utf8.size()), SQLITE_STATIC);
}

QString textAt(sqlite3_stmt *st, int column)
{
    const auto *text = reinterpret_cast<const char *>(sqlite3_column_text(st, column));
    return text ? QString::fromUtf8(text, sqlite3_column_bytes(st, column)) : QString();
}

/** @brief A statement with numbered parameters (?1, ?2: Qt's binding knows none), all whole
 *  numbers. */
void execNative(const QSqlDatabase &db, const char *sql, std::initializer_list<qint64> values)
{
    NativeQuery q(db, QByteArray(sql));
    int i = 0;
    for (qint64 v : values)
        sqlite3_bind_int64(q.statement(), ++i, v);
    while (q.step()) {}
}

int windowOf(int maxConcurrency, int modelCount)
{
    if (maxConcurrency <= 0)
        return DefaultWindow;
    return std::max(1, maxConcurrency / std::max(1, modelCount));
}

QList<RunModel> modelsOf(const QSqlDatabase &db, qint64 runId)
{
    QSqlQuery q = exec(db,
                       QStringLiteral("SELECT idx, provider, model FROM batch_models WHERE"
                                      " run_id = ? ORDER BY idx"),
                       {runId});
    QList<RunModel> out;
    while (q.next())
        out.append({q.value(0).toInt(), q.value(1).toString(), q.value(2).toString()});
    return out;
}

Run readRun(const QSqlQuery &q, const store::Columns &c)
{
    Run r;
    r.id = q.value(c["id"]).toLongLong();
    r.name = q.value(c["name"]).toString();
    r.templateText = q.value(c["template"]).toString();
    r.systemPrompt = q.value(c["system_prompt"]).toString();
    for (const QJsonValue &v :
         QJsonDocument::fromJson(q.value(c["columns"]).toString().toUtf8()).array())
        r.columns.append(v.toString());
    r.state = runStateFromString(q.value(c["state"]).toString());
    r.maxConcurrency = q.value(c["max_concurrency"]).toInt();
    r.maxTokens = q.value(c["max_tokens"]).toInt();
    r.rowCount = q.value(c["row_count"]).toLongLong();
    r.badRows = q.value(c["bad_rows"]).toLongLong();
    r.done = q.value(c["done_count"]).toLongLong();
    r.failed = q.value(c["failed_count"]).toLongLong();
    r.inputTokens = q.value(c["input_tokens"]).toLongLong();
    r.outputTokens = q.value(c["output_tokens"]).toLongLong();
    r.costNanos = q.value(c["cost_nanos"]).toLongLong();
    r.currency = q.value(c["currency"]).toString();
    r.createdAt = q.value(c["created_at"]).toLongLong();
    r.startedAt = q.value(c["started_at"]).toLongLong();
    r.finishedAt = q.value(c["finished_at"]).toLongLong();
    r.activeMs = q.value(c["active_ms"]).toLongLong();
    return r;
}

void fillDetails(const QSqlDatabase &db, Run &r)
{
    r.models = modelsOf(db, r.id);
    QSqlQuery q = exec(db,
                       QStringLiteral("SELECT count(*) FROM batch_results WHERE run_id = ?"
                                      " AND status = 'queued'"),
                       {r.id});
    r.queued = q.next() ? q.value(0).toLongLong() : 0;
}

Run require(const QSqlDatabase &db, qint64 runId)
{
    auto run = get(db, runId);
    if (!run)
        throw StoreError(QStringLiteral("There is no batch run %1.").arg(runId));
    return *run;
}

StoreError notAllowed(const Run &run, const QString &what)
{
    return StoreError(QStringLiteral("Batch run %1 is %2: it cannot be %3.")
                          .arg(run.id)
                          .arg(toString(run.state), what));
}

/** @brief Queued results whose job has not started: their jobs are removed and the rows freed
 *  (found again by the next resume); running ones end as they will. */
void dropQueuedJobs(const QSqlDatabase &db, qint64 runId)
{
    QSqlQuery q = exec(db,
                       QStringLiteral("SELECT r.row_no, r.model_idx, r.job_id FROM batch_results r"
                                      " JOIN jobs j ON j.id = r.job_id"
                                      " WHERE r.run_id = ? AND r.status = 'queued'"
                                      " AND j.state = 'queued'"),
                       {runId});
    struct Item
    {
        qint64 row;
        int model;
        qint64 job;
    };
    QList<Item> items;
    while (q.next())
        items.append({q.value(0).toLongLong(), q.value(1).toInt(), q.value(2).toLongLong()});
    for (const Item &i : std::as_const(items))
        releaseUnit(db, runId, i.row, i.model, i.job);
}

/** @brief Fills each model's window and completes the run when nothing is left. */
void seed(const QSqlDatabase &db, const Run &run, qint64 now)
{
    const int window = windowOf(run.maxConcurrency, int(run.models.size()));
    for (const RunModel &m : run.models) {
        QSqlQuery q = exec(db,
                           QStringLiteral("SELECT count(*) FROM batch_results WHERE run_id = ?"
                                          " AND model_idx = ? AND status = 'queued'"),
                           {run.id, m.idx});
        const int inFlight = q.next() ? q.value(0).toInt() : 0;
        if (inFlight < window)
            enqueueNext(db, run.id, m.idx, window - inFlight, now);
    }
    execNative(db,
               "UPDATE batch_runs SET state = 'completed', finished_at = ?1,"
               " active_ms = active_ms + max(0, ?1 - coalesce(started_at, ?1)),"
               " started_at = NULL WHERE id = ?2 AND state = 'running'"
               " AND done_count + failed_count >= row_count * model_count",
               {now, run.id});
}

} // namespace

qint64 createRun(const QSqlDatabase &db, const Run &run, qint64 now)
{
    QSqlQuery q = exec(
        db,
        QStringLiteral("INSERT INTO batch_runs (name, template, system_prompt, "
                       "columns, state, max_concurrency, max_tokens, model_count,"
                       " created_at) VALUES (?, ?, ?, ?, 'draft', ?, ?, ?, ?)"),
        {run.name, run.templateText, run.systemPrompt,
         QString::fromUtf8(
             QJsonDocument(QJsonArray::fromStringList(run.columns)).toJson(QJsonDocument::Compact)),
         run.maxConcurrency, run.maxTokens, qint64(run.models.size()), now});
    const qint64 id = q.lastInsertId().toLongLong();
    int idx = 0;
    for (const RunModel &m : run.models)
        exec(db,
             QStringLiteral("INSERT INTO batch_models (run_id, idx, provider, model) "
                            "VALUES (?, ?, ?, ?)"),
             {id, idx++, m.provider, m.model});
    return id;
}

void insertRows(const QSqlDatabase &db, qint64 runId, qint64 firstRowNo, const QList<NewRow> &rows)
{
    NativeQuery q(db,
                  QByteArrayLiteral("INSERT INTO batch_rows (run_id, row_no, line, input)"
                                    " VALUES (?, ?, ?, ?)"));
    sqlite3_stmt *st = q.statement();
    qint64 n = firstRowNo;
    for (const NewRow &r : rows) {
        sqlite3_bind_int64(st, 1, runId);
        sqlite3_bind_int64(st, 2, n++);
        sqlite3_bind_int64(st, 3, r.line);
        bindText(st, 4, r.input);
        q.step();
        sqlite3_reset(st);
    }
}

void insertBadRows(const QSqlDatabase &db, qint64 runId, const QList<BadRow> &rows)
{
    for (const BadRow &b : rows)
        execCached(db,
                   QStringLiteral("INSERT OR REPLACE INTO batch_bad_rows (run_id, line, reason)"
                                  " VALUES (?, ?, ?)"),
                   {runId, b.line, b.reason});
}

void finishImport(const QSqlDatabase &db, qint64 runId, const QStringList &columns, qint64 rowCount,
                  qint64 badRows)
{
    exec(db,
         QStringLiteral("UPDATE batch_runs SET columns = ?, row_count = ?, bad_rows = ? "
                        "WHERE id = ?"),
         {QString::fromUtf8(
              QJsonDocument(QJsonArray::fromStringList(columns)).toJson(QJsonDocument::Compact)),
          rowCount, badRows, runId});
}

void deleteRun(const QSqlDatabase &db, qint64 runId)
{
    exec(db,
         QStringLiteral("DELETE FROM jobs WHERE state = 'queued' AND id IN (SELECT job_id FROM "
                        "batch_results WHERE run_id = ? AND status = 'queued')"),
         {runId});
    exec(db, QStringLiteral("DELETE FROM batch_results WHERE run_id = ?"), {runId});
    exec(db, QStringLiteral("DELETE FROM batch_rows WHERE run_id = ?"), {runId});
    exec(db, QStringLiteral("DELETE FROM batch_runs WHERE id = ?"), {runId});
}

std::optional<Run> get(const QSqlDatabase &db, qint64 runId)
{
    QSqlQuery q = exec(db, QStringLiteral("SELECT * FROM batch_runs WHERE id = ?"), {runId});
    const store::Columns c(q);
    if (!q.next())
        return std::nullopt;
    Run r = readRun(q, c);
    fillDetails(db, r);
    return r;
}

QList<Run> list(const QSqlDatabase &db)
{
    QSqlQuery q = exec(db, QStringLiteral("SELECT * FROM batch_runs ORDER BY id DESC"));
    const store::Columns c(q);
    QList<Run> out;
    while (q.next())
        out.append(readRun(q, c));
    for (Run &r : out)
        fillDetails(db, r);
    return out;
}

QList<BadRow> badRows(const QSqlDatabase &db, qint64 runId, int limit)
{
    QSqlQuery q = exec(db,
                       QStringLiteral("SELECT line, reason FROM batch_bad_rows WHERE run_id = ?"
                                      " ORDER BY line LIMIT ?"),
                       {runId, limit});
    QList<BadRow> out;
    while (q.next())
        out.append({q.value(0).toLongLong(), q.value(1).toString()});
    return out;
}

QList<RowView> rows(const QSqlDatabase &db, const Run &run, qint64 fromRow, int limit, int filter,
                    const QString &search)
{
    QString where = QStringLiteral("r.run_id = :run AND r.row_no >= :from");
    if (filter == 1)
        where += QStringLiteral(" AND EXISTS (SELECT 1 FROM batch_results f WHERE f.run_id ="
                                " r.run_id AND f.row_no = r.row_no AND f.status = 'failed')");
    else if (filter == 2)
        where += QStringLiteral(" AND (SELECT count(DISTINCT coalesce(d.text, '')) FROM "
                                "batch_results d WHERE d.run_id = r.run_id AND d.row_no ="
                                " r.row_no AND d.status = 'done') > 1");
    if (!search.isEmpty())
        where += QStringLiteral(" AND (instr(lower(r.input), lower(:q)) > 0 OR EXISTS (SELECT 1"
                                " FROM batch_results s WHERE s.run_id = r.run_id AND s.row_no ="
                                " r.row_no AND instr(lower(s.text), lower(:q)) > 0))");
    QSqlQuery q(db);
    q.prepare(QStringLiteral("SELECT r.row_no, r.line, r.input FROM batch_rows r WHERE %1"
                             " ORDER BY r.row_no LIMIT :limit")
                  .arg(where));
    q.bindValue(QStringLiteral(":run"), run.id);
    q.bindValue(QStringLiteral(":from"), fromRow);
    q.bindValue(QStringLiteral(":limit"), limit);
    if (!search.isEmpty())
        q.bindValue(QStringLiteral(":q"), search);
    if (!q.exec())
        throw StoreError(QStringLiteral("Reading the run's rows failed."));
    QList<RowView> out;
    QHash<qint64, qsizetype> at;
    while (q.next()) {
        RowView v;
        v.rowNo = q.value(0).toLongLong();
        v.line = q.value(1).toLongLong();
        v.input = q.value(2).toString().toUtf8();
        v.results.resize(run.models.size());
        at.insert(v.rowNo, out.size());
        out.append(std::move(v));
    }
    if (out.isEmpty())
        return out;
    QSqlQuery r = exec(db,
                       QStringLiteral("SELECT row_no, model_idx, status, text, error, input_tokens,"
                                      " output_tokens, cost_nanos, currency, conversation_id"
                                      " FROM batch_results WHERE run_id = ? AND row_no BETWEEN ?"
                                      " AND ?"),
                       {run.id, out.first().rowNo, out.last().rowNo});
    while (r.next()) {
        const auto it = at.constFind(r.value(0).toLongLong());
        const int model = r.value(1).toInt();
        if (it == at.cend() || model < 0 || model >= run.models.size())
            continue;
        RowResult &res = out[*it].results[model];
        res.status = r.value(2).toString();
        res.text = r.value(3).toString();
        res.error = r.value(4).toString();
        res.inputTokens = r.value(5).isNull() ? -1 : r.value(5).toLongLong();
        res.outputTokens = r.value(6).isNull() ? -1 : r.value(6).toLongLong();
        res.costNanos = r.value(7).isNull() ? -1 : r.value(7).toLongLong();
        res.currency = r.value(8).toString();
        res.conversationId = r.value(9).toString();
    }
    return out;
}

Unit unit(const QSqlDatabase &db, qint64 runId, qint64 rowNo)
{
    NativeQuery q(db,
                  QByteArrayLiteral("SELECT s.state, r.input FROM batch_runs s LEFT JOIN"
                                    " batch_rows r ON r.run_id = s.id AND r.row_no = ?"
                                    " WHERE s.id = ?"));
    sqlite3_stmt *st = q.statement();
    sqlite3_bind_int64(st, 1, rowNo);
    sqlite3_bind_int64(st, 2, runId);
    Unit u;
    if (q.step()) {
        u.state = runStateFromString(textAt(st, 0));
        if (sqlite3_column_type(st, 1) != SQLITE_NULL) {
            u.found = true;
            u.input = QByteArray(reinterpret_cast<const char *>(sqlite3_column_text(st, 1)),
                                 sqlite3_column_bytes(st, 1));
        }
    }
    return u;
}

bool recordResult(const QSqlDatabase &db, qint64 runId, qint64 rowNo, int modelIdx, qint64 jobId,
                  const Outcome &o, qint64 now)
{
    {
        NativeQuery q(
            db,
            QByteArrayLiteral("UPDATE batch_results SET status = ?, text = ?, error = ?,"
                              " input_tokens = ?, output_tokens = ?, cost_nanos = ?, currency = ?,"
                              " finished_at = ?, job_id = NULL WHERE run_id = ? AND row_no = ?"
                              " AND model_idx = ? AND status = 'queued' AND job_id = ?"));
        sqlite3_stmt *st = q.statement();
        const QByteArray text = o.text.toUtf8();
        const QByteArray error = o.error.toUtf8();
        const QByteArray currency = o.currency.toUtf8();
        bindText(st, 1, o.ok ? QByteArrayLiteral("done") : QByteArrayLiteral("failed"));
        bindText(st, 2, text);
        if (o.ok)
            sqlite3_bind_null(st, 3);
        else
            bindText(st, 3, error);
        auto bindCount = [st](int i, qint64 v) {
            if (v < 0)
                sqlite3_bind_null(st, i);
            else
                sqlite3_bind_int64(st, i, v);
        };
        bindCount(4, o.inputTokens);
        bindCount(5, o.outputTokens);
        bindCount(6, o.costNanos);
        if (o.costNanos < 0)
            sqlite3_bind_null(st, 7);
        else
            bindText(st, 7, currency);
        sqlite3_bind_int64(st, 8, now);
        sqlite3_bind_int64(st, 9, runId);
        sqlite3_bind_int64(st, 10, rowNo);
        sqlite3_bind_int(st, 11, modelIdx);
        sqlite3_bind_int64(st, 12, jobId);
        q.step();
        if (sqlite3_changes(q.handle()) == 0)
            return false; // not this job's (any more): exactly once
    }
    QByteArray state;
    qint64 finished = 0, total = 0;
    {
        NativeQuery q(
            db,
            QByteArrayLiteral("UPDATE batch_runs SET done_count = done_count + ?1,"
                              " failed_count = failed_count + ?2,"
                              " input_tokens = input_tokens + ?3, output_tokens = output_tokens"
                              " + ?4, cost_nanos = cost_nanos + ?5,"
                              " currency = CASE WHEN ?6 = '' THEN currency ELSE ?6 END"
                              " WHERE id = ?7 RETURNING state, done_count + failed_count,"
                              " row_count * model_count"));
        sqlite3_stmt *st = q.statement();
        const QByteArray currency = o.costNanos >= 0 ? o.currency.toUtf8() : QByteArray();
        sqlite3_bind_int(st, 1, o.ok ? 1 : 0);
        sqlite3_bind_int(st, 2, o.ok ? 0 : 1);
        sqlite3_bind_int64(st, 3, std::max<qint64>(0, o.inputTokens));
        sqlite3_bind_int64(st, 4, std::max<qint64>(0, o.outputTokens));
        sqlite3_bind_int64(st, 5, std::max<qint64>(0, o.costNanos));
        sqlite3_bind_text(st, 6, currency.constData(), int(currency.size()), SQLITE_STATIC);
        sqlite3_bind_int64(st, 7, runId);
        if (q.step()) {
            state = QByteArray(reinterpret_cast<const char *>(sqlite3_column_text(st, 0)));
            finished = sqlite3_column_int64(st, 1);
            total = sqlite3_column_int64(st, 2);
            while (q.step()) {}
        }
    }
    {
        NativeQuery q(db, QByteArrayLiteral("DELETE FROM jobs WHERE id = ?"));
        sqlite3_bind_int64(q.statement(), 1, jobId);
        q.step();
    }
    if (!o.ok) {
        NativeQuery q(db, QByteArrayLiteral("DELETE FROM job_attempts WHERE job_id = ?"));
        sqlite3_bind_int64(q.statement(), 1, jobId);
        q.step();
    }
    if (state != "running")
        return true;
    if (finished >= total) {
        execNative(db,
                   "UPDATE batch_runs SET state = 'completed', finished_at = ?1,"
                   " active_ms = active_ms + max(0, ?1 - coalesce(started_at, ?1)),"
                   " started_at = NULL WHERE id = ?2 AND state = 'running'",
                   {now, runId});
        return true;
    }
    enqueueNext(db, runId, modelIdx, 1, now);
    return true;
}

void releaseUnit(const QSqlDatabase &db, qint64 runId, qint64 rowNo, int modelIdx, qint64 jobId)
{
    QSqlQuery q = exec(db,
                       QStringLiteral("DELETE FROM batch_results WHERE run_id = ? AND row_no = ?"
                                      " AND model_idx = ? AND status = 'queued' AND job_id = ?"),
                       {runId, rowNo, modelIdx, jobId});
    if (q.numRowsAffected() > 0)
        exec(db,
             QStringLiteral("UPDATE batch_models SET next_row = min(next_row, ?)"
                            " WHERE run_id = ? AND idx = ?"),
             {rowNo, runId, modelIdx});
    exec(db, QStringLiteral("DELETE FROM jobs WHERE id = ? AND state <> 'running'"), {jobId});
    exec(db, QStringLiteral("DELETE FROM job_attempts WHERE job_id = ?"), {jobId});
}

int enqueueNext(const QSqlDatabase &db, qint64 runId, int modelIdx, int count, qint64 now)
{
    if (count <= 0)
        return 0;
    QByteArray provider;
    QByteArray model;
    qint64 nextRow = 0;
    {
        NativeQuery q(db,
                      QByteArrayLiteral("SELECT provider, next_row, model FROM batch_models"
                                        " WHERE run_id = ? AND idx = ?"));
        sqlite3_bind_int64(q.statement(), 1, runId);
        sqlite3_bind_int(q.statement(), 2, modelIdx);
        if (!q.step())
            return 0;
        provider =
            QByteArray(reinterpret_cast<const char *>(sqlite3_column_text(q.statement(), 0)));
        nextRow = sqlite3_column_int64(q.statement(), 1);
        model = QByteArray(reinterpret_cast<const char *>(sqlite3_column_text(q.statement(), 2)));
        while (q.step()) {}
    }
    QList<qint64> rowNos;
    {
        NativeQuery q(
            db,
            QByteArrayLiteral("SELECT r.row_no FROM batch_rows r WHERE r.run_id = ?1 AND"
                              " r.row_no >= ?2 AND NOT EXISTS (SELECT 1 FROM batch_results x"
                              " WHERE x.run_id = ?1 AND x.row_no = r.row_no AND x.model_idx = ?3)"
                              " ORDER BY r.row_no LIMIT ?4"));
        sqlite3_stmt *st = q.statement();
        sqlite3_bind_int64(st, 1, runId);
        sqlite3_bind_int64(st, 2, nextRow);
        sqlite3_bind_int(st, 3, modelIdx);
        sqlite3_bind_int(st, 4, count);
        while (q.step())
            rowNos.append(sqlite3_column_int64(st, 0));
    }
    const QString queue = QString::fromUtf8(provider);
    const QJsonObject tags{{QStringLiteral("model"), QString::fromUtf8(model)}};
    for (qint64 row : std::as_const(rowNos)) {
        jobs::JobSpec spec;
        spec.kind = QString::fromLatin1(JobKind);
        spec.queue = queue;
        spec.priority = jobs::Priority::Batch;
        spec.payload = {{QStringLiteral("run"), runId},
                        {QStringLiteral("row"), row},
                        {QStringLiteral("model"), modelIdx},
                        {QStringLiteral("tags"), tags}};
        spec.maxAttempts = MaxAttempts;
        const qint64 jobId = jobs::queries::insert(db, spec, now);
        NativeQuery q(db,
                      QByteArrayLiteral("INSERT INTO batch_results (run_id, row_no,"
                                        " model_idx, status, job_id) VALUES (?, ?, ?,"
                                        " 'queued', ?)"));
        sqlite3_stmt *st = q.statement();
        sqlite3_bind_int64(st, 1, runId);
        sqlite3_bind_int64(st, 2, row);
        sqlite3_bind_int(st, 3, modelIdx);
        sqlite3_bind_int64(st, 4, jobId);
        q.step();
    }
    {
        NativeQuery q(
            db,
            QByteArrayLiteral("UPDATE batch_models SET next_row = CASE WHEN ?1 >= 0 THEN ?1 ELSE"
                              " (SELECT row_count FROM batch_runs WHERE id = ?2) END"
                              " WHERE run_id = ?2 AND idx = ?3"));
        sqlite3_stmt *st = q.statement();
        sqlite3_bind_int64(st, 1, rowNos.isEmpty() ? -1 : rowNos.last() + 1);
        sqlite3_bind_int64(st, 2, runId);
        sqlite3_bind_int(st, 3, modelIdx);
        q.step();
    }
    return int(rowNos.size());
}

Run start(const QSqlDatabase &db, qint64 runId, qint64 now)
{
    Run run = require(db, runId);
    if (run.state != RunState::Draft)
        throw notAllowed(run, QStringLiteral("started (only a draft starts; resume a paused one)"));
    exec(db,
         QStringLiteral("UPDATE batch_runs SET state = 'running', started_at = ?, finished_at ="
                        " NULL WHERE id = ?"),
         {now, runId});
    run.state = RunState::Running;
    seed(db, run, now);
    return require(db, runId);
}

Run pause(const QSqlDatabase &db, qint64 runId, qint64 now)
{
    Run run = require(db, runId);
    if (run.state != RunState::Running)
        throw notAllowed(run, QStringLiteral("paused"));
    execNative(db,
               "UPDATE batch_runs SET state = 'paused', active_ms = active_ms +"
               " max(0, ?1 - coalesce(started_at, ?1)), started_at = NULL WHERE id = ?2",
               {now, runId});
    dropQueuedJobs(db, runId);
    return require(db, runId);
}

Run resume(const QSqlDatabase &db, qint64 runId, qint64 now)
{
    Run run = require(db, runId);
    if (run.state != RunState::Paused)
        throw notAllowed(run, QStringLiteral("resumed"));
    exec(db, QStringLiteral("UPDATE batch_runs SET state = 'running', started_at = ? WHERE id = ?"),
         {now, runId});
    run.state = RunState::Running;
    seed(db, run, now);
    return require(db, runId);
}

Run cancel(const QSqlDatabase &db, qint64 runId, qint64 now)
{
    Run run = require(db, runId);
    if (run.state == RunState::Completed || run.state == RunState::Cancelled)
        throw notAllowed(run, QStringLiteral("cancelled"));
    execNative(db,
               "UPDATE batch_runs SET state = 'cancelled', finished_at = ?1,"
               " active_ms = active_ms + max(0, ?1 - coalesce(started_at, ?1)),"
               " started_at = NULL WHERE id = ?2",
               {now, runId});
    dropQueuedJobs(db, runId);
    return require(db, runId);
}

Run retryFailed(const QSqlDatabase &db, qint64 runId, qint64 now, qint64 *retried)
{
    Run run = require(db, runId);
    if (run.state == RunState::Draft)
        throw notAllowed(run, QStringLiteral("retried (start it first)"));
    QSqlQuery q = exec(db,
                       QStringLiteral("SELECT model_idx, min(row_no), count(*) FROM batch_results"
                                      " WHERE run_id = ? AND status = 'failed' GROUP BY model_idx"),
                       {runId});
    qint64 n = 0;
    while (q.next()) {
        n += q.value(2).toLongLong();
        exec(db,
             QStringLiteral("UPDATE batch_models SET next_row = min(next_row, ?)"
                            " WHERE run_id = ? AND idx = ?"),
             {q.value(1), runId, q.value(0)});
    }
    if (retried)
        *retried = n;
    if (n == 0)
        return run;
    exec(db, QStringLiteral("DELETE FROM batch_results WHERE run_id = ? AND status = 'failed'"),
         {runId});
    exec(db, QStringLiteral("UPDATE batch_runs SET failed_count = failed_count - ? WHERE id = ?"),
         {n, runId});
    if (run.state == RunState::Completed || run.state == RunState::Cancelled) {
        exec(db,
             QStringLiteral("UPDATE batch_runs SET state = 'running', started_at = ?,"
                            " finished_at = NULL WHERE id = ?"),
             {now, runId});
        run.state = RunState::Running;
    }
    if (run.state == RunState::Running)
        seed(db, run, now);
    return require(db, runId);
}

void setConversation(const QSqlDatabase &db, qint64 runId, qint64 rowNo, int modelIdx,
                     const QString &conversationId)
{
    exec(db,
         QStringLiteral("UPDATE batch_results SET conversation_id = ? WHERE run_id = ? AND"
                        " row_no = ? AND model_idx = ?"),
         {conversationId, runId, rowNo, modelIdx});
}

} // namespace arbor::batch::queries
