#pragma once

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include <stdexcept>
#include <utility>

struct pg_conn;
struct pg_result;

namespace arbor::sync {

/**
 * @brief A PostgreSQL error with its SQLSTATE (empty for connection failures). The message is
 * meant for a person: primary text, then detail and hint when the server gave them.
 */
class PgError : public std::runtime_error
{
public:
    explicit PgError(const QString &message, QByteArray sqlState = {});
    /** @brief The five-character SQLSTATE, e.g. "42501" (insufficient_privilege). */
    const QByteArray &sqlState() const { return m_sqlState; }
    /** @brief True for "permission denied" and row-level-security refusals. */
    bool isPrivilegeError() const { return m_sqlState == "42501"; }
    QString message() const { return QString::fromUtf8(what()); }

private:
    QByteArray m_sqlState;
};

/** @brief Owns one PGresult (move-only). Values are read as text, as libpq returns them. */
class PgResult
{
public:
    explicit PgResult(pg_result *result = nullptr)
        : m_result(result)
    {
    }
    ~PgResult();
    PgResult(PgResult &&other) noexcept
        : m_result(std::exchange(other.m_result, nullptr))
    {
    }
    PgResult &operator=(PgResult &&other) noexcept;
    PgResult(const PgResult &) = delete;
    PgResult &operator=(const PgResult &) = delete;

    int rows() const;
    /** @brief The index of the column called @p name; throws PgError when there is none. */
    int column(const char *name) const;
    bool isNull(int row, int column) const;
    /** @brief The value as text (a null QString for SQL NULL). */
    QString text(int row, int column) const;
    qint64 toInt(int row, int column) const;
    /** @brief Rows affected by INSERT/UPDATE/DELETE. */
    qint64 affected() const;

private:
    pg_result *m_result;
};

/**
 * @brief One libpq connection, closed on destruction. Blocking calls: use it on the sync
 * thread or in a command-line tool, never on the GUI thread.
 *
 * The DSN is anything libpq accepts ("host=... user=..." or a postgresql:// URI); an empty DSN
 * uses the PG* environment variables and defaults, as psql does.
 */
class PgConnection
{
public:
    /** @brief Connects; throws PgError naming the server and the reason on failure. */
    explicit PgConnection(const QString &dsn);
    ~PgConnection();
    PgConnection(const PgConnection &) = delete;
    PgConnection &operator=(const PgConnection &) = delete;

    /** @brief Runs one statement with text parameters ($1, $2, ...; a null QString is NULL).
     *  Throws PgError on failure. */
    PgResult exec(const QString &sql, const QStringList &params = {});
    /** @brief Runs a script of several statements (no parameters). Throws PgError. */
    void execScript(const QString &sql);
    /** @brief The first column of the first row, or a null QString when there is no row. */
    QString scalar(const QString &sql, const QStringList &params = {});

    /** @brief Quotes @p name as an SQL identifier (for statements that take no parameters). */
    QString quoteIdentifier(const QString &name) const;
    /** @brief A SCRAM verifier of @p password for role @p user, so the clear text never
     *  reaches the server or its logs. */
    QString encryptPassword(const QString &user, const QString &password) const;

    /** @brief The role this connection logged in as. */
    QString user() const;
    /** @brief "host:port/dbname", for messages (never the password). */
    QString describe() const;
    /** @brief E.g. 150004 for 15.4. */
    int serverVersion() const;
    pg_conn *handle() const { return m_conn; }

    /** @brief False once the server has gone away (the connection must be replaced). */
    bool isOk() const;
    /** @brief The socket, to wait for notifications with a QSocketNotifier. */
    int socket() const;
    /** @brief A NOTIFY received on a channel this connection LISTENs to. */
    struct Notification
    {
        QString channel;
        QString payload;
    };
    /** @brief Reads what the server sent without blocking and returns the notifications that
     *  arrived. Throws PgError when the connection is lost. */
    QList<Notification> takeNotifications();

private:
    PgError errorFrom(pg_result *result) const;

    pg_conn *m_conn = nullptr;
};

} // namespace arbor::sync
