#pragma once

#include "remotequeries.h"

#include <QList>
#include <QString>

namespace arbor::store {
class Store;
}

namespace arbor::sync {

class PgConnection;

/**
 * @brief Presence on the team server: where this person is, and where everyone else is, in the
 * person's workspaces. Blocking calls on a connection SyncClient made (the sync thread, or a
 * tool); they throw PgError.
 */
class PresenceClient
{
public:
    explicit PresenceClient(store::Store &store);

    /** @brief Says where this person is: in the workspace of @p conversationId that conversation
     *  (typing or not), in every other of @p workspaces only that they are online. A personal
     *  conversation's id never leaves this computer. Reads the store to tell. */
    void announce(PgConnection &conn, const QList<Workspace> &workspaces,
                  const QString &conversationId, bool typing, bool online = true);
    /** @brief Everyone's presence in the person's workspaces. */
    QList<PresenceEntry> everyone(PgConnection &conn);

private:
    store::Store &m_store;
};

} // namespace arbor::sync
