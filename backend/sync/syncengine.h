#pragma once

#include "syncclient.h"

#include <QObject>
#include <QString>
#include <QStringList>

#include <memory>

class QThread;

namespace arbor::store {
class Store;
}

namespace arbor::sync {

class SyncWorker;

/**
 * @brief Keeps a local store in sync with a team server, on its own thread: pushes the outbox
 * as soon as it fills, pulls when the server notifies a change (and every few seconds anyway, so
 * a lost notification only delays), sends presence, and reconnects with backoff when the server
 * goes away. Local writes never wait for it: the outbox keeps them until the server has them.
 *
 * Create and use it on one thread (the GUI thread in the app); its signals arrive there.
 */
class SyncEngine : public QObject
{
    Q_OBJECT

public:
    enum class State {
        Offline,      ///< not started, or stopped
        Connecting,   ///< first attempt
        Connected,    ///< connected, listening
        Reconnecting, ///< lost the server (or never reached it); retrying with backoff
    };
    Q_ENUM(State)

    struct Status
    {
        State state = State::Offline;
        int pending = 0;   ///< outbox rows not yet on the server
        int refused = 0;   ///< of those, rows the server refused (see SyncClient::refusedChanges)
        QString error;     ///< the last connection or server error, for people
        QString user;      ///< role name once connected
        QString server;    ///< host:port/dbname
        int retryInMs = 0; ///< when Reconnecting: time until the next attempt

        bool operator==(const Status &) const = default;
    };

    struct Options
    {
        int pollIntervalMs = 5000;      ///< pull even without a notification
        int outboxCheckMs = 200;        ///< look for local writes made by other processes
        int presenceIntervalMs = 10000; ///< presence heartbeat
        int maxRetryMs = 5000;          ///< backoff ceiling
    };

    SyncEngine(store::Store &store, QString dsn, QObject *parent = nullptr);
    SyncEngine(store::Store &store, QString dsn, Options options, QObject *parent = nullptr);
    ~SyncEngine() override;

    void start();
    /** @brief Says offline (best effort), disconnects and joins the thread. */
    void stop();
    bool isRunning() const;

    /** @brief Local shared rows changed: push now instead of at the next outbox check. */
    void poke();
    /** @brief Where this person is: sent now and with every heartbeat. */
    void setPresence(const QString &conversationId, bool typing);

    Status status() const { return m_status; }
    QList<Workspace> workspaces() const { return m_workspaces; }
    QList<PresenceEntry> presence() const { return m_presence; }

Q_SIGNALS:
    void statusChanged();
    void workspacesChanged();
    void presenceChanged();
    /** @brief Rows from the server were applied to the local store (committed). */
    void pulled(const QStringList &conversationIds, const QStringList &messageIds);
    /** @brief Outbox rows reached the server (committed). */
    void pushed(int rows);

private:
    friend class SyncWorker;

    store::Store &m_store;
    QString m_dsn;
    Options m_options;
    std::unique_ptr<QThread> m_thread;
    SyncWorker *m_worker = nullptr; // lives on m_thread
    Status m_status;
    QList<Workspace> m_workspaces;
    QList<PresenceEntry> m_presence;
};

} // namespace arbor::sync

Q_DECLARE_METATYPE(arbor::sync::SyncEngine::Status)
