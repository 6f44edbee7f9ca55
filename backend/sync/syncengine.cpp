#include "syncengine.h"

#include "pgconnection.h"
#include "presenceclient.h"

#include "store/sql.h"
#include "store/store.h"

#include <QLoggingCategory>
#include <QPointer>
#include <QSocketNotifier>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <optional>
#include <utility>

namespace arbor::sync {

Q_LOGGING_CATEGORY(lcSyncEngine, "arbor.sync.engine", QtInfoMsg)

/**
 * @brief The sync thread's side: owns the SyncClient, the socket notifier and the timers. No
 * signals of its own: it reports to the engine with queued calls.
 */
class SyncWorker : public QObject
{
public:
    SyncWorker(SyncEngine *engine, store::Store &store, const QString &dsn,
               SyncEngine::Options options)
        : m_engine(engine)
        , m_store(store)
        , m_client(store, dsn)
        , m_presence(store)
        , m_options(options)
    {
    }

    void begin()
    {
        m_cycleTimer.setSingleShot(true);
        m_cycleTimer.setInterval(0);
        QObject::connect(&m_cycleTimer, &QTimer::timeout, this, [this] { cycle(); });
        m_retryTimer.setSingleShot(true);
        QObject::connect(&m_retryTimer, &QTimer::timeout, this, [this] { tryConnect(); });
        m_pollTimer.setInterval(m_options.pollIntervalMs);
        QObject::connect(&m_pollTimer, &QTimer::timeout, this, [this] {
            refreshWorkspaces();
            m_pushWanted = true;
            scheduleCycle(0);
        });
        m_outboxTimer.setInterval(m_options.outboxCheckMs);
        QObject::connect(&m_outboxTimer, &QTimer::timeout, this, [this] { checkOutbox(); });
        m_presenceTimer.setInterval(m_options.presenceIntervalMs);
        QObject::connect(&m_presenceTimer, &QTimer::timeout, this, [this] { heartbeat(); });
        m_status.state = SyncEngine::State::Connecting;
        report();
        tryConnect();
    }

    void end()
    {
        m_cycleTimer.stop();
        m_retryTimer.stop();
        m_pollTimer.stop();
        m_outboxTimer.stop();
        m_presenceTimer.stop();
        if (m_client.isConnected()) {
            try {
                m_presence.announce(*m_client.connection(), m_client.workspaces(), {}, false,
                                    false);
            } catch (const PgError &) {
                // Going offline anyway; the row ages out after 30 s.
            }
        }
        dropNotifier();
        m_client.disconnect();
        m_status.state = SyncEngine::State::Offline;
        report();
    }

    void poke()
    {
        m_pushWanted = true;
        scheduleCycle(0);
    }

    void setPresence(const QString &conversationId, bool typing)
    {
        if (conversationId == m_conversation && typing == m_typing)
            return;
        m_conversation = conversationId;
        m_typing = typing;
        if (m_client.isConnected())
            sendPresence();
    }

private:
    void tryConnect()
    {
        try {
            m_client.connect();
        } catch (const std::exception &e) {
            failed(QString::fromUtf8(e.what()));
            return;
        }
        m_retries = 0;
        if (m_client.lastWorkspaceChange().detached > 0)
            QMetaObject::invokeMethod(m_engine,
                                      [engine = m_engine] { Q_EMIT engine->pulled({}, {}); });
        dropNotifier();
        m_notifier = std::make_unique<QSocketNotifier>(m_client.connection()->socket(),
                                                       QSocketNotifier::Read);
        QObject::connect(m_notifier.get(), &QSocketNotifier::activated, this,
                         [this] { readNotifications(); });
        m_status.state = SyncEngine::State::Connected;
        m_status.error.clear();
        m_status.user = m_client.user();
        m_status.server = m_client.server();
        m_status.retryInMs = 0;
        announceWorkspaces();
        m_pollTimer.start();
        m_outboxTimer.start();
        m_presenceTimer.start();
        report();
        heartbeat();
        m_pushWanted = true;
        cycle();
    }

    /** @brief May run inside the notifier's own signal: delete it later. */
    void dropNotifier()
    {
        if (m_notifier) {
            m_notifier->setEnabled(false);
            m_notifier.release()->deleteLater();
        }
    }

    void announceWorkspaces()
    {
        const QList<Workspace> workspaces = m_client.workspaces();
        QMetaObject::invokeMethod(m_engine, [engine = m_engine, workspaces] {
            engine->m_workspaces = workspaces;
            Q_EMIT engine->workspacesChanged();
        });
    }

    /** @brief Membership changes (a new workspace, a removal) show up within a poll. */
    void refreshWorkspaces()
    {
        if (!m_client.isConnected())
            return;
        const QList<Workspace> before = m_client.workspaces();
        try {
            if (m_client.refreshWorkspaces() != before) {
                announceWorkspaces();
                // A workspace this person left: its conversations stopped being shared here.
                if (m_client.lastWorkspaceChange().detached > 0)
                    QMetaObject::invokeMethod(
                        m_engine, [engine = m_engine] { Q_EMIT engine->pulled({}, {}); });
                m_pushWanted = true; // refused rows may pass now
            }
        } catch (const std::exception &e) {
            if (!m_client.isConnected())
                failed(QString::fromUtf8(e.what()));
        }
    }

    void failed(const QString &error)
    {
        qCInfo(lcSyncEngine) << "sync:" << error;
        dropNotifier();
        m_client.disconnect();
        m_pollTimer.stop();
        m_outboxTimer.stop();
        m_presenceTimer.stop();
        m_cycleTimer.stop();
        const int delay = std::min(m_options.maxRetryMs, 100 << std::min(m_retries, 8));
        ++m_retries;
        m_status.state = SyncEngine::State::Reconnecting;
        m_status.error = error;
        m_status.retryInMs = delay;
        countPending();
        report();
        m_retryTimer.start(delay);
    }

    void scheduleCycle(int delayMs)
    {
        if (!m_client.isConnected())
            return;
        if (!m_cycleTimer.isActive() || m_cycleTimer.remainingTime() > delayMs)
            m_cycleTimer.start(delayMs);
    }

    void readNotifications()
    {
        QList<PgConnection::Notification> notes;
        try {
            notes = m_client.connection()->takeNotifications();
        } catch (const PgError &e) {
            failed(e.message());
            return;
        }
        // Wake-ups on the person's private channels: 'p' presence, anything else data.
        bool data = false;
        bool presence = false;
        for (const PgConnection::Notification &n : notes) {
            if (n.payload == u"p")
                presence = true;
            else
                data = true;
        }
        if (data)
            scheduleCycle(0);
        if (presence)
            refreshPresence();
    }

    void checkOutbox()
    {
        const bool unpushed =
            m_store.read([](QSqlDatabase &db) { return local::hasUnpushed(db); }).result();
        if (unpushed) {
            m_pushWanted = true;
            scheduleCycle(0);
        }
    }

    void cycle()
    {
        if (!m_client.isConnected())
            return;
        // A cycle woken by a teammate's change only pulls: the outbox changes with local
        // writes, and those poke (or the outbox check finds them).
        const bool pushing = std::exchange(m_pushWanted, false);
        try {
            const int pushed = pushing ? m_client.push().pushed : 0;
            if (pushed > 0)
                QMetaObject::invokeMethod(
                    m_engine, [engine = m_engine, pushed] { Q_EMIT engine->pushed(pushed); });
            const PullResult pulled = m_client.pull();
            if (!pulled.conversationIds.isEmpty() || !pulled.messageIds.isEmpty()) {
                const QStringList conversations(pulled.conversationIds.begin(),
                                                pulled.conversationIds.end());
                const QStringList messages = pulled.messageIds;
                QMetaObject::invokeMethod(m_engine, [engine = m_engine, conversations, messages] {
                    Q_EMIT engine->pulled(conversations, messages);
                });
            }
            if (pushing)
                countPending();
            m_status.error.clear();
            report();
            // libpq queues notifications that arrive during a query without the socket
            // becoming readable again: read them now.
            readNotifications();
        } catch (const PgError &e) {
            m_pushWanted = m_pushWanted || pushing;
            if (!m_client.isConnected()) {
                failed(e.message());
                return;
            }
            qCWarning(lcSyncEngine) << "sync cycle failed:" << e.message();
            m_status.error = e.message();
            report();
            scheduleCycle(1000);
        } catch (const store::StoreError &e) {
            m_pushWanted = m_pushWanted || pushing;
            qCWarning(lcSyncEngine) << "sync cycle failed in the local store:" << e.message();
            m_status.error = e.message();
            report();
            scheduleCycle(1000);
        }
    }

    void heartbeat()
    {
        if (!m_client.isConnected())
            return;
        sendPresence();
        refreshPresence();
    }

    void sendPresence()
    {
        try {
            m_presence.announce(*m_client.connection(), m_client.workspaces(), m_conversation,
                                m_typing);
        } catch (const PgError &e) {
            if (!m_client.isConnected())
                failed(e.message());
        }
    }

    void refreshPresence()
    {
        if (!m_client.isConnected())
            return;
        try {
            const QList<PresenceEntry> list = m_presence.everyone(*m_client.connection());
            QMetaObject::invokeMethod(m_engine, [engine = m_engine, list] {
                engine->m_presence = list;
                Q_EMIT engine->presenceChanged();
            });
        } catch (const PgError &e) {
            if (!m_client.isConnected())
                failed(e.message());
        }
    }

    void countPending()
    {
        try {
            const local::OutboxCounts counts =
                m_store.read([](QSqlDatabase &db) { return local::outboxCounts(db); }).result();
            m_status.pending = counts.pending;
            m_status.refused = counts.refused;
        } catch (const store::StoreError &) {
            // Keep the last figure; the next cycle tries again.
        }
    }

    /** @brief Tells the engine's thread the status, when it changed. */
    void report()
    {
        if (m_reported && *m_reported == m_status)
            return;
        m_reported = m_status;
        QMetaObject::invokeMethod(m_engine, [engine = m_engine, status = m_status] {
            engine->m_status = status;
            Q_EMIT engine->statusChanged();
        });
    }

    SyncEngine *m_engine;
    store::Store &m_store;
    SyncClient m_client;
    PresenceClient m_presence;
    SyncEngine::Options m_options;
    SyncEngine::Status m_status;
    std::optional<SyncEngine::Status> m_reported;
    bool m_pushWanted = true; ///< local changes may wait in the outbox
    std::unique_ptr<QSocketNotifier> m_notifier;
    QTimer m_cycleTimer{this};
    QTimer m_retryTimer{this};
    QTimer m_pollTimer{this};
    QTimer m_outboxTimer{this};
    QTimer m_presenceTimer{this};
    int m_retries = 0;
    QString m_conversation;
    bool m_typing = false;
};

SyncEngine::SyncEngine(store::Store &store, QString dsn, QObject *parent)
    : SyncEngine(store, std::move(dsn), Options{}, parent)
{
}

SyncEngine::SyncEngine(store::Store &store, QString dsn, Options options, QObject *parent)
    : QObject(parent)
    , m_store(store)
    , m_dsn(std::move(dsn))
    , m_options(options)
{
}

SyncEngine::~SyncEngine()
{
    stop();
}

void SyncEngine::start()
{
    if (m_thread)
        return;
    m_thread = std::make_unique<QThread>();
    m_thread->setObjectName(QStringLiteral("arbor-sync"));
    m_worker = new SyncWorker(this, m_store, m_dsn, m_options);
    m_worker->moveToThread(m_thread.get());
    QObject::connect(m_thread.get(), &QThread::finished, m_worker, &QObject::deleteLater);
    m_thread->start();
    QMetaObject::invokeMethod(m_worker, [worker = m_worker] { worker->begin(); });
}

void SyncEngine::stop()
{
    if (!m_thread)
        return;
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker] { worker->end(); }, Qt::BlockingQueuedConnection);
    m_thread->quit();
    m_thread->wait();
    m_thread.reset();
    m_worker = nullptr;
    m_status.state = State::Offline;
    Q_EMIT statusChanged();
}

bool SyncEngine::isRunning() const
{
    return m_thread != nullptr;
}

void SyncEngine::poke()
{
    if (m_worker)
        QMetaObject::invokeMethod(m_worker, [worker = m_worker] { worker->poke(); });
}

void SyncEngine::setPresence(const QString &conversationId, bool typing)
{
    if (m_worker)
        QMetaObject::invokeMethod(m_worker, [worker = m_worker, conversationId, typing] {
            worker->setPresence(conversationId, typing);
        });
}

} // namespace arbor::sync
