#include "localstate.h"

#include "localsync.h"

#include "domain/ids.h"
#include "store/providerqueries.h"
#include "store/sql.h"
#include "store/store.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QSet>
#include <QSqlQuery>

namespace arbor::sync::local {

Q_LOGGING_CATEGORY(lcLocalState, "arbor.sync.local.state", QtInfoMsg)

using store::exec;
using store::execCached;

namespace {

// Keys of the settings table (migration 0003), next to the default model.
const QString HostKey = QStringLiteral("team_server.host");
const QString PortKey = QStringLiteral("team_server.port");
const QString DatabaseKey = QStringLiteral("team_server.database");
const QString UserKey = QStringLiteral("team_server.user");
const QString SslModeKey = QStringLiteral("team_server.sslmode");

} // namespace

TeamServerConfig teamServerConfig(const QSqlDatabase &db)
{
    using store::providers::setting;
    TeamServerConfig c;
    c.host = setting(db, HostKey);
    if (c.host.isEmpty())
        return {};
    c.port = setting(db, PortKey, QStringLiteral("5432")).toInt();
    c.database = setting(db, DatabaseKey);
    c.user = setting(db, UserKey);
    c.sslmode = setting(db, SslModeKey, QStringLiteral("prefer"));
    return c;
}

void saveTeamServerConfig(const QSqlDatabase &db, const TeamServerConfig &config)
{
    using store::providers::setSetting;
    const bool clear = config.isEmpty();
    setSetting(db, HostKey, clear ? QString() : config.host.trimmed());
    setSetting(db, PortKey, clear ? QString() : QString::number(config.port));
    setSetting(db, DatabaseKey, clear ? QString() : config.database.trimmed());
    setSetting(db, UserKey, clear ? QString() : config.user.trimmed());
    setSetting(db, SslModeKey, clear ? QString() : config.sslmode);
}

QString stateValue(QSqlDatabase &db, const QString &key)
{
    QSqlQuery q = exec(db, QStringLiteral("SELECT value FROM sync_state WHERE key = ?"), {key});
    return q.next() ? q.value(QStringLiteral("value")).toString() : QString();
}

void setStateValue(QSqlDatabase &db, const QString &key, const QString &value)
{
    exec(db,
         QStringLiteral("INSERT INTO sync_state (key, value) VALUES (?, ?) "
                        "ON CONFLICT (key) DO UPDATE SET value = excluded.value"),
         {key, value});
}

void adoptIdentity(QSqlDatabase &db, const QString &identity, const QString &user)
{
    if (stateValue(db, QStringLiteral("identity")) != identity) {
        exec(db, QStringLiteral("DELETE FROM sync_state"));
        exec(db, QStringLiteral("DELETE FROM sync_positions"));
        exec(db, QStringLiteral("DELETE FROM sync_workspaces"));
        setStateValue(db, QStringLiteral("identity"), identity);
    }
    // Who this store acts as on the server: the store refuses edits the server would.
    setStateValue(db, QStringLiteral("user"), user);
}

WorkspacesStored storeWorkspaces(QSqlDatabase &db, const QList<Workspace> &workspaces)
{
    WorkspacesStored stored;
    QHash<QString, QPair<QString, QString>> before; // id → (name, role)
    {
        QSqlQuery q = exec(db, QStringLiteral("SELECT id, name, role FROM sync_workspaces"));
        while (q.next())
            before.insert(q.value(QStringLiteral("id")).toString(),
                          {q.value(QStringLiteral("name")).toString(),
                           q.value(QStringLiteral("role")).toString()});
    }
    QSet<QString> now;
    for (const Workspace &w : workspaces) {
        now.insert(w.id);
        const auto old = before.constFind(w.id);
        if (old == before.cend() || old->second != w.role)
            stored.changed = true;
    }
    exec(db, QStringLiteral("DELETE FROM sync_workspaces"));
    for (const Workspace &w : workspaces)
        exec(db, QStringLiteral("INSERT INTO sync_workspaces (id, name, role) VALUES (?, ?, ?)"),
             {w.id, w.name, w.role});

    // A workspace left is pulled from its start if this person is added back: that re-attaches
    // every conversation detached below.
    exec(db,
         QStringLiteral("DELETE FROM sync_positions WHERE workspace_id NOT IN "
                        "(SELECT id FROM sync_workspaces)"));
    // Conversations of a workspace this person left (or one this server never had) stop being
    // shared. Their unpushed changes would only be refused.
    const QString detached =
        QStringLiteral("SELECT id FROM conversations WHERE workspace_id IS NOT NULL "
                       "AND workspace_id NOT IN (SELECT id FROM sync_workspaces)");
    exec(db,
         QStringLiteral("DELETE FROM sync_outbox WHERE entity = 'conversation' AND "
                        "entity_id IN (%1)")
             .arg(detached));
    exec(db,
         QStringLiteral("DELETE FROM sync_outbox WHERE entity = 'message' AND entity_id IN "
                        "(SELECT id FROM messages WHERE conversation_id IN (%1))")
             .arg(detached));
    for (auto it = before.begin(); it != before.end(); ++it) {
        if (now.contains(it.key()))
            continue;
        stored.changed = true;
        stored.left.append(it.value().first);
    }
    QSqlQuery q =
        exec(db,
             QStringLiteral("UPDATE conversations SET left_workspace_id = workspace_id, "
                            "left_workspace_name = (SELECT value FROM json_each(?) "
                            "  WHERE key = conversations.workspace_id), workspace_id = NULL "
                            "WHERE id IN (%1)")
                 .arg(detached),
             {[&before] {
                 QJsonObject names;
                 for (auto it = before.begin(); it != before.end(); ++it)
                     names.insert(it.key(), it.value().first);
                 return QString::fromUtf8(QJsonDocument(names).toJson(QJsonDocument::Compact));
             }()});
    stored.detached = q.numRowsAffected();
    if (stored.detached > 0)
        qCInfo(lcLocalState) << stored.detached
                             << "conversations are no longer shared: this person left"
                             << stored.left;
    if (stored.changed) {
        retryRefused(db); // a role or membership changed: refused rows may pass now
    } else {
        // A role may have changed and changed back between two looks (a viewer for a minute):
        // rows refused for the role go again wherever the role now allows writing.
        exec(db,
             QStringLiteral(
                 "UPDATE sync_outbox SET error = '', reason = '' WHERE error <> '' "
                 "AND reason IN ('viewer', 'not-a-member') AND ("
                 "(entity = 'conversation' AND entity_id IN (SELECT c.id FROM conversations c "
                 "  JOIN sync_workspaces w ON w.id = c.workspace_id "
                 "  WHERE w.role IN ('admin', 'member'))) OR "
                 "(entity = 'message' AND entity_id IN (SELECT m.id FROM messages m "
                 "  JOIN conversations c ON c.id = m.conversation_id "
                 "  JOIN sync_workspaces w ON w.id = c.workspace_id "
                 "  WHERE w.role IN ('admin', 'member'))))"));
    }
    return stored;
}

QString workspaceOf(QSqlDatabase &db, const QString &conversationId)
{
    store::CachedQuery q =
        execCached(db, QStringLiteral("SELECT workspace_id FROM conversations WHERE id = ?"),
                   {conversationId});
    const QVariant ws = q->next() ? q->value(QStringLiteral("workspace_id")) : QVariant();
    q->finish();
    return ws.isNull() ? QString() : ws.toString();
}

QList<Workspace> storedWorkspaces(const QSqlDatabase &db)
{
    QList<Workspace> out;
    QSqlQuery q =
        exec(db, QStringLiteral("SELECT id, name, role FROM sync_workspaces ORDER BY name"));
    while (q.next())
        out.append({q.value(QStringLiteral("id")).toString(),
                    q.value(QStringLiteral("name")).toString(),
                    q.value(QStringLiteral("role")).toString(),
                    {}});
    return out;
}

QHash<QString, QString> sharedConversations(const QSqlDatabase &db)
{
    QHash<QString, QString> out;
    QSqlQuery q = exec(db,
                       QStringLiteral("SELECT id, workspace_id FROM conversations "
                                      "WHERE workspace_id IS NOT NULL"));
    while (q.next())
        out.insert(q.value(QStringLiteral("id")).toString(),
                   q.value(QStringLiteral("workspace_id")).toString());
    return out;
}

void moveToWorkspace(const QSqlDatabase &db, const QString &conversationId,
                     const QString &workspaceId, qint64 now)
{
    QSqlQuery w =
        exec(db, QStringLiteral("SELECT role FROM sync_workspaces WHERE id = ?"), {workspaceId});
    if (!w.next())
        throw store::StoreError(
            QStringLiteral("unknown workspace %1 (connect to the team server first)")
                .arg(workspaceId));
    if (w.value(QStringLiteral("role")).toString() == u"viewer")
        throw store::StoreError(
            QStringLiteral("you are a viewer in this workspace and cannot share into it"));
    QSqlQuery q = exec(db,
                       QStringLiteral("UPDATE conversations SET workspace_id = ?, "
                                      "left_workspace_id = NULL, left_workspace_name = "
                                      "NULL, updated_at = max(updated_at + 1, ?) "
                                      "WHERE id = ? AND workspace_id IS NULL"),
                       {workspaceId, now, conversationId});
    if (q.numRowsAffected() != 1)
        throw store::StoreError(
            QStringLiteral("conversation %1 is unknown or already shared").arg(conversationId));
}

void markRead(const QSqlDatabase &db, const QString &conversationId, qint64 now)
{
    exec(db,
         QStringLiteral("INSERT INTO read_state (conversation_id, read_at) VALUES (?, ?) "
                        "ON CONFLICT (conversation_id) DO UPDATE SET read_at = "
                        "max(read_at, excluded.read_at)"),
         {conversationId, now});
}

QHash<QString, int> unreadCounts(const QSqlDatabase &db, const QString &me)
{
    QHash<QString, int> out;
    QSqlQuery q =
        exec(db,
             QStringLiteral("SELECT m.conversation_id, count(*) AS unread FROM messages m "
                            "LEFT JOIN read_state r ON r.conversation_id = m.conversation_id "
                            "WHERE m.synced_at IS NOT NULL AND m.author <> ? "
                            "AND m.deleted_at IS NULL AND m.synced_at > coalesce(r.read_at, 0) "
                            "GROUP BY m.conversation_id"),
             {me});
    while (q.next())
        out.insert(q.value(QStringLiteral("conversation_id")).toString(),
                   q.value(QStringLiteral("unread")).toInt());
    return out;
}

QList<PullRefusal> pullRefusals(const QSqlDatabase &db)
{
    QList<PullRefusal> out;
    QSqlQuery q = exec(db,
                       QStringLiteral("SELECT entity, entity_id, workspace_id, reason "
                                      "FROM sync_pull_refusals "
                                      "ORDER BY seen_at DESC, entity_id"));
    while (q.next())
        out.append({q.value(QStringLiteral("entity")).toString(),
                    q.value(QStringLiteral("entity_id")).toString(),
                    q.value(QStringLiteral("workspace_id")).toString(),
                    q.value(QStringLiteral("reason")).toString()});
    return out;
}

int pendingChanges(store::Store &store)
{
    return store.read([](QSqlDatabase &db) { return outboxCounts(db).pending; }).result();
}

QList<QPair<QString, QString>> refusedChanges(store::Store &store)
{
    return store.read([](QSqlDatabase &db) { return refusedChanges(db); }).result();
}

PullPositions storedPositions(store::Store &store)
{
    return store.read([](QSqlDatabase &db) { return positions(db); }).result();
}

QList<Workspace> storedWorkspaces(store::Store &store)
{
    return store.read([](QSqlDatabase &db) { return storedWorkspaces(db); }).result();
}

void moveToWorkspace(store::Store &store, const QString &conversationId, const QString &workspaceId)
{
    store
        .write([conversationId, workspaceId, now = domain::nowMs()](QSqlDatabase &db) {
            moveToWorkspace(db, conversationId, workspaceId, now);
        })
        .waitForFinished();
}

QString workspaceOf(store::Store &store, const QString &conversationId)
{
    return store
        .read([conversationId](QSqlDatabase &db) { return workspaceOf(db, conversationId); })
        .result();
}

void markRead(store::Store &store, const QString &conversationId)
{
    store.post([conversationId, now = domain::nowMs()](QSqlDatabase &db) {
        markRead(db, conversationId, now);
    });
}

QHash<QString, int> unreadCounts(store::Store &store, const QString &me)
{
    return store.read([me](QSqlDatabase &db) { return unreadCounts(db, me); }).result();
}

QList<PullRefusal> pullRefusals(store::Store &store)
{
    return store.read([](QSqlDatabase &db) { return pullRefusals(db); }).result();
}

} // namespace arbor::sync::local
