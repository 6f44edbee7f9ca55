#include "jobqueries.h"

#include "store/sql.h"

#include <QJsonDocument>
#include <QSqlError>

#include <algorithm>

#include <csignal>
#include <cerrno>
#ifdef Q_OS_UNIX
#include <sys/types.h>
#include <signal.h>
#endif
#ifdef Q_OS_WIN
#include <windows.h>
#endif

namespace arbor::jobs::queries {

using store::exec;
using store::nullIfEmpty;

namespace {

const QString kColumns = QStringLiteral(
    "id, kind, queue, priority, payload, subject_id, state, attempts, max_attempts, run_at, "
    "lease_owner, last_error, created_at, started_at, finished_at");

Job readRow(const QSqlQuery &q)
{
    Job j;
    j.id = q.value(0).toLongLong();
    j.kind = q.value(1).toString();
    j.queue = q.value(2).toString();
    j.priority = q.value(3).toInt();
    j.payload = QJsonDocument::fromJson(q.value(4).toString().toUtf8()).object();
    j.subjectId = q.value(5).toString();
    j.state = jobStateFromString(q.value(6).toString());
    j.attempts = q.value(7).toInt();
    j.maxAttempts = q.value(8).toInt();
    j.runAt = q.value(9).toLongLong();
    j.leaseOwner = q.value(10).toString();
    j.lastError = q.value(11).toString();
    j.createdAt = q.value(12).toLongLong();
    j.startedAt = q.value(13).toLongLong();
    j.finishedAt = q.value(14).toLongLong();
    return j;
}

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
    QSqlQuery q = exec(db, QStringLiteral(
        "INSERT INTO jobs (kind, queue, priority, payload, subject_id, state, max_attempts, run_at, created_at)"
        " VALUES (?, ?, ?, ?, ?, 'queued', ?, ?, ?)"),
        {s.kind, s.queue, s.priority, QString::fromUtf8(QJsonDocument(s.payload).toJson(QJsonDocument::Compact)),
         nullIfEmpty(s.subjectId), std::max(1, s.maxAttempts), s.runAt > 0 ? s.runAt : now, now});
    return q.lastInsertId().toLongLong();
}

std::optional<Job> get(const QSqlDatabase &db, qint64 id)
{
    QSqlQuery q = exec(db, QStringLiteral("SELECT %1 FROM jobs WHERE id = ?").arg(kColumns), {id});
    if (!q.next())
        return std::nullopt;
    return readRow(q);
}

QList<Job> forSubject(const QSqlDatabase &db, const QString &subjectId)
{
    QSqlQuery q = exec(db, QStringLiteral("SELECT %1 FROM jobs WHERE subject_id = ? ORDER BY id DESC").arg(kColumns), {subjectId});
    QList<Job> out;
    while (q.next())
        out.append(readRow(q));
    return out;
}

QList<Job> claim(const QSqlDatabase &db, const QString &owner, const QStringList &kinds, int limit, qint64 now)
{
    if (kinds.isEmpty() || limit <= 0)
        return {};
    QString placeholders;
    for (int i = 0; i < kinds.size(); ++i)
        placeholders += i ? QStringLiteral(", ?") : QStringLiteral("?");
    QSqlQuery q(db);
    q.prepare(QStringLiteral(
        "UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_owner = ?, started_at = ?"
        " WHERE id IN (SELECT id FROM jobs WHERE state = 'queued' AND run_at <= ? AND kind IN (%1)"
        "   ORDER BY priority DESC, run_at, id LIMIT ?)"
        " RETURNING %2").arg(placeholders, kColumns));
    q.addBindValue(owner);
    q.addBindValue(now);
    q.addBindValue(now);
    for (const QString &k : kinds)
        q.addBindValue(k);
    q.addBindValue(limit);
    if (!q.exec())
        throw store::StoreError(QStringLiteral("Claiming jobs failed: %1").arg(q.lastError().text()));
    QList<Job> out;
    while (q.next())
        out.append(readRow(q));
    // RETURNING gives no order guarantee; hand jobs out by priority.
    std::sort(out.begin(), out.end(), [](const Job &a, const Job &b) {
        return a.priority != b.priority ? a.priority > b.priority : a.id < b.id;
    });
    return out;
}

bool complete(const QSqlDatabase &db, qint64 id, const QString &owner, qint64 now)
{
    QSqlQuery q = exec(db, QStringLiteral("UPDATE jobs SET state = 'done', finished_at = ?, lease_owner = NULL"
                                          " WHERE id = ? AND state = 'running' AND lease_owner = ?"),
                       {now, id, owner});
    return q.numRowsAffected() > 0;
}

std::optional<JobState> fail(const QSqlDatabase &db, qint64 id, const QString &owner, const QString &error,
                             qint64 retryAt, qint64 now)
{
    QSqlQuery q = exec(db, QStringLiteral(
        "UPDATE jobs SET"
        " state = CASE WHEN ? > 0 AND attempts < max_attempts THEN 'queued' ELSE 'failed' END,"
        " run_at = CASE WHEN ? > 0 AND attempts < max_attempts THEN ? ELSE run_at END,"
        " finished_at = CASE WHEN ? > 0 AND attempts < max_attempts THEN NULL ELSE ? END,"
        " last_error = ?, lease_owner = NULL"
        " WHERE id = ? AND state = 'running' AND lease_owner = ? RETURNING state"),
        {retryAt, retryAt, retryAt, retryAt, now, error, id, owner});
    if (!q.next())
        return std::nullopt;
    return jobStateFromString(q.value(0).toString());
}

bool cancelRunning(const QSqlDatabase &db, qint64 id, const QString &owner, const QString &reason, qint64 now)
{
    QSqlQuery q = exec(db, QStringLiteral("UPDATE jobs SET state = 'cancelled', finished_at = ?, last_error = ?, lease_owner = NULL"
                                          " WHERE id = ? AND state = 'running' AND lease_owner = ?"),
                       {now, reason, id, owner});
    return q.numRowsAffected() > 0;
}

bool cancelQueued(const QSqlDatabase &db, qint64 id, qint64 now)
{
    QSqlQuery q = exec(db, QStringLiteral("UPDATE jobs SET state = 'cancelled', finished_at = ?, last_error = 'cancelled'"
                                          " WHERE id = ? AND state = 'queued'"),
                       {now, id});
    return q.numRowsAffected() > 0;
}

void requeue(const QSqlDatabase &db, qint64 id, const QString &reason, qint64 now)
{
    exec(db, QStringLiteral("UPDATE jobs SET state = 'queued', run_at = ?, lease_owner = NULL, last_error = ?"
                            " WHERE id = ? AND state = 'running'"),
         {now, reason, id});
}

void registerWorker(const QSqlDatabase &db, const QString &id, const QString &host, qint64 pid, qint64 now)
{
    exec(db, QStringLiteral("INSERT OR REPLACE INTO workers (id, host, pid, started_at, heartbeat_at) VALUES (?, ?, ?, ?, ?)"),
         {id, host, pid, now, now});
}

void heartbeat(const QSqlDatabase &db, const QString &id, qint64 now)
{
    exec(db, QStringLiteral("UPDATE workers SET heartbeat_at = ? WHERE id = ?"), {now, id});
}

void unregisterWorker(const QSqlDatabase &db, const QString &id)
{
    exec(db, QStringLiteral("DELETE FROM workers WHERE id = ?"), {id});
}

QList<Job> takeOrphans(const QSqlDatabase &db, const QString &host, qint64 staleBefore)
{
    QStringList dead;
    {
        QSqlQuery q = exec(db, QStringLiteral("SELECT id, host, pid, heartbeat_at FROM workers"));
        while (q.next()) {
            const bool sameHost = q.value(1).toString() == host;
            if (q.value(3).toLongLong() < staleBefore || (sameHost && !processAlive(q.value(2).toLongLong())))
                dead.append(q.value(0).toString());
        }
    }
    for (const QString &id : std::as_const(dead))
        unregisterWorker(db, id);

    QSqlQuery q = exec(db, QStringLiteral("SELECT %1 FROM jobs j WHERE state = 'running'"
                                          " AND NOT EXISTS (SELECT 1 FROM workers w WHERE w.id = j.lease_owner)").arg(kColumns));
    QList<Job> out;
    while (q.next())
        out.append(readRow(q));
    return out;
}

} // namespace arbor::jobs::queries
