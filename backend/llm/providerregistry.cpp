#include "providerregistry.h"

namespace arbor::llm {

void ProviderRegistry::add(std::shared_ptr<Provider> provider)
{
    QWriteLocker lock(&m_lock);
    for (auto &p : m_providers) {
        if (p->id() == provider->id()) {
            p = std::move(provider);
            return;
        }
    }
    m_providers.append(std::move(provider));
}

bool ProviderRegistry::remove(const QString &id)
{
    QWriteLocker lock(&m_lock);
    return m_providers.removeIf([&](const std::shared_ptr<Provider> &p) { return p->id() == id; })
        > 0;
}

std::shared_ptr<Provider> ProviderRegistry::get(const QString &id) const
{
    QReadLocker lock(&m_lock);
    for (const auto &p : m_providers)
        if (p->id() == id)
            return p;
    return nullptr;
}

QList<ModelEntry> ProviderRegistry::models() const
{
    QReadLocker lock(&m_lock);
    QList<ModelEntry> out;
    for (const auto &p : m_providers) {
        for (const ModelInfo &m : p->models())
            out.append(ModelEntry{p->id() + QLatin1Char('/') + m.id, p->id(), m.id, m.displayName,
                                  p->displayName(), p->isDemo()});
    }
    return out;
}

std::pair<QString, QString> ProviderRegistry::splitKey(const QString &key)
{
    const qsizetype slash = key.indexOf(QLatin1Char('/'));
    if (slash < 0)
        return {key, QString()};
    return {key.left(slash), key.mid(slash + 1)};
}

} // namespace arbor::llm
