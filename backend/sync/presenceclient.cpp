#include "presenceclient.h"

#include "localstate.h"

namespace arbor::sync {

PresenceClient::PresenceClient(store::Store &store)
    : m_store(store)
{
}

void PresenceClient::announce(PgConnection &conn, const QList<Workspace> &workspaces,
                              const QString &conversationId, bool typing, bool online)
{
    // Each workspace learns only of its own conversations.
    const QString home =
        conversationId.isEmpty() ? QString() : local::workspaceOf(m_store, conversationId);
    for (const Workspace &w : workspaces) {
        const bool here = !home.isEmpty() && w.id == home;
        remote::setPresence(conn, w.id, here ? conversationId : QString(), here && typing, online);
    }
}

QList<PresenceEntry> PresenceClient::everyone(PgConnection &conn)
{
    return remote::presence(conn);
}

} // namespace arbor::sync
