#include "importqueries.h"

#include "domain/ids.h"
#include "store/conversationqueries.h"
#include "store/sql.h"

#include <QHash>
#include <QSqlQuery>

#include <sqlite3.h>

namespace arbor::imports::queries {

using store::exec;
using store::execCached;
using store::nullIfEmpty;

namespace {

const QByteArray InsertMessage = QByteArrayLiteral(
    "INSERT INTO messages (id, conversation_id, parent_id, role, author, provider, model, content,"
    " status, error, finish_reason, prompt_tokens, completion_tokens, cached_tokens,"
    " reasoning_tokens, usage_estimated, cost_nanos, currency, created_at, finished_at,"
    " visited_at, label, reasoning, reasoning_ms, reasoning_data, tool_calls, source_id, params,"
    " request) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
    " ?, ?, ?, ?)");

/** Binds on SQLite's C API: a million messages through QVariant cost more than SQLite's own
 *  work (the bench). Texts stay alive in the caller until the step. */
class Binder
{
public:
    explicit Binder(sqlite3_stmt *statement)
        : m_statement(statement)
    {
    }
    /** A null QString is "", as Qt's SQLite driver binds it (columns are NOT NULL). */
    void text(const QString &value)
    {
        sqlite3_bind_text16(m_statement, ++m_index, value.utf16(),
                            int(value.size() * sizeof(char16_t)), SQLITE_STATIC);
    }
    void textOrNull(const QString &value)
    {
        if (value.isEmpty())
            sqlite3_bind_null(m_statement, ++m_index);
        else
            text(value);
    }
    void integer(qint64 value) { sqlite3_bind_int64(m_statement, ++m_index, value); }
    void optional(qint64 value) // < 0: unknown
    {
        if (value < 0)
            sqlite3_bind_null(m_statement, ++m_index);
        else
            integer(value);
    }

private:
    sqlite3_stmt *m_statement;
    int m_index = 0;
};

void insertMessage(const QSqlDatabase &db, const QString &id, const QString &conversationId,
                   const QString &parentId, const ImportedNode &n, const QString &sourceId)
{
    // Imported replies are over: one that was live in the other app is interrupted here.
    const domain::MessageStatus status =
        domain::isLive(n.status) ? domain::MessageStatus::Interrupted : n.status;
    const bool hasUsage = n.promptTokens >= 0 || n.completionTokens >= 0;
    const QString content = domain::withoutNul(n.content);
    const QString statusText = domain::toString(status);
    const QString error = domain::withoutNul(n.error);
    const QString reasoning = domain::withoutNul(n.reasoning);
    const QString reasoningData = domain::withoutNulInJson(n.reasoningData);
    const QString toolCalls = domain::withoutNulInJson(domain::toolcalls::toText(n.toolCalls));
    const QString params = domain::withoutNulInJson(n.params);
    const QString request = domain::withoutNulInJson(n.request);
    store::NativeQuery q(db, InsertMessage);
    Binder b(q.statement());
    b.text(id);
    b.text(conversationId);
    b.textOrNull(parentId);
    b.text(n.role);
    b.text(n.author);
    b.text(n.provider);
    b.text(n.model);
    b.text(content);
    b.text(statusText);
    b.text(error);
    b.text(n.finishReason);
    b.optional(n.promptTokens);
    b.optional(n.completionTokens);
    b.optional(n.cachedTokens);
    b.optional(n.reasoningTokens);
    b.integer(hasUsage && n.usageEstimated ? 1 : 0);
    b.optional(n.costNanos);
    b.textOrNull(n.costNanos >= 0 ? n.currency : QString());
    b.integer(n.createdAt);
    b.optional(n.finishedAt > 0 ? n.finishedAt : -1);
    b.integer(n.createdAt);
    b.textOrNull(n.label);
    b.text(reasoning);
    b.optional(n.reasoningMs);
    b.textOrNull(reasoningData);
    b.textOrNull(toolCalls);
    b.textOrNull(sourceId);
    b.textOrNull(params);
    b.textOrNull(request);
    q.step();
}

struct Found
{
    QString id;
    bool deleted = false;
};

std::optional<Found> findConversation(const QSqlDatabase &db, const QString &sql,
                                      const QVariantList &values)
{
    auto q = execCached(db, sql, values);
    std::optional<Found> found;
    if (q->next())
        found = Found{q->value(0).toString(), !q->value(1).isNull()};
    q->finish();
    return found;
}

} // namespace

Written writeConversation(const QSqlDatabase &db, const ImportedConversation &c)
{
    const bool arbor = c.format == Format::Arbor;
    const QString format = arbor ? c.arborSourceFormat : toString(c.format);
    const QString sourceId = arbor ? c.arborSourceId : c.sourceId;
    Written w;
    w.messages = int(c.nodes.size());

    std::optional<Found> found;
    if (arbor)
        found = findConversation(
            db, QStringLiteral("SELECT id, deleted_at FROM conversations WHERE id = ?"),
            {c.sourceId});
    if (!found && !format.isEmpty() && !sourceId.isEmpty()) {
        found = findConversation(db,
                                 QStringLiteral("SELECT id, deleted_at FROM conversations WHERE"
                                                " source_format = ? AND source_id = ?"
                                                " ORDER BY created_at, rowid LIMIT 1"),
                                 {format, sourceId});
        if (found && arbor) {
            w.conversationId = found->id;
            w.skipped = QStringLiteral("already imported from %1 as conversation %2")
                            .arg(format, found->id);
            return w;
        }
    }
    if (found && found->deleted) {
        w.conversationId = found->id;
        w.skipped = QStringLiteral("deleted in Arbor; restore it to import into it");
        return w;
    }

    QHash<QString, QString> known; // the file's node id -> the store's message id
    if (found) {
        w.conversationId = found->id;
        auto q = execCached(db,
                            QStringLiteral("SELECT id, source_id FROM messages WHERE"
                                           " conversation_id = ?"),
                            {found->id});
        while (q->next()) {
            const QString id = q->value(0).toString();
            known.insert(arbor ? id : q->value(1).toString(), id);
        }
        known.remove(QString());
    } else {
        w.created = true;
        w.conversationId = arbor ? c.sourceId : domain::newId();
        const qint64 updated = std::max(c.updatedAt, c.createdAt);
        exec(db,
             QStringLiteral("INSERT INTO conversations (id, title, settings, created_at,"
                            " updated_at, source_format, source_id) VALUES (?, ?, ?, ?, ?, ?, ?)"),
             {w.conversationId, domain::withoutNul(c.title), c.settings, c.createdAt, updated,
              nullIfEmpty(format), nullIfEmpty(sourceId)});
    }

    qint64 latest = 0;
    for (const ImportedNode &n : c.nodes) {
        if (known.contains(n.sourceId))
            continue;
        if (found && w.added == 0)
            store::conversations::requireWritable(db, w.conversationId);
        QString id;
        if (arbor) {
            auto q =
                execCached(db, QStringLiteral("SELECT conversation_id FROM messages WHERE id = ?"),
                           {n.sourceId});
            const QString other = q->next() ? q->value(0).toString() : QString();
            q->finish();
            if (!other.isEmpty())
                throw ImportError(QStringLiteral("message “%1” already belongs to conversation %2")
                                      .arg(n.sourceId, other));
            id = n.sourceId;
        } else {
            id = domain::newId();
        }
        const QString parent =
            n.parentSourceId.isEmpty() ? QString() : known.value(n.parentSourceId);
        insertMessage(db, id, w.conversationId, parent, n, arbor ? n.arborSourceId : n.sourceId);
        known.insert(n.sourceId, id);
        latest = std::max({latest, n.createdAt, n.finishedAt});
        ++w.added;
    }
    if (w.added > 0 || w.created) {
        const QString leaf = known.value(c.currentSourceNode);
        exec(db,
             QStringLiteral("UPDATE conversations SET current_leaf_id = ?,"
                            " updated_at = max(updated_at, ?) WHERE id = ?"),
             {nullIfEmpty(leaf), latest, w.conversationId});
    }
    return w;
}

void insertRun(const QSqlDatabase &db, const Run &r)
{
    exec(db,
         QStringLiteral("INSERT INTO import_runs (id, path, format, state, created_at) VALUES"
                        " (?, ?, ?, ?, ?)"),
         {r.id, r.path, r.format, r.state, r.createdAt});
}

namespace {

Run readRun(const QSqlQuery &q)
{
    Run r;
    r.id = q.value(QStringLiteral("id")).toString();
    r.path = q.value(QStringLiteral("path")).toString();
    r.format = q.value(QStringLiteral("format")).toString();
    r.total = q.value(QStringLiteral("total")).isNull()
        ? -1
        : q.value(QStringLiteral("total")).toLongLong();
    r.done = q.value(QStringLiteral("done")).toLongLong();
    r.state = q.value(QStringLiteral("state")).toString();
    r.error = q.value(QStringLiteral("error")).toString();
    r.createdAt = q.value(QStringLiteral("created_at")).toLongLong();
    r.finishedAt = q.value(QStringLiteral("finished_at")).toLongLong();
    return r;
}

} // namespace

std::optional<Run> run(const QSqlDatabase &db, const QString &id)
{
    QSqlQuery q = exec(db, QStringLiteral("SELECT * FROM import_runs WHERE id = ?"), {id});
    if (!q.next())
        return std::nullopt;
    return readRun(q);
}

QList<Run> unfinished(const QSqlDatabase &db)
{
    QSqlQuery q = exec(db,
                       QStringLiteral("SELECT * FROM import_runs WHERE state IN ('queued',"
                                      " 'running') ORDER BY created_at, id"));
    QList<Run> out;
    while (q.next())
        out.append(readRun(q));
    return out;
}

void setRunning(const QSqlDatabase &db, const QString &id, const QString &format, qint64 total)
{
    exec(db,
         QStringLiteral("UPDATE import_runs SET state = 'running', format = ?, total = ? WHERE"
                        " id = ?"),
         {format, total < 0 ? QVariant() : QVariant(total), id});
}

void addResult(const QSqlDatabase &db, const QString &runId, const Result &r)
{
    execCached(db,
               QStringLiteral("INSERT OR REPLACE INTO import_results (run_id, seq, outcome,"
                              " conversation_id, source_id, title, messages, messages_added, place,"
                              " reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
               {runId, r.seq, r.outcome, nullIfEmpty(r.conversationId), r.sourceId,
                domain::withoutNul(r.title), r.messages, r.added, r.place,
                domain::withoutNul(r.reason)});
    execCached(db, QStringLiteral("UPDATE import_runs SET done = max(done, ?) WHERE id = ?"),
               {r.seq + 1, runId});
}

void finishRun(const QSqlDatabase &db, const QString &id, const QString &state,
               const QString &error)
{
    exec(
        db,
        QStringLiteral("UPDATE import_runs SET state = ?, error = ?, finished_at = ? WHERE id = ?"),
        {state, domain::withoutNul(error), domain::nowMs(), id});
}

QList<Result> results(const QSqlDatabase &db, const QString &runId)
{
    QSqlQuery q = exec(db,
                       QStringLiteral("SELECT seq, outcome, conversation_id, source_id, title,"
                                      " messages, messages_added, place, reason FROM"
                                      " import_results WHERE run_id = ? ORDER BY seq"),
                       {runId});
    const store::Columns at(q);
    const int seq = at["seq"], outcome = at["outcome"], conversation = at["conversation_id"],
              source = at["source_id"], title = at["title"], messages = at["messages"],
              added = at["messages_added"], place = at["place"], reason = at["reason"];
    QList<Result> out;
    while (q.next()) {
        Result r;
        r.seq = q.value(seq).toLongLong();
        r.outcome = q.value(outcome).toString();
        r.conversationId = q.value(conversation).toString();
        r.sourceId = q.value(source).toString();
        r.title = q.value(title).toString();
        r.messages = q.value(messages).toInt();
        r.added = q.value(added).toInt();
        r.place = q.value(place).toString();
        r.reason = q.value(reason).toString();
        out.append(r);
    }
    return out;
}

} // namespace arbor::imports::queries
