#include "teamserverconfig.h"

#include <libpq-fe.h>

#include <memory>

namespace arbor::sync {

QStringList TeamServerConfig::sslModes()
{
    return {QStringLiteral("disable"), QStringLiteral("allow"),     QStringLiteral("prefer"),
            QStringLiteral("require"), QStringLiteral("verify-ca"), QStringLiteral("verify-full")};
}

QString TeamServerConfig::validate() const
{
    if (host.trimmed().isEmpty())
        return QStringLiteral("Enter the team server's host name or address.");
    if (port < 1 || port > 65535)
        return QStringLiteral(
            "The port must be a number from 1 to 65535 (PostgreSQL's usual port is 5432).");
    if (database.trimmed().isEmpty())
        return QStringLiteral("Enter the name of the team database.");
    if (user.trimmed().isEmpty())
        return QStringLiteral("Enter your user name on the team server.");
    if (!sslModes().contains(sslmode))
        return QStringLiteral("“%1” is not an SSL mode PostgreSQL knows.").arg(sslmode);
    return {};
}

TeamServerConfig TeamServerConfig::trimmed() const
{
    return {host.trimmed(), port, database.trimmed(), user.trimmed(), sslmode.trimmed()};
}

QString TeamServerConfig::quote(const QString &value)
{
    QString escaped = value;
    escaped.replace(QLatin1Char('\\'), QLatin1String("\\\\"));
    escaped.replace(QLatin1Char('\''), QLatin1String("\\'"));
    return QLatin1Char('\'') + escaped + QLatin1Char('\'');
}

QString TeamServerConfig::dsn(const QString &password) const
{
    QStringList parts{QStringLiteral("host=") + quote(host.trimmed()),
                      QStringLiteral("port=") + quote(QString::number(port)),
                      QStringLiteral("dbname=") + quote(database.trimmed()),
                      QStringLiteral("user=") + quote(user.trimmed())};
    if (!password.isEmpty())
        parts << QStringLiteral("password=") + quote(password);
    parts << QStringLiteral("sslmode=") + quote(sslmode);
    return parts.join(QLatin1Char(' '));
}

QString TeamServerConfig::account() const
{
    return QStringLiteral("team-server:%1@%2").arg(user.trimmed(), server());
}

QString TeamServerConfig::server() const
{
    return QStringLiteral("%1:%2/%3").arg(host.trimmed()).arg(port).arg(database.trimmed());
}

std::optional<TeamServerConfig> TeamServerConfig::fromDsn(const QString &dsn, QString *error)
{
    char *parseError = nullptr;
    const std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> options(
        PQconninfoParse(dsn.toUtf8().constData(), &parseError), &PQconninfoFree);
    if (!options) {
        *error = QStringLiteral("libpq cannot read the connection string: %1")
                     .arg(parseError ? QString::fromUtf8(parseError).trimmed()
                                     : QStringLiteral("out of memory"));
        PQfreemem(parseError);
        return std::nullopt;
    }
    TeamServerConfig c;
    QStringList unsupported;
    for (const PQconninfoOption *o = options.get(); o->keyword; ++o) {
        if (!o->val)
            continue;
        const QString key = QString::fromUtf8(o->keyword);
        const QString value = QString::fromUtf8(o->val);
        if (key == u"password") {
            *error = QStringLiteral(
                "the connection string holds a password; Arbor keeps it in the system keychain, "
                "never on a command line: leave it out and give it on standard input "
                "(--password-stdin) or in an environment variable (--password-env VAR)");
            return std::nullopt;
        }
        if (key == u"host" || key == u"hostaddr") {
            c.host = value;
        } else if (key == u"port") {
            bool ok = false;
            c.port = value.toInt(&ok);
            if (!ok)
                c.port = 0;
        } else if (key == u"dbname") {
            c.database = value;
        } else if (key == u"user") {
            c.user = value;
        } else if (key == u"sslmode") {
            c.sslmode = value;
        } else {
            unsupported.append(key);
        }
    }
    if (!unsupported.isEmpty()) {
        *error = QStringLiteral("Arbor keeps only host, port, dbname, user and sslmode of a team "
                                "server, not %1")
                     .arg(unsupported.join(QStringLiteral(", ")));
        return std::nullopt;
    }
    c = c.trimmed();
    if (const QString problem = c.validate(); !problem.isEmpty()) {
        *error = problem;
        return std::nullopt;
    }
    return c;
}

} // namespace arbor::sync
