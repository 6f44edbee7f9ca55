#pragma once

#include "jobs/ratelimiter.h"
#include "llm/provider.h"
#include "llm/providerfactory.h"
#include "store/providerqueries.h"

#include <QFuture>
#include <QHash>
#include <QObject>

#include <memory>
#include <optional>

namespace arbor::store {
class Store;
}
namespace arbor::secrets {
class SecretStore;
}

namespace arbor::llm {
class ProviderRegistry;
}
namespace arbor::jobs {
class JobsService;
}

namespace arbor::providers {

/** @brief A provider's settings as stored (no key). */
using StoredProvider = store::providers::StoredProvider;

/** @brief The answer of a settings change: ok, or a message for a person. */
struct SettingsOutcome
{
    bool ok = false;
    QString error;
    QString id; ///< save(): the provider saved (a new one's id is made from its name)

    static SettingsOutcome failure(QString error, QString id = {})
    {
        return {false, std::move(error), std::move(id)};
    }
    static SettingsOutcome success(QString id = {}) { return {true, {}, std::move(id)}; }
};

/** @brief A provider's job queue limits: each < 0 = unchanged, 0 = no limit. */
struct QueueLimits
{
    int concurrency = -1;
    qint64 requestsPerMinute = -1;
    qint64 tokensPerMinute = -1;

    bool any() const { return concurrency >= 0 || requestsPerMinute >= 0 || tokensPerMinute >= 0; }
};

/**
 * @brief The user's configured providers: their settings in the store, their API keys in the
 * OS keychain, and the live Provider objects in the ProviderRegistry. Lives on the main thread
 * (keychain jobs and provider listings are event-driven there); every call returns at once.
 *
 * With no keychain the service says so (keychainAvailable() false) and refuses to store keys,
 * until the user explicitly chooses useMemorySecrets(): then keys live in this process only.
 *
 * A provider's chat jobs run on the job queue named after its id (ChatService), so its limits
 * (concurrency, requests and tokens per minute) are that queue's: the row `arbord jobs limit ID`
 * writes, set here through the JobsService.
 */
class ProviderService : public QObject
{
    Q_OBJECT

public:
    /** @param keychain the persistent secret store (normally KeychainSecretStore).
     *  @param jobs where the providers' queue limits live; nullptr: limits are refused. */
    ProviderService(store::Store &store, llm::ProviderRegistry &registry,
                    std::unique_ptr<secrets::SecretStore> keychain,
                    jobs::JobsService *jobs = nullptr, QObject *parent = nullptr);
    ~ProviderService() override;

    /** @brief Reads the configured providers and their keys (one keychain job at a time) and
     *  registers them. The future finishes on this object's thread when all are registered. */
    QFuture<void> load();
    bool loaded() const { return m_loaded; }

    /** @brief The configured providers (no keys), as last loaded or saved. */
    QList<StoredProvider> configs() const { return m_configs; }
    std::optional<StoredProvider> config(const QString &id) const;
    /** @brief True if a key is known for @p id (the key itself never leaves this class but
     *  through the provider it configures). */
    bool hasKey(const QString &id) const { return !m_keys.value(id).isEmpty(); }

    /**
     * @brief Adds or replaces @p config. @p apiKey: nullopt keeps the stored key, "" removes it,
     * anything else is written to the secret store first; nothing is saved if that fails.
     * An empty config.id is made from the name.
     */
    QFuture<SettingsOutcome> save(StoredProvider config, std::optional<QString> apiKey);
    /** @brief save(), then the provider's queue limits when @p limits sets any; one answer. */
    QFuture<SettingsOutcome> save(StoredProvider config, std::optional<QString> apiKey,
                                  QueueLimits limits);
    /** @brief Sets the job queue limits of provider @p id; answers with what is stored. */
    QFuture<jobs::QueueSettings> setLimits(const QString &id, QueueLimits limits);
    /** @brief Every queue's stored limits, by queue name (= provider id). */
    QFuture<QHash<QString, jobs::QueueSettings>> limits();
    /** @brief Removes the provider, its key and its models from the pickers. */
    QFuture<SettingsOutcome> remove(const QString &id);
    /** @brief Lists the models of @p config as it would be saved ("Test connection"); an empty
     *  @p apiKey uses the stored key of config.id, if any. */
    QFuture<llm::ModelList> testConnection(const StoredProvider &config, const QString &apiKey);
    /** @brief Lists the models of the configured provider @p id from its endpoint. */
    QFuture<llm::ModelList> listModels(const QString &id);
    /** @brief Makes @p modelId pickable for provider @p id in this process (not saved). */
    bool ensureModel(const QString &id, const QString &modelId);

    QString defaultModel() const { return m_defaultModel; }
    QFuture<SettingsOutcome> setDefaultModel(const QString &modelKey);

    /** @brief False once the keychain answered that it does not exist, or (until a key is
     *  stored there again) that it is locked or refused access. */
    bool keychainAvailable() const { return m_keychainAvailable; }
    /** @brief Why the keychain cannot take keys, for a person; empty while it can. */
    QString keychainProblem() const { return m_keychainProblem; }
    /** @brief True after useMemorySecrets(). */
    bool secretsInMemory() const { return m_inMemory; }
    /** @brief The user's explicit choice when the keychain is missing, locked or refuses:
     *  keep keys until quit. */
    void useMemorySecrets();
    /** @brief Asks the keychain whether it exists (a read of an entry that is never written). */
    QFuture<bool> probeKeychain();

    /** @brief Headers from "Name: value" lines (lines without a colon are left out). */
    static QHash<QString, QString> headersFromText(const QString &text);
    /** @brief Model ids from one per line or a comma-separated list, trimmed, each once. */
    static QStringList modelsFromText(const QString &text);

    /** @brief A provider id made from @p name, unique among the configured ones. */
    QString makeId(const QString &name) const;
    /** @brief The keychain account of provider @p id: unique per store, so two stores on one
     *  machine never share an entry. */
    QString account(const QString &id) const;

Q_SIGNALS:
    /** @brief Providers or their models changed: pickers reread ProviderRegistry::models(). */
    void providersChanged();
    void defaultModelChanged();
    void keychainStatusChanged();

private:
    llm::ProviderConfig toConfig(const StoredProvider &stored, const QString &key) const;
    void registerProvider(const StoredProvider &stored);
    secrets::SecretStore &secrets();
    void noteUnavailable(const QString &message);
    /** @brief The keychain exists but would not store a key (locked, refused, failed). */
    void noteRefused(const QString &message);
    void noteKeychainWorks();

    store::Store &m_store;
    llm::ProviderRegistry &m_registry;
    jobs::JobsService *m_jobs;
    std::unique_ptr<secrets::SecretStore> m_keychain;
    std::unique_ptr<secrets::SecretStore> m_memory;
    QList<StoredProvider> m_configs;
    QHash<QString, QString> m_keys;
    QHash<QString, QStringList> m_extraModels;
    QString m_storeId;
    QString m_defaultModel;
    bool m_loaded = false;
    bool m_keychainAvailable = true;
    bool m_keychainRefused = false; ///< it exists but said no: a probe read cannot tell it is fixed
    QString m_keychainProblem;
    bool m_inMemory = false;
};

} // namespace arbor::providers
