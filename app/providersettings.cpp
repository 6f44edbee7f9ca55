#include "providersettings.h"

#include "async.h"

#include "core/backend.h"
#include "llm/localdiscovery.h"
#include "llm/providerpresets.h"
#include "providers/providerservice.h"

#include <QHash>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcProviderSettings, "arbor.app.providers", QtInfoMsg)

namespace arbor::app {

namespace {

using providers::ProviderService;
using providers::StoredProvider;

StoredProvider fromFields(const QString &id, const QString &kind, const QString &name,
                          const QString &baseUrl, const QString &headers)
{
    StoredProvider p;
    p.id = id;
    p.kind = kind;
    p.name = name;
    p.baseUrl = QUrl(baseUrl.trimmed(), QUrl::StrictMode);
    p.headers = ProviderService::headersFromText(headers);
    return p;
}

} // namespace

ProviderSettings::ProviderSettings(core::Backend *backend, QObject *parent)
    : QObject(parent)
    , m_backend(backend)
{
    if (!m_backend)
        return;
    auto &service = m_backend->providerService();
    connect(&service, &ProviderService::providersChanged, this, [this] {
        markAdded();
        Q_EMIT providersChanged();
    });
    connect(&service, &ProviderService::keychainStatusChanged, this,
            &ProviderSettings::keychainStatusChanged);
    connect(&service, &ProviderService::defaultModelChanged, this,
            &ProviderSettings::defaultModelChanged);
    // DESIGN §4: on start, look for local servers (loopback only, short timeouts, off this thread).
    discover();
    loadLimits();
}

QVariantList ProviderSettings::providers() const
{
    QVariantList out;
    if (!m_backend)
        return out;
    const auto &service = m_backend->providerService();
    for (const auto &p : service.configs()) {
        QStringList headerLines;
        for (auto it = p.headers.cbegin(); it != p.headers.cend(); ++it)
            headerLines.append(it.key() + QStringLiteral(": ") + it.value());
        headerLines.sort();
        out.append(QVariantMap{
            {QStringLiteral("id"), p.id},
            {QStringLiteral("name"), p.name},
            {QStringLiteral("kind"), p.kind},
            {QStringLiteral("baseUrl"), p.baseUrl.toString()},
            {QStringLiteral("headers"), headerLines.join(QLatin1Char('\n'))},
            {QStringLiteral("models"), p.models.join(QLatin1Char('\n'))},
            {QStringLiteral("modelCount"), p.models.size()},
            {QStringLiteral("hasKey"), service.hasKey(p.id)},
            {QStringLiteral("concurrency"), m_limits.value(p.id).concurrency},
            {QStringLiteral("requestsPerMinute"), m_limits.value(p.id).requestsPerMinute},
            {QStringLiteral("tokensPerMinute"), m_limits.value(p.id).tokensPerMinute}});
    }
    return out;
}

QVariantList ProviderSettings::presets() const
{
    QVariantList out;
    for (const auto &p : llm::providerPresets())
        out.append(QVariantMap{{QStringLiteral("key"), p.key},
                               {QStringLiteral("label"), p.label},
                               {QStringLiteral("kind"), p.kind},
                               {QStringLiteral("baseUrl"), p.baseUrl.toString()},
                               {QStringLiteral("needsKey"), p.needsKey},
                               {QStringLiteral("local"), p.local}});
    return out;
}

bool ProviderSettings::keychainAvailable() const
{
    return !m_backend || m_backend->providerService().keychainAvailable();
}

bool ProviderSettings::keysInMemory() const
{
    return m_backend && m_backend->providerService().secretsInMemory();
}

QString ProviderSettings::keychainProblem() const
{
    return m_backend ? m_backend->providerService().keychainProblem() : QString();
}

QString ProviderSettings::defaultModel() const
{
    return m_backend ? m_backend->providerService().defaultModel() : QString();
}

void ProviderSettings::setDefaultModel(const QString &modelKey)
{
    if (!m_backend || modelKey == defaultModel())
        return;
    begin();
    whenDone(
        this, m_backend->providerService().setDefaultModel(modelKey),
        [this](const providers::SettingsOutcome &r) {
            end();
            if (!r.ok)
                Q_EMIT saved(false, r.error);
        },
        [this](const QString &error) {
            end();
            Q_EMIT saved(false, error);
        });
}

void ProviderSettings::begin()
{
    if (m_busy++ == 0)
        Q_EMIT busyChanged();
}

void ProviderSettings::end()
{
    if (--m_busy == 0)
        Q_EMIT busyChanged();
}

void ProviderSettings::refresh()
{
    if (!m_backend)
        return;
    m_backend->providerService().probeKeychain();
    discover();
    loadLimits();
}

void ProviderSettings::loadLimits()
{
    if (!m_backend)
        return;
    whenDone(
        this, m_backend->providerService().limits(),
        [this, savedBefore = m_limitsSaved](const QHash<QString, jobs::QueueSettings> &limits) {
            if (m_limitsSaved != savedBefore) {
                // A save landed while this read was under way, and the read may predate it.
                loadLimits();
                return;
            }
            m_limits = limits;
            Q_EMIT providersChanged();
        },
        [](const QString &error) {
            qCWarning(lcProviderSettings).noquote()
                << "reading the providers' limits failed:" << error;
        });
}

void ProviderSettings::setLimits(const QString &id, int concurrency, qint64 requestsPerMinute,
                                 qint64 tokensPerMinute)
{
    if (!m_backend || id.isEmpty())
        return;
    begin();
    whenDone(
        this,
        m_backend->providerService().setLimits(id,
                                               {concurrency, requestsPerMinute, tokensPerMinute}),
        [this](const jobs::QueueSettings &stored) {
            end();
            m_limits.insert(stored.name, stored);
            ++m_limitsSaved;
            Q_EMIT providersChanged();
            Q_EMIT saved(true, {});
        },
        [this](const QString &error) {
            end();
            Q_EMIT saved(false, tr("The limits were not saved: %1").arg(error));
        });
}

void ProviderSettings::save(const QString &id, const QString &kind, const QString &name,
                            const QString &baseUrl, const QString &headers, const QString &models,
                            const QString &apiKey, bool keyChanged, int concurrency,
                            qint64 requestsPerMinute, qint64 tokensPerMinute)
{
    if (!m_backend)
        return;
    ProviderService &service = m_backend->providerService();
    StoredProvider p = fromFields(id, kind, name, baseUrl, headers);
    p.models = ProviderService::modelsFromText(models);
    if (const auto existing = service.config(id))
        p.createdAt = existing->createdAt;
    const providers::QueueLimits limits{concurrency, requestsPerMinute, tokensPerMinute};
    begin();
    whenDone(
        this,
        service.save(p, keyChanged ? std::optional<QString>(apiKey.trimmed()) : std::nullopt,
                     limits),
        [this, limits](const providers::SettingsOutcome &r) {
            end();
            if (r.ok && limits.any()) {
                ++m_limitsSaved;
                loadLimits();
            }
            Q_EMIT saved(r.ok, r.error);
        },
        [this](const QString &error) {
            end();
            Q_EMIT saved(false, error);
        });
}

void ProviderSettings::remove(const QString &id)
{
    if (!m_backend)
        return;
    begin();
    whenDone(
        this, m_backend->providerService().remove(id),
        [this](const providers::SettingsOutcome &r) {
            end();
            Q_EMIT saved(r.ok, r.error);
        },
        [this](const QString &error) {
            end();
            Q_EMIT saved(false, error);
        });
}

void ProviderSettings::testConnection(const QString &id, const QString &kind,
                                      const QString &baseUrl, const QString &headers,
                                      const QString &apiKey)
{
    if (!m_backend)
        return;
    begin();
    // A test of fields since changed (a slow or dead address) may answer after the newest one:
    // only the newest one's answer is shown.
    const quint64 test = ++m_test;
    whenDone(
        this,
        m_backend->providerService().testConnection(
            fromFields(id, kind, QStringLiteral("test"), baseUrl, headers), apiKey.trimmed()),
        [this, test](const llm::ModelList &list) {
            end();
            if (test != m_test)
                return;
            if (list.error) {
                Q_EMIT tested(false, list.error->message, {});
                return;
            }
            QStringList ids;
            for (const auto &m : list.models)
                ids.append(m.id);
            Q_EMIT tested(
                true, tr("Connected: %n model(s).", nullptr, static_cast<int>(ids.size())), ids);
        },
        [this, test](const QString &error) {
            end();
            if (test == m_test)
                Q_EMIT tested(false, error, {});
        });
}

void ProviderSettings::keepKeysInMemory()
{
    if (m_backend)
        m_backend->providerService().useMemorySecrets();
}

void ProviderSettings::discover()
{
    if (!m_backend || m_discovering)
        return;
    m_discovering = true;
    Q_EMIT discoveredChanged();
    whenDone(
        this, llm::LocalDiscovery::discover(llm::LocalDiscovery::configuredCandidates()),
        [this](const QList<llm::LocalServer> &servers) {
            m_discovered.clear();
            for (const auto &s : servers)
                m_discovered.append(QVariantMap{{QStringLiteral("name"), s.name},
                                                {QStringLiteral("kind"), s.kind},
                                                {QStringLiteral("baseUrl"), s.baseUrl.toString()},
                                                {QStringLiteral("models"), s.models},
                                                {QStringLiteral("added"), false}});
            m_discovering = false;
            markAdded();
            Q_EMIT discoveredChanged();
        },
        [this](const QString &error) {
            qCWarning(lcProviderSettings).noquote() << "looking for local servers failed:" << error;
            m_discovering = false;
            Q_EMIT discoveredChanged();
        });
}

void ProviderSettings::markAdded()
{
    if (!m_backend)
        return;
    const auto configs = m_backend->providerService().configs();
    bool changed = false;
    for (QVariant &v : m_discovered) {
        QVariantMap m = v.toMap();
        bool added = false;
        const QUrl url(m.value(QStringLiteral("baseUrl")).toString());
        for (const auto &c : configs)
            added =
                added || c.baseUrl == url || llm::LocalDiscovery::sameLocalServer(c.baseUrl, url);
        if (m.value(QStringLiteral("added")).toBool() != added) {
            m.insert(QStringLiteral("added"), added);
            v = m;
            changed = true;
        }
    }
    if (changed)
        Q_EMIT discoveredChanged();
}

QVariantList ProviderSettings::offers() const
{
    QVariantList out;
    for (qsizetype i = 0; i < m_discovered.size(); ++i) {
        QVariantMap m = m_discovered.at(i).toMap();
        const QUrl url(m.value(QStringLiteral("baseUrl")).toString());
        if (m.value(QStringLiteral("added")).toBool() || m_dismissed.contains(url.toString()))
            continue;
        m.insert(QStringLiteral("index"), static_cast<int>(i));
        m.insert(QStringLiteral("address"),
                 QStringLiteral("%1:%2").arg(url.host()).arg(url.port()));
        out.append(m);
    }
    return out;
}

void ProviderSettings::dismissOffers()
{
    for (const QVariant &v : std::as_const(m_discovered))
        m_dismissed.append(v.toMap().value(QStringLiteral("baseUrl")).toString());
    Q_EMIT discoveredChanged();
}

void ProviderSettings::addDiscovered(int index)
{
    if (!m_backend || index < 0 || index >= m_discovered.size())
        return;
    const QVariantMap m = m_discovered.at(index).toMap();
    save({}, m.value(QStringLiteral("kind")).toString(), m.value(QStringLiteral("name")).toString(),
         m.value(QStringLiteral("baseUrl")).toString(), {},
         m.value(QStringLiteral("models")).toStringList().join(QLatin1Char('\n')), {}, false);
}

} // namespace arbor::app
