#pragma once

#include <QString>
#include <QTemporaryDir>

namespace arbor::testsupport {

/**
 * @brief A real, private PostgreSQL server for one test: a fresh cluster in a temporary
 * directory, listening on 127.0.0.1 at a free port (and a socket inside the directory), stopped
 * and removed on destruction. PostgreSQL refuses to run as root, so as root the cluster belongs
 * to the "postgres" user and its programs run through runuser.
 *
 * The binaries are found in $ARBOR_PG_BINDIR, else the newest /usr/lib/postgresql/N/bin, else
 * on PATH. The superuser is "postgres" with a generated password; every connection over TCP
 * must give a password (scram-sha-256), so tests of logins are real.
 */
class PgServer
{
public:
    /** @brief Creates and starts the cluster. Throws std::runtime_error with the server's
     *  output when that fails. */
    PgServer();
    ~PgServer();
    PgServer(const PgServer &) = delete;
    PgServer &operator=(const PgServer &) = delete;

    quint16 port() const { return m_port; }
    /** @brief A libpq DSN for @p user with @p password on database @p database. */
    QString dsn(const QString &user, const QString &password,
                const QString &database = QStringLiteral("postgres")) const;
    /** @brief The superuser "postgres"'s password (for PGPASSWORD in child processes). */
    QString superuserPassword() const { return m_superPassword; }
    /** @brief A DSN for the superuser. */
    QString superuserDsn(const QString &database = QStringLiteral("postgres")) const;

    /** @brief Stops the server (immediate: like a crash, for fault tests). */
    void stop(bool immediate = false);
    /** @brief Starts it again on the same port. */
    void start();
    bool isRunning() const { return m_running; }
    /** @brief The server log so far, for failure messages. */
    QString log() const;

    static QString binDir();

private:
    /** @brief Runs a PostgreSQL program as the cluster's owner; throws on failure. */
    void run(const QString &program, const QStringList &args, int timeoutMs = 120000);
    bool tryStart();
    void startWatchdog();

    QTemporaryDir m_dir;
    QString m_superPassword;
    quint16 m_port = 0;
    bool m_running = false;
};

} // namespace arbor::testsupport
