#pragma once

#include <QHash>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QVariantList>
#include <QtQml/qqml.h>

namespace arbor::core {
class Backend;
}

namespace arbor::app {

/**
 * @brief Which MCP tool servers the current conversation uses: each server's global setting
 * (Settings → Tools) unless the conversation chose otherwise (tools::ToolService,
 * local table conversation_tool_servers). The composer's Tools menu shows and changes it; the
 * chat sends a message with enabled() as its servers, so the tool loop offers only their tools.
 * GUI thread only.
 */
class ConversationTools : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("ConversationTools belongs to Chat")
    /** @brief One map per server: name, enabled (for this conversation), global (its global
     *  setting), overridden (the conversation chose for itself). */
    Q_PROPERTY(QVariantList servers READ servers NOTIFY serversChanged)
    /** @brief How many servers the conversation uses. */
    Q_PROPERTY(int enabledCount READ enabledCount NOTIFY serversChanged)

public:
    ConversationTools(core::Backend *backend, QObject *parent = nullptr);

    QVariantList servers() const { return m_rows; }
    int enabledCount() const { return int(m_enabled.size()); }
    /** @brief The servers a message of the conversation uses now. */
    QStringList enabled() const { return m_enabled; }

    /** @brief Shows @p conversationId ("" for a conversation not yet stored: global only). */
    void setConversation(const QString &conversationId);
    /** @brief Turns @p server on or off for this conversation alone (for a new conversation,
     *  until it is stored: then the choice is written with it). */
    Q_INVOKABLE void setEnabled(const QString &server, bool enabled);
    /** @brief Back to the global setting of @p server. */
    Q_INVOKABLE void useGlobal(const QString &server);
    /** @brief Stores the choices made before the conversation existed (after its first send). */
    void adopt(const QString &conversationId);

Q_SIGNALS:
    void serversChanged();

private:
    void refresh();

    core::Backend *m_backend;
    QString m_conversationId;
    QVariantList m_rows;
    QStringList m_enabled;
    /// Choices made for a conversation that is not stored yet: server → enabled.
    QHash<QString, bool> m_pending;
    int m_generation = 0; ///< drops answers for a conversation no longer shown
};

} // namespace arbor::app
