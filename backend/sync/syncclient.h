#pragma once

#include "changelog.h"
#include "localsync.h"
#include "remotequeries.h"

#include <QHash>
#include <QList>
#include <QPair>
#include <QSet>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

namespace arbor::store {
class Store;
}

namespace arbor::sync {

class PgConnection;

/** @brief What one push did. */
struct PushResult
{
    int pushed = 0;  ///< outbox rows the server now has
    int refused = 0; ///< outbox rows the server refuses, kept with its reason
};

/** @brief What one pull applied. */
struct PullResult
{
    int changes = 0;               ///< change-log rows read
    int conversations = 0;         ///< conversation rows applied
    int messages = 0;              ///< message rows applied
    int refused = 0;               ///< rows refused: they would have changed local-only rows
    QSet<QString> conversationIds; ///< conversations whose rows changed locally
    QStringList messageIds;        ///< messages inserted or updated locally
};

/**
 * @brief The push/pull protocol between one local store and one team server: push the outbox,
 * pull the change logs, list workspaces (the local half is in localsync and localstate, presence
 * in PresenceClient). Every call may block on the network
 * and on the store's writer: use it on the sync thread or in a command-line tool, never on the
 * GUI thread. Calls throw PgError (server) or StoreError (local); after a PgError with
 * isConnected() false the client must connect() again.
 *
 * Push is idempotent (upserts by id): a batch the server committed but whose outbox rows were
 * not yet removed (a crash, a lost reply) is pushed again harmlessly. Pull applies a page of
 * changes and the positions after it in one local transaction, so a crash never skips or
 * repeats a change. Rows pulled from the server are written without being queued back, and
 * never change a row that is local-only.
 */
class SyncClient
{
public:
    SyncClient(store::Store &store, QString dsn);
    ~SyncClient();
    SyncClient(const SyncClient &) = delete;
    SyncClient &operator=(const SyncClient &) = delete;

    /** @brief Connects, checks the schema, lists the workspaces and LISTENs on the person's
     *  channels. When the store was last synced with another server or person, the pull starts
     *  over. Rows the server refused before get another chance. */
    void connect();
    void disconnect();
    bool isConnected() const;
    /** @brief The connection (for the socket and notifications); null when disconnected. */
    PgConnection *connection() const { return m_conn.get(); }
    /** @brief The role name this client logged in as (empty before the first connect). */
    const QString &user() const { return m_user; }
    /** @brief "host:port/dbname" of the server (never the password). */
    const QString &server() const { return m_server; }

    /** @brief Reads the person's workspaces, stores them locally (conversations of workspaces
     *  they left stop being shared) and LISTENs on their channels. */
    QList<Workspace> refreshWorkspaces();
    const QList<Workspace> &workspaces() const { return m_workspaces; }
    /** @brief What the last refreshWorkspaces() changed locally. */
    const local::WorkspacesStored &lastWorkspaceChange() const { return m_lastStored; }

    /** @brief Pushes the outbox in batches of @p batchSize until it is empty or only holds rows
     *  the server refused. Rows refused because their conversation or parent had not arrived
     *  are pushed again once others went through. */
    PushResult push(int batchSize = 500);
    /** @brief Applies the server's changes until caught up. */
    PullResult pull(int batchSize = 2000);

private:
    PushResult pushQueue(int batchSize);
    local::PushRecord pushBatch(const QList<local::OutboxRow> &rows);
    PullResult pullPages(int batchSize, bool &stale);
    void completeParents(PullPage &page);
    void forgetLocalState();

    store::Store &m_store;
    QString m_dsn;
    std::unique_ptr<PgConnection> m_conn;
    QString m_user;
    QString m_server;
    QList<Workspace> m_workspaces;
    QSet<QString> m_channels; ///< LISTENed on this connection
    local::WorkspacesStored m_lastStored;
    // What this client knows of its store, so a live pull (a few rows, for every message a
    // teammate writes) needs no store reads: the positions after the last applied page, and
    // conversations and messages known to be local. Forgotten on connect() and on any error; a
    // page checks the stored positions before applying, so a stale copy costs a retry, not a gap.
    std::optional<PullPositions> m_positions;
    QSet<QString> m_localConversations;
    QSet<QString> m_localMessages;
};

} // namespace arbor::sync
