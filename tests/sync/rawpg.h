#pragma once

// Raw libpq for the security tests: no Arbor code between the test and the server, like a
// client that bypasses the app.

#include <QByteArray>
#include <QString>

#include <libpq-fe.h>

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

} // namespace arbor::testsupport
