#include "teamserversettings.h"

#include "async.h"

namespace arbor::app {

TeamServerSettings::TeamServerSettings(sync::SyncService *service, QObject *parent)
    : QObject(parent)
    , m_service(service)
{
    if (!m_service)
        return;
    connect(m_service, &sync::SyncService::statusChanged, this, &TeamServerSettings::statusChanged);
    connect(m_service, &sync::SyncService::configChanged, this, &TeamServerSettings::configChanged);
    connect(m_service, &sync::SyncService::busyChanged, this, &TeamServerSettings::busyChanged);
    connect(m_service, &sync::SyncService::keychainStatusChanged, this,
            &TeamServerSettings::keychainStatusChanged);
}

sync::SyncService::State TeamServerSettings::state() const
{
    return m_service ? m_service->state() : sync::SyncService::State::NotConfigured;
}

QString TeamServerSettings::stateText() const
{
    return m_service ? m_service->stateText() : tr("Not connected to a team server");
}

QString TeamServerSettings::errorText() const
{
    return m_service ? m_service->errorText() : QString();
}

int TeamServerSettings::pending() const
{
    return m_service ? m_service->pending() : 0;
}

bool TeamServerSettings::configured() const
{
    return m_service && m_service->configured();
}

QVariantMap TeamServerSettings::config() const
{
    const sync::TeamServerConfig c = m_service ? m_service->config() : sync::TeamServerConfig{};
    const sync::TeamServerConfig shown = c.isEmpty() ? sync::TeamServerConfig{} : c;
    return {{QStringLiteral("host"), shown.host},
            {QStringLiteral("port"), shown.port},
            {QStringLiteral("database"), shown.database},
            {QStringLiteral("user"), shown.user},
            {QStringLiteral("sslmode"), shown.sslmode}};
}

bool TeamServerSettings::busy() const
{
    return m_service && m_service->busy();
}

bool TeamServerSettings::keychainAvailable() const
{
    return !m_service || m_service->keychainAvailable();
}

QString TeamServerSettings::keychainProblem() const
{
    return m_service ? m_service->keychainProblem() : QString();
}

bool TeamServerSettings::passwordInMemory() const
{
    return m_service && m_service->passwordInMemory();
}

QString TeamServerSettings::validate(const QString &host, int port, const QString &database,
                                     const QString &user, const QString &sslmode) const
{
    return sync::TeamServerConfig{host, port, database, user, sslmode}.validate();
}

QString TeamServerSettings::dsnFor(const QString &host, int port, const QString &database,
                                   const QString &user, const QString &sslmode) const
{
    return sync::TeamServerConfig{host, port, database, user, sslmode}.dsn();
}

void TeamServerSettings::connectToServer(const QString &host, int port, const QString &database,
                                         const QString &user, const QString &password,
                                         const QString &sslmode)
{
    if (!m_service) {
        Q_EMIT connectFinished(false, tr("Arbor's local store is not open, so it cannot sync."));
        return;
    }
    // An empty field keeps the password stored for this server and user (the field says so).
    whenDone(
        this,
        m_service->configure({host, port, database, user, sslmode},
                             password.isEmpty() ? std::nullopt : std::optional<QString>(password)),
        [this](const sync::SyncOutcome &outcome) {
            Q_EMIT connectFinished(outcome.ok, outcome.error);
        },
        [this](const QString &error) { Q_EMIT connectFinished(false, error); });
}

void TeamServerSettings::disconnectFromServer()
{
    if (!m_service || !m_service->configured())
        return;
    whenFailed(this, m_service->forget(), [](const QString &) {});
}

void TeamServerSettings::keepPasswordInMemory()
{
    if (m_service)
        m_service->keepPasswordInMemory();
}

void TeamServerSettings::refresh()
{
    if (m_service)
        m_service->probeKeychain();
}

} // namespace arbor::app
