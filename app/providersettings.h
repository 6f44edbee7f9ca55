#pragma once

#include "jobs/ratelimiter.h"

#include <QHash>
#include <QObject>
#include <QVariantList>
#include <QtQml/qqml.h>

namespace arbor::core {
class Backend;
}

namespace arbor::app {

/**
 * @brief What the Settings dialog binds to: the configured providers (add, edit, remove, test),
 * their job queue limits, the default model, local servers found on this computer, and whether
 * API keys can go to the system keychain. An adapter over providers::ProviderService. GUI thread
 * only; every action answers through a signal.
 */
class ProviderSettings : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Use App.providerSettings")
    /** @brief [{id, name, kind, baseUrl, headers ("Name: value" lines), models (one per line),
     * hasKey, modelCount, concurrency, requestsPerMinute, tokensPerMinute}]; the last three are the
     * provider's job queue limits (0 = no limit). */
    Q_PROPERTY(QVariantList providers READ providers NOTIFY providersChanged)
    /** @brief [{key, label, kind, baseUrl, needsKey, local}] in the order the dialog offers them.
     */
    Q_PROPERTY(QVariantList presets READ presets CONSTANT)
    /** @brief Local servers that answered: [{name, kind, baseUrl, models, added}]. */
    Q_PROPERTY(QVariantList discovered READ discovered NOTIFY discoveredChanged)
    Q_PROPERTY(bool discovering READ discovering NOTIFY discoveredChanged)
    /** @brief What the start-up banner offers: the discovered servers not configured yet and not
     *  dismissed, [{index (into discovered), name, kind, baseUrl, address, models}]. */
    Q_PROPERTY(QVariantList offers READ offers NOTIFY discoveredChanged)
    /** @brief False once the system keychain answered that it does not exist, is locked or
     *  refused access (then the dialog offers keepKeysInMemory()). */
    Q_PROPERTY(bool keychainAvailable READ keychainAvailable NOTIFY keychainStatusChanged)
    /** @brief Why the keychain cannot take keys, for a person; empty while it can. */
    Q_PROPERTY(QString keychainProblem READ keychainProblem NOTIFY keychainStatusChanged)
    /** @brief True after the user chose keepKeysInMemory(). */
    Q_PROPERTY(bool keysInMemory READ keysInMemory NOTIFY keychainStatusChanged)
    Q_PROPERTY(
        QString defaultModel READ defaultModel WRITE setDefaultModel NOTIFY defaultModelChanged)
    /** @brief A save, removal or test is under way. */
    Q_PROPERTY(bool busy READ busy NOTIFY busyChanged)

public:
    /** @param backend nullptr when the store could not be opened (everything is then inert). */
    explicit ProviderSettings(core::Backend *backend, QObject *parent = nullptr);

    QVariantList providers() const;
    QVariantList presets() const;
    QVariantList discovered() const { return m_discovered; }
    bool discovering() const { return m_discovering; }
    QVariantList offers() const;
    bool keychainAvailable() const;
    bool keysInMemory() const;
    QString keychainProblem() const;
    QString defaultModel() const;
    void setDefaultModel(const QString &modelKey);
    bool busy() const { return m_busy > 0; }

    /** @brief Called when the dialog opens: asks the keychain whether it exists, looks again
     *  for local servers. */
    Q_INVOKABLE void refresh();
    /**
     * @brief Adds (empty @p id) or updates a provider. @p apiKey is written to the keychain when
     * @p keyChanged (an empty key removes it). @p concurrency, @p requestsPerMinute and
     * @p tokensPerMinute are the limits of the provider's job queue (< 0 = unchanged, 0 = no
     * limit), stored like `arbord jobs limit` does. Answers with saved().
     */
    Q_INVOKABLE void save(const QString &id, const QString &kind, const QString &name,
                          const QString &baseUrl, const QString &headers, const QString &models,
                          const QString &apiKey, bool keyChanged, int concurrency = -1,
                          qint64 requestsPerMinute = -1, qint64 tokensPerMinute = -1);
    /** @brief Sets the job queue limits of provider @p id alone (< 0 = unchanged, 0 = no limit);
     *  answers with saved(). */
    Q_INVOKABLE void setLimits(const QString &id, int concurrency, qint64 requestsPerMinute,
                               qint64 tokensPerMinute);
    Q_INVOKABLE void remove(const QString &id);
    /** @brief Lists the models of the settings as typed (empty key: the stored one of @p id);
     *  answers with tested(). */
    Q_INVOKABLE void testConnection(const QString &id, const QString &kind, const QString &baseUrl,
                                    const QString &headers, const QString &apiKey);
    /** @brief The user's choice when the keychain is missing, locked or refuses: keys stay in
     *  memory until Arbor quits. */
    Q_INVOKABLE void keepKeysInMemory();
    /** @brief Looks on 127.0.0.1 for Ollama, LM Studio, llama.cpp, Jan and vLLM. */
    Q_INVOKABLE void discover();
    /** @brief Adds the discovered server at @p index as a provider with the models it listed. */
    Q_INVOKABLE void addDiscovered(int index);
    /** @brief "Not now": the banner stops offering the servers it shows, for this session. */
    Q_INVOKABLE void dismissOffers();

Q_SIGNALS:
    void providersChanged();
    void discoveredChanged();
    void keychainStatusChanged();
    void defaultModelChanged();
    void busyChanged();
    /** @brief The answer to save()/remove()/addDiscovered(): @p error is for a person. */
    void saved(bool ok, const QString &error);
    /** @brief The answer to testConnection(). */
    void tested(bool ok, const QString &message, const QStringList &models);

private:
    void begin();
    void end();
    void markAdded();
    void loadLimits();

    core::Backend *m_backend;
    QHash<QString, jobs::QueueSettings> m_limits; ///< job_queues rows, by queue (= provider id)
    int m_limitsSaved = 0; ///< saves applied to m_limits: a read older than one is read again
    QVariantList m_discovered;
    bool m_discovering = false;
    QStringList m_dismissed; ///< base URLs the user said "not now" to
    int m_busy = 0;
    quint64 m_test = 0; ///< the newest connection test: an older one's answer is not shown
};

} // namespace arbor::app
