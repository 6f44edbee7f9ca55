#pragma once

// Raw libpq for the security tests: no Arbor code between the test and the server, like a
// client that bypasses the app.

#include <QByteArray>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QString>

#include <libpq-fe.h>
#include <sys/select.h>

namespace arbor::testsupport {

/** @brief What one statement did: an error (with SQLSTATE) or rows / affected rows. */
struct RawOutcome
{
    bool ok = false;
    QByteArray sqlState;
    QString error;
    int rows = 0;        ///< rows returned
    qint64 affected = 0; ///< rows inserted/updated/deleted
    QString first;       ///< first column of the first row

    bool failedWith(const char *state) const { return !ok && sqlState == state; }
};

/** @brief One libpq connection (PQconnectdb), closed on destruction. */
class RawPg
{
public:
    explicit RawPg(const QString &dsn)
        : m_conn(PQconnectdb(dsn.toUtf8().constData()))
    {
        PQsetNoticeProcessor(
            m_conn, [](void *, const char *) {}, nullptr);
    }
    ~RawPg() { PQfinish(m_conn); }
    RawPg(const RawPg &) = delete;
    RawPg &operator=(const RawPg &) = delete;

    bool connected() const { return PQstatus(m_conn) == CONNECTION_OK; }
    QString connectError() const { return QString::fromUtf8(PQerrorMessage(m_conn)); }
    PGconn *handle() const { return m_conn; }

    RawOutcome exec(const QString &sql)
    {
        RawOutcome o;
        PGresult *r = PQexec(m_conn, sql.toUtf8().constData());
        const ExecStatusType status = PQresultStatus(r);
        o.ok = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
        if (!o.ok) {
            const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
            o.sqlState = state ? QByteArray(state) : QByteArray();
            o.error = QString::fromUtf8(PQresultErrorMessage(r)).trimmed();
        } else {
            o.rows = PQntuples(r);
            o.affected = QByteArray(PQcmdTuples(r)).toLongLong();
            if (o.rows > 0 && PQnfields(r) > 0)
                o.first = QString::fromUtf8(PQgetvalue(r, 0, 0));
        }
        PQclear(r);
        return o;
    }

    /** @brief The first column of the first row; empty on error or no row. */
    QString scalar(const QString &sql) { return exec(sql).first; }

private:
    PGconn *m_conn;
};

/** @brief Waits up to @p ms for a notification on @p conn (free it with PQfreemem). */
inline PGnotify *waitForNotification(RawPg &conn, int ms)
{
    QElapsedTimer timer;
    timer.start();
    PQconsumeInput(conn.handle());
    PGnotify *note = PQnotifies(conn.handle());
    while (!note && timer.elapsed() < ms) {
        const int fd = PQsocket(conn.handle());
        fd_set set;
        FD_ZERO(&set);
        FD_SET(fd, &set);
        timeval timeout{0, 50000};
        ::select(fd + 1, &set, nullptr, nullptr, &timeout);
        PQconsumeInput(conn.handle());
        note = PQnotifies(conn.handle());
    }
    return note;
}

/** @brief A JSON text quoted as an SQL string literal. */
inline QString sqlJson(const QJsonArray &rows)
{
    QString text = QString::fromUtf8(QJsonDocument(rows).toJson(QJsonDocument::Compact));
    return u'\'' + text.replace(u'\'', QStringLiteral("''")) + QStringLiteral("'::json");
}

/** @brief A statement that writes rows the way members must (server version 4): through
 *  arbor.push(). Its rows are (outcome, entity, id), so RawOutcome::first is the first row's
 *  outcome. */
inline QString pushSql(const QJsonArray &conversations, const QJsonArray &messages)
{
    return QStringLiteral("SELECT outcome, entity, id FROM arbor.push(%1, %2)")
        .arg(sqlJson(conversations), sqlJson(messages));
}

/** @brief A conversation row for pushSql(). */
inline QJsonObject conversationRow(const QString &id, const QString &workspace,
                                   const QString &title = QStringLiteral("title"),
                                   qint64 updatedAt = 1)
{
    return {{QStringLiteral("id"), id},        {QStringLiteral("workspace_id"), workspace},
            {QStringLiteral("title"), title},  {QStringLiteral("settings"), QStringLiteral("{}")},
            {QStringLiteral("created_at"), 1}, {QStringLiteral("updated_at"), updatedAt}};
}

/** @brief A message row for pushSql(). */
inline QJsonObject messageRow(const QString &id, const QString &workspace,
                              const QString &conversation,
                              const QString &status = QStringLiteral("streaming"),
                              const QString &content = QStringLiteral("text"),
                              const QString &parent = {})
{
    QJsonObject row{{QStringLiteral("id"), id},
                    {QStringLiteral("workspace_id"), workspace},
                    {QStringLiteral("conversation_id"), conversation},
                    {QStringLiteral("role"), QStringLiteral("user")},
                    {QStringLiteral("content"), content},
                    {QStringLiteral("status"), status},
                    {QStringLiteral("created_at"), 1}};
    if (!parent.isEmpty())
        row.insert(QStringLiteral("parent_id"), parent);
    return row;
}

/** @brief Pushes one conversation; returns its outcome ("ok", "viewer", ...), or the error. */
inline QString pushConversation(RawPg &conn, const QString &id, const QString &workspace,
                                const QString &title = QStringLiteral("title"),
                                qint64 updatedAt = 1)
{
    const RawOutcome o = conn.exec(pushSql({conversationRow(id, workspace, title, updatedAt)}, {}));
    return o.ok ? o.first : QStringLiteral("error: ") + o.error;
}

/** @brief Pushes one message; returns its outcome, or the error. */
inline QString pushMessage(RawPg &conn, const QJsonObject &row)
{
    const RawOutcome o = conn.exec(pushSql({}, {row}));
    return o.ok ? o.first : QStringLiteral("error: ") + o.error;
}

} // namespace arbor::testsupport
