#pragma once

#include <QFuture>
#include <QString>

namespace arbor::secrets {

/** @brief The answer of one secret operation. */
struct SecretResult
{
    enum class Status {
        Ok,          ///< done (read: @c secret holds the value)
        NotFound,    ///< read only: no such entry; not an error
        Unavailable, ///< no secret service on this machine/session
        Denied,      ///< the keychain is locked, or its prompt was refused or cancelled
        Failed,      ///< the service answered with another error
    };
    Status status = Status::Failed;
    QString secret;  ///< read: the value; never logged
    QString message; ///< for a person; never contains the secret
    bool ok() const { return status == Status::Ok; }
};

/**
 * @brief Where API keys live. The real one is the OS keychain; the in-memory one exists only for
 * a user who has no secret service and explicitly chose to keep keys until the app quits.
 * Nothing here ever writes a secret to a file or a log.
 */
class SecretStore
{
public:
    virtual ~SecretStore() = default;
    /** @brief True when secrets outlive the process (the keychain). */
    virtual bool persistent() const = 0;
    /** @brief What the UI calls it ("system keychain", "memory (until Arbor quits)"). */
    virtual QString label() const = 0;
    virtual QFuture<SecretResult> read(const QString &account) = 0;
    virtual QFuture<SecretResult> write(const QString &account, const QString &secret) = 0;
    /** @brief Removing an entry that does not exist succeeds. */
    virtual QFuture<SecretResult> remove(const QString &account) = 0;
};

} // namespace arbor::secrets
