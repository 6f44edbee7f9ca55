#include "synccontroller.h"

#include "conversationlistmodel.h"

#include "chat/chatevents.h"
#include "core/backend.h"
#include "llm/providerservice.h"
#include "secrets/keychainsecretstore.h"
#include "secrets/memorysecretstore.h"
#include "store/sql.h"
#include "store/store.h"
#include "sync/syncclient.h"

#include <QLoggingCategory>
#include <QRegularExpression>
#include <QSet>
#include <QtConcurrent/QtConcurrentRun>

#include <cmath>

Q_LOGGING_CATEGORY(lcSyncUi, "arbor.app.sync", QtInfoMsg)

namespace arbor::app {

namespace {

using secrets::SecretResult;

/** @brief "alice" → "A", "bob.smith" → "BS". */
QString initialsOf(const QString &user)
{
    const QStringList parts =
        user.split(QRegularExpression(QStringLiteral("[ ._@-]+")), Qt::SkipEmptyParts);
    QString out;
    for (const QString &part : parts) {
        out += part.front().toUpper();
        if (out.size() == 2)
            break;
    }
    return out.isEmpty() ? QStringLiteral("?") : out;
}

QString changes(int n)
{
    return n == 1 ? QStringLiteral("1 change") : QStringLiteral("%1 changes").arg(n);
}

QString errorOf(QFuture<void> &f)
{
    try {
        f.waitForFinished();
    } catch (const std::exception &e) {
        return QString::fromUtf8(e.what());
    }
    return {};
}

} // namespace

SyncController::SyncController(core::Backend *backend, ConversationListModel *conversations,
                               QObject *parent, std::unique_ptr<secrets::SecretStore> keychain)
    : QObject(parent)
    , m_backend(backend)
    , m_conversations(conversations)
    , m_workspaces(new WorkspaceListModel(this))
    , m_keychain(keychain ? std::move(keychain) : std::make_unique<secrets::KeychainSecretStore>())
{
    qRegisterMetaType<sync::SyncEngine::Status>();
    m_pool.setMaxThreadCount(1); // in order: a move, then the unread counts that follow it
    m_typingTimer.setSingleShot(true);
    m_typingTimer.setInterval(TypingMs);
    connect(&m_typingTimer, &QTimer::timeout, this, [this] {
        m_typing = false;
        sendPresence();
    });
    m_deltaPoke.setSingleShot(true);
    m_deltaPoke.setInterval(100);
    connect(&m_deltaPoke, &QTimer::timeout, this, [this] {
        if (m_engine)
            m_engine->poke();
    });
    m_countdown.setInterval(1000);
    connect(&m_countdown, &QTimer::timeout, this, &SyncController::statusChanged);
    if (!m_backend)
        return;
    // The app's writes to shared conversations: push now rather than at the next outbox check.
    auto &events = m_backend->events();
    connect(&events, &chat::ChatEvents::messageCreated, this,
            [this](const domain::Message &m) { poke(m.conversationId); });
    connect(&events, &chat::ChatEvents::messageStateChanged, this,
            [this](const QString &conversationId) { poke(conversationId); });
    connect(&events, &chat::ChatEvents::pathChanged, this,
            [this](const QString &conversationId) { poke(conversationId); });
    connect(&events, &chat::ChatEvents::conversationsChanged, this, [this] {
        if (m_engine)
            m_engine->poke();
    });
    // A reply streaming into a shared conversation: teammates see it grow, one push per 100 ms.
    connect(&events, &chat::ChatEvents::messageDelta, this, [this](const QString &conversationId) {
        if (m_engine && !m_deltaPoke.isActive() && isShared(conversationId))
            m_deltaPoke.start();
    });
}

SyncController::~SyncController()
{
    shutdown();
}

void SyncController::shutdown()
{
    stopEngine();
    m_pool.waitForDone();
    m_backend = nullptr;
}

secrets::SecretStore &SyncController::secrets()
{
    return m_memory ? *m_memory : *m_keychain;
}

void SyncController::start()
{
    if (!m_backend || m_started)
        return;
    m_started = true;
    loadStoredWorkspaces();
    m_backend->store()
        .read([](QSqlDatabase &db) { return TeamServerConfig::load(db); })
        .then(this, [this](QFuture<TeamServerConfig> f) {
            TeamServerConfig config;
            try {
                config = f.result();
            } catch (const std::exception &e) {
                qCWarning(lcSyncUi) << "reading the team server settings failed:" << e.what();
                return;
            }
            if (config.isEmpty() || !m_config.isEmpty())
                return; // none, or the user connected meanwhile
            m_config = config;
            Q_EMIT configChanged();
            Q_EMIT statusChanged();
            // The providers read their keys first: one keychain prompt at a time.
            auto &providers = m_backend->providerService();
            if (providers.loaded()) {
                readPasswordAndStart();
                return;
            }
            auto once = std::make_shared<QMetaObject::Connection>();
            *once =
                connect(&providers, &llm::ProviderService::providersChanged, this, [this, once] {
                    disconnect(*once);
                    readPasswordAndStart();
                });
        });
}

void SyncController::loadStoredWorkspaces()
{
    store::Store &store = m_backend->store();
    QtConcurrent::run(&m_pool, [&store] {
        return std::pair(sync::local::storedWorkspaces(store),
                         sync::local::pendingChanges(store));
    }).then(this, [this](QFuture<std::pair<QList<sync::Workspace>, int>> f) {
        try {
            const auto [workspaces, pending] = f.result();
            if (!m_engine || m_engine->workspaces().isEmpty())
                m_workspaces->setWorkspaces(workspaces);
            if (!m_engine && pending != m_status.pending) {
                m_status.pending = pending;
                Q_EMIT statusChanged();
            }
        } catch (const std::exception &e) {
            qCWarning(lcSyncUi) << "reading the stored workspaces failed:" << e.what();
        }
        refreshUnread();
    });
}

void SyncController::readPasswordAndStart()
{
    if (!m_backend || m_engine || m_config.isEmpty())
        return;
    begin();
    const QString account = m_config.account();
    secrets().read(account).then(this, [this, account](QFuture<SecretResult> f) {
        end();
        if (!m_backend || m_engine || m_config.account() != account)
            return; // the user connected or disconnected meanwhile
        const SecretResult r = f.result();
        if (r.ok() || r.status == SecretResult::Status::NotFound) {
            // No entry: the server may not need a password (trust, certificates, ~/.pgpass);
            // when it does, the engine's error says so.
            startEngine(r.secret);
            return;
        }
        noteKeychainAnswer(int(r.status), r.message);
        setConnectError(
            QStringLiteral("Arbor cannot read the team server password: %1 Enter it again in "
                           "“Connect to a team server” (Ctrl+Shift+T).")
                .arg(r.message));
    });
}

void SyncController::refresh()
{
    if (m_memory)
        return;
    // An account nobody writes: "not found" means the keychain is there.
    m_keychain->read(QStringLiteral("team-server:probe"))
        .then(this, [this](QFuture<SecretResult> f) {
            const SecretResult r = f.result();
            noteKeychainAnswer(int(r.status), r.message);
        });
}

void SyncController::noteKeychainAnswer(int status, const QString &message)
{
    const auto s = SecretResult::Status(status);
    const bool works = s == SecretResult::Status::Ok || s == SecretResult::Status::NotFound;
    if (!works && s != SecretResult::Status::Unavailable && s != SecretResult::Status::Denied)
        return; // another error: the keychain is there
    if (works == m_keychainAvailable && (works || message == m_keychainProblem))
        return;
    m_keychainAvailable = works;
    m_keychainProblem = works ? QString() : message;
    if (!works)
        qCWarning(lcSyncUi).noquote() << message;
    Q_EMIT keychainStatusChanged();
}

void SyncController::keepPasswordInMemory()
{
    if (m_memory)
        return;
    m_memory = std::make_unique<secrets::MemorySecretStore>();
    qCInfo(lcSyncUi)
        << "the team server password is kept in memory until Arbor quits, at the user's request";
    Q_EMIT keychainStatusChanged();
}

QString SyncController::validate(const QString &host, int port, const QString &database,
                                 const QString &user, const QString &sslmode) const
{
    return TeamServerConfig{host, port, database, user, sslmode}.validate();
}

QString SyncController::dsnFor(const QString &host, int port, const QString &database,
                               const QString &user, const QString &sslmode) const
{
    return TeamServerConfig{host, port, database, user, sslmode}.dsn();
}

void SyncController::connectToServer(const QString &host, int port, const QString &database,
                                     const QString &user, const QString &password,
                                     const QString &sslmode)
{
    const TeamServerConfig config{host.trimmed(), port, database.trimmed(), user.trimmed(),
                                  sslmode};
    QString error = config.validate();
    if (!m_backend)
        error = QStringLiteral("Arbor's local store is not open, so it cannot sync.");
    else if (error.isEmpty() && !m_memory && !m_keychainAvailable)
        error = QStringLiteral("%1 Arbor never writes the password to a file; it can keep it in "
                               "memory until it quits.")
                    .arg(m_keychainProblem);
    if (!error.isEmpty()) {
        Q_EMIT connectFinished(false, error);
        return;
    }
    begin();
    const TeamServerConfig old = m_config;
    auto stored = password.isEmpty() ? secrets().remove(config.account())
                                     : secrets().write(config.account(), password);
    stored.then(this, [this, config, old, password](QFuture<SecretResult> f) {
        const SecretResult r = f.result();
        if (!m_backend) {
            end();
            return;
        }
        if (!r.ok()) {
            end();
            noteKeychainAnswer(int(r.status), r.message);
            Q_EMIT connectFinished(
                false, QStringLiteral("The password could not be stored: %1").arg(r.message));
            return;
        }
        if (!m_memory)
            noteKeychainAnswer(int(r.status), {});
        if (!old.isEmpty() && old.account() != config.account())
            secrets().remove(old.account()); // best effort: the old entry is of no use any more
        m_backend->store()
            .write([config](QSqlDatabase &db) { TeamServerConfig::save(db, config); })
            .then(this, [this, config, password](QFuture<void> saved) {
                end();
                if (!m_backend)
                    return;
                if (const QString failure = errorOf(saved); !failure.isEmpty()) {
                    Q_EMIT connectFinished(
                        false,
                        QStringLiteral("Cannot save the team server settings: %1").arg(failure));
                    return;
                }
                const bool changed = config != m_config;
                m_config = config;
                if (changed)
                    Q_EMIT configChanged();
                startEngine(password);
                Q_EMIT connectFinished(true, {});
            });
    });
}

void SyncController::disconnectFromServer()
{
    if (!m_backend || m_config.isEmpty())
        return;
    const TeamServerConfig old = std::exchange(m_config, TeamServerConfig{});
    stopEngine();
    m_status = {};
    m_connectError.clear();
    Q_EMIT configChanged();
    Q_EMIT statusChanged();
    onPresence();
    begin();
    secrets().remove(old.account()).then(this, [this](QFuture<SecretResult> f) {
        end();
        if (const SecretResult r = f.result(); !r.ok())
            qCWarning(lcSyncUi).noquote()
                << "the team server password could not be removed:" << r.message;
    });
    m_backend->store()
        .write([](QSqlDatabase &db) { TeamServerConfig::save(db, {}); })
        .then(this, [](QFuture<void> f) {
            if (const QString error = errorOf(f); !error.isEmpty())
                qCWarning(lcSyncUi) << "the team server settings could not be removed:" << error;
        });
}

void SyncController::startEngine(const QString &password)
{
    stopEngine();
    setConnectError({});
    m_engine =
        std::make_unique<sync::SyncEngine>(m_backend->store(), m_config.dsn(password), m_options);
    sync::SyncEngine *engine = m_engine.get();
    connect(engine, &sync::SyncEngine::statusChanged, this, &SyncController::onEngineStatus);
    connect(engine, &sync::SyncEngine::presenceChanged, this, &SyncController::onPresence);
    connect(engine, &sync::SyncEngine::workspacesChanged, this, [this, engine] {
        m_workspaces->setWorkspaces(engine->workspaces());
        if (m_workspaces->indexOf(m_currentWorkspace) < 0)
            setCurrentWorkspace({});
        refreshUnread();
    });
    connect(engine, &sync::SyncEngine::pulled, this,
            [this](const QStringList &conversationIds, const QStringList &messageIds) {
                if (conversationIds.contains(m_currentConversation))
                    markCurrentRead();
                Q_EMIT remoteChanges(conversationIds, messageIds);
                refreshUnread();
            });
    // Until the sync thread reports: connecting, with what is known of the outbox.
    m_status.state = sync::SyncEngine::State::Connecting;
    m_status.error.clear();
    m_status.user.clear();
    m_status.server.clear();
    m_countdown.stop();
    engine->start();
    sendPresence();
    Q_EMIT statusChanged();
}

void SyncController::stopEngine()
{
    if (!m_engine)
        return;
    m_engine->disconnect(this);
    m_engine->stop();
    m_engine.reset();
    m_status.state = sync::SyncEngine::State::Offline;
    m_countdown.stop();
}

void SyncController::setConnectError(const QString &error)
{
    if (error == m_connectError)
        return;
    m_connectError = error;
    Q_EMIT statusChanged();
}

void SyncController::onEngineStatus()
{
    if (!m_engine)
        return;
    const QString meBefore = me();
    m_status = m_engine->status();
    if (m_status.state == sync::SyncEngine::State::Reconnecting) {
        m_retryClock.restart();
        m_countdown.start();
    } else {
        m_countdown.stop();
    }
    Q_EMIT statusChanged();
    if (me() != meBefore) {
        onPresence();
        refreshUnread();
    }
}

SyncController::State SyncController::state() const
{
    if (m_config.isEmpty())
        return State::NotConfigured;
    if (!m_engine)
        return State::Offline;
    switch (m_status.state) {
    case sync::SyncEngine::State::Offline:
        return State::Offline;
    case sync::SyncEngine::State::Connecting:
        return State::Connecting;
    case sync::SyncEngine::State::Connected:
        return State::Connected;
    case sync::SyncEngine::State::Reconnecting:
        return State::Reconnecting;
    }
    return State::Offline;
}

QString SyncController::stateText() const
{
    const QString server = m_status.server.isEmpty() ? m_config.server() : m_status.server;
    const int pending = m_status.pending;
    const QString waiting =
        pending > 0 ? QStringLiteral("%1 waiting").arg(changes(pending)) : QString();
    switch (state()) {
    case State::NotConfigured:
        return QStringLiteral("Not connected to a team server");
    case State::Offline: {
        QStringList parts{QStringLiteral("Offline")};
        if (!waiting.isEmpty())
            parts << waiting;
        if (!m_connectError.isEmpty())
            parts << QStringLiteral(
                "enter the password to connect"); // the keychain could not give it
        return parts.join(QStringLiteral(" — "));
    }
    case State::Connecting:
        return QStringLiteral("Connecting to %1…").arg(server);
    case State::Connected: {
        QString text = QStringLiteral("Connected as %1 to %2").arg(me(), server);
        if (m_status.refused > 0)
            text += QStringLiteral(" — %1 refused by the server").arg(changes(m_status.refused));
        return text;
    }
    case State::Reconnecting: {
        const qint64 leftMs =
            qint64(m_status.retryInMs) - (m_retryClock.isValid() ? m_retryClock.elapsed() : 0);
        const int seconds = int(std::ceil(double(leftMs) / 1000.0));
        const QString retry = seconds > 0 ? QStringLiteral("reconnecting in %1 s").arg(seconds)
                                          : QStringLiteral("reconnecting…");
        return waiting.isEmpty() ? QStringLiteral("Offline — %1").arg(retry)
                                 : QStringLiteral("Offline — %1, %2").arg(waiting, retry);
    }
    }
    return {};
}

QString SyncController::errorText() const
{
    return m_connectError.isEmpty() ? m_status.error : m_connectError;
}

QVariantMap SyncController::config() const
{
    const TeamServerConfig c = m_config.isEmpty() ? TeamServerConfig{} : m_config;
    return {{QStringLiteral("host"), c.host},
            {QStringLiteral("port"), c.port},
            {QStringLiteral("database"), c.database},
            {QStringLiteral("user"), c.user},
            {QStringLiteral("sslmode"), c.sslmode}};
}

QString SyncController::me() const
{
    return m_status.user.isEmpty() ? m_config.user : m_status.user;
}

void SyncController::setCurrentWorkspace(const QString &id)
{
    if (id == m_currentWorkspace || m_workspaces->indexOf(id) < 0)
        return;
    m_currentWorkspace = id;
    Q_EMIT currentWorkspaceChanged();
    onPresence();
}

bool SyncController::isShared(const QString &conversationId) const
{
    if (conversationId.isEmpty())
        return false;
    const domain::Conversation *c = m_conversations->find(conversationId);
    return c && !c->workspaceId.isEmpty();
}

void SyncController::poke(const QString &conversationId)
{
    if (m_engine && isShared(conversationId))
        m_engine->poke();
}

void SyncController::setCurrentConversation(const QString &id)
{
    if (id == m_currentConversation)
        return;
    m_currentConversation = id;
    m_typing = false;
    m_typingTimer.stop();
    sendPresence();
    onPresence();
    markCurrentRead();
}

void SyncController::conversationsRefreshed()
{
    // A conversation just moved into a workspace (or a teammate's that arrived) is shared now.
    sendPresence();
    applyUnread();
}

void SyncController::noteTyping(bool hasText)
{
    if (!m_engine || !isShared(m_currentConversation))
        return;
    if (!hasText) {
        m_typingTimer.stop();
        if (std::exchange(m_typing, false))
            sendPresence();
        return;
    }
    m_typingTimer.start();
    if (!std::exchange(m_typing, true))
        sendPresence();
}

void SyncController::sendPresence()
{
    if (!m_engine)
        return;
    const bool shared = isShared(m_currentConversation);
    // A personal conversation's id never leaves this computer.
    m_engine->setPresence(shared ? m_currentConversation : QString(), shared && m_typing);
}

void SyncController::onPresence()
{
    const QString self = me();
    const QString conversationWorkspace = [this] {
        const domain::Conversation *c = m_conversations->find(m_currentConversation);
        return c ? c->workspaceId : QString();
    }();
    QVariantList here;
    QVariantList online;
    QStringList typing;
    QSet<QString> seenHere;
    QSet<QString> seenOnline;
    const QList<sync::PresenceEntry> entries =
        m_engine ? m_engine->presence() : QList<sync::PresenceEntry>();
    for (const sync::PresenceEntry &p : entries) {
        if (!p.online || p.user == self)
            continue;
        const bool inConversation = !m_currentConversation.isEmpty()
            && p.conversationId == m_currentConversation
            && (conversationWorkspace.isEmpty() || p.workspaceId == conversationWorkspace);
        if (inConversation && !seenHere.contains(p.user)) {
            seenHere.insert(p.user);
            here.append(QVariantMap{{QStringLiteral("user"), p.user},
                                    {QStringLiteral("initials"), initialsOf(p.user)},
                                    {QStringLiteral("typing"), p.typing}});
            if (p.typing)
                typing.append(p.user);
        }
        if (!m_currentWorkspace.isEmpty() && p.workspaceId == m_currentWorkspace
            && !seenOnline.contains(p.user)) {
            seenOnline.insert(p.user);
            online.append(QVariantMap{{QStringLiteral("user"), p.user},
                                      {QStringLiteral("initials"), initialsOf(p.user)},
                                      {QStringLiteral("here"), inConversation},
                                      {QStringLiteral("typing"), inConversation && p.typing}});
        }
    }
    QString typingText;
    if (typing.size() == 1)
        typingText = QStringLiteral("%1 is typing…").arg(typing.first());
    else if (typing.size() == 2)
        typingText = QStringLiteral("%1 and %2 are typing…").arg(typing.at(0), typing.at(1));
    else if (typing.size() > 2)
        typingText = QStringLiteral("%1, %2 and %3 more are typing…")
                         .arg(typing.at(0), typing.at(1))
                         .arg(typing.size() - 2);
    if (here == m_here && online == m_online && typingText == m_typingText)
        return;
    m_here = here;
    m_online = online;
    m_typingText = typingText;
    Q_EMIT presenceChanged();
}

void SyncController::markCurrentRead()
{
    if (!m_backend || !isShared(m_currentConversation))
        return;
    sync::local::markRead(m_backend->store(), m_currentConversation);
    if (m_unread.remove(m_currentConversation) > 0)
        applyUnread();
}

void SyncController::refreshUnread()
{
    const QString self = me();
    if (!m_backend || self.isEmpty())
        return;
    if (m_unreadRunning) {
        m_unreadAgain = true; // a stream of pulls costs one read at a time
        return;
    }
    m_unreadRunning = true;
    store::Store &store = m_backend->store();
    QtConcurrent::run(&m_pool, [&store, self] {
        return sync::local::unreadCounts(store, self);
    }).then(this, [this](QFuture<QHash<QString, int>> f) {
        m_unreadRunning = false;
        try {
            m_unread = f.result();
        } catch (const std::exception &e) {
            qCWarning(lcSyncUi) << "counting unread messages failed:" << e.what();
        }
        // What is open is being read (markRead runs on the writer; this read may precede it).
        m_unread.remove(m_currentConversation);
        applyUnread();
        if (std::exchange(m_unreadAgain, false))
            refreshUnread();
    });
}

void SyncController::applyUnread()
{
    m_conversations->setUnreadCounts(m_unread);
    QHash<QString, int> byWorkspace;
    for (auto it = m_unread.cbegin(); it != m_unread.cend(); ++it) {
        if (const domain::Conversation *c = m_conversations->find(it.key());
            c && !c->workspaceId.isEmpty())
            byWorkspace[c->workspaceId] += it.value();
    }
    m_workspaces->setUnread(byWorkspace);
}

QVariantList SyncController::shareTargets() const
{
    QVariantList out;
    for (const sync::Workspace &w : m_workspaces->workspaces()) {
        if (w.role != u"viewer")
            out.append(QVariantMap{{QStringLiteral("id"), w.id}, {QStringLiteral("name"), w.name}});
    }
    return out;
}

void SyncController::moveToWorkspace(const QString &conversationId, const QString &workspaceId)
{
    if (!m_backend || conversationId.isEmpty())
        return;
    store::Store &store = m_backend->store();
    QtConcurrent::run(&m_pool, [&store, conversationId, workspaceId] {
        sync::local::moveToWorkspace(store, conversationId, workspaceId);
    }).then(this, [this, conversationId](QFuture<void> f) {
        if (const QString error = errorOf(f); !error.isEmpty()) {
            Q_EMIT moveFinished(false,
                                QStringLiteral("Cannot move the conversation: %1").arg(error),
                                conversationId);
            return;
        }
        if (m_engine)
            m_engine->poke();
        Q_EMIT conversationsMoved();
        Q_EMIT moveFinished(true, {}, conversationId);
    });
}

void SyncController::begin()
{
    if (m_busy++ == 0)
        Q_EMIT busyChanged();
}

void SyncController::end()
{
    if (--m_busy == 0)
        Q_EMIT busyChanged();
}

} // namespace arbor::app
