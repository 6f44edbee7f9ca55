#include "providerservice.h"

#include "core/whenready.h"
#include "domain/ids.h"
#include "jobs/jobsservice.h"
#include "llm/providerregistry.h"
#include "secrets/memorysecretstore.h"
#include "secrets/secretstore.h"
#include "store/store.h"

#include <QLoggingCategory>
#include <QPromise>
#include <QRegularExpression>

Q_LOGGING_CATEGORY(lcProviders, "arbor.providers", QtInfoMsg)

namespace arbor::providers {

using llm::ChatError;
using llm::createProvider;
using llm::defaultBaseUrl;
using llm::ModelList;
using llm::ProviderConfig;
using llm::providerKinds;
using llm::ProviderRegistry;

namespace {

using secrets::SecretResult;

const QString StoreIdKey = QStringLiteral("store_id");

struct Loaded
{
    QList<StoredProvider> configs;
    QString storeId;
    QString defaultModel;
};

template<class T>
QFuture<T> ready(T value)
{
    return QtFuture::makeReadyFuture(std::move(value));
}

QString exceptionText(std::exception_ptr e)
{
    try {
        std::rethrow_exception(std::move(e));
    } catch (const std::exception &ex) {
        return QString::fromUtf8(ex.what());
    } catch (...) {
        return QStringLiteral("unknown error");
    }
}

} // namespace

ProviderService::ProviderService(store::Store &store, ProviderRegistry &registry,
                                 std::unique_ptr<secrets::SecretStore> keychain,
                                 jobs::JobsService *jobs, QObject *parent)
    : QObject(parent)
    , m_store(store)
    , m_registry(registry)
    , m_jobs(jobs)
    , m_keychain(std::move(keychain))
{
}

ProviderService::~ProviderService() = default;

secrets::SecretStore &ProviderService::secrets()
{
    return m_inMemory ? *m_memory : *m_keychain;
}

QString ProviderService::account(const QString &id) const
{
    return QStringLiteral("provider/%1/%2").arg(m_storeId, id);
}

std::optional<StoredProvider> ProviderService::config(const QString &id) const
{
    for (const auto &c : m_configs)
        if (c.id == id)
            return c;
    return std::nullopt;
}

QString ProviderService::makeId(const QString &name) const
{
    QString base;
    for (const QChar c : name.trimmed().toLower()) {
        if ((c >= u'a' && c <= u'z') || (c >= u'0' && c <= u'9'))
            base += c;
        else if (!base.isEmpty() && !base.endsWith(QLatin1Char('-')))
            base += QLatin1Char('-');
    }
    while (base.endsWith(QLatin1Char('-')))
        base.chop(1);
    if (base.isEmpty())
        base = QStringLiteral("provider");
    // "demo" belongs to the built-in demo provider.
    QString id = base;
    for (int n = 2; config(id) || id == u"demo"; ++n)
        id = QStringLiteral("%1-%2").arg(base).arg(n);
    return id;
}

ProviderConfig ProviderService::toConfig(const StoredProvider &stored, const QString &key) const
{
    ProviderConfig c;
    c.id = stored.id;
    c.kind = stored.kind;
    c.name = stored.name;
    c.baseUrl = stored.baseUrl;
    c.headers = stored.headers;
    c.apiKey = key;
    c.models = stored.models;
    for (const QString &extra : m_extraModels.value(stored.id))
        if (!c.models.contains(extra))
            c.models.append(extra);
    return c;
}

void ProviderService::registerProvider(const StoredProvider &stored)
{
    if (!stored.enabled) {
        m_registry.remove(stored.id);
        return;
    }
    auto provider = createProvider(toConfig(stored, m_keys.value(stored.id)));
    if (!provider) {
        qCWarning(lcProviders) << "provider" << stored.id << "has an unknown kind" << stored.kind;
        m_registry.remove(stored.id);
        return;
    }
    m_registry.add(std::move(provider));
}

void ProviderService::noteUnavailable(const QString &message)
{
    if (!m_keychainAvailable)
        return;
    qCWarning(lcProviders).noquote() << message;
    m_keychainAvailable = false;
    m_keychainProblem = message;
    Q_EMIT keychainStatusChanged();
}

void ProviderService::noteRefused(const QString &message)
{
    if (!m_keychainAvailable && m_keychainProblem == message)
        return;
    qCWarning(lcProviders).noquote() << message;
    m_keychainAvailable = false;
    m_keychainRefused = true;
    m_keychainProblem = message;
    Q_EMIT keychainStatusChanged();
}

void ProviderService::noteKeychainWorks()
{
    if (m_keychainAvailable)
        return;
    m_keychainAvailable = true;
    m_keychainRefused = false;
    m_keychainProblem.clear();
    Q_EMIT keychainStatusChanged();
}

QFuture<void> ProviderService::load()
{
    auto promise = std::make_shared<QPromise<void>>();
    promise->start();
    QFuture<void> done = promise->future();
    const Loaded loaded = m_store
                              .write([](QSqlDatabase &db) {
                                  Loaded l;
                                  l.configs = store::providers::list(db);
                                  l.storeId = store::providers::setting(db, StoreIdKey);
                                  if (l.storeId.isEmpty()) {
                                      l.storeId = domain::newId();
                                      store::providers::setSetting(db, StoreIdKey, l.storeId);
                                  }
                                  l.defaultModel = store::providers::setting(
                                      db, QString::fromLatin1(store::providers::DefaultModelKey));
                                  return l;
                              })
                              .result(); // start-up only: a handful of rows
    m_configs = loaded.configs;
    m_storeId = loaded.storeId;
    m_defaultModel = loaded.defaultModel;

    auto finish = [this, promise] {
        for (const auto &c : std::as_const(m_configs))
            registerProvider(c);
        m_loaded = true;
        Q_EMIT providersChanged();
        Q_EMIT defaultModelChanged();
        promise->finish();
    };
    if (m_configs.isEmpty()) {
        finish();
        return done;
    }
    // One read per provider; the keychain runs them one at a time. Set the counter first: a
    // future that is already finished may run its continuation at once.
    auto remaining = std::make_shared<qsizetype>(m_configs.size());
    const auto configs = m_configs;
    for (const auto &c : configs) {
        auto pending = secrets().read(account(c.id));
        core::whenReady(
            this, pending, [this, id = c.id, remaining, finish](QFuture<SecretResult> f) {
                const SecretResult r = f.result();
                if (r.ok())
                    m_keys.insert(id, r.secret);
                else if (r.status == SecretResult::Status::Unavailable)
                    noteUnavailable(r.message);
                else if (r.status == SecretResult::Status::Denied)
                    noteRefused(r.message); // the key stays unknown; Settings offers memory instead
                else if (r.status == SecretResult::Status::Failed)
                    qCWarning(lcProviders).noquote()
                        << "the key of provider" << id << "could not be read:" << r.message;
                if (--*remaining == 0)
                    finish();
            });
    }
    return done;
}

QFuture<SettingsOutcome> ProviderService::save(StoredProvider cfg, std::optional<QString> apiKey)
{
    cfg.name = cfg.name.trimmed();
    if (cfg.name.isEmpty())
        return ready(SettingsOutcome::failure(QStringLiteral("Give the provider a name.")));
    if (!providerKinds().contains(cfg.kind))
        return ready(
            SettingsOutcome::failure(QStringLiteral("Unknown provider kind “%1”.").arg(cfg.kind)));
    if (cfg.id.isEmpty())
        cfg.id = makeId(cfg.name);
    if (cfg.id.contains(QLatin1Char('/')) || cfg.id == u"demo")
        return ready(SettingsOutcome::failure(
            QStringLiteral("“%1” cannot be used as a provider id.").arg(cfg.id)));
    if (cfg.baseUrl.isEmpty())
        cfg.baseUrl = defaultBaseUrl(cfg.kind);
    if (!cfg.baseUrl.isValid() || cfg.baseUrl.scheme().isEmpty())
        return ready(SettingsOutcome::failure(
            QStringLiteral("“%1” is not a valid URL.").arg(cfg.baseUrl.toString())));

    auto promise = std::make_shared<QPromise<SettingsOutcome>>();
    promise->start();
    QFuture<SettingsOutcome> done = promise->future();

    auto saveRow = [this, cfg, apiKey, promise] {
        auto pending = m_store.write([cfg](QSqlDatabase &db) {
            store::providers::upsert(db, cfg);
            return *store::providers::get(db, cfg.id);
        });
        core::whenReady(this, pending, [this, apiKey, promise](QFuture<StoredProvider> f) {
            StoredProvider saved;
            try {
                saved = f.result();
            } catch (...) {
                promise->addResult(
                    SettingsOutcome::failure(exceptionText(std::current_exception())));
                promise->finish();
                return;
            }
            if (apiKey) {
                if (apiKey->isEmpty())
                    m_keys.remove(saved.id);
                else
                    m_keys.insert(saved.id, *apiKey);
            }
            bool replaced = false;
            for (auto &c : m_configs) {
                if (c.id == saved.id) {
                    c = saved;
                    replaced = true;
                }
            }
            if (!replaced)
                m_configs.append(saved);
            registerProvider(saved);
            Q_EMIT providersChanged();
            promise->addResult(SettingsOutcome::success(saved.id));
            promise->finish();
        });
    };
    if (!apiKey) {
        saveRow();
        return done;
    }
    // A locked or refusing keychain is asked again: the user may have unlocked it since.
    if (!apiKey->isEmpty() && !m_keychainAvailable && !m_keychainRefused && !m_inMemory)
        return ready(SettingsOutcome::failure(
            QStringLiteral("No system keychain is available, so the API key cannot be stored.")));
    // The key first: a provider is never saved pointing at a key that was not stored.
    const bool writing = !apiKey->isEmpty();
    const bool toKeychain = !m_inMemory;
    auto op =
        writing ? secrets().write(account(cfg.id), *apiKey) : secrets().remove(account(cfg.id));
    core::whenReady(
        this, op, [this, promise, saveRow, writing, toKeychain](QFuture<SecretResult> f) {
            const SecretResult r = f.result();
            if (!r.ok()) {
                QString text = r.message;
                if (r.status == SecretResult::Status::Unavailable) {
                    noteUnavailable(r.message);
                    text = QStringLiteral(
                        "No system keychain is available, so the API key cannot be stored.");
                } else if (writing && toKeychain) {
                    noteRefused(r.message);
                    text = QStringLiteral("The API key was not saved: %1").arg(r.message);
                }
                promise->addResult(SettingsOutcome::failure(text));
                promise->finish();
                return;
            }
            if (writing && toKeychain)
                noteKeychainWorks();
            saveRow();
        });
    return done;
}

QFuture<SettingsOutcome> ProviderService::save(StoredProvider cfg, std::optional<QString> apiKey,
                                               QueueLimits limits)
{
    QFuture<SettingsOutcome> saved = save(std::move(cfg), std::move(apiKey));
    if (!limits.any())
        return saved;
    auto promise = std::make_shared<QPromise<SettingsOutcome>>();
    promise->start();
    QFuture<SettingsOutcome> done = promise->future();
    core::thenReady(this, saved, [this, promise, limits](SettingsOutcome outcome) {
        if (!outcome.ok) {
            promise->addResult(outcome);
            promise->finish();
            return;
        }
        core::whenReady(this, setLimits(outcome.id, limits),
                        [promise, outcome](QFuture<jobs::QueueSettings> f) {
                            try {
                                f.waitForFinished();
                                promise->addResult(outcome);
                            } catch (...) {
                                promise->addResult(SettingsOutcome::failure(
                                    QStringLiteral("The limits were not saved: %1")
                                        .arg(exceptionText(std::current_exception())),
                                    outcome.id));
                            }
                            promise->finish();
                        });
    });
    return done;
}

QFuture<jobs::QueueSettings> ProviderService::setLimits(const QString &id, QueueLimits limits)
{
    if (!m_jobs)
        return QtFuture::makeExceptionalFuture<jobs::QueueSettings>(
            std::make_exception_ptr(store::StoreError(QStringLiteral("No job queues here."))));
    return m_jobs->setLimits(id, limits.concurrency, limits.requestsPerMinute,
                             limits.tokensPerMinute);
}

QFuture<QHash<QString, jobs::QueueSettings>> ProviderService::limits()
{
    if (!m_jobs)
        return ready(QHash<QString, jobs::QueueSettings>());
    return core::thenReady(this, m_jobs->queueSettings(),
                           [](const QList<jobs::QueueSettings> &list) {
                               QHash<QString, jobs::QueueSettings> byQueue;
                               for (const jobs::QueueSettings &s : list)
                                   byQueue.insert(s.name, s);
                               return byQueue;
                           });
}

QHash<QString, QString> ProviderService::headersFromText(const QString &text)
{
    QHash<QString, QString> headers;
    for (const QString &line : text.split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
        const qsizetype colon = line.indexOf(QLatin1Char(':'));
        if (colon > 0)
            headers.insert(line.left(colon).trimmed(), line.mid(colon + 1).trimmed());
    }
    return headers;
}

QStringList ProviderService::modelsFromText(const QString &text)
{
    static const QRegularExpression separators(QStringLiteral("[\\n,]"));
    QStringList models;
    for (const QString &part : text.split(separators, Qt::SkipEmptyParts)) {
        const QString m = part.trimmed();
        if (!m.isEmpty() && !models.contains(m))
            models.append(m);
    }
    return models;
}

QFuture<SettingsOutcome> ProviderService::remove(const QString &id)
{
    auto promise = std::make_shared<QPromise<SettingsOutcome>>();
    promise->start();
    QFuture<SettingsOutcome> done = promise->future();
    const bool clearDefault = ProviderRegistry::splitKey(m_defaultModel).first == id;
    auto pending = m_store.write([id, clearDefault](QSqlDatabase &db) {
        const bool removed = store::providers::remove(db, id);
        if (removed && clearDefault)
            store::providers::setSetting(db, QString::fromLatin1(store::providers::DefaultModelKey),
                                         {});
        return removed;
    });
    core::whenReady(this, pending, [this, id, promise, clearDefault](QFuture<bool> f) {
        bool removed = false;
        try {
            removed = f.result();
        } catch (...) {
            promise->addResult(SettingsOutcome::failure(exceptionText(std::current_exception())));
            promise->finish();
            return;
        }
        if (!removed) {
            promise->addResult(
                SettingsOutcome::failure(QStringLiteral("No provider “%1”.").arg(id)));
            promise->finish();
            return;
        }
        m_configs.removeIf([&](const StoredProvider &c) { return c.id == id; });
        m_keys.remove(id);
        m_extraModels.remove(id);
        m_registry.remove(id);
        if (clearDefault) {
            m_defaultModel.clear();
            Q_EMIT defaultModelChanged();
        }
        Q_EMIT providersChanged();
        core::whenReady(
            this, secrets().remove(account(id)), [this, promise](QFuture<SecretResult> k) {
                const SecretResult r = k.result();
                if (r.status == SecretResult::Status::Unavailable)
                    noteUnavailable(r.message);
                // With no keychain there is no key to remove; a refusal is worth telling.
                if (r.status == SecretResult::Status::Denied
                    || r.status == SecretResult::Status::Failed)
                    promise->addResult(SettingsOutcome::failure(
                        QStringLiteral(
                            "The provider was removed, but its key is still in the keychain: %1")
                            .arg(r.message)));
                else
                    promise->addResult(SettingsOutcome::success());
                promise->finish();
            });
    });
    return done;
}

QFuture<ModelList> ProviderService::testConnection(const StoredProvider &stored,
                                                   const QString &apiKey)
{
    StoredProvider cfg = stored;
    if (cfg.baseUrl.isEmpty())
        cfg.baseUrl = defaultBaseUrl(cfg.kind);
    auto provider = createProvider(toConfig(cfg, apiKey.isEmpty() ? m_keys.value(cfg.id) : apiKey));
    if (!provider) {
        ChatError e;
        e.kind = ChatError::Kind::BadRequest;
        e.message = QStringLiteral("Unknown provider kind “%1”.").arg(cfg.kind);
        return ready(ModelList{{}, e});
    }
    // The provider must outlive its listing.
    return core::thenReady(this, provider->listModels(),
                           [provider](QFuture<ModelList> f) { return f.result(); });
}

QFuture<ModelList> ProviderService::listModels(const QString &id)
{
    const auto cfg = config(id);
    if (!cfg) {
        ChatError e;
        e.kind = ChatError::Kind::NotFound;
        e.message = QStringLiteral("No provider “%1”.").arg(id);
        return ready(ModelList{{}, e});
    }
    return testConnection(*cfg, {});
}

bool ProviderService::ensureModel(const QString &id, const QString &modelId)
{
    const auto cfg = config(id);
    if (!cfg || modelId.isEmpty())
        return false;
    if (!cfg->models.contains(modelId) && !m_extraModels.value(id).contains(modelId)) {
        m_extraModels[id].append(modelId);
        registerProvider(*cfg);
        Q_EMIT providersChanged();
    }
    return true;
}

QFuture<SettingsOutcome> ProviderService::setDefaultModel(const QString &modelKey)
{
    auto pending = m_store.write([modelKey](QSqlDatabase &db) {
        store::providers::setSetting(db, QString::fromLatin1(store::providers::DefaultModelKey),
                                     modelKey);
    });
    return core::thenReady(this, pending, [this, modelKey](QFuture<void> f) {
        try {
            f.waitForFinished();
        } catch (...) {
            return SettingsOutcome::failure(exceptionText(std::current_exception()));
        }
        if (m_defaultModel != modelKey) {
            m_defaultModel = modelKey;
            Q_EMIT defaultModelChanged();
        }
        return SettingsOutcome::success();
    });
}

void ProviderService::useMemorySecrets()
{
    if (m_inMemory)
        return;
    m_memory = std::make_unique<secrets::MemorySecretStore>();
    m_inMemory = true;
    qCInfo(lcProviders) << "API keys are kept in memory until Arbor quits, at the user's request";
    Q_EMIT keychainStatusChanged();
}

QFuture<bool> ProviderService::probeKeychain()
{
    // An account nobody writes: EntryNotFound means the keychain is there.
    return core::thenReady(this, m_keychain->read(QStringLiteral("probe/%1").arg(m_storeId)),
                           [this](QFuture<SecretResult> f) {
                               const SecretResult r = f.result();
                               if (r.status == SecretResult::Status::Unavailable) {
                                   noteUnavailable(r.message);
                                   return false;
                               }
                               if (r.status == SecretResult::Status::Denied
                                   || r.status == SecretResult::Status::Failed) {
                                   noteRefused(r.message);
                                   return false;
                               }
                               // A locked Secret Service collection answers a read of a missing
                               // entry as "not found" too, so only a later successful write clears
                               // a refusal.
                               if (!m_keychainRefused)
                                   noteKeychainWorks();
                               return true;
                           });
}

} // namespace arbor::providers
