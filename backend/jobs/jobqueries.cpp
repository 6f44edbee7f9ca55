#include "jobqueries.h"

#include "pinned.h"

#include "store/sql.h"

#include <QJsonDocument>
#include <QSqlDriver>
#include <QSqlError>

#include <sqlite3.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#ifdef Q_OS_UNIX
#include <signal.h>
#include <sys/types.h>
#endif
#ifdef Q_OS_WIN
#include <windows.h>
#endif

namespace arbor::jobs::queries {

using store::exec;
using store::execCached;
using store::nullIfEmpty;

namespace {

const QString kColumns = QStringLiteral(
    "id, kind, queue, priority, payload, subject_id, state, attempts, max_attempts, run_at, "
    "lease_owner, last_error, created_at, started_at, finished_at, tokens_estimate, "
    "last_error_kind");

QString textAt(sqlite3_stmt *st, int column)
{
    const auto *text = reinterpret_cast<const char *>(sqlite3_column_text(st, column));
    return text ? QString::fromUtf8(text, sqlite3_column_bytes(st, column)) : QString();
}

/** @brief Where the fields of kColumns are in a result. */
struct JobColumns
{
    explicit JobColumns(const store::Columns &c)
        : id(c["id"])
        , kind(c["kind"])
        , queue(c["queue"])
        , priority(c["priority"])
        , payload(c["payload"])
        , subjectId(c["subject_id"])
        , state(c["state"])
        , attempts(c["attempts"])
        , maxAttempts(c["max_attempts"])
        , runAt(c["run_at"])
        , leaseOwner(c["lease_owner"])
        , lastError(c["last_error"])
        , createdAt(c["created_at"])
        , startedAt(c["started_at"])
        , finishedAt(c["finished_at"])
        , tokensEstimate(c["tokens_estimate"])
        , lastErrorKind(c["last_error_kind"])
    {
    }

    Job read(const QSqlQuery &q) const
    {
        Job j;
        j.id = q.value(id).toLongLong();
        j.kind = q.value(kind).toString();
        j.queue = q.value(queue).toString();
        j.priority = q.value(priority).toInt();
        j.payload = QJsonDocument::fromJson(q.value(payload).toString().toUtf8()).object();
        j.subjectId = q.value(subjectId).toString();
        j.state = jobStateFromString(q.value(state).toString());
        j.attempts = q.value(attempts).toInt();
        j.maxAttempts = q.value(maxAttempts).toInt();
        j.runAt = q.value(runAt).toLongLong();
        j.leaseOwner = q.value(leaseOwner).toString();
        j.lastError = q.value(lastError).toString();
        j.createdAt = q.value(createdAt).toLongLong();
        j.startedAt = q.value(startedAt).toLongLong();
        j.finishedAt = q.value(finishedAt).toLongLong();
        j.tokensEstimate = q.value(tokensEstimate).toLongLong();
        j.lastErrorKind = errorKindFromString(q.value(lastErrorKind).toString());
        return j;
    }

    /** @brief read() on SQLite's C API (NULL reads as '' or 0, as there). */
    Job read(sqlite3_stmt *st) const
    {
        Job j;
        j.id = sqlite3_column_int64(st, id);
        j.kind = textAt(st, kind);
        j.queue = textAt(st, queue);
        j.priority = sqlite3_column_int(st, priority);
        {
            const auto *json = reinterpret_cast<const char *>(sqlite3_column_text(st, payload));
            j.payload = QJsonDocument::fromJson(
                            QByteArray::fromRawData(json, sqlite3_column_bytes(st, payload)))
                            .object();
        }
        j.subjectId = textAt(st, subjectId);
        j.state = jobStateFromString(textAt(st, state));
        j.attempts = sqlite3_column_int(st, attempts);
        j.maxAttempts = sqlite3_column_int(st, maxAttempts);
        j.runAt = sqlite3_column_int64(st, runAt);
        j.leaseOwner = textAt(st, leaseOwner);
        j.lastError = textAt(st, lastError);
        j.createdAt = sqlite3_column_int64(st, createdAt);
        j.startedAt = sqlite3_column_int64(st, startedAt);
        j.finishedAt = sqlite3_column_int64(st, finishedAt);
        j.tokensEstimate = sqlite3_column_int64(st, tokensEstimate);
        j.lastErrorKind = errorKindFromString(textAt(st, lastErrorKind));
        return j;
    }

    int id, kind, queue, priority, payload, subjectId, state, attempts, maxAttempts, runAt,
        leaseOwner, lastError, createdAt, startedAt, finishedAt, tokensEstimate, lastErrorKind;
};

bool processAlive(qint64 pid)
{
#if defined(Q_OS_UNIX)
    return ::kill(pid_t(pid), 0) == 0 || errno == EPERM;
#elif defined(Q_OS_WIN)
    HANDLE h = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, DWORD(pid));
    if (!h)
        return false;
    DWORD code = 0;
    const bool alive = GetExitCodeProcess(h, &code) && code == STILL_ACTIVE;
    CloseHandle(h);
    return alive;
#else
    Q_UNUSED(pid);
    return true; // fall back to heartbeats alone
#endif
}

} // namespace

qint64 insert(const QSqlDatabase &db, const JobSpec &s, qint64 now)
{
    // On SQLite's C API, prepared once on the writer: one add is one commit, and the caller
    // waits for it, so Qt's per-value binding would be a fair share of the add's own cost.
    static const QByteArray sql =
        QByteArrayLiteral("INSERT INTO jobs (kind, queue, priority, payload, subject_id, state, "
                          "max_attempts, run_at, created_at,"
                          " tokens_estimate) VALUES (?, ?, ?, ?, ?, 'queued', ?, ?, ?, ?)");
    const QByteArray kind =
        s.kind.toUtf8(); // bound without a copy: they outlive the statement's run
    const QByteArray queue = s.queue.toUtf8();
    const QByteArray payload = QJsonDocument(s.payload).toJson(QJsonDocument::Compact);
    const QByteArray subject = s.subjectId.toUtf8();
    store::NativeQuery q(db, sql);
    sqlite3_stmt *st = q.statement();
    sqlite3_bind_text(st, 1, kind.constData(), int(kind.size()), SQLITE_STATIC);
    sqlite3_bind_text(st, 2, queue.constData(), int(queue.size()), SQLITE_STATIC);
    sqlite3_bind_int(st, 3, s.priority);
    sqlite3_bind_text(st, 4, payload.constData(), int(payload.size()), SQLITE_STATIC);
    if (subject.isEmpty())
        sqlite3_bind_null(st, 5);
    else
        sqlite3_bind_text(st, 5, subject.constData(), int(subject.size()), SQLITE_STATIC);
    sqlite3_bind_int(st, 6, std::max(1, s.maxAttempts));
    sqlite3_bind_int64(st, 7, s.runAt > 0 ? s.runAt : now);
    sqlite3_bind_int64(st, 8, now);
    sqlite3_bind_int64(st, 9, s.tokensEstimate);
    q.step();
    return sqlite3_last_insert_rowid(q.handle());
}

namespace {

const char kInsertSql[] =
    "INSERT INTO jobs (kind, queue, priority, payload, subject_id, state, max_attempts, run_at,"
    " created_at, tokens_estimate) VALUES (?, ?, ?, ?, ?, 'queued', ?, ?, ?, ?)";

/** @brief The connection's sqlite3 handle, or nullptr (another driver). */
sqlite3 *sqliteHandle(const QSqlDatabase &db)
{
    const QVariant v = db.driver() ? db.driver()->handle() : QVariant();
    if (!v.isValid() || qstrcmp(v.typeName(), "sqlite3*") != 0)
        return nullptr;
    return *static_cast<sqlite3 *const *>(v.constData());
}

/** @brief insertMany() on SQLite's C API: Qt's per-row binding (QVariant conversions, UTF-16
 *  text) costs more than the insert itself at bulk rates. */
QList<qint64> insertManyNative(sqlite3 *h, const QList<JobSpec> &specs, qint64 now)
{
    sqlite3_stmt *stmt = nullptr;
    if (sqlite3_prepare_v3(h, kInsertSql, -1, 0, &stmt, nullptr) != SQLITE_OK)
        throw store::StoreError(
            QStringLiteral("Adding jobs failed: %1").arg(QString::fromUtf8(sqlite3_errmsg(h))));
    QList<qint64> ids;
    ids.reserve(specs.size());
    for (const JobSpec &s : specs) {
        const QByteArray kind = s.kind.toUtf8();
        const QByteArray queue = s.queue.toUtf8();
        const QByteArray payload = QJsonDocument(s.payload).toJson(QJsonDocument::Compact);
        const QByteArray subject = s.subjectId.toUtf8();
        sqlite3_bind_text(stmt, 1, kind.constData(), int(kind.size()), SQLITE_STATIC);
        sqlite3_bind_text(stmt, 2, queue.constData(), int(queue.size()), SQLITE_STATIC);
        sqlite3_bind_int(stmt, 3, s.priority);
        sqlite3_bind_text(stmt, 4, payload.constData(), int(payload.size()), SQLITE_STATIC);
        if (s.subjectId.isEmpty())
            sqlite3_bind_null(stmt, 5);
        else
            sqlite3_bind_text(stmt, 5, subject.constData(), int(subject.size()), SQLITE_STATIC);
        sqlite3_bind_int(stmt, 6, std::max(1, s.maxAttempts));
        sqlite3_bind_int64(stmt, 7, s.runAt > 0 ? s.runAt : now);
        sqlite3_bind_int64(stmt, 8, now);
        sqlite3_bind_int64(stmt, 9, s.tokensEstimate);
        if (sqlite3_step(stmt) != SQLITE_DONE) {
            const QString error = QString::fromUtf8(sqlite3_errmsg(h));
            sqlite3_finalize(stmt);
            throw store::StoreError(QStringLiteral("Adding jobs failed: %1").arg(error));
        }
        ids.append(sqlite3_last_insert_rowid(h));
        sqlite3_reset(stmt);
    }
    sqlite3_finalize(stmt);
    return ids;
}

} // namespace

QList<qint64> insertMany(const QSqlDatabase &db, const QList<JobSpec> &specs, qint64 now)
{
    if (sqlite3 *h = sqliteHandle(db))
        return insertManyNative(h, specs, now);
    QSqlQuery q(db);
    if (!q.prepare(QString::fromLatin1(kInsertSql)))
        throw store::StoreError(QStringLiteral("Adding jobs failed: %1").arg(q.lastError().text()));
    QList<qint64> ids;
    ids.reserve(specs.size());
    for (const JobSpec &s : specs) {
        q.bindValue(0, s.kind);
        q.bindValue(1, s.queue);
        q.bindValue(2, s.priority);
        q.bindValue(3, QString::fromUtf8(QJsonDocument(s.payload).toJson(QJsonDocument::Compact)));
        q.bindValue(4, nullIfEmpty(s.subjectId));
        q.bindValue(5, std::max(1, s.maxAttempts));
        q.bindValue(6, s.runAt > 0 ? s.runAt : now);
        q.bindValue(7, now);
        q.bindValue(8, s.tokensEstimate);
        if (!q.exec())
            throw store::StoreError(
                QStringLiteral("Adding jobs failed: %1").arg(q.lastError().text()));
        ids.append(q.lastInsertId().toLongLong());
    }
    return ids;
}

std::optional<Job> get(const QSqlDatabase &db, qint64 id)
{
    QSqlQuery q = exec(db, QStringLiteral("SELECT %1 FROM jobs WHERE id = ?").arg(kColumns), {id});
    const JobColumns columns{store::Columns(q)};
    if (!q.next())
        return std::nullopt;
    return columns.read(q);
}

QList<Job> forSubject(const QSqlDatabase &db, const QString &subjectId)
{
    QSqlQuery q = exec(
        db,
        QStringLiteral("SELECT %1 FROM jobs WHERE subject_id = ? ORDER BY id DESC").arg(kColumns),
        {subjectId});
    const JobColumns columns{store::Columns(q)};
    QList<Job> out;
    while (q.next())
        out.append(columns.read(q));
    return out;
}

std::optional<Job> latestForSubject(const QSqlDatabase &db, const QString &subjectId)
{
    QSqlQuery q =
        exec(db,
             QStringLiteral("SELECT %1 FROM jobs WHERE subject_id = ? ORDER BY id DESC LIMIT 1")
                 .arg(kColumns),
             {subjectId});
    const JobColumns columns{store::Columns(q)};
    if (!q.next())
        return std::nullopt;
    return columns.read(q);
}

namespace {

QString placeholdersFor(qsizetype n)
{
    QString out;
    for (qsizetype i = 0; i < n; ++i)
        out += i ? QStringLiteral(", ?") : QStringLiteral("?");
    return out;
}

QList<Job> sortClaimed(QList<Job> out)
{
    // RETURNING gives no order guarantee; hand jobs out by priority.
    std::sort(out.begin(), out.end(), [](const Job &a, const Job &b) {
        return a.priority != b.priority ? a.priority > b.priority : a.id < b.id;
    });
    return out;
}

QList<Job> readClaimed(QSqlQuery &q)
{
    const JobColumns columns{store::Columns(q)};
    QList<Job> out;
    while (q.next())
        out.append(columns.read(q));
    return sortClaimed(std::move(out));
}

QList<Job> runClaim(QSqlQuery &q)
{
    if (!q.exec())
        throw store::StoreError(
            QStringLiteral("Claiming jobs failed: %1").arg(q.lastError().text()));
    return readClaimed(q);
}

} // namespace

QList<Job> claimPinned(const QSqlDatabase &db, const QString &owner, const QStringList &kinds,
                       int limit, qint64 now, PinnedLedger &ledger)
{
    if (kinds.isEmpty() || limit <= 0)
        return {};
    const quint64 added = ledger.added.load();
    if (added == ledger.seen.load())
        return {};
    QSqlQuery q(db);
    q.prepare(
        QStringLiteral("UPDATE jobs SET state = 'running', attempts = attempts + 1, "
                       "lease_owner = ?, started_at = ?"
                       " WHERE id IN (SELECT id FROM jobs WHERE state = 'queued' AND queue = ?"
                       " AND run_at <= ? AND kind IN (%1) ORDER BY priority DESC, run_at, id"
                       " LIMIT ?) RETURNING %2")
            .arg(placeholdersFor(kinds.size()), kColumns));
    q.addBindValue(owner);
    q.addBindValue(now);
    q.addBindValue(pinnedQueue(owner));
    q.addBindValue(now);
    for (const QString &k : kinds)
        q.addBindValue(k);
    q.addBindValue(limit);
    QList<Job> out = runClaim(q);
    if (out.size() < limit)
        ledger.seen.store(added);
    return out;
}

QList<Job> claim(const QSqlDatabase &db, const QString &owner, const QStringList &kinds, int limit,
                 qint64 now, const ClaimRules &rules)
{
    if (kinds.isEmpty() || limit <= 0 || (rules.subjects && rules.subjects->isEmpty()))
        return {};
    const QStringList subjects = rules.subjects.value_or(QStringList());
    // Paused queues are read here too, not only from the dispatcher's copy: a pause done by
    // another process (arbord jobs pause) or just now holds from the next claim on.
    // With no slot left for anything but interactive jobs, only they are claimed (reservedFor).
    const int minPriority = rules.lowLimit <= 0 ? rules.reservedFor : INT_MIN;
    if (rules.caps.isEmpty() && rules.lowLimit > 0)
        limit = std::min(limit, rules.lowLimit);
    // A pinned job (pinnedQueue()) is only its worker's, and runs in a slot of its own
    // (claimPinned): the shared slots never take one.
    const QString due =
        QStringLiteral("state = 'queued' AND run_at <= ? AND priority >= ? AND kind IN (%1)%2%3"
                       " AND queue NOT IN (SELECT name FROM job_queues WHERE paused != 0)"
                       " AND queue NOT LIKE 'pin:%'")
            .arg(placeholdersFor(kinds.size()),
                 rules.blocked.isEmpty() ? QString()
                                         : QStringLiteral(" AND queue NOT IN (%1)")
                                               .arg(placeholdersFor(rules.blocked.size())),
                 subjects.isEmpty() ? QString()
                                    : QStringLiteral(" AND subject_id IN (%1)")
                                          .arg(placeholdersFor(subjects.size())));
    auto bindDue = [&](QSqlQuery &q) {
        q.addBindValue(now);
        q.addBindValue(minPriority);
        for (const QString &k : kinds)
            q.addBindValue(k);
        for (const QString &b : rules.blocked)
            q.addBindValue(b);
        for (const QString &s : subjects)
            q.addBindValue(s);
    };

    if (rules.caps.isEmpty()) {
        // The common case, one statement (prepared once per connection, on SQLite's C API: it
        // returns every column of up to `limit` rows per cycle): no queue is capped.
        const QByteArray ownerUtf8 = owner.toUtf8();
        store::NativeQuery q(db,
                             QStringLiteral("UPDATE jobs SET state = 'running', attempts = "
                                            "attempts + 1, lease_owner = ?, started_at = ?"
                                            " WHERE id IN (SELECT id FROM jobs WHERE %1 ORDER BY "
                                            "priority DESC, run_at, id LIMIT ?)"
                                            " RETURNING %2")
                                 .arg(due, kColumns)
                                 .toUtf8());
        sqlite3_stmt *st = q.statement();
        int i = 0;
        sqlite3_bind_text(st, ++i, ownerUtf8.constData(), int(ownerUtf8.size()), SQLITE_STATIC);
        sqlite3_bind_int64(st, ++i, now);
        sqlite3_bind_int64(st, ++i, now);
        sqlite3_bind_int(st, ++i, minPriority);
        for (const QString &k : kinds)
            sqlite3_bind_text16(st, ++i, k.utf16(), int(k.size() * sizeof(char16_t)),
                                SQLITE_STATIC);
        for (const QString &b : rules.blocked)
            sqlite3_bind_text16(st, ++i, b.utf16(), int(b.size() * sizeof(char16_t)),
                                SQLITE_STATIC);
        for (const QString &s : subjects)
            sqlite3_bind_text16(st, ++i, s.utf16(), int(s.size() * sizeof(char16_t)),
                                SQLITE_STATIC);
        sqlite3_bind_int(st, ++i, limit);
        const JobColumns columns{store::Columns(st)};
        QList<Job> out;
        out.reserve(limit);
        while (q.step())
            out.append(columns.read(st));
        return sortClaimed(std::move(out));
    }

    // Some queue is capped: read candidates in order and keep each queue within its cap. Capped
    // queues ahead in the order can hide others beyond the window; the dispatcher claims again
    // after a non-empty claim, by which time a full queue is blocked.
    QSqlQuery pick(db);
    pick.prepare(
        QStringLiteral(
            "SELECT id, queue, priority FROM jobs WHERE %1 ORDER BY priority DESC, run_at, id"
            " LIMIT ?")
            .arg(due));
    bindDue(pick);
    pick.addBindValue(std::max(limit * 4, 64));
    if (!pick.exec())
        throw store::StoreError(
            QStringLiteral("Claiming jobs failed: %1").arg(pick.lastError().text()));
    const store::Columns picked(pick);
    const int idColumn = picked["id"];
    const int queueColumn = picked["queue"];
    const int priorityColumn = picked["priority"];
    QHash<QString, int> left = rules.caps;
    QHash<QString, int> lowLeft = rules.lowCaps;
    int lowTotal = rules.lowLimit;
    QVariantList ids;
    while (pick.next() && ids.size() < limit) {
        const QString queue = pick.value(queueColumn).toString();
        auto it = left.find(queue);
        if (it != left.end() && *it <= 0)
            continue;
        const bool low = pick.value(priorityColumn).toInt() < rules.reservedFor;
        auto lowIt = lowLeft.find(queue);
        if (low && (lowTotal <= 0 || (lowIt != lowLeft.end() && *lowIt <= 0)))
            continue; // the slot left is interactive chat's
        if (it != left.end())
            --*it;
        if (low) {
            --lowTotal;
            if (lowIt != lowLeft.end())
                --*lowIt;
        }
        ids.append(pick.value(idColumn));
    }
    if (ids.isEmpty())
        return {};
    QSqlQuery q(db);
    q.prepare(QStringLiteral("UPDATE jobs SET state = 'running', attempts = attempts + 1, "
                             "lease_owner = ?, started_at = ?"
                             " WHERE state = 'queued' AND id IN (%1) RETURNING %2")
                  .arg(placeholdersFor(ids.size()), kColumns));
    q.addBindValue(owner);
    q.addBindValue(now);
    for (const QVariant &id : std::as_const(ids))
        q.addBindValue(id);
    return runClaim(q);
}

bool complete(const QSqlDatabase &db, qint64 id, const QString &owner, qint64 now)
{
    auto q = execCached(
        db,
        QStringLiteral("UPDATE jobs SET state = 'done', finished_at = ?, lease_owner = NULL"
                       " WHERE id = ? AND state = 'running' AND lease_owner = ?"),
        {now, id, owner});
    return q->numRowsAffected() > 0;
}

QList<qint64> completeMany(const QSqlDatabase &db, const QList<qint64> &ids, const QString &owner,
                           qint64 now)
{
    QList<qint64> done;
    // SQLite binds at most 32766 values; ends come in event-loop batches far below that.
    for (qsizetype from = 0; from < ids.size(); from += 10000) {
        const QList<qint64> part = ids.mid(from, 10000);
        const QByteArray ownerUtf8 = owner.toUtf8();
        // Prepared once per batch size: the sizes seen are bounded by the engine's concurrency.
        store::NativeQuery q(
            db,
            QStringLiteral(
                "UPDATE jobs SET state = 'done', finished_at = ?, lease_owner = NULL"
                " WHERE state = 'running' AND lease_owner = ? AND id IN (%1) RETURNING id")
                .arg(placeholdersFor(part.size()))
                .toUtf8());
        sqlite3_stmt *st = q.statement();
        int i = 0;
        sqlite3_bind_int64(st, ++i, now);
        sqlite3_bind_text(st, ++i, ownerUtf8.constData(), int(ownerUtf8.size()), SQLITE_STATIC);
        for (qint64 id : part)
            sqlite3_bind_int64(st, ++i, id);
        while (q.step())
            done.append(sqlite3_column_int64(st, 0));
    }
    return done;
}

std::optional<JobState> fail(const QSqlDatabase &db, qint64 id, const QString &owner,
                             const QString &error, qint64 retryAt, qint64 now, ErrorKind kind)
{
    QSqlQuery q = exec(
        db,
        QStringLiteral(
            "UPDATE jobs SET"
            " state = CASE WHEN ? > 0 AND attempts < max_attempts THEN 'queued' ELSE 'failed' END,"
            " run_at = CASE WHEN ? > 0 AND attempts < max_attempts THEN ? ELSE run_at END,"
            " finished_at = CASE WHEN ? > 0 AND attempts < max_attempts THEN NULL ELSE ? END,"
            " last_error = ?, last_error_kind = ?, lease_owner = NULL"
            " WHERE id = ? AND state = 'running' AND lease_owner = ? RETURNING state"),
        {retryAt, retryAt, retryAt, retryAt, now, error, toString(kind), id, owner});
    if (!q.next())
        return std::nullopt;
    return jobStateFromString(q.value(0).toString());
}

bool cancelRunning(const QSqlDatabase &db, qint64 id, const QString &owner, const QString &reason,
                   qint64 now)
{
    QSqlQuery q = exec(db,
                       QStringLiteral("UPDATE jobs SET state = 'cancelled', finished_at = ?, "
                                      "last_error = ?, lease_owner = NULL"
                                      " WHERE id = ? AND state = 'running' AND lease_owner = ?"),
                       {now, reason, id, owner});
    return q.numRowsAffected() > 0;
}

bool requestCancel(const QSqlDatabase &db, qint64 id, qint64 now)
{
    QSqlQuery q =
        exec(db,
             QStringLiteral(
                 "UPDATE jobs SET cancel_requested_at = ? WHERE id = ? AND state = 'running'"),
             {now, id});
    return q.numRowsAffected() > 0;
}

QList<qint64> cancelRequests(const QSqlDatabase &db, const QString &owner)
{
    QSqlQuery q =
        exec(db,
             QStringLiteral(
                 "SELECT id FROM jobs WHERE cancel_requested_at IS NOT NULL AND lease_owner = ?"
                 " AND state = 'running'"),
             {owner});
    QList<qint64> out;
    while (q.next())
        out.append(q.value(0).toLongLong());
    return out;
}

bool cancelQueued(const QSqlDatabase &db, qint64 id, qint64 now)
{
    QSqlQuery q =
        exec(db,
             QStringLiteral(
                 "UPDATE jobs SET state = 'cancelled', finished_at = ?, last_error = 'cancelled'"
                 " WHERE id = ? AND state = 'queued'"),
             {now, id});
    return q.numRowsAffected() > 0;
}

void requeue(const QSqlDatabase &db, qint64 id, const QString &reason, qint64 now)
{
    exec(db,
         QStringLiteral(
             "UPDATE jobs SET state = 'queued', run_at = ?, lease_owner = NULL, last_error = ?,"
             " last_error_kind = ? WHERE id = ? AND state = 'running'"),
         {now, reason, toString(ErrorKind::WorkerLost), id});
}

void recordAttempt(const QSqlDatabase &db, const Job &job, const QString &outcome,
                   const QString &error, qint64 now)
{
    exec(db,
         QStringLiteral("INSERT INTO job_attempts (job_id, attempt, worker, outcome, error, "
                        "started_at, finished_at)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?)"),
         {job.id, job.attempts, nullIfEmpty(job.leaseOwner), outcome, error,
          job.startedAt > 0 ? QVariant(job.startedAt) : QVariant(), now});
}

void registerWorker(const QSqlDatabase &db, const QString &id, const QString &host, qint64 pid,
                    qint64 now)
{
    exec(db,
         QStringLiteral("INSERT OR REPLACE INTO workers (id, host, pid, started_at, heartbeat_at) "
                        "VALUES (?, ?, ?, ?, ?)"),
         {id, host, pid, now, now});
}

void heartbeat(const QSqlDatabase &db, const QString &id, qint64 now)
{
    execCached(db, QStringLiteral("UPDATE workers SET heartbeat_at = ? WHERE id = ?"), {now, id});
}

void unregisterWorker(const QSqlDatabase &db, const QString &id)
{
    exec(db, QStringLiteral("DELETE FROM workers WHERE id = ?"), {id});
}

namespace {

/** @brief The workers that are dead: pid gone on this host, or silent since @p staleBefore. */
QStringList deadWorkers(const QSqlDatabase &db, const QString &host, qint64 staleBefore)
{
    QStringList dead;
    QSqlQuery q = exec(db, QStringLiteral("SELECT id, host, pid, heartbeat_at FROM workers"));
    const store::Columns columns(q);
    const int id = columns["id"];
    const int hostColumn = columns["host"];
    const int pid = columns["pid"];
    const int heartbeatAt = columns["heartbeat_at"];
    while (q.next()) {
        const bool sameHost = q.value(hostColumn).toString() == host;
        if (q.value(heartbeatAt).toLongLong() < staleBefore
            || (sameHost && !processAlive(q.value(pid).toLongLong())))
            dead.append(q.value(id).toString());
    }
    return dead;
}

} // namespace

QList<Job> orphaned(const QSqlDatabase &db, const QString &host, qint64 staleBefore)
{
    const QStringList dead = deadWorkers(db, host, staleBefore);
    QSqlQuery q =
        exec(db, QStringLiteral("SELECT %1 FROM jobs j WHERE state = 'running'").arg(kColumns));
    const JobColumns columns{store::Columns(q)};
    QList<Job> out;
    while (q.next()) {
        Job job = columns.read(q);
        if (job.leaseOwner.isEmpty() || dead.contains(job.leaseOwner)
            || !exec(db, QStringLiteral("SELECT 1 FROM workers WHERE id = ?"), {job.leaseOwner})
                    .next())
            out.append(std::move(job));
    }
    return out;
}

QList<Job> takeOrphans(const QSqlDatabase &db, const QString &host, qint64 staleBefore)
{
    const QStringList dead = deadWorkers(db, host, staleBefore);
    for (const QString &id : std::as_const(dead))
        unregisterWorker(db, id);

    QSqlQuery q =
        exec(db,
             QStringLiteral("SELECT %1 FROM jobs j WHERE state = 'running'"
                            " AND NOT EXISTS (SELECT 1 FROM workers w WHERE w.id = j.lease_owner)")
                 .arg(kColumns));
    const JobColumns columns{store::Columns(q)};
    QList<Job> out;
    while (q.next())
        out.append(columns.read(q));
    if (dead.isEmpty())
        return out;
    // The jobs pinned to a dead worker that it had not claimed yet: no one else may run them.
    QStringList pins;
    for (const QString &id : dead)
        pins.append(pinnedQueue(id));
    QSqlQuery p(db);
    p.prepare(QStringLiteral("SELECT %1 FROM jobs WHERE state = 'queued' AND queue IN (%2)")
                  .arg(kColumns, placeholdersFor(pins.size())));
    for (const QString &pin : std::as_const(pins))
        p.addBindValue(pin);
    if (!p.exec())
        throw store::StoreError(
            QStringLiteral("Reading stranded jobs failed: %1").arg(p.lastError().text()));
    const JobColumns pinnedColumns{store::Columns(p)};
    while (p.next())
        out.append(pinnedColumns.read(p));
    return out;
}

bool endQueued(const QSqlDatabase &db, qint64 id, JobState state, const QString &reason, qint64 now)
{
    QSqlQuery q = exec(db,
                       QStringLiteral("UPDATE jobs SET state = ?, finished_at = ?, last_error = ?,"
                                      " last_error_kind = ? WHERE id = ? AND state = 'queued'"),
                       {toString(state), now, reason, toString(ErrorKind::WorkerLost), id});
    return q.numRowsAffected() > 0;
}

} // namespace arbor::jobs::queries
