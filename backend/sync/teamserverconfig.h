#pragma once

#include <QString>
#include <QStringList>

#include <optional>

namespace arbor::sync {

/**
 * @brief Where the team server is and who logs in (never the password): what the app's "Connect
 * to a team server" dialog and `arbord sync connect` set, and the store's settings table keeps
 * (local::teamServerConfig). The password lives in the OS keychain under account().
 */
struct TeamServerConfig
{
    QString host;
    int port = 5432;
    QString database;
    QString user;
    QString sslmode = QStringLiteral("prefer");

    bool isEmpty() const { return host.isEmpty(); }
    /** @brief What is wrong with the fields, for a person; "" when they can be used. */
    QString validate() const;
    /** @brief The same fields, trimmed. */
    TeamServerConfig trimmed() const;
    /** @brief The libpq connection string: key='value' pairs with \ and ' escaped; the password
     *  only when not empty (DSNs shown to people are made without it). */
    QString dsn(const QString &password = {}) const;
    /** @brief The keychain account of the password: "team-server:user@host:port/db". */
    QString account() const;
    /** @brief "host:port/db", for people. */
    QString server() const;

    /** @brief libpq's sslmode values, weakest first. */
    static QStringList sslModes();
    /** @brief One value quoted for a libpq connection string. */
    static QString quote(const QString &value);
    /**
     * @brief The settings a connection string names (libpq's "key=value ..." or a postgresql://
     * URI), checked as validate() does. Refuses, with a sentence in @p error, a string libpq
     * cannot read, one that holds a password (a secret on a command line ends up in the shell's
     * history and the process list), and parameters this config cannot keep.
     */
    static std::optional<TeamServerConfig> fromDsn(const QString &dsn, QString *error);

    bool operator==(const TeamServerConfig &) const = default;
};

} // namespace arbor::sync
