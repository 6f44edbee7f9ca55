#pragma once

#include "syncclient.h"
#include "syncengine.h"
#include "syncmonitor.h"
#include "teampresence.h"
#include "teamserverconfig.h"

#include <QElapsedTimer>
#include <QFuture>
#include <QHash>
#include <QObject>
#include <QTimer>

#include <functional>
#include <memory>
#include <optional>

namespace arbor::secrets {
class SecretStore;
}

namespace arbor::sync {

/** @brief The answer of a configuration change: ok, or a message for a person. */
struct SyncOutcome
{
    bool ok = false;
    QString error;
};

/** @brief The connection string of the configured server with its password, or why none. */
struct Login
{
    QString dsn;   ///< empty when there is none
    QString error; ///< for a person: nothing configured, the keychain would not say
};

/** @brief What one push and pull (SyncService::runOnce) did. */
struct SyncRun
{
    QString server; ///< host:port/dbname
    QString user;
    PushResult pushed;
    PullResult pulled;
    local::WorkspacesStored workspaces; ///< what storing the workspaces changed (left ones)
    int pending = 0;                    ///< outbox rows still waiting
};

/**
 * @brief Team sync as a use case (DESIGN §5), for the window and `arbord sync`: the configured
 * team server (settings row) and its password (OS keychain, or memory at the user's request),
 * the SyncEngine's life (started, stopped, restarted when the configuration changes), the
 * connection state, the workspaces, presence and unread counts, and moving a conversation into a
 * workspace. Local writes to shared conversations poke the engine (Backend forwards the chat
 * events); rows from teammates are announced with remoteChanges().
 *
 * Lives on the main thread; every call returns at once. Store work runs as store tasks.
 */
class SyncService
    : public QObject
    , public SyncMonitor
{
    Q_OBJECT

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

    /** @param keychain the persistent secret store; nullptr: the OS keychain (service "Arbor"). */
    explicit SyncService(store::Store &store, std::unique_ptr<secrets::SecretStore> keychain = {},
                         QObject *parent = nullptr);
    ~SyncService() override;

    /** @brief Reads the stored workspaces and settings and, when a server is configured,
     *  connects (password from the keychain). Once. */
    void start();
    /** @brief Syncs with @p dsn (nothing is stored) instead of the configured server. */
    void startWith(const QString &dsn);
    /** @brief Stops the engine (says offline to the server, best effort). */
    void stop();
    /** @brief For tests: the engine's timings (applies to the next connect). */
    void setEngineOptions(const SyncEngine::Options &options) { m_options = options; }
    SyncEngine *engine() const { return m_engine.get(); }

    // The team server.
    TeamServerConfig config() const { return m_config; }
    bool configured() const { return !m_config.isEmpty(); }
    /**
     * @brief Stores @p password in the keychain (or memory, when chosen; nullopt keeps what the
     * keychain holds for this server and user, "" removes it) and @p config in the settings,
     * then, once started, connects again. Answers once both are stored.
     */
    QFuture<SyncOutcome> configure(TeamServerConfig config, std::optional<QString> password);
    /** @brief Stops syncing and forgets the settings and the password. Shared conversations stay
     *  in the local store. Answers once both are gone. */
    QFuture<SyncOutcome> forget();
    /** @brief The configured server's connection string with the password from the keychain
     *  (none when the keychain has none: the server may need none). */
    QFuture<Login> login();
    /** @brief One push and pull with @p dsn, blocking: for arbord, never the GUI thread. Throws
     *  PgError or StoreError. */
    static SyncRun runOnce(store::Store &store, const QString &dsn);

    // The keychain.
    bool keychainAvailable() const { return m_keychainAvailable; }
    QString keychainProblem() const { return m_keychainProblem; }
    bool passwordInMemory() const { return m_memory != nullptr; }
    /** @brief The user's choice when the keychain is missing, locked or refuses. */
    void keepPasswordInMemory();
    /** @brief Asks the keychain whether it is there (keychainStatusChanged answers). */
    void probeKeychain();
    /** @brief A keychain or settings write is under way. */
    bool busy() const { return m_busy > 0; }

    // The connection.
    State state() const;
    /** @brief One line: "Connected as alice to host:5432/db", "Offline — 3 changes waiting,
     *  reconnecting in 2 s", ... */
    QString stateText() const;
    /** @brief The last connection or server error (or why Arbor could not connect). */
    QString errorText() const;
    /** @brief Local changes to shared conversations not on the server yet. */
    int pending() const { return m_status.pending; }
    /** @brief The role name this person logs in as ("" when not configured). */
    QString me() const;

    // Workspaces.
    QList<Workspace> workspaces() const { return m_workspaces; }
    /** @brief The workspaces a conversation can move into (not as a viewer). */
    QList<Workspace> shareTargets() const;
    bool isShared(const QString &conversationId) const;
    /** @brief The workspace of a shared conversation ("" otherwise or not known yet). */
    QString workspaceOf(const QString &conversationId) const;
    /** @brief Moves personal conversation @p conversationId into @p workspaceId (its whole tree
     *  is pushed). Fails with a StoreError for a person. */
    QFuture<void> moveToWorkspace(const QString &conversationId, const QString &workspaceId);

    // Presence and read state.
    /** @brief The open conversation ("" = a new one): presence and read state follow it. */
    void setCurrentConversation(const QString &id);
    /** @brief The composer's text changed: typing while it is not empty, for TypingMs. */
    void noteTyping(bool hasText);
    /** @brief Who is where, with @p workspaceShown the workspace whose list is shown. */
    PresenceView presence(const QString &workspaceShown) const;
    /** @brief Unread teammates' messages per conversation (the open one never). */
    QHash<QString, int> unread() const { return m_unread; }
    /** @brief The same summed per workspace. */
    QHash<QString, int> unreadByWorkspace() const;

    // Local writes (Backend forwards the chat events).
    /** @brief A write to @p conversationId: pushed now when it is shared. */
    void noteLocalWrite(const QString &conversationId);
    /** @brief A reply streams into @p conversationId: teammates see it grow, one push per 100 ms.
     */
    void noteLocalDelta(const QString &conversationId);
    /** @brief Conversations were renamed, removed or restored. */
    void noteConversationsChanged();

Q_SIGNALS:
    void statusChanged();
    void configChanged();
    void busyChanged();
    void keychainStatusChanged();
    void workspacesChanged();
    /** @brief Presence or shared-ness changed: presence() may answer otherwise. */
    void presenceChanged();
    void unreadChanged();
    /** @brief Rows from teammates reached the local store. */
    void remoteChanges(const QStringList &conversationIds, const QStringList &messageIds);
    /** @brief Outbox rows reached the server. */
    void pushed(int rows);
    /** @brief A conversation moved into a workspace here. */
    void conversationsMoved();

private:
    secrets::SecretStore &secrets();
    void noteKeychainAnswer(int status, const QString &message);
    void begin();
    void end();
    void saveConfig(const TeamServerConfig &config, const std::optional<QString> &password,
                    const std::function<void(SyncOutcome)> &answer);
    void readPasswordAndStart();
    void startEngine(const QString &dsn);
    void stopEngine();
    void setConnectError(const QString &error);
    void onEngineStatus();
    void sendPresence();
    void refreshUnread();
    void refreshShared();
    void markCurrentRead();
    void poke(const QString &conversationId);

    store::Store &m_store;
    std::unique_ptr<secrets::SecretStore> m_keychain;
    std::unique_ptr<secrets::SecretStore> m_memory; ///< set when the user chose it
    std::unique_ptr<SyncEngine> m_engine;
    SyncEngine::Options m_options;
    SyncEngine::Status m_status;
    TeamServerConfig m_config;
    QString m_connectError; ///< why Arbor did not (or could not) start syncing
    bool m_keychainAvailable = true;
    QString m_keychainProblem;
    int m_busy = 0;
    bool m_started = false;
    QList<Workspace> m_workspaces;
    QHash<QString, QString> m_sharedIn; ///< shared conversation → its workspace ("" = unknown yet)
    QString m_current;
    bool m_typing = false;
    QTimer m_typingTimer;
    QTimer m_deltaPoke;
    QTimer m_countdown; ///< "reconnecting in N s" counts down
    QElapsedTimer m_retryClock;
    QHash<QString, int> m_unread;
    bool m_unreadRunning = false;
    bool m_unreadAgain = false;
    int m_sharedReads = 0; ///< a shared-map read is under way
};

} // namespace arbor::sync
