#pragma once

#include "store/toolqueries.h"

#include <QFuture>
#include <QHash>
#include <QJsonObject>
#include <QObject>

#include <memory>
#include <optional>

namespace arbor::store {
class Store;
}
namespace arbor::secrets {
class SecretStore;
}

namespace arbor::tools {

class McpClient;
using StoredToolServer = store::tools::StoredToolServer;

/** @brief What may happen when the model calls a tool. */
enum class Policy { Allow, Ask, Deny };

QString toString(Policy policy);
std::optional<Policy> policyFromString(const QString &text);
/** @brief A tool's policy when the user chose none: readOnlyHint → allow; anything else
 *  (destructiveHint, or no hint: MCP's defaults assume a tool may write) → ask. */
Policy defaultPolicy(const QJsonObject &annotations);

/** @brief The answer of a change: ok, or why not, for a person. */
struct ToolOutcome
{
    bool ok = false;
    QString error;
};

/** @brief A server ready to connect: its settings with the secret values read back. */
struct ResolvedServer
{
    StoredToolServer server;
    QMap<QString, QString> env;     ///< plain and secret variables
    QMap<QString, QString> headers; ///< plain and secret headers
    QString error;                  ///< why a secret could not be read ("" when all were)
};

/** @brief A server as one conversation uses it. */
struct ConversationServer
{
    QString name;
    bool enabled = false;    ///< used by the conversation's replies
    bool global = false;     ///< its global setting (tool_servers.enabled)
    bool overridden = false; ///< the conversation made its own choice
};

/**
 * @brief The MCP servers of this device (store table tool_servers, migration 0017; not synced:
 * a command, its environment and its secrets belong to one machine) and their tools' approval
 * policies. Secret values (an API key in an environment variable or a header) go to the OS
 * keychain, one entry per value, never to the store; a stdio server gets them through its
 * environment (QProcessEnvironment), never its command line. Lives on the main thread.
 */
class ToolService : public QObject
{
    Q_OBJECT

public:
    ToolService(store::Store &store, std::unique_ptr<secrets::SecretStore> keychain,
                QObject *parent = nullptr);
    ~ToolService() override;

    QFuture<QList<StoredToolServer>> servers();
    QFuture<std::optional<StoredToolServer>> server(const QString &name);
    /**
     * @brief Adds or replaces @p server. @p secrets holds a value per name in
     * server.secretEnv and server.secretHeaders (keys "env:NAME" / "header:NAME"); they are
     * written to the keychain first, and nothing is stored if that fails.
     */
    QFuture<ToolOutcome> save(StoredToolServer server, QMap<QString, QString> secrets);
    /** @brief Removes the server, its tools' policies and its secrets. */
    QFuture<ToolOutcome> remove(const QString &name);
    /** @brief Reads @p server's secrets back from the keychain. */
    QFuture<ResolvedServer> resolve(const StoredToolServer &server);
    /** @brief A client for @p resolved (not yet connected). */
    static McpClient *makeClient(const ResolvedServer &resolved, QObject *parent = nullptr);

    /** @brief The stored policies of @p server's tools (tool → policy). */
    QFuture<QHash<QString, Policy>> policies(const QString &server);
    /** @brief Stores the policy of one tool; nullopt forgets it (back to the default). */
    QFuture<void> setPolicy(const QString &server, const QString &tool,
                            std::optional<Policy> policy);

    /** @brief Every server as @p conversationId uses it: its own choice where it made one
     *  (local table conversation_tool_servers, migration 0021), else the global setting. An
     *  empty id (a conversation not yet stored) gets the global settings. */
    QFuture<QList<ConversationServer>> forConversation(const QString &conversationId);
    /** @brief The names of the servers enabled in @p servers. */
    static QStringList enabledNames(const QList<ConversationServer> &servers);
    /** @brief Turns @p server on or off for @p conversationId alone; nullopt: back to the
     *  global setting. */
    QFuture<void> setForConversation(const QString &conversationId, const QString &server,
                                     std::optional<bool> enabled);

Q_SIGNALS:
    void serversChanged();
    /** @brief A conversation's own choice of servers changed. */
    void conversationServersChanged(const QString &conversationId);

private:
    struct SecretOp;
    QFuture<QString> storeId();
    QString account(const QString &storeId, const QString &server, const QString &key) const;
    void runSecretOps(QList<SecretOp> ops, std::function<void(QString error)> done);

    store::Store &m_store;
    std::unique_ptr<secrets::SecretStore> m_keychain;
    QString m_storeId;
};

} // namespace arbor::tools
