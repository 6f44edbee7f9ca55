#include "providersettings.h"

#include "core/backend.h"
#include "jobs/adminqueries.h"
#include "jobs/jobengine.h"
#include "llm/localdiscovery.h"
#include "llm/providerpresets.h"
#include "llm/providerservice.h"
#include "store/store.h"

#include <QHash>
#include <QLoggingCategory>
#include <QRegularExpression>
#include <QSet>

Q_LOGGING_CATEGORY(lcProviderSettings, "arbor.app.providers", QtInfoMsg)

namespace arbor::app {

namespace {

using store::providers::StoredProvider;

QHash<QString, QString> parseHeaders(const QString &text)
{
    QHash<QString, QString> headers;
    for (const QString &line : text.split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
        const qsizetype colon = line.indexOf(QLatin1Char(':'));
        if (colon > 0)
            headers.insert(line.left(colon).trimmed(), line.mid(colon + 1).trimmed());
    }
    return headers;
}

QStringList parseModels(const QString &text)
{
    QStringList models;
    for (const QString &part :
         text.split(QRegularExpression(QStringLiteral("[\\n,]")), Qt::SkipEmptyParts)) {
        const QString m = part.trimmed();
        if (!m.isEmpty() && !models.contains(m))
            models.append(m);
    }
    return models;
}

StoredProvider fromFields(const QString &id, const QString &kind, const QString &name,
                          const QString &baseUrl, const QString &headers)
{
    StoredProvider p;
    p.id = id;
    p.kind = kind;
    p.name = name;
    p.baseUrl = QUrl(baseUrl.trimmed(), QUrl::StrictMode);
    p.headers = parseHeaders(headers);
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
    connect(&service, &llm::ProviderService::providersChanged, this, [this] {
        markAdded();
        Q_EMIT providersChanged();
    });
    connect(&service, &llm::ProviderService::keychainStatusChanged, this,
            &ProviderSettings::keychainStatusChanged);
    connect(&service, &llm::ProviderService::defaultModelChanged, this,
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
    m_backend->providerService().setDefaultModel(modelKey).then(
        this, [this](QFuture<llm::SettingsOutcome> f) {
            end();
            const auto r = f.result();
            if (!r.ok)
                Q_EMIT saved(false, r.error);
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
    m_backend->store()
        .read([](QSqlDatabase &db) { return jobs::admin::queueSettings(db); })
        .then(this, [this, savedBefore = m_limitsSaved](QFuture<QList<jobs::QueueSettings>> f) {
            if (m_limitsSaved != savedBefore) {
                // A save landed while this read was under way, and the read may predate it.
                loadLimits();
                return;
            }
            try {
                m_limits.clear();
                for (const auto &s : f.result())
                    m_limits.insert(s.name, s);
            } catch (const std::exception &e) {
                qCWarning(lcProviderSettings)
                    << "reading the providers' limits failed:" << e.what();
                return;
            }
            Q_EMIT providersChanged();
        });
}

void ProviderSettings::setLimits(const QString &id, int concurrency, qint64 requestsPerMinute,
                                 qint64 tokensPerMinute)
{
    if (!m_backend || id.isEmpty())
        return;
    begin();
    saveLimits(id, concurrency, requestsPerMinute, tokensPerMinute);
}

void ProviderSettings::saveLimits(const QString &id, int concurrency, qint64 requestsPerMinute,
                                  qint64 tokensPerMinute)
{
    // The provider's chat jobs run on the queue named after its id (ChatService), so its limits
    // are that queue's: the same job_queues row `arbord jobs limit ID` writes.
    m_backend->engine()
        .setQueueLimits(id, concurrency, requestsPerMinute, tokensPerMinute)
        .then(this, [this](QFuture<jobs::QueueSettings> f) {
            end();
            try {
                const jobs::QueueSettings stored = f.result();
                m_limits.insert(stored.name, stored);
                ++m_limitsSaved;
            } catch (const std::exception &e) {
                Q_EMIT saved(false,
                             tr("The limits were not saved: %1").arg(QString::fromUtf8(e.what())));
                return;
            }
            Q_EMIT providersChanged();
            Q_EMIT saved(true, {});
        });
}

void ProviderSettings::save(const QString &id, const QString &kind, const QString &name,
                            const QString &baseUrl, const QString &headers, const QString &models,
                            const QString &apiKey, bool keyChanged, int concurrency,
                            qint64 requestsPerMinute, qint64 tokensPerMinute)
{
    if (!m_backend)
        return;
    StoredProvider p = fromFields(id, kind, name, baseUrl, headers);
    p.models = parseModels(models);
    if (const auto existing = m_backend->providerService().config(id))
        p.createdAt = existing->createdAt;
    // A new provider's id is made by the service; it is the one that was not there before.
    QSet<QString> before;
    for (const auto &c : m_backend->providerService().configs())
        before.insert(c.id);
    const bool withLimits = concurrency >= 0 || requestsPerMinute >= 0 || tokensPerMinute >= 0;
    begin();
    m_backend->providerService()
        .save(p, keyChanged ? std::optional<QString>(apiKey.trimmed()) : std::nullopt)
        .then(this,
              [this, id, before, withLimits, concurrency, requestsPerMinute,
               tokensPerMinute](QFuture<llm::SettingsOutcome> f) {
                  const auto r = f.result();
                  QString savedId = id;
                  for (const auto &c : m_backend->providerService().configs())
                      if (savedId.isEmpty() && !before.contains(c.id))
                          savedId = c.id;
                  if (!r.ok || !withLimits || savedId.isEmpty()) {
                      end();
                      Q_EMIT saved(r.ok, r.error);
                      return;
                  }
                  saveLimits(savedId, concurrency, requestsPerMinute, tokensPerMinute);
              });
}

void ProviderSettings::remove(const QString &id)
{
    if (!m_backend)
        return;
    begin();
    m_backend->providerService().remove(id).then(this, [this](QFuture<llm::SettingsOutcome> f) {
        end();
        const auto r = f.result();
        Q_EMIT saved(r.ok, r.error);
    });
}

void ProviderSettings::testConnection(const QString &id, const QString &kind,
                                      const QString &baseUrl, const QString &headers,
                                      const QString &apiKey)
{
    if (!m_backend)
        return;
    begin();
    m_backend->providerService()
        .testConnection(fromFields(id, kind, QStringLiteral("test"), baseUrl, headers),
                        apiKey.trimmed())
        .then(this, [this](QFuture<llm::ModelList> f) {
            end();
            const llm::ModelList list = f.result();
            if (list.error) {
                Q_EMIT tested(false, list.error->message, {});
                return;
            }
            QStringList ids;
            for (const auto &m : list.models)
                ids.append(m.id);
            Q_EMIT tested(
                true, tr("Connected: %n model(s).", nullptr, static_cast<int>(ids.size())), ids);
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
    llm::LocalDiscovery::discover(llm::LocalDiscovery::configuredCandidates())
        .then(this, [this](QFuture<QList<llm::LocalServer>> f) {
            m_discovered.clear();
            for (const auto &s : f.result())
                m_discovered.append(QVariantMap{{QStringLiteral("name"), s.name},
                                                {QStringLiteral("kind"), s.kind},
                                                {QStringLiteral("baseUrl"), s.baseUrl.toString()},
                                                {QStringLiteral("models"), s.models},
                                                {QStringLiteral("added"), false}});
            m_discovering = false;
            markAdded();
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
