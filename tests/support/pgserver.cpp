#include "pgserver.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <QTcpServer>
#include <QVersionNumber>

#include <pwd.h>
#include <unistd.h>

#include <stdexcept>

namespace arbor::testsupport {

namespace {

bool isRoot()
{
    return ::geteuid() == 0;
}

/** @brief Gives @p path to the postgres user when we run as root (PostgreSQL refuses root). */
void handToPostgres(const QString &path)
{
    if (!isRoot())
        return;
    const passwd *pw = ::getpwnam("postgres");
    if (!pw)
        throw std::runtime_error(
            "running as root but there is no “postgres” user to own the test cluster");
    if (::chown(QFile::encodeName(path).constData(), pw->pw_uid, pw->pw_gid) != 0)
        throw std::runtime_error("cannot give the test cluster directory to the postgres user");
}

quint16 freePort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        throw std::runtime_error("no free TCP port on 127.0.0.1");
    return probe.serverPort();
}

} // namespace

QString PgServer::binDir()
{
    if (const QString env = qEnvironmentVariable("ARBOR_PG_BINDIR"); !env.isEmpty())
        return env;
    QVersionNumber best;
    QString bestDir;
    const QDir root(QStringLiteral("/usr/lib/postgresql"));
    for (const QString &version : root.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        const QString dir = root.filePath(version + QStringLiteral("/bin"));
        const QVersionNumber number = QVersionNumber::fromString(version);
        if (QFile::exists(dir + QStringLiteral("/initdb")) && number > best) {
            best = number;
            bestDir = dir;
        }
    }
    if (!bestDir.isEmpty())
        return bestDir;
    const QString onPath = QStandardPaths::findExecutable(QStringLiteral("initdb"));
    if (onPath.isEmpty())
        throw std::runtime_error("PostgreSQL server programs (initdb, pg_ctl) not found: install "
                                 "postgresql-15 or set ARBOR_PG_BINDIR");
    return QFileInfo(onPath).absolutePath();
}

PgServer::PgServer()
    : m_dir(QDir::tempPath() + QStringLiteral("/arbor-pg-XXXXXX"))
{
    if (!m_dir.isValid())
        throw std::runtime_error("cannot create a temporary directory for PostgreSQL");
    handToPostgres(m_dir.path());
    startWatchdog(); // from here on, a crash of the test must not leave a server behind

    for (int i = 0; i < 24; ++i)
        m_superPassword += QLatin1Char(
            "abcdefghijkmnpqrstuvwxyz23456789"[QRandomGenerator::global()->bounded(32)]);
    const QString pwFile = m_dir.filePath(QStringLiteral("superuser-password"));
    {
        QFile f(pwFile);
        if (!f.open(QIODevice::WriteOnly))
            throw std::runtime_error("cannot write the superuser password file");
        f.write(m_superPassword.toUtf8() + '\n');
    }
    handToPostgres(pwFile);

    run(QStringLiteral("initdb"),
        {QStringLiteral("-D"), m_dir.filePath(QStringLiteral("data")), QStringLiteral("-U"),
         QStringLiteral("postgres"), QStringLiteral("--pwfile=") + pwFile,
         QStringLiteral("--auth=scram-sha-256"), QStringLiteral("-E"), QStringLiteral("UTF8"),
         QStringLiteral("--no-locale"), QStringLiteral("--no-sync")});
    QFile::remove(pwFile);
    start();
}

void PgServer::startWatchdog()
{
    // A test that crashes, aborts or is killed by the CTest timeout runs no destructor. A
    // detached shell waits for this process to end and then stops the server and removes its
    // directory (both harmless when the destructor already did it).
    auto quote = [](const QString &arg) {
        return u'\'' + QString(arg).replace(QStringLiteral("'"), QStringLiteral("'\\''")) + u'\'';
    };
    const QString pgCtl = quote(binDir() + QStringLiteral("/pg_ctl"));
    const QString stop = (isRoot() ? QStringLiteral("runuser -u postgres -- ") : QString()) + pgCtl
        + QStringLiteral(" -D ") + quote(m_dir.filePath(QStringLiteral("data")))
        + QStringLiteral(" -m immediate stop");
    const QString script =
        QStringLiteral(
            "while kill -0 %1 2>/dev/null; do sleep 1; done; %2 >/dev/null 2>&1; rm -rf %3")
            .arg(QCoreApplication::applicationPid())
            .arg(stop, quote(m_dir.path()));
    QProcess watchdog;
    watchdog.setProgram(QStringLiteral("sh"));
    watchdog.setArguments({QStringLiteral("-c"), script});
    watchdog.setWorkingDirectory(m_dir.path());
    // Its own stdio, so CTest does not wait for it to close the test's output pipe.
    watchdog.setStandardInputFile(QProcess::nullDevice());
    watchdog.setStandardOutputFile(QProcess::nullDevice());
    watchdog.setStandardErrorFile(QProcess::nullDevice());
    watchdog.startDetached();
}

PgServer::~PgServer()
{
    try {
        if (m_running)
            stop(true);
    } catch (const std::exception &e) {
        qWarning("PgServer: %s", e.what());
    }
}

void PgServer::run(const QString &program, const QStringList &args, int timeoutMs)
{
    QProcess process;
    process.setWorkingDirectory(m_dir.path()); // postgres may not enter the test's directory
    process.setProcessChannelMode(QProcess::MergedChannels);
    const QString path = binDir() + u'/' + program;
    if (isRoot())
        process.start(QStringLiteral("runuser"),
                      QStringList{QStringLiteral("-u"), QStringLiteral("postgres"),
                                  QStringLiteral("--"), path}
                          + args);
    else
        process.start(path, args);
    if (!process.waitForFinished(timeoutMs) || process.exitStatus() != QProcess::NormalExit
        || process.exitCode() != 0) {
        process.kill();
        process.waitForFinished(5000);
        throw std::runtime_error(QStringLiteral("%1 failed: %2%3\n%4")
                                     .arg(program, process.errorString(),
                                          QString::fromLocal8Bit(process.readAll()), log())
                                     .toStdString());
    }
}

bool PgServer::tryStart()
{
    // fsync off is safe for what tests do to the server (kill it, never the machine); a
    // committed transaction must survive `pg_ctl stop -m immediate`, so synchronous_commit stays
    // on.
    const QString options =
        QStringLiteral("-c listen_addresses=127.0.0.1 -p %1 -c unix_socket_directories=%2 "
                       "-c fsync=off -c full_page_writes=off "
                       "-c max_connections=200")
            .arg(m_port)
            .arg(m_dir.path());
    try {
        run(QStringLiteral("pg_ctl"),
            {QStringLiteral("-D"), m_dir.filePath(QStringLiteral("data")), QStringLiteral("-l"),
             m_dir.filePath(QStringLiteral("server.log")), QStringLiteral("-w"),
             QStringLiteral("-t"), QStringLiteral("60"), QStringLiteral("-o"), options,
             QStringLiteral("start")});
        return true;
    } catch (const std::runtime_error &) {
        return false;
    }
}

void PgServer::start()
{
    // Another process may take a probed port before the server binds it: try a few.
    const bool keepPort = m_port != 0;
    for (int attempt = 0; attempt < 5; ++attempt) {
        if (!keepPort)
            m_port = freePort();
        if (tryStart()) {
            m_running = true;
            return;
        }
    }
    throw std::runtime_error(
        QStringLiteral("PostgreSQL did not start:\n%1").arg(log()).toStdString());
}

void PgServer::stop(bool immediate)
{
    run(QStringLiteral("pg_ctl"),
        {QStringLiteral("-D"), m_dir.filePath(QStringLiteral("data")), QStringLiteral("-m"),
         immediate ? QStringLiteral("immediate") : QStringLiteral("fast"), QStringLiteral("-w"),
         QStringLiteral("stop")});
    m_running = false;
}

QString PgServer::log() const
{
    QFile f(m_dir.filePath(QStringLiteral("server.log")));
    return f.open(QIODevice::ReadOnly) ? QString::fromLocal8Bit(f.readAll().right(8000))
                                       : QString();
}

QString PgServer::dsn(const QString &user, const QString &password, const QString &database) const
{
    auto quote = [](QString value) {
        value.replace(u'\\', QStringLiteral("\\\\")).replace(u'\'', QStringLiteral("\\'"));
        return u'\'' + value + u'\'';
    };
    return QStringLiteral("host=127.0.0.1 port=%1 dbname=%2 user=%3 password=%4 connect_timeout=10")
        .arg(m_port)
        .arg(quote(database), quote(user), quote(password));
}

QString PgServer::superuserDsn(const QString &database) const
{
    return dsn(QStringLiteral("postgres"), m_superPassword, database);
}

} // namespace arbor::testsupport
