#pragma once

#include "changelog.h"

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
struct OutboxRow;

/** @brief A workspace the connected person belongs to. */
struct Workspace
{
    QString id;
    QString name;
    QString role; ///< admin, member or viewer

    bool operator==(const Workspace &) const = default;
};

/** @brief Who is where in a workspace, as the team server last heard. */
struct PresenceEntry
{
    QString workspaceId;
    QString user;
    QString conversationId; ///< empty when in no shared conversation
    bool typing = false;
    bool online = false; ///< said so within the last 30 seconds
};

/** @brief What one pull applied. */
struct PullResult
{
    int changes = 0;              ///< change-log rows read
    int conversations = 0;        ///< conversation rows applied
    int messages = 0;             ///< message rows applied
    QSet<QString> conversationIds; ///< conversations whose rows changed locally
    QStringList messageIds;        ///< messages inserted or updated locally
    bool heldBack = false; ///< committed changes wait behind a running transaction: pull again soon
};

/**
 * @brief The blocking half of team sync between one local store and one team server: push the
 * outbox, pull the change log, list workspaces, presence. Every call may block on the network
 * and on the store's writer: use it on the sync thread or in a command-line tool, never on the
 * GUI thread. Calls throw PgError (server) or StoreError (local); after a PgError with
 * isConnected() false the client must connect() again.
 *
 * Push is idempotent (upserts by id): a batch the server committed but whose outbox rows were
 * not yet removed (a crash, a lost reply) is pushed again harmlessly. Pull applies a batch of
 * changes and the cursor after it in one local transaction, so a crash never skips or repeats a
 * change. Rows pulled from the server are written without being queued back.
 */
class SyncClient
{
public:
    SyncClient(store::Store &store, QString dsn);
    ~SyncClient();
    SyncClient(const SyncClient &) = delete;
    SyncClient &operator=(const SyncClient &) = delete;

    /** @brief Connects, checks the schema, lists the workspaces and LISTENs to them. When the
     *  store was last synced with another server or person, the pull starts over. */
    void connect();
    void disconnect();
    bool isConnected() const;
    /** @brief The connection (for the socket and notifications); null when disconnected. */
    PgConnection *connection() const { return m_conn.get(); }
    /** @brief The role name this client logged in as (empty before the first connect). */
    const QString &user() const { return m_user; }
    /** @brief "host:port/dbname" of the server (never the password). */
    const QString &server() const { return m_server; }

    /** @brief Reads the person's workspaces, stores them locally and LISTENs to each. */
    QList<Workspace> refreshWorkspaces();
    const QList<Workspace> &workspaces() const { return m_workspaces; }

    /** @brief Pushes the outbox in batches of @p batchSize until it is empty (or only holds
     *  rows the server refused). Returns the number of rows pushed. */
    int push(int batchSize = 500);
    /** @brief Applies the server's changes until caught up. */
    PullResult pull(int batchSize = 2000);

    /** @brief Says where this person is (conversation may be empty) in every workspace, or in
     *  @p workspaceId only when given. */
    void setPresence(const QString &conversationId, bool typing, bool online = true,
                     const QString &workspaceId = {});
    /** @brief Everyone's presence in the person's workspaces. */
    QList<PresenceEntry> presence();

    // Local state, readable without a connection.
    /** @brief Outbox rows waiting to be pushed (refused rows included). */
    static int pendingChanges(store::Store &store);
    /** @brief Outbox rows the server refused, with its reason (entity id → error). */
    static QList<QPair<QString, QString>> refusedChanges(store::Store &store);
    static ChangeCursor storedCursor(store::Store &store);
    static QList<Workspace> storedWorkspaces(store::Store &store);

private:
    void pushBatch(const QList<OutboxRow> &rows);
    PullResult pullPages(int batchSize, bool &stale);
    void forgetLocalState();

    store::Store &m_store;
    QString m_dsn;
    std::unique_ptr<PgConnection> m_conn;
    QString m_user;
    QString m_server;
    QList<Workspace> m_workspaces;
    // What this client knows of its store, so a live pull (a few rows, for every message a
    // teammate writes) needs no store reads: the cursor after the last applied page, and
    // conversations known to be local. Forgotten on connect() and on any error; a page
    // checks the stored cursor before applying, so a stale copy costs a retry, not a gap.
    std::optional<ChangeCursor> m_cursor;
    QSet<QString> m_localConversations;
};

/** @brief The LISTEN channel of a workspace (notifications carry ids only). */
QString workspaceChannel(const QString &workspaceId);

/**
 * @brief Local operations on shared conversations, run on the store's threads (they do not need
 * a connection: the outbox pushes them later).
 */
namespace local {

/** @brief Moves a personal conversation into @p workspaceId; its whole tree is queued for push.
 *  Throws StoreError when the conversation is unknown or already in a workspace. */
void moveToWorkspace(store::Store &store, const QString &conversationId,
                     const QString &workspaceId);
/** @brief The workspace of a conversation (empty: personal). */
QString workspaceOf(store::Store &store, const QString &conversationId);
/** @brief Marks everything in the conversation as read now. */
void markRead(store::Store &store, const QString &conversationId);
/** @brief Messages from teammates that arrived after the conversation was last read, per
 *  conversation (conversations without any are absent). @p me is the person's role name; their
 *  own messages from other devices are never unread. */
QHash<QString, int> unreadCounts(store::Store &store, const QString &me);
/** @brief A digest of the shared rows (workspace conversations and their messages: ids, tree,
 *  text, status, tombstones), to compare two copies. */
QByteArray digest(store::Store &store);

} // namespace local

/** @brief The same digest computed on the server, over what the connection can read. */
QByteArray serverDigest(PgConnection &conn);

} // namespace arbor::sync
