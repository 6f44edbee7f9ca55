#pragma once

#include "secretstore.h"

#include <QMutex>
#include <QObject>
#include <QPromise>

#include <deque>
#include <memory>

namespace arbor::secrets {

/**
 * @brief API keys in the OS keychain (Secret Service, macOS Keychain, Windows Credential Store)
 * through QtKeychain. Jobs run one at a time on the thread this object lives on (it needs an
 * event loop); calls may come from any thread. No insecure fallback: with no keychain every
 * call answers Unavailable and the caller decides, with the user, what to do.
 */
class KeychainSecretStore final
    : public QObject
    , public SecretStore
{
    Q_OBJECT

public:
    /** @param service the keychain "service" all entries are filed under (tests use their own). */
    explicit KeychainSecretStore(QString service = QStringLiteral("Arbor"),
                                 QObject *parent = nullptr);
    ~KeychainSecretStore() override;

    bool persistent() const override { return true; }
    QString label() const override;
    QFuture<SecretResult> read(const QString &account) override;
    QFuture<SecretResult> write(const QString &account, const QString &secret) override;
    QFuture<SecretResult> remove(const QString &account) override;

private:
    enum class Kind { Read, Write, Remove };
    struct Op
    {
        Kind kind;
        QString account;
        QString secret;
        QPromise<SecretResult> promise;
    };

    QFuture<SecretResult> enqueue(Kind kind, const QString &account, const QString &secret);
    void pump();

    QString m_service;
    QMutex m_mutex;
    std::deque<std::unique_ptr<Op>> m_queue;
    bool m_running = false;
};

} // namespace arbor::secrets
