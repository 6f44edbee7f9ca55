#include "pgconnection.h"

#include <QLoggingCategory>

#include <libpq-fe.h>

#include <vector>

namespace arbor::sync {

namespace {

Q_LOGGING_CATEGORY(lcPg, "arbor.sync.pg", QtInfoMsg)

void logNotice(void *, const char *message)
{
    // Notices such as "relation already exists, skipping" are expected on idempotent runs.
    qCDebug(lcPg) << QString::fromUtf8(message).trimmed();
}

} // namespace

PgError::PgError(const QString &message, QByteArray sqlState)
    : std::runtime_error(message.toStdString())
    , m_sqlState(std::move(sqlState))
{
}

PgResult::~PgResult()
{
    if (m_result)
        PQclear(m_result);
}

PgResult &PgResult::operator=(PgResult &&other) noexcept
{
    if (this != &other) {
        if (m_result)
            PQclear(m_result);
        m_result = std::exchange(other.m_result, nullptr);
    }
    return *this;
}

int PgResult::rows() const
{
    return m_result ? PQntuples(m_result) : 0;
}

int PgResult::column(const char *name) const
{
    const int index = m_result ? PQfnumber(m_result, name) : -1;
    if (index < 0)
        throw PgError(
            QStringLiteral("the server's reply has no column “%1”").arg(QString::fromUtf8(name)));
    return index;
}

bool PgResult::isNull(int row, int column) const
{
    return !m_result || PQgetisnull(m_result, row, column);
}

QString PgResult::text(int row, int column) const
{
    if (isNull(row, column))
        return {};
    return QString::fromUtf8(PQgetvalue(m_result, row, column), PQgetlength(m_result, row, column));
}

qint64 PgResult::toInt(int row, int column) const
{
    return isNull(row, column) ? 0 : QByteArray(PQgetvalue(m_result, row, column)).toLongLong();
}

qint64 PgResult::affected() const
{
    return m_result ? QByteArray(PQcmdTuples(m_result)).toLongLong() : 0;
}

PgConnection::PgConnection(const QString &dsn)
{
    const QByteArray dsnUtf8 = dsn.toUtf8();
    // expand_dbname: "dbname" may hold a whole conninfo string or URI; empty values fall back to
    // the PG* environment variables.
    // Defaults come before dbname so that values in the DSN override them: a short connect
    // timeout, and TCP keepalives so a vanished server is noticed within about a minute.
    const char *keywords[] = {
        "connect_timeout", "keepalives_idle",           "keepalives_interval", "keepalives_count",
        "dbname",          "fallback_application_name", "client_encoding",     nullptr};
    const char *values[] = {"5", "30", "10", "3", dsnUtf8.constData(), "arbor", "UTF8", nullptr};
    m_conn = PQconnectdbParams(keywords, values, 1);
    if (!m_conn)
        throw PgError(QStringLiteral("cannot connect to PostgreSQL: out of memory"));
    if (PQstatus(m_conn) != CONNECTION_OK) {
        const QString reason = QString::fromUtf8(PQerrorMessage(m_conn)).trimmed();
        const QString where = describe();
        PQfinish(m_conn);
        m_conn = nullptr;
        throw PgError(QStringLiteral("cannot connect to PostgreSQL at %1: %2").arg(where, reason));
    }
    PQsetNoticeProcessor(m_conn, logNotice, nullptr);
}

PgConnection::~PgConnection()
{
    if (m_conn)
        PQfinish(m_conn);
}

PgError PgConnection::errorFrom(pg_result *result) const
{
    if (!result)
        return PgError(QString::fromUtf8(PQerrorMessage(m_conn)).trimmed());
    auto field = [result](int code) { return QString::fromUtf8(PQresultErrorField(result, code)); };
    QString message = field(PG_DIAG_MESSAGE_PRIMARY);
    if (message.isEmpty())
        message = QString::fromUtf8(PQresultErrorMessage(result)).trimmed();
    if (const QString detail = field(PG_DIAG_MESSAGE_DETAIL); !detail.isEmpty())
        message += QStringLiteral(" (%1)").arg(detail);
    if (const QString hint = field(PG_DIAG_MESSAGE_HINT); !hint.isEmpty())
        message += QStringLiteral(" Hint: %1").arg(hint);
    const char *state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
    return PgError(message, state ? QByteArray(state) : QByteArray());
}

PgResult PgConnection::exec(const QString &sql, const QStringList &params)
{
    std::vector<QByteArray> storage;
    std::vector<const char *> values;
    storage.reserve(static_cast<size_t>(params.size()));
    values.reserve(static_cast<size_t>(params.size()));
    for (const QString &p : params) {
        storage.push_back(p.toUtf8());
        values.push_back(p.isNull() ? nullptr : storage.back().constData());
    }
    const QByteArray query = sql.toUtf8();
    PGresult *raw = PQexecParams(m_conn, query.constData(), static_cast<int>(values.size()),
                                 nullptr, values.data(), nullptr, nullptr, 0);
    const ExecStatusType status = raw ? PQresultStatus(raw) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        PgError error = errorFrom(raw);
        PQclear(raw);
        throw error;
    }
    return PgResult(raw);
}

void PgConnection::execScript(const QString &sql)
{
    PGresult *raw = PQexec(m_conn, sql.toUtf8().constData());
    const ExecStatusType status = raw ? PQresultStatus(raw) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        PgError error = errorFrom(raw);
        PQclear(raw);
        throw error;
    }
    PQclear(raw);
}

QString PgConnection::scalar(const QString &sql, const QStringList &params)
{
    const PgResult result = exec(sql, params);
    return result.rows() > 0 ? result.text(0, 0) : QString();
}

QString PgConnection::quoteIdentifier(const QString &name) const
{
    const QByteArray utf8 = name.toUtf8();
    char *quoted = PQescapeIdentifier(m_conn, utf8.constData(), static_cast<size_t>(utf8.size()));
    if (!quoted)
        throw PgError(QString::fromUtf8(PQerrorMessage(m_conn)).trimmed());
    const QString result = QString::fromUtf8(quoted);
    PQfreemem(quoted);
    return result;
}

QString PgConnection::encryptPassword(const QString &user, const QString &password) const
{
    char *verifier = PQencryptPasswordConn(m_conn, password.toUtf8().constData(),
                                           user.toUtf8().constData(), "scram-sha-256");
    if (!verifier)
        throw PgError(QStringLiteral("cannot encrypt the password: %1")
                          .arg(QString::fromUtf8(PQerrorMessage(m_conn)).trimmed()));
    const QString result = QString::fromUtf8(verifier);
    PQfreemem(verifier);
    return result;
}

QString PgConnection::user() const
{
    return QString::fromUtf8(PQuser(m_conn));
}

QString PgConnection::describe() const
{
    const QString host = QString::fromUtf8(PQhost(m_conn));
    return QStringLiteral("%1:%2/%3")
        .arg(host.isEmpty() ? QStringLiteral("localhost") : host, QString::fromUtf8(PQport(m_conn)),
             QString::fromUtf8(PQdb(m_conn)));
}

int PgConnection::serverVersion() const
{
    return PQserverVersion(m_conn);
}

bool PgConnection::isOk() const
{
    return m_conn && PQstatus(m_conn) == CONNECTION_OK;
}

int PgConnection::socket() const
{
    return PQsocket(m_conn);
}

QList<PgConnection::Notification> PgConnection::takeNotifications()
{
    if (!PQconsumeInput(m_conn) || PQstatus(m_conn) != CONNECTION_OK)
        throw PgError(QStringLiteral("lost the connection to PostgreSQL at %1: %2")
                          .arg(describe(), QString::fromUtf8(PQerrorMessage(m_conn)).trimmed()));
    QList<Notification> out;
    while (PGnotify *n = PQnotifies(m_conn)) {
        out.append({QString::fromUtf8(n->relname), QString::fromUtf8(n->extra)});
        PQfreemem(n);
    }
    return out;
}

} // namespace arbor::sync
