#include "providerqueries.h"

#include "sql.h"

#include "domain/ids.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace arbor::store::providers {

namespace {
const QString kColumns =
    QStringLiteral("id, kind, name, base_url, headers, models, enabled, created_at");

/** @brief Where the fields of kColumns are in a result. */
struct ProviderColumns
{
    explicit ProviderColumns(const Columns &c)
        : id(c["id"])
        , kind(c["kind"])
        , name(c["name"])
        , baseUrl(c["base_url"])
        , headers(c["headers"])
        , models(c["models"])
        , enabled(c["enabled"])
        , createdAt(c["created_at"])
    {
    }

    StoredProvider read(const QSqlQuery &q) const
    {
        StoredProvider p;
        p.id = q.value(id).toString();
        p.kind = q.value(kind).toString();
        p.name = q.value(name).toString();
        p.baseUrl = QUrl(q.value(baseUrl).toString());
        const QJsonObject headerObject =
            QJsonDocument::fromJson(q.value(headers).toString().toUtf8()).object();
        for (auto it = headerObject.begin(); it != headerObject.end(); ++it)
            p.headers.insert(it.key(), it.value().toString());
        const QJsonArray modelArray =
            QJsonDocument::fromJson(q.value(models).toString().toUtf8()).array();
        for (const QJsonValue &m : modelArray)
            p.models.append(m.toString());
        p.enabled = q.value(enabled).toBool();
        p.createdAt = q.value(createdAt).toLongLong();
        return p;
    }

    int id, kind, name, baseUrl, headers, models, enabled, createdAt;
};
} // namespace

bool isCredentialHeader(const QString &name)
{
    static const QStringList credentialHeaders{
        QStringLiteral("authorization"), QStringLiteral("proxy-authorization"),
        QStringLiteral("x-api-key"), QStringLiteral("api-key"), QStringLiteral("x-goog-api-key")};
    return credentialHeaders.contains(name.trimmed().toLower());
}

QString credentialIn(const StoredProvider &provider)
{
    for (auto it = provider.headers.cbegin(); it != provider.headers.cend(); ++it) {
        if (isCredentialHeader(it.key()))
            return QStringLiteral("The header “%1” holds a credential, which Arbor keeps only in "
                                  "the system keychain: "
                                  "give the API key as the provider's key instead.")
                .arg(it.key());
    }
    if (!provider.baseUrl.userInfo().isEmpty())
        return QStringLiteral(
            "The base URL holds a user name or password (“user:key@”), which Arbor keeps only in "
            "the system keychain: give the API key as the provider's key instead.");
    return {};
}

QList<StoredProvider> list(const QSqlDatabase &db)
{
    QSqlQuery q =
        exec(db, QStringLiteral("SELECT %1 FROM providers ORDER BY created_at, id").arg(kColumns));
    const ProviderColumns columns{Columns(q)};
    QList<StoredProvider> out;
    while (q.next())
        out.append(columns.read(q));
    return out;
}

std::optional<StoredProvider> get(const QSqlDatabase &db, const QString &id)
{
    QSqlQuery q =
        exec(db, QStringLiteral("SELECT %1 FROM providers WHERE id = ?").arg(kColumns), {id});
    const ProviderColumns columns{Columns(q)};
    if (!q.next())
        return std::nullopt;
    return columns.read(q);
}

void upsert(const QSqlDatabase &db, const StoredProvider &p)
{
    if (const QString refused = credentialIn(p); !refused.isEmpty())
        throw StoreError(refused);
    QJsonObject headers;
    for (auto it = p.headers.cbegin(); it != p.headers.cend(); ++it)
        headers.insert(it.key(), it.value());
    const QJsonArray models = QJsonArray::fromStringList(p.models);
    exec(db,
         QStringLiteral(
             "INSERT INTO providers (id, kind, name, base_url, headers, models, enabled, "
             "created_at) "
             "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, "
             "name = excluded.name, base_url = excluded.base_url, headers = excluded.headers, "
             "models = excluded.models, enabled = excluded.enabled"),
         {p.id, p.kind, p.name, p.baseUrl.toString(),
          QString::fromUtf8(QJsonDocument(headers).toJson(QJsonDocument::Compact)),
          QString::fromUtf8(QJsonDocument(models).toJson(QJsonDocument::Compact)),
          p.enabled ? 1 : 0, p.createdAt > 0 ? p.createdAt : domain::nowMs()});
}

bool remove(const QSqlDatabase &db, const QString &id)
{
    return exec(db, QStringLiteral("DELETE FROM providers WHERE id = ?"), {id}).numRowsAffected()
        > 0;
}

QString setting(const QSqlDatabase &db, const QString &key, const QString &fallback)
{
    QSqlQuery q = exec(db, QStringLiteral("SELECT value FROM settings WHERE key = ?"), {key});
    return q.next() ? q.value(0).toString() : fallback;
}

void setSetting(const QSqlDatabase &db, const QString &key, const QString &value)
{
    if (value.isEmpty())
        exec(db, QStringLiteral("DELETE FROM settings WHERE key = ?"), {key});
    else
        exec(db,
             QStringLiteral("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO "
                            "UPDATE SET value = excluded.value"),
             {key, value});
}

} // namespace arbor::store::providers
