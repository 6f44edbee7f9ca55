#pragma once

#include "secretstore.h"

#include <QHash>
#include <QMutex>

namespace arbor::secrets {

/** @brief Keys held in this process only, forgotten at exit. Used only when the user chose it. */
class MemorySecretStore final : public SecretStore
{
public:
    bool persistent() const override { return false; }
    QString label() const override;
    QFuture<SecretResult> read(const QString &account) override;
    QFuture<SecretResult> write(const QString &account, const QString &secret) override;
    QFuture<SecretResult> remove(const QString &account) override;

private:
    mutable QMutex m_mutex;
    QHash<QString, QString> m_secrets;
};

} // namespace arbor::secrets
