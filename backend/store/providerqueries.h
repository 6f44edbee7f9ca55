#pragma once

#include <QHash>
#include <QList>
#include <QSqlDatabase>
#include <QStringList>
#include <QUrl>

#include <optional>

namespace arbor::store::providers {

/** @brief A configured provider as stored: everything but its API key (that is in the keychain). */
struct StoredProvider
{
    QString id;
    QString kind; ///< "openai", "anthropic", "gemini", "ollama"
    QString name;
    QUrl baseUrl;
    QHash<QString, QString> headers;
    QStringList models;
    bool enabled = true;
    qint64 createdAt = 0;
};

/** @brief Why @p provider cannot be stored, or "": a credential in a header (Authorization,
 *  x-api-key, api-key, x-goog-api-key, Proxy-Authorization) or in the base URL (user:key@) would
 *  sit in the store in plain text. API keys belong in the keychain. */
QString credentialIn(const StoredProvider &provider);
/** @brief True for a header that carries a credential (see credentialIn()). */
bool isCredentialHeader(const QString &name);

/** @brief Every configured provider, oldest first. */
QList<StoredProvider> list(const QSqlDatabase &db);
std::optional<StoredProvider> get(const QSqlDatabase &db, const QString &id);
/** @brief Inserts or replaces by id (created_at is kept on replace). Throws StoreError, storing
 *  nothing, when credentialIn() says why not. */
void upsert(const QSqlDatabase &db, const StoredProvider &provider);
/** @brief True if a row was removed. */
bool remove(const QSqlDatabase &db, const QString &id);

/** @brief A value from the settings table, or @p fallback. */
QString setting(const QSqlDatabase &db, const QString &key, const QString &fallback = {});
/** @brief Sets (or with an empty @p value, clears) a setting. */
void setSetting(const QSqlDatabase &db, const QString &key, const QString &value);

/** @brief The settings key of the default model ("provider/model"). */
inline constexpr auto DefaultModelKey = "default_model";

} // namespace arbor::store::providers
