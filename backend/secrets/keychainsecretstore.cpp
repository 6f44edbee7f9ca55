#include "keychainsecretstore.h"

#include <QLoggingCategory>
#include <QMutexLocker>
#include <qt6keychain/keychain.h>

Q_LOGGING_CATEGORY(lcSecrets, "arbor.secrets", QtInfoMsg)

namespace arbor::secrets {

namespace {

SecretResult fromJob(QKeychain::Job *job, bool isRead, bool isRemove)
{
    using S = SecretResult::Status;
    switch (job->error()) {
    case QKeychain::NoError:
        return {S::Ok,
                isRead ? static_cast<QKeychain::ReadPasswordJob *>(job)->textData() : QString(),
                {}};
    case QKeychain::EntryNotFound:
        // Not an error (STYLE rule 9): nothing stored yet, or already gone.
        return {isRemove ? S::Ok : S::NotFound, {}, {}};
    case QKeychain::NoBackendAvailable:
    case QKeychain::NotImplemented:
        return {S::Unavailable,
                {},
                QStringLiteral("No system keychain is available (%1).").arg(job->errorString())};
    case QKeychain::AccessDeniedByUser:
        return {S::Denied,
                {},
                QStringLiteral("The system keychain did not allow Arbor in: its prompt was refused "
                               "or cancelled (%1).")
                    .arg(job->errorString())};
    case QKeychain::AccessDenied:
        // The Secret Service answers IsLocked ("Cannot create an item in a locked collection")
        // when the collection is locked and the unlock prompt could not be shown or was dismissed.
        if (job->errorString().contains(QLatin1String("locked"), Qt::CaseInsensitive))
            return {S::Denied,
                    {},
                    QStringLiteral("The system keychain is locked (%1). Unlock it, for example by "
                                   "logging in again, and try once more.")
                        .arg(job->errorString())};
        return {S::Denied,
                {},
                QStringLiteral("The system keychain refused access (%1).").arg(job->errorString())};
    case QKeychain::CouldNotDeleteEntry:
    case QKeychain::OtherError:
        break;
    }
    // QtKeychain reports a missing D-Bus session or Secret Service as OtherError.
    const QString text = job->errorString();
    if (text.contains(QLatin1String("D-Bus"), Qt::CaseInsensitive)
        || text.contains(QLatin1String("DBus"), Qt::CaseInsensitive)
        || text.contains(QLatin1String("org.freedesktop.secrets"))
        || text.contains(QLatin1String("No keychain service"))
        || text.contains(QLatin1String("Could not connect"))
        || text.contains(QLatin1String("ServiceUnknown")))
        return {
            S::Unavailable, {}, QStringLiteral("No system keychain is available (%1).").arg(text)};
    return {S::Failed, {}, QStringLiteral("The system keychain failed: %1").arg(text)};
}

} // namespace

KeychainSecretStore::KeychainSecretStore(QString service, QObject *parent)
    : QObject(parent)
    , m_service(std::move(service))
{
}

KeychainSecretStore::~KeychainSecretStore()
{
    QMutexLocker lock(&m_mutex);
    for (auto &op : m_queue) {
        op->promise.addResult(SecretResult{
            SecretResult::Status::Failed, {}, QStringLiteral("The keychain was closed.")});
        op->promise.finish();
    }
    m_queue.clear();
}

QString KeychainSecretStore::label() const
{
    return QStringLiteral("system keychain");
}

QFuture<SecretResult> KeychainSecretStore::read(const QString &account)
{
    return enqueue(Kind::Read, account, {});
}

QFuture<SecretResult> KeychainSecretStore::write(const QString &account, const QString &secret)
{
    return enqueue(Kind::Write, account, secret);
}

QFuture<SecretResult> KeychainSecretStore::remove(const QString &account)
{
    return enqueue(Kind::Remove, account, {});
}

QFuture<SecretResult> KeychainSecretStore::enqueue(Kind kind, const QString &account,
                                                   const QString &secret)
{
    auto op = std::make_unique<Op>(Op{kind, account, secret, QPromise<SecretResult>()});
    op->promise.start();
    QFuture<SecretResult> future = op->promise.future();
    {
        QMutexLocker lock(&m_mutex);
        m_queue.push_back(std::move(op));
    }
    // Always queued: the caller gets its future before anything can complete it.
    QMetaObject::invokeMethod(this, &KeychainSecretStore::pump, Qt::QueuedConnection);
    return future;
}

void KeychainSecretStore::pump()
{
    Op *op = nullptr;
    {
        QMutexLocker lock(&m_mutex);
        // QtKeychain jobs must not overlap (STYLE rule 9): one at a time.
        if (m_running || m_queue.empty())
            return;
        m_running = true;
        op = m_queue.front().get();
    }
    QKeychain::Job *job = nullptr;
    switch (op->kind) {
    case Kind::Read:
        job = new QKeychain::ReadPasswordJob(m_service, this);
        break;
    case Kind::Write: {
        auto *w = new QKeychain::WritePasswordJob(m_service, this);
        w->setTextData(op->secret);
        job = w;
        break;
    }
    case Kind::Remove:
        job = new QKeychain::DeletePasswordJob(m_service, this);
        break;
    }
    job->setInsecureFallback(false);
    job->setAutoDelete(false);
    job->setKey(op->account);
    connect(job, &QKeychain::Job::finished, this, [this, kind = op->kind](QKeychain::Job *done) {
        SecretResult result = fromJob(done, kind == Kind::Read, kind == Kind::Remove);
        done->deleteLater();
        if (!result.ok() && result.status != SecretResult::Status::NotFound)
            qCWarning(lcSecrets) << "keychain operation failed:" << result.message;
        std::unique_ptr<Op> finished;
        {
            QMutexLocker lock(&m_mutex);
            finished = std::move(m_queue.front());
            m_queue.pop_front();
            m_running = false;
        }
        finished->promise.addResult(std::move(result));
        finished->promise.finish();
        pump();
    });
    job->start();
}

} // namespace arbor::secrets
