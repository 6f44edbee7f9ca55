#pragma once

#include "provider.h"

#include <QHash>
#include <QReadWriteLock>

#include <memory>

namespace arbor::llm {

/** @brief A model as the pickers show it: "provider/model". */
struct ModelEntry
{
    QString key; ///< "providerId/modelId"
    QString providerId;
    QString modelId;
    QString displayName;
    QString providerName;
    bool isDemo = false;
};

/** @brief The configured providers, by id. Thread-safe. */
class ProviderRegistry
{
public:
    /** @brief Adds @p provider, replacing one with the same id. */
    void add(std::shared_ptr<Provider> provider);
    /** @brief Removes the provider @p id; false if there was none. */
    bool remove(const QString &id);
    std::shared_ptr<Provider> get(const QString &id) const;
    QList<ModelEntry> models() const;
    /** @brief Splits "provider/model" (model ids may contain '/'). */
    static std::pair<QString, QString> splitKey(const QString &key);

private:
    mutable QReadWriteLock m_lock;
    QList<std::shared_ptr<Provider>> m_providers;
};

} // namespace arbor::llm
