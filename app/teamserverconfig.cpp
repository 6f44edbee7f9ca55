#include "teamserverconfig.h"

#include "store/providerqueries.h"

namespace arbor::app {

namespace {

// Keys of the settings table (migration 0003), next to the default model.
constexpr auto HostKey = "team_server.host";
constexpr auto PortKey = "team_server.port";
constexpr auto DatabaseKey = "team_server.database";
constexpr auto UserKey = "team_server.user";
constexpr auto SslModeKey = "team_server.sslmode";

QString key(const char *name)
{
    return QString::fromLatin1(name);
}

} // namespace

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

TeamServerConfig TeamServerConfig::load(const QSqlDatabase &db)
{
    using store::providers::setting;
    TeamServerConfig c;
    c.host = setting(db, key(HostKey));
    if (c.host.isEmpty())
        return {};
    c.port = setting(db, key(PortKey), QStringLiteral("5432")).toInt();
    c.database = setting(db, key(DatabaseKey));
    c.user = setting(db, key(UserKey));
    c.sslmode = setting(db, key(SslModeKey), QStringLiteral("prefer"));
    return c;
}

void TeamServerConfig::save(const QSqlDatabase &db, const TeamServerConfig &config)
{
    using store::providers::setSetting;
    const bool clear = config.isEmpty();
    setSetting(db, key(HostKey), clear ? QString() : config.host.trimmed());
    setSetting(db, key(PortKey), clear ? QString() : QString::number(config.port));
    setSetting(db, key(DatabaseKey), clear ? QString() : config.database.trimmed());
    setSetting(db, key(UserKey), clear ? QString() : config.user.trimmed());
    setSetting(db, key(SslModeKey), clear ? QString() : config.sslmode);
}

} // namespace arbor::app
