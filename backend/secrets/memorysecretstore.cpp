#include "memorysecretstore.h"

#include <QMutexLocker>

namespace arbor::secrets {

QString MemorySecretStore::label() const
{
    return QStringLiteral("memory (until Arbor quits)");
}

QFuture<SecretResult> MemorySecretStore::read(const QString &account)
{
    QMutexLocker lock(&m_mutex);
    const auto it = m_secrets.constFind(account);
    if (it == m_secrets.constEnd())
        return QtFuture::makeReadyFuture(SecretResult{SecretResult::Status::NotFound, {}, {}});
    return QtFuture::makeReadyFuture(SecretResult{SecretResult::Status::Ok, *it, {}});
}

QFuture<SecretResult> MemorySecretStore::write(const QString &account, const QString &secret)
{
    QMutexLocker lock(&m_mutex);
    m_secrets.insert(account, secret);
    return QtFuture::makeReadyFuture(SecretResult{SecretResult::Status::Ok, {}, {}});
}

QFuture<SecretResult> MemorySecretStore::remove(const QString &account)
{
    QMutexLocker lock(&m_mutex);
    m_secrets.remove(account);
    return QtFuture::makeReadyFuture(SecretResult{SecretResult::Status::Ok, {}, {}});
}

} // namespace arbor::secrets
