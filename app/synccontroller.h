#pragma once

#include "presence.h"
#include "teamserversettings.h"
#include "workspacelistmodel.h"

#include "sync/syncengine.h"

#include <QObject>
#include <QVariantList>
#include <QtQml/qqml.h>

namespace arbor::core {
class Backend;
}

namespace arbor::app {

class ConversationListModel;

/**
 * @brief Team sync in the window, as feature controllers over sync::SyncService: `server`
 * (TeamServerSettings: the dialog and the status line), `presence` (the presence bar, online
 * list and typing line), `workspaces` (the switcher's model, with unread counts), and the
 * workspace shown. Unread counts reach the conversation list's badges; rows pulled from
 * teammates are announced with remoteChanges() so App reloads the list and the thread.
 * GUI thread only; holds no rule of its own.
 */
class SyncController : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Use App.sync")
    /** @brief The team server: settings, connection state, keychain (the dialog, the status). */
    Q_PROPERTY(arbor::app::TeamServerSettings *server READ server CONSTANT)
    /** @brief Who of the team is where. */
    Q_PROPERTY(arbor::app::Presence *presence READ presence CONSTANT)
    /** @brief "Personal" and the team workspaces. */
    Q_PROPERTY(arbor::app::WorkspaceListModel *workspaces READ workspaces CONSTANT)
    /** @brief The workspace whose conversations the list shows; "" = Personal. */
    Q_PROPERTY(QString currentWorkspace READ currentWorkspace WRITE setCurrentWorkspace NOTIFY
                   currentWorkspaceChanged)
    Q_PROPERTY(
        QString currentWorkspaceName READ currentWorkspaceName NOTIFY currentWorkspaceChanged)

public:
    /** @param backend nullptr when the store could not be opened (everything is then inert). */
    SyncController(core::Backend *backend, ConversationListModel *conversations,
                   QObject *parent = nullptr);
    ~SyncController() override;

    /** @brief Starts team sync with the configured server (Backend::startSync()). Called once
     *  by App after the store opened. */
    void start();
    /** @brief Stops listening to the backend: before it closes. */
    void shutdown();
    /** @brief For tests: the engine's timings (applies to the next connect). */
    void setEngineOptions(const sync::SyncEngine::Options &options);

    TeamServerSettings *server() const { return m_server; }
    Presence *presence() const { return m_presence; }
    WorkspaceListModel *workspaces() const { return m_workspaces; }
    QString currentWorkspace() const { return m_currentWorkspace; }
    void setCurrentWorkspace(const QString &id);
    QString currentWorkspaceName() const { return m_workspaces->nameOf(m_currentWorkspace); }

    /** @brief The workspaces a conversation can move into (not as a viewer): [{id, name}]. */
    Q_INVOKABLE QVariantList shareTargets() const;
    /** @brief Moves personal conversation @p conversationId into @p workspaceId (its whole tree
     *  is pushed); answers with moveFinished(). */
    Q_INVOKABLE void moveToWorkspace(const QString &conversationId, const QString &workspaceId);
    /** @brief The open conversation ("" = a new one): presence and read state follow it. */
    void setCurrentConversation(const QString &id);
    /** @brief App read the conversation list again: the badges go on the new rows. */
    void conversationsRefreshed();
    bool isShared(const QString &conversationId) const;

Q_SIGNALS:
    void currentWorkspaceChanged();
    /** @brief The answer to moveToWorkspace(). */
    void moveFinished(bool ok, const QString &error, const QString &conversationId);
    /** @brief Rows from teammates reached the local store (App reloads the list and thread). */
    void remoteChanges(const QStringList &conversationIds, const QStringList &messageIds);
    /** @brief Conversations moved between workspaces locally (App reloads the list). */
    void conversationsMoved();

private:
    void applyUnread();

    core::Backend *m_backend;
    sync::SyncService *m_service; ///< null when there is no backend
    ConversationListModel *m_conversations;
    WorkspaceListModel *m_workspaces;
    TeamServerSettings *m_server;
    Presence *m_presence;
    QString m_currentWorkspace;
};

} // namespace arbor::app
