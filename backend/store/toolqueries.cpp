#include "toolqueries.h"

#include "sql.h"

#include "domain/ids.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace arbor::store::tools {

namespace {
const QString kColumns = QStringLiteral(
    "name, transport, command, args, env, secret_env, url, headers, secret_headers, enabled, "
    "created_at");

QString jsonText(const QJsonValue &v)
{
    return QString::fromUtf8(v.isArray()
                                 ? QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact)
                                 : QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact));
}

QJsonObject mapJson(const QMap<QString, QString> &map)
{
    QJsonObject o;
    for (auto it = map.cbegin(); it != map.cend(); ++it)
        o.insert(it.key(), it.value());
    return o;
}

QMap<QString, QString> mapOf(const QString &text)
{
    QMap<QString, QString> map;
    const QJsonObject o = QJsonDocument::fromJson(text.toUtf8()).object();
    for (auto it = o.begin(); it != o.end(); ++it)
        map.insert(it.key(), it.value().toString());
    return map;
}

QStringList listOf(const QString &text)
{
    QStringList out;
    for (const QJsonValue &v : QJsonDocument::fromJson(text.toUtf8()).array())
        out.append(v.toString());
    return out;
}

QList<StoredToolServer> read(QSqlQuery &q)
{
    const Columns c(q);
    const int name = c["name"], transport = c["transport"], command = c["command"],
              args = c["args"], env = c["env"], secretEnv = c["secret_env"], url = c["url"],
              headers = c["headers"], secretHeaders = c["secret_headers"], enabled = c["enabled"],
              createdAt = c["created_at"];
    QList<StoredToolServer> out;
    while (q.next()) {
        StoredToolServer s;
        s.name = q.value(name).toString();
        s.transport = q.value(transport).toString();
        s.command = q.value(command).toString();
        s.args = listOf(q.value(args).toString());
        s.env = mapOf(q.value(env).toString());
        s.secretEnv = listOf(q.value(secretEnv).toString());
        s.url = q.value(url).toString();
        s.headers = mapOf(q.value(headers).toString());
        s.secretHeaders = listOf(q.value(secretHeaders).toString());
        s.enabled = q.value(enabled).toBool();
        s.createdAt = q.value(createdAt).toLongLong();
        out.append(s);
    }
    return out;
}
} // namespace

QList<StoredToolServer> list(const QSqlDatabase &db)
{
    QSqlQuery q =
        exec(db, QStringLiteral("SELECT %1 FROM tool_servers ORDER BY name").arg(kColumns));
    return read(q);
}

std::optional<StoredToolServer> get(const QSqlDatabase &db, const QString &name)
{
    QSqlQuery q = exec(
        db, QStringLiteral("SELECT %1 FROM tool_servers WHERE name = ?").arg(kColumns), {name});
    const QList<StoredToolServer> found = read(q);
    if (found.isEmpty())
        return std::nullopt;
    return found.first();
}

void upsert(const QSqlDatabase &db, const StoredToolServer &s)
{
    exec(db,
         QStringLiteral(
             "INSERT INTO tool_servers (name, transport, command, args, env, secret_env, url, "
             "headers, secret_headers, enabled, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
             "?) ON CONFLICT (name) DO UPDATE SET transport = excluded.transport, command = "
             "excluded.command, args = excluded.args, env = excluded.env, secret_env = "
             "excluded.secret_env, url = excluded.url, headers = excluded.headers, "
             "secret_headers = excluded.secret_headers, enabled = excluded.enabled"),
         {s.name, s.transport, s.command, jsonText(QJsonArray::fromStringList(s.args)),
          jsonText(mapJson(s.env)), jsonText(QJsonArray::fromStringList(s.secretEnv)), s.url,
          jsonText(mapJson(s.headers)), jsonText(QJsonArray::fromStringList(s.secretHeaders)),
          s.enabled ? 1 : 0, s.createdAt > 0 ? s.createdAt : domain::nowMs()});
}

bool remove(const QSqlDatabase &db, const QString &name)
{
    exec(db, QStringLiteral("DELETE FROM tool_policies WHERE server = ?"), {name});
    exec(db, QStringLiteral("DELETE FROM conversation_tool_servers WHERE server = ?"), {name});
    return exec(db, QStringLiteral("DELETE FROM tool_servers WHERE name = ?"), {name})
               .numRowsAffected()
        > 0;
}

QHash<QString, QString> policies(const QSqlDatabase &db, const QString &server)
{
    QSqlQuery q = exec(
        db, QStringLiteral("SELECT tool, policy FROM tool_policies WHERE server = ?"), {server});
    const Columns c(q);
    const int tool = c["tool"], policy = c["policy"];
    QHash<QString, QString> out;
    while (q.next())
        out.insert(q.value(tool).toString(), q.value(policy).toString());
    return out;
}

void setPolicy(const QSqlDatabase &db, const QString &server, const QString &tool,
               const QString &policy)
{
    if (policy.isEmpty()) {
        exec(db, QStringLiteral("DELETE FROM tool_policies WHERE server = ? AND tool = ?"),
             {server, tool});
        return;
    }
    exec(db,
         QStringLiteral("INSERT INTO tool_policies (server, tool, policy) VALUES (?, ?, ?) ON "
                        "CONFLICT (server, tool) DO UPDATE SET policy = excluded.policy"),
         {server, tool, policy});
}

QHash<QString, bool> conversationChoices(const QSqlDatabase &db, const QString &conversationId)
{
    QSqlQuery q = exec(db,
                       QStringLiteral("SELECT server, enabled FROM conversation_tool_servers "
                                      "WHERE conversation_id = ?"),
                       {conversationId});
    QHash<QString, bool> out;
    while (q.next())
        out.insert(q.value(0).toString(), q.value(1).toBool());
    return out;
}

void setConversationChoice(const QSqlDatabase &db, const QString &conversationId,
                           const QString &server, std::optional<bool> enabled)
{
    if (!enabled) {
        exec(db,
             QStringLiteral("DELETE FROM conversation_tool_servers WHERE conversation_id = ? AND "
                            "server = ?"),
             {conversationId, server});
        return;
    }
    exec(db,
         QStringLiteral("INSERT INTO conversation_tool_servers (conversation_id, server, enabled) "
                        "VALUES (?, ?, ?) ON CONFLICT (conversation_id, server) DO UPDATE SET "
                        "enabled = excluded.enabled"),
         {conversationId, server, int(*enabled)});
}

} // namespace arbor::store::tools
