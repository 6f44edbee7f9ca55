#pragma once

#include "teamserverconfig.h"
#include "workspacelistmodel.h"

#include "secrets/secretstore.h"
#include "sync/syncengine.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QThreadPool>
#include <QTimer>
#include <QVariantList>
#include <QtQml/qqml.h>

#include <memory>

namespace arbor::core {
class Backend;
}

namespace arbor::app {

class ConversationListModel;

/**
 * @brief Team sync in the window (DESIGN §5): the team server's settings (password in the OS
 * keychain), the SyncEngine, the connection state for the status line, the workspaces, presence
 * and unread counts. Local writes to shared conversations poke the engine; rows pulled from
 * teammates are announced with remoteChanges() so the lists and the thread reload them.
 *
 * GUI thread only. The local store's blocking sync calls (moveToWorkspace, unreadCounts) run on
 * a private one-thread pool, in order.
 */
class SyncController : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Use App.sync")
    Q_PROPERTY(State state READ state NOTIFY statusChanged)
    /** @brief One line for the status bar: "Connected as alice to host:5432/db", "Offline — 3
     *  changes waiting, reconnecting in 2 s", ... */
    Q_PROPERTY(QString stateText READ stateText NOTIFY statusChanged)
    /** @brief The last connection or server error (or why Arbor could not connect), for people. */
    Q_PROPERTY(QString errorText READ errorText NOTIFY statusChanged)
    /** @brief Local changes to shared conversations not on the server yet. */
    Q_PROPERTY(int pending READ pending NOTIFY statusChanged)
    /** @brief A team server is configured (the status line shows its state). */
    Q_PROPERTY(bool configured READ configured NOTIFY configChanged)
    /** @brief The stored settings for the dialog: {host, port, database, user, sslmode}. */
    Q_PROPERTY(QVariantMap config READ config NOTIFY configChanged)
    Q_PROPERTY(QStringList sslModes READ sslModes CONSTANT)
    /** @brief A keychain write or read is under way. */
    Q_PROPERTY(bool busy READ busy NOTIFY busyChanged)
    /** @brief False once the keychain said it does not exist, is locked or refused access. */
    Q_PROPERTY(bool keychainAvailable READ keychainAvailable NOTIFY keychainStatusChanged)
    Q_PROPERTY(QString keychainProblem READ keychainProblem NOTIFY keychainStatusChanged)
    /** @brief The user chose keepPasswordInMemory(). */
    Q_PROPERTY(bool passwordInMemory READ passwordInMemory NOTIFY keychainStatusChanged)
    /** @brief "Personal" and the team workspaces. */
    Q_PROPERTY(arbor::app::WorkspaceListModel *workspaces READ workspaces CONSTANT)
    /** @brief The workspace whose conversations the list shows; "" = Personal. */
    Q_PROPERTY(QString currentWorkspace READ currentWorkspace WRITE setCurrentWorkspace NOTIFY
                   currentWorkspaceChanged)
    Q_PROPERTY(
        QString currentWorkspaceName READ currentWorkspaceName NOTIFY currentWorkspaceChanged)
    /** @brief Teammates in the open conversation: [{user, initials, typing}]. */
    Q_PROPERTY(QVariantList here READ here NOTIFY presenceChanged)
    /** @brief Teammates online in the current workspace: [{user, initials, here, typing}]. */
    Q_PROPERTY(QVariantList online READ online NOTIFY presenceChanged)
    /** @brief "alice is typing…" for the open conversation; "" when nobody is. */
    Q_PROPERTY(QString typingText READ typingText NOTIFY presenceChanged)

public:
    enum class State {
        NotConfigured, ///< no team server set up
        Offline,       ///< configured, not running (no password, or stopped)
        Connecting,
        Connected,
        Reconnecting, ///< lost the server or cannot reach it; retrying
    };
    Q_ENUM(State)

    /** @brief How long after the last keystroke the person still counts as typing. */
    static constexpr int TypingMs = 4000;

    /**
     * @param backend nullptr when the store could not be opened (everything is then inert).
     * @param keychain the persistent secret store; nullptr: the OS keychain (service "Arbor").
     */
    SyncController(core::Backend *backend, ConversationListModel *conversations,
                   QObject *parent = nullptr, std::unique_ptr<secrets::SecretStore> keychain = {});
    ~SyncController() override;

    /** @brief Reads the stored settings and, when there are some, connects (password from the
     *  keychain). Called once by App after the store opened. */
    void start();
    /** @brief Stops the engine and waits for the pool: before the store closes. */
    void shutdown();
    /** @brief For tests: the engine's timings (applies to the next connect). */
    void setEngineOptions(const sync::SyncEngine::Options &options) { m_options = options; }
    sync::SyncEngine *engine() const { return m_engine.get(); }

    State state() const;
    QString stateText() const;
    QString errorText() const;
    int pending() const { return m_status.pending; }
    bool configured() const { return !m_config.isEmpty(); }
    QVariantMap config() const;
    QStringList sslModes() const { return TeamServerConfig::sslModes(); }
    bool busy() const { return m_busy > 0; }
    bool keychainAvailable() const { return m_keychainAvailable; }
    QString keychainProblem() const { return m_keychainProblem; }
    bool passwordInMemory() const { return m_memory != nullptr; }
    WorkspaceListModel *workspaces() const { return m_workspaces; }
    QString currentWorkspace() const { return m_currentWorkspace; }
    void setCurrentWorkspace(const QString &id);
    QString currentWorkspaceName() const { return m_workspaces->nameOf(m_currentWorkspace); }
    QVariantList here() const { return m_here; }
    QVariantList online() const { return m_online; }
    QString typingText() const { return m_typingText; }
    /** @brief The role name this person logs in as ("" when not configured). */
    QString me() const;

    /** @brief What is wrong with the fields ("" when nothing), as connectToServer() would say. */
    Q_INVOKABLE QString validate(const QString &host, int port, const QString &database,
                                 const QString &user, const QString &sslmode) const;
    /** @brief The connection string the fields make, without the password (the dialog shows it). */
    Q_INVOKABLE QString dsnFor(const QString &host, int port, const QString &database,
                               const QString &user, const QString &sslmode) const;
    /** @brief Stores the password in the keychain (or memory, when chosen) and the rest in the
     *  settings, then connects. Answers with connectFinished() once the engine started (the
     *  state then says whether the server answered). */
    Q_INVOKABLE void connectToServer(const QString &host, int port, const QString &database,
                                     const QString &user, const QString &password,
                                     const QString &sslmode);
    /** @brief Stops syncing and forgets the settings and the password. Shared conversations stay
     *  in the local store. */
    Q_INVOKABLE void disconnectFromServer();
    /** @brief The user's choice when the keychain is missing, locked or refuses. */
    Q_INVOKABLE void keepPasswordInMemory();
    /** @brief Called when the dialog opens: asks the keychain whether it is there. */
    Q_INVOKABLE void refresh();
    /** @brief The workspaces a conversation can move into (not as a viewer): [{id, name}]. */
    Q_INVOKABLE QVariantList shareTargets() const;
    /** @brief Moves personal conversation @p conversationId into @p workspaceId (its whole tree
     *  is pushed); answers with moveFinished(). */
    Q_INVOKABLE void moveToWorkspace(const QString &conversationId, const QString &workspaceId);
    /** @brief The composer's text changed: typing while it is not empty, for TypingMs. */
    Q_INVOKABLE void noteTyping(bool hasText);
    /** @brief The open conversation ("" = a new one): presence and read state follow it. */
    void setCurrentConversation(const QString &id);
    /** @brief App read the conversation list again (shared-ness and workspaces may have changed).
     */
    void conversationsRefreshed();
    bool isShared(const QString &conversationId) const;

Q_SIGNALS:
    void statusChanged();
    void configChanged();
    void busyChanged();
    void keychainStatusChanged();
    void currentWorkspaceChanged();
    void presenceChanged();
    /** @brief The answer to connectToServer(): @p error is for a person. */
    void connectFinished(bool ok, const QString &error);
    /** @brief The answer to moveToWorkspace(). */
    void moveFinished(bool ok, const QString &error, const QString &conversationId);
    /** @brief Rows from teammates reached the local store (App reloads the list and thread). */
    void remoteChanges(const QStringList &conversationIds, const QStringList &messageIds);
    /** @brief Conversations moved between workspaces locally (App reloads the list). */
    void conversationsMoved();

private:
    secrets::SecretStore &secrets();
    void noteKeychainAnswer(int status, const QString &message);
    void begin();
    void end();
    void readPasswordAndStart();
    void startEngine(const QString &password);
    void stopEngine();
    void setConnectError(const QString &error);
    void onEngineStatus();
    void onPresence();
    void sendPresence();
    void refreshUnread();
    void applyUnread();
    void markCurrentRead();
    void loadStoredWorkspaces();
    void poke(const QString &conversationId);

    core::Backend *m_backend;
    ConversationListModel *m_conversations;
    WorkspaceListModel *m_workspaces;
    std::unique_ptr<secrets::SecretStore> m_keychain;
    std::unique_ptr<secrets::SecretStore> m_memory; ///< set when the user chose it
    std::unique_ptr<sync::SyncEngine> m_engine;
    sync::SyncEngine::Options m_options;
    sync::SyncEngine::Status m_status;
    TeamServerConfig m_config;
    QString m_connectError; ///< why Arbor did not (or could not) start syncing
    bool m_keychainAvailable = true;
    QString m_keychainProblem;
    int m_busy = 0;
    QString m_currentWorkspace;
    QString m_currentConversation;
    bool m_typing = false;
    QTimer m_typingTimer;
    QTimer m_deltaPoke; ///< a local reply streaming into a shared conversation: push ~10 times a
                        ///< second
    QTimer m_countdown; ///< the "reconnecting in N s" line counts down
    QElapsedTimer m_retryClock;
    QVariantList m_here;
    QVariantList m_online;
    QString m_typingText;
    QHash<QString, int> m_unread; ///< by conversation
    QThreadPool m_pool;
    bool m_unreadRunning = false;
    bool m_unreadAgain = false;
    bool m_started = false;
};

} // namespace arbor::app
