#include "syncservice.h"

#include "localstate.h"

#include "domain/ids.h"
#include "secrets/keychainsecretstore.h"
#include "secrets/memorysecretstore.h"
#include "store/store.h"

#include <QFutureWatcher>
#include <QLoggingCategory>
#include <QPromise>

#include <cmath>
#include <tuple>
#include <utility>

Q_LOGGING_CATEGORY(lcSyncService, "arbor.sync.service", QtInfoMsg)

namespace arbor::sync {

namespace {

using secrets::SecretResult;

QString changes(int n)
{
    return n == 1 ? QStringLiteral("1 change") : QStringLiteral("%1 changes").arg(n);
}

QString errorText(const std::exception_ptr &e)
{
    try {
        std::rethrow_exception(e);
    } catch (const std::exception &ex) {
        return QString::fromUtf8(ex.what());
    } catch (...) {
        return QStringLiteral("an unexpected error");
    }
}

/** @brief Runs @p done(future) on @p context's thread once @p future finished, never after
 *  @p context is gone (a watcher it owns). */
template<class T, class F>
void onDone(QObject *context, QFuture<T> future, F done)
{
    auto *watcher = new QFutureWatcher<T>(context);
    QObject::connect(watcher, &QFutureWatcherBase::finished, watcher,
                     [watcher, done = std::move(done)]() mutable {
                         watcher->deleteLater();
                         done(watcher->future());
                     });
    watcher->setFuture(std::move(future));
}

/** @brief The error of a finished future ("" when it succeeded). */
template<class T>
QString failureOf(QFuture<T> &f)
{
    try {
        f.waitForFinished();
    } catch (...) {
        return errorText(std::current_exception());
    }
    return {};
}

template<class T>
QFuture<T> ready(T value)
{
    return QtFuture::makeReadyFuture(std::move(value));
}

} // namespace

SyncService::SyncService(store::Store &store, std::unique_ptr<secrets::SecretStore> keychain,
                         QObject *parent)
    : QObject(parent)
    , SyncMonitor(store::StoreReader(store))
    , m_store(store)
    , m_keychain(keychain ? std::move(keychain) : std::make_unique<secrets::KeychainSecretStore>())
{
    qRegisterMetaType<SyncEngine::Status>();
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
    connect(&m_countdown, &QTimer::timeout, this, &SyncService::statusChanged);
}

SyncService::~SyncService()
{
    stop();
}

secrets::SecretStore &SyncService::secrets()
{
    return m_memory ? *m_memory : *m_keychain;
}

void SyncService::start()
{
    if (std::exchange(m_started, true))
        return;
    refreshShared();
    onDone(this, m_store.read([](QSqlDatabase &db) {
        return std::tuple(local::teamServerConfig(db), local::storedWorkspaces(db),
                          local::outboxCounts(db).pending);
    }),
           [this](QFuture<std::tuple<TeamServerConfig, QList<Workspace>, int>> f) {
               if (const QString error = failureOf(f); !error.isEmpty()) {
                   qCWarning(lcSyncService) << "reading the team server settings failed:" << error;
                   return;
               }
               const auto [config, workspaces, pending] = f.result();
               if (!m_engine || m_engine->workspaces().isEmpty()) {
                   m_workspaces = workspaces;
                   Q_EMIT workspacesChanged();
               }
               if (!m_engine && pending != m_status.pending) {
                   m_status.pending = pending;
                   Q_EMIT statusChanged();
               }
               refreshUnread();
               if (config.isEmpty() || !m_config.isEmpty())
                   return; // none, or the user connected meanwhile
               m_config = config;
               Q_EMIT configChanged();
               Q_EMIT statusChanged();
               readPasswordAndStart();
           });
}

void SyncService::startWith(const QString &dsn)
{
    m_started = true;
    startEngine(dsn);
}

void SyncService::stop()
{
    stopEngine();
}

void SyncService::readPasswordAndStart()
{
    if (m_engine || m_config.isEmpty())
        return;
    begin();
    const TeamServerConfig config = m_config;
    onDone(this, secrets().read(config.account()), [this, config](QFuture<SecretResult> f) {
        end();
        if (m_engine || m_config != config)
            return; // the user connected or disconnected meanwhile
        const SecretResult r = f.result();
        if (r.ok() || r.status == SecretResult::Status::NotFound) {
            // No entry: the server may not need a password (trust, certificates, ~/.pgpass);
            // when it does, the engine's error says so.
            startEngine(config.dsn(r.secret));
            return;
        }
        noteKeychainAnswer(int(r.status), r.message);
        setConnectError(
            QStringLiteral("Arbor cannot read the team server password: %1 Enter it again in "
                           "“Connect to a team server” (Ctrl+Shift+T).")
                .arg(r.message));
    });
}

QFuture<Login> SyncService::login()
{
    auto promise = std::make_shared<QPromise<Login>>();
    promise->start();
    QFuture<Login> done = promise->future();
    const auto answer = [promise](Login login) {
        promise->addResult(std::move(login));
        promise->finish();
    };
    onDone(this, server(), [this, answer](QFuture<TeamServerConfig> f) {
        if (const QString error = failureOf(f); !error.isEmpty())
            return answer({{}, error});
        const TeamServerConfig config = f.result();
        if (config.isEmpty())
            return answer({{},
                           QStringLiteral("no team server is configured (arbord sync connect "
                                          "--dsn ..., or the app's “Connect to a team server”)")});
        onDone(this, secrets().read(config.account()),
               [config, answer](QFuture<SecretResult> read) {
                   const SecretResult r = read.result();
                   if (r.ok() || r.status == SecretResult::Status::NotFound)
                       return answer({config.dsn(r.secret), {}});
                   answer({{},
                           QStringLiteral("cannot read the password of %1 from the keychain: %2")
                               .arg(config.server(), r.message)});
               });
    });
    return done;
}

SyncRun SyncService::runOnce(store::Store &store, const QString &dsn)
{
    SyncClient client(store, dsn);
    client.connect();
    SyncRun run;
    run.pushed = client.push();
    run.pulled = client.pull();
    run.workspaces = client.lastWorkspaceChange();
    run.server = client.server();
    run.user = client.user();
    run.pending = local::pendingChanges(store);
    return run;
}

void SyncService::probeKeychain()
{
    if (m_memory)
        return;
    // An account nobody writes: "not found" means the keychain is there.
    onDone(this, m_keychain->read(QStringLiteral("team-server:probe")),
           [this](QFuture<SecretResult> f) {
               const SecretResult r = f.result();
               noteKeychainAnswer(int(r.status), r.message);
           });
}

void SyncService::noteKeychainAnswer(int status, const QString &message)
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
        qCWarning(lcSyncService).noquote() << message;
    Q_EMIT keychainStatusChanged();
}

void SyncService::keepPasswordInMemory()
{
    if (m_memory)
        return;
    m_memory = std::make_unique<secrets::MemorySecretStore>();
    qCInfo(lcSyncService)
        << "the team server password is kept in memory until Arbor quits, at the user's request";
    Q_EMIT keychainStatusChanged();
}

QFuture<SyncOutcome> SyncService::configure(TeamServerConfig config,
                                            std::optional<QString> password)
{
    config = config.trimmed();
    QString error = config.validate();
    if (error.isEmpty() && password && !password->isEmpty() && !m_memory && !m_keychainAvailable)
        error = QStringLiteral("%1 Arbor never writes the password to a file; it can keep it in "
                               "memory until it quits.")
                    .arg(m_keychainProblem);
    if (!error.isEmpty())
        return ready(SyncOutcome{false, error});
    begin();
    auto promise = std::make_shared<QPromise<SyncOutcome>>();
    promise->start();
    QFuture<SyncOutcome> done = promise->future();
    const auto answer = [this, promise](SyncOutcome outcome) {
        end();
        promise->addResult(std::move(outcome));
        promise->finish();
    };
    // The stored settings first (arbord has not read them): a password filed under another
    // server or user is removed once the new one is stored.
    onDone(this, server(), [this, config, password, answer](QFuture<TeamServerConfig> f) {
        const TeamServerConfig stored = failureOf(f).isEmpty() ? f.result() : TeamServerConfig{};
        const TeamServerConfig old = m_config.isEmpty() ? stored : m_config;
        // The password before the settings: they never point at a password that was not stored.
        QFuture<SecretResult> written = !password
            ? ready(SecretResult{SecretResult::Status::Ok, {}, {}})
            : password->isEmpty() ? secrets().remove(config.account())
                                  : secrets().write(config.account(), *password);
        onDone(this, written, [this, config, old, password, answer](QFuture<SecretResult> w) {
            const SecretResult r = w.result();
            if (!r.ok()) {
                noteKeychainAnswer(int(r.status), r.message);
                return answer(
                    {false, QStringLiteral("The password could not be stored: %1").arg(r.message)});
            }
            if (password && !m_memory)
                noteKeychainAnswer(int(r.status), {});
            if (!old.isEmpty() && old.account() != config.account())
                secrets().remove(old.account()); // best effort: of no use any more
            saveConfig(config, password, answer);
        });
    });
    return done;
}

void SyncService::saveConfig(const TeamServerConfig &config, const std::optional<QString> &password,
                             const std::function<void(SyncOutcome)> &answer)
{
    onDone(this,
           m_store.write([config](QSqlDatabase &db) { local::saveTeamServerConfig(db, config); }),
           [this, config, password, answer](QFuture<void> saved) {
               if (const QString failure = failureOf(saved); !failure.isEmpty())
                   return answer(
                       {false,
                        QStringLiteral("Cannot save the team server settings: %1").arg(failure)});
               const bool changed = config != m_config;
               m_config = config;
               if (changed)
                   Q_EMIT configChanged();
               if (m_started) {
                   stopEngine();
                   if (password)
                       startEngine(config.dsn(*password));
                   else
                       readPasswordAndStart();
               }
               Q_EMIT statusChanged();
               answer({true, {}});
           });
}

QFuture<SyncOutcome> SyncService::forget()
{
    auto promise = std::make_shared<QPromise<SyncOutcome>>();
    promise->start();
    QFuture<SyncOutcome> done = promise->future();
    // The settings may not be loaded (arbord): read them to learn the password's account.
    begin();
    onDone(this, server(), [this, promise](QFuture<TeamServerConfig> f) {
        const TeamServerConfig stored = failureOf(f).isEmpty() ? f.result() : TeamServerConfig{};
        const TeamServerConfig old = m_config.isEmpty() ? stored : m_config;
        auto remaining = std::make_shared<int>(2);
        auto problems = std::make_shared<QStringList>();
        const auto finish = [this, promise, remaining, problems] {
            if (--*remaining > 0)
                return;
            end();
            promise->addResult(SyncOutcome{problems->isEmpty(), problems->join(QLatin1Char(' '))});
            promise->finish();
        };
        onDone(this,
               old.isEmpty() ? ready(SecretResult{SecretResult::Status::Ok, {}, {}})
                             : secrets().remove(old.account()),
               [problems, finish](QFuture<SecretResult> removed) {
                   if (const SecretResult r = removed.result(); !r.ok()) {
                       qCWarning(lcSyncService).noquote()
                           << "the team server password could not be removed:" << r.message;
                       problems->append(
                           QStringLiteral("The password could not be removed from the keychain: %1")
                               .arg(r.message));
                   }
                   finish();
               });
        onDone(this, m_store.write([](QSqlDatabase &db) { local::saveTeamServerConfig(db, {}); }),
               [problems, finish](QFuture<void> saved) {
                   if (const QString error = failureOf(saved); !error.isEmpty())
                       problems->append(
                           QStringLiteral("The team server settings could not be removed: %1")
                               .arg(error));
                   finish();
               });
    });
    // The window shows the change at once; the keychain and the store follow.
    if (!m_config.isEmpty()) {
        m_config = {};
        stopEngine();
        m_status = {};
        m_connectError.clear();
        Q_EMIT configChanged();
        Q_EMIT statusChanged();
        Q_EMIT presenceChanged();
    }
    return done;
}

void SyncService::startEngine(const QString &dsn)
{
    stopEngine();
    setConnectError({});
    m_engine = std::make_unique<SyncEngine>(m_store, dsn, m_options);
    SyncEngine *engine = m_engine.get();
    connect(engine, &SyncEngine::statusChanged, this, &SyncService::onEngineStatus);
    connect(engine, &SyncEngine::presenceChanged, this, &SyncService::presenceChanged);
    connect(engine, &SyncEngine::pushed, this, &SyncService::pushed);
    connect(engine, &SyncEngine::workspacesChanged, this, [this, engine] {
        m_workspaces = engine->workspaces();
        Q_EMIT workspacesChanged();
        refreshShared();
        refreshUnread();
    });
    connect(engine, &SyncEngine::pulled, this,
            [this](const QStringList &conversationIds, const QStringList &messageIds) {
                // Pulled rows are shared: known at once, their workspace with the next read.
                for (const QString &id : conversationIds)
                    if (!m_sharedIn.contains(id))
                        m_sharedIn.insert(id, {});
                refreshShared();
                if (conversationIds.contains(m_current))
                    markCurrentRead();
                Q_EMIT remoteChanges(conversationIds, messageIds);
                refreshUnread();
            });
    // Until the sync thread reports: connecting, with what is known of the outbox.
    m_status.state = SyncEngine::State::Connecting;
    m_status.error.clear();
    m_status.user.clear();
    m_status.server.clear();
    m_countdown.stop();
    engine->start();
    sendPresence();
    Q_EMIT statusChanged();
}

void SyncService::stopEngine()
{
    if (!m_engine)
        return;
    m_engine->disconnect(this);
    m_engine->stop();
    m_engine.reset();
    m_status.state = SyncEngine::State::Offline;
    m_countdown.stop();
}

void SyncService::setConnectError(const QString &error)
{
    if (error == m_connectError)
        return;
    m_connectError = error;
    Q_EMIT statusChanged();
}

void SyncService::onEngineStatus()
{
    if (!m_engine)
        return;
    const QString meBefore = me();
    m_status = m_engine->status();
    if (m_status.state == SyncEngine::State::Reconnecting) {
        m_retryClock.restart();
        m_countdown.start();
    } else {
        m_countdown.stop();
    }
    Q_EMIT statusChanged();
    if (me() != meBefore) {
        Q_EMIT presenceChanged();
        refreshUnread();
    }
}

SyncService::State SyncService::state() const
{
    if (m_config.isEmpty() && !m_engine)
        return State::NotConfigured;
    if (!m_engine)
        return State::Offline;
    switch (m_status.state) {
    case SyncEngine::State::Offline:
        return State::Offline;
    case SyncEngine::State::Connecting:
        return State::Connecting;
    case SyncEngine::State::Connected:
        return State::Connected;
    case SyncEngine::State::Reconnecting:
        return State::Reconnecting;
    }
    return State::Offline;
}

QString SyncService::stateText() const
{
    const QString server = !m_status.server.isEmpty() ? m_status.server
        : m_config.isEmpty()                          ? QString()
                                                      : m_config.server();
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
        return server.isEmpty() ? QStringLiteral("Connecting…")
                                : QStringLiteral("Connecting to %1…").arg(server);
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

QString SyncService::errorText() const
{
    return m_connectError.isEmpty() ? m_status.error : m_connectError;
}

QString SyncService::me() const
{
    return m_status.user.isEmpty() ? m_config.user : m_status.user;
}

QList<Workspace> SyncService::shareTargets() const
{
    QList<Workspace> out;
    for (const Workspace &w : m_workspaces)
        if (w.role != u"viewer")
            out.append(w);
    return out;
}

bool SyncService::isShared(const QString &conversationId) const
{
    return !conversationId.isEmpty() && m_sharedIn.contains(conversationId);
}

QString SyncService::workspaceOf(const QString &conversationId) const
{
    return m_sharedIn.value(conversationId);
}

QFuture<void> SyncService::moveToWorkspace(const QString &conversationId,
                                           const QString &workspaceId)
{
    auto promise = std::make_shared<QPromise<void>>();
    promise->start();
    QFuture<void> done = promise->future();
    onDone(this,
           m_store.write([conversationId, workspaceId, now = domain::nowMs()](QSqlDatabase &db) {
               local::moveToWorkspace(db, conversationId, workspaceId, now);
           }),
           [this, promise, conversationId, workspaceId](QFuture<void> f) {
               try {
                   f.waitForFinished();
               } catch (...) {
                   promise->setException(std::current_exception());
                   promise->finish();
                   return;
               }
               m_sharedIn.insert(conversationId, workspaceId);
               if (m_engine)
                   m_engine->poke();
               if (conversationId == m_current)
                   sendPresence();
               Q_EMIT conversationsMoved();
               Q_EMIT presenceChanged();
               promise->finish();
           });
    return done;
}

void SyncService::refreshShared()
{
    ++m_sharedReads;
    onDone(this, m_store.read([](QSqlDatabase &db) { return local::sharedConversations(db); }),
           [this](QFuture<QHash<QString, QString>> f) {
               --m_sharedReads;
               if (const QString error = failureOf(f); !error.isEmpty()) {
                   qCWarning(lcSyncService) << "reading the shared conversations failed:" << error;
                   return;
               }
               if (m_sharedReads > 0)
                   return; // a newer read follows
               const QHash<QString, QString> shared = f.result();
               if (shared == m_sharedIn)
                   return;
               const bool currentChanged =
                   shared.contains(m_current) != m_sharedIn.contains(m_current);
               m_sharedIn = shared;
               if (currentChanged)
                   sendPresence();
               Q_EMIT presenceChanged();
               Q_EMIT unreadChanged();
           });
}

void SyncService::poke(const QString &conversationId)
{
    if (m_engine && isShared(conversationId))
        m_engine->poke();
}

void SyncService::noteLocalWrite(const QString &conversationId)
{
    poke(conversationId);
}

void SyncService::noteLocalDelta(const QString &conversationId)
{
    if (m_engine && !m_deltaPoke.isActive() && isShared(conversationId))
        m_deltaPoke.start();
}

void SyncService::noteConversationsChanged()
{
    if (m_engine)
        m_engine->poke();
}

void SyncService::setCurrentConversation(const QString &id)
{
    if (id == m_current)
        return;
    m_current = id;
    m_typing = false;
    m_typingTimer.stop();
    sendPresence();
    Q_EMIT presenceChanged();
    markCurrentRead();
}

void SyncService::noteTyping(bool hasText)
{
    if (!m_engine || !isShared(m_current))
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

void SyncService::sendPresence()
{
    if (!m_engine)
        return;
    const bool shared = isShared(m_current);
    // A personal conversation's id never leaves this computer.
    m_engine->setPresence(shared ? m_current : QString(), shared && m_typing);
}

PresenceView SyncService::presence(const QString &workspaceShown) const
{
    return presenceView(m_engine ? m_engine->presence() : QList<PresenceEntry>(), me(), m_current,
                        m_sharedIn.value(m_current), workspaceShown);
}

QHash<QString, int> SyncService::unreadByWorkspace() const
{
    QHash<QString, int> out;
    for (auto it = m_unread.cbegin(); it != m_unread.cend(); ++it)
        if (const QString ws = m_sharedIn.value(it.key()); !ws.isEmpty())
            out[ws] += it.value();
    return out;
}

void SyncService::markCurrentRead()
{
    if (!isShared(m_current))
        return;
    m_store.post([id = m_current, now = domain::nowMs()](QSqlDatabase &db) {
        local::markRead(db, id, now);
    });
    if (m_unread.remove(m_current) > 0)
        Q_EMIT unreadChanged();
}

void SyncService::refreshUnread()
{
    const QString self = me();
    if (self.isEmpty())
        return;
    if (m_unreadRunning) {
        m_unreadAgain = true; // a stream of pulls costs one read at a time
        return;
    }
    m_unreadRunning = true;
    onDone(this, m_store.read([self](QSqlDatabase &db) { return local::unreadCounts(db, self); }),
           [this](QFuture<QHash<QString, int>> f) {
               m_unreadRunning = false;
               if (const QString error = failureOf(f); error.isEmpty())
                   m_unread = f.result();
               else
                   qCWarning(lcSyncService) << "counting unread messages failed:" << error;
               // What is open is being read (markRead runs on the writer; this read may precede
               // it).
               m_unread.remove(m_current);
               Q_EMIT unreadChanged();
               if (std::exchange(m_unreadAgain, false))
                   refreshUnread();
           });
}

void SyncService::begin()
{
    if (m_busy++ == 0)
        Q_EMIT busyChanged();
}

void SyncService::end()
{
    if (--m_busy == 0)
        Q_EMIT busyChanged();
}

} // namespace arbor::sync
