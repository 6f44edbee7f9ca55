#pragma once

#include <QHash>
#include <QList>
#include <QMap>
#include <QSqlDatabase>
#include <QStringList>

#include <optional>

namespace arbor::store::tools {

/** @brief An MCP server as stored (migration 0017): no secret values, only their names. */
struct StoredToolServer
{
    QString name;
    QString transport; ///< "stdio" or "http"
    QString command;
    QStringList args;
    QMap<QString, QString> env;
    QStringList secretEnv; ///< variables whose values are in the keychain
    QString url;
    QMap<QString, QString> headers;
    QStringList secretHeaders; ///< headers whose values are in the keychain
    bool enabled = true;
    qint64 createdAt = 0;

    friend bool operator==(const StoredToolServer &, const StoredToolServer &) = default;
};

/** @brief Every server, by name. */
QList<StoredToolServer> list(const QSqlDatabase &db);
std::optional<StoredToolServer> get(const QSqlDatabase &db, const QString &name);
/** @brief Inserts or replaces by name (created_at kept on replace). */
void upsert(const QSqlDatabase &db, const StoredToolServer &server);
/** @brief Removes the server and its tools' policies; true if it existed. */
bool remove(const QSqlDatabase &db, const QString &name);

/** @brief The stored policies of @p server's tools: tool → "allow", "ask" or "deny". */
QHash<QString, QString> policies(const QSqlDatabase &db, const QString &server);
/** @brief Stores (or with an empty @p policy, forgets) the policy of one tool. */
void setPolicy(const QSqlDatabase &db, const QString &server, const QString &tool,
               const QString &policy);

/** @brief The servers @p conversationId turns on or off where it differs from their global
 *  setting (migration 0021): server → enabled. */
QHash<QString, bool> conversationChoices(const QSqlDatabase &db, const QString &conversationId);
/** @brief Stores @p conversationId's choice for @p server; nullopt forgets it (the global
 *  setting holds again). */
void setConversationChoice(const QSqlDatabase &db, const QString &conversationId,
                           const QString &server, std::optional<bool> enabled);

} // namespace arbor::store::tools
