#pragma once

#include <QSqlDatabase>
#include <QString>
#include <QStringList>

namespace arbor::app {

/**
 * @brief Where the team server is and who logs in (never the password): what the "Connect to a
 * team server" dialog edits and the store's settings table keeps. The password lives in the OS
 * keychain under account().
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
    /** @brief The stored settings (an empty config when none). Store threads only. */
    static TeamServerConfig load(const QSqlDatabase &db);
    /** @brief Stores @p config; an empty one removes the settings. Store writer only. */
    static void save(const QSqlDatabase &db, const TeamServerConfig &config);

    bool operator==(const TeamServerConfig &) const = default;
};

} // namespace arbor::app
