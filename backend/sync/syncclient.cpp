#include "syncclient.h"

#include "pgconnection.h"
#include "pgschema.h"
#include "remotequeries.h"

#include "store/sql.h"
#include "store/store.h"

#include <QLoggingCategory>
#include <QSqlQuery>

#include <algorithm>
#include <utility>

namespace arbor::sync {

Q_LOGGING_CATEGORY(lcSync, "arbor.sync", QtInfoMsg)

using store::exec;

namespace {

/** @brief True when the error means the connection itself is gone (not a refused row). */
bool isConnectionLoss(const PgError &e, const PgConnection &conn)
{
    return !conn.isOk() || e.sqlState().startsWith("08") || e.sqlState().startsWith("57P")
        || e.sqlState().isEmpty();
}

/** @brief True for failures that pass by themselves: a lock held too long (a teammate's push
 *  in an open transaction), a deadlock or serialization failure, a cancelled statement. */
bool isTransient(const PgError &e)
{
    return e.sqlState() == "55P03" || e.sqlState().startsWith("40") || e.sqlState() == "57014";
}

} // namespace

SyncClient::SyncClient(store::Store &store, QString dsn)
    : m_store(store)
    , m_dsn(std::move(dsn))
{
}

SyncClient::~SyncClient() = default;

void SyncClient::connect()
{
    m_conn.reset();
    forgetLocalState();
    auto conn = std::make_unique<PgConnection>(m_dsn);
    const int version = PgSchema::currentVersion(*conn);
    if (version == 0)
        throw PgError(QStringLiteral("%1 has no Arbor team schema; an administrator runs "
                                     "“arbord admin init” first")
                          .arg(conn->describe()));
    if (version < PgSchema::latestVersion())
        throw PgError(QStringLiteral("%1 runs an older Arbor team schema (%2; this build needs "
                                     "%3): an administrator runs “arbord admin migrate”")
                          .arg(conn->describe())
                          .arg(version)
                          .arg(PgSchema::latestVersion()));
    if (version > PgSchema::latestVersion())
        throw PgError(QStringLiteral("%1 runs a newer Arbor team schema (%2; this build knows up "
                                     "to %3): update Arbor")
                          .arg(conn->describe())
                          .arg(version)
                          .arg(PgSchema::latestVersion()));
    m_user = conn->user();
    m_server = conn->describe();
    m_conn = std::move(conn);

    // Positions belong to one server and one person: anything else starts over.
    m_store
        .write([identity = m_user + u'@' + m_server, user = m_user](QSqlDatabase &db) {
            local::adoptIdentity(db, identity, user);
        })
        .waitForFinished();
    m_workspaces.clear(); // a new connection listens to nothing yet
    m_channels.clear();
    refreshWorkspaces();
    // What the server refused before may pass now (an administrator changed something while
    // this client was away).
    m_store.write([](QSqlDatabase &db) { return local::retryRefused(db); }).waitForFinished();
}

void SyncClient::disconnect()
{
    m_conn.reset();
}

bool SyncClient::isConnected() const
{
    return m_conn && m_conn->isOk();
}

QList<Workspace> SyncClient::refreshWorkspaces()
{
    const QList<Workspace> list = remote::workspaces(*m_conn);
    // Each membership has its own random channel: listen to the new ones, stop listening to
    // those of workspaces this person left.
    QSet<QString> channels;
    for (const Workspace &w : list)
        channels.insert(w.channel);
    for (const QString &channel : channels)
        if (!m_channels.contains(channel))
            remote::listen(*m_conn, channel);
    for (const QString &channel : std::as_const(m_channels))
        if (!channels.contains(channel))
            remote::unlisten(*m_conn, channel);
    m_channels = channels;
    m_workspaces = list;
    m_lastStored =
        m_store.write([list](QSqlDatabase &db) { return local::storeWorkspaces(db, list); })
            .result();
    if (m_lastStored.detached > 0 || m_lastStored.changed)
        forgetLocalState(); // positions of a workspace left are forgotten with it
    return list;
}

PushResult SyncClient::push(int batchSize)
{
    PushResult total;
    // A few rounds at most: a row refused because its parent or conversation had not arrived
    // gets another chance after a round that pushed something.
    for (int round = 0; round < 4; ++round) {
        const PushResult r = pushQueue(batchSize);
        total.pushed += r.pushed;
        if (r.pushed == 0)
            break;
        const int retried =
            m_store
                .write([](QSqlDatabase &db) {
                    return local::retryRefused(
                        db, {PushOutcome::ConversationMissing, PushOutcome::ParentMissing});
                })
                .result();
        if (retried == 0)
            break;
    }
    total.refused = int(local::refusedChanges(m_store).size());
    return total;
}

PushResult SyncClient::pushQueue(int batchSize)
{
    PushResult result;
    for (;;) {
        const QList<local::OutboxRow> rows =
            m_store.read([batchSize](QSqlDatabase &db) { return local::readOutbox(db, batchSize); })
                .result();
        if (rows.isEmpty())
            return result;
        const local::PushRecord record = pushBatch(rows);
        result.pushed += record.pushed;
        result.refused += record.refused;
        // Stop when the queue is drained, or when nothing moved (rows written concurrently by
        // another push of this person wait for the next cycle).
        if (rows.size() < batchSize || (record.pushed == 0 && record.refused == 0))
            return result;
    }
}

local::PushRecord SyncClient::pushBatch(const QList<local::OutboxRow> &rows)
{
    QList<RemoteConversation> conversations;
    QList<RemoteMessage> messages;
    for (const local::OutboxRow &row : rows) {
        if (row.missing)
            continue;
        if (row.entity == u"conversation")
            conversations.append(row.conversation);
        else
            messages.append(row.message);
    }
    QHash<QString, PushedRow> outcomes;
    const auto note = [&outcomes](const QList<PushedRow> &pushed) {
        for (const PushedRow &p : pushed)
            outcomes.insert(local::outcomeKey(p.entity, p.id), p);
    };
    try {
        note(remote::push(*m_conn, conversations, messages));
    } catch (const PgError &e) {
        if (isConnectionLoss(e, *m_conn) || isTransient(e))
            throw;
        // The call failed as a whole: a row the server cannot take at all (a value its checks
        // refuse). Push the rows one by one; the one that fails keeps the server's reason and
        // does not hold up the others.
        qCWarning(lcSync) << "a push of" << rows.size() << "rows failed:" << e.message()
                          << "- pushing them one by one";
        for (const local::OutboxRow &row : rows) {
            if (row.missing)
                continue;
            try {
                note(row.entity == u"conversation" ? remote::push(*m_conn, {row.conversation}, {})
                                                   : remote::push(*m_conn, {}, {row.message}));
            } catch (const PgError &one) {
                if (isConnectionLoss(one, *m_conn) || isTransient(one))
                    throw;
                qCWarning(lcSync) << "the server rejects" << row.entity << row.entityId << ":"
                                  << one.message();
                outcomes.insert(local::outcomeKey(row.entity, row.entityId),
                                {row.entity, row.entityId, PushOutcome::Rejected, one.message()});
            }
        }
    }
    for (const PushedRow &p : std::as_const(outcomes))
        if (isRefused(p.outcome))
            qCInfo(lcSync).noquote()
                << "the server refused" << p.entity << p.id << ":"
                << (p.detail.isEmpty() ? describe(p.outcome, p.entity) : p.detail);

    // The server has committed: only now do the rows leave the outbox.
    return m_store
        .write([rows, outcomes](QSqlDatabase &db) { return local::recordPush(db, rows, outcomes); })
        .result();
}

void SyncClient::forgetLocalState()
{
    m_positions.reset();
    m_localConversations.clear();
    m_localMessages.clear();
}

PullResult SyncClient::pull(int batchSize)
{
    try {
        bool stale = false;
        PullResult result = pullPages(batchSize, stale);
        if (stale) {
            // Another client of this store moved the positions: start again from the stored ones.
            forgetLocalState();
            const PullResult more = pullPages(batchSize, stale);
            result.changes += more.changes;
            result.conversations += more.conversations;
            result.messages += more.messages;
            result.refused += more.refused;
            result.conversationIds.unite(more.conversationIds);
            result.messageIds += more.messageIds;
            if (stale)
                forgetLocalState();
        }
        return result;
    } catch (...) {
        forgetLocalState();
        throw;
    }
}

void SyncClient::completeParents(PullPage &page)
{
    // Within one statement the server logs rows in (created_at, id) order, and clocks of two
    // machines disagree: a child may come a page before its parent. Fetch such parents (and
    // theirs) now; a later page applies them again, which changes nothing.
    QSet<QString> inPage;
    for (const RemoteMessage &m : std::as_const(page.messages))
        inPage.insert(m.id);
    for (int depth = 0; depth < 1000; ++depth) {
        QStringList wanted;
        for (const RemoteMessage &m : std::as_const(page.messages))
            if (!m.parentId.isEmpty() && !inPage.contains(m.parentId)
                && !m_localMessages.contains(m.parentId) && !wanted.contains(m.parentId))
                wanted.append(m.parentId);
        if (wanted.isEmpty())
            return;
        const QStringList absent =
            m_store.read([wanted](QSqlDatabase &db) { return local::absentMessages(db, wanted); })
                .result();
        for (const QString &id : wanted)
            if (!absent.contains(id))
                m_localMessages.insert(id);
        if (absent.isEmpty())
            return;
        const QList<RemoteMessage> fetched = remote::fetchMessages(*m_conn, absent);
        if (fetched.isEmpty())
            return; // not readable: the child is refused when applied
        for (const RemoteMessage &m : fetched)
            inPage.insert(m.id);
        page.messages = fetched + page.messages;
    }
}

PullResult SyncClient::pullPages(int batchSize, bool &stale)
{
    PullResult result;
    PullPositions positions = m_positions ? *m_positions : local::storedPositions(m_store);
    // The store applies one page while the server sends the next.
    QFuture<local::Applied> applying;
    const auto collect = [&result, &stale](QFuture<local::Applied> &pending) {
        if (!pending.isValid())
            return;
        const local::Applied a = pending.result(); // rethrows the store's error
        pending = {};
        stale = stale || a.stale;
        result.conversations += a.conversations;
        result.messages += a.messages;
        result.refused += a.refused;
        result.conversationIds.unite(a.conversationIds);
        result.messageIds += a.messageIds;
    };
    stale = false;
    for (;;) {
        PullPage page = remote::pull(*m_conn, positions, batchSize);
        if (page.changes == 0)
            break;
        for (const RemoteConversation &c : std::as_const(page.conversations))
            m_localConversations.insert(c.id);
        // A message's conversation must be local before the message: fetch any that is not
        // (it was logged in a page this store never saw, e.g. after a reset).
        QStringList missing;
        for (const RemoteMessage &m : std::as_const(page.messages))
            if (!m_localConversations.contains(m.conversationId)
                && !missing.contains(m.conversationId))
                missing.append(m.conversationId);
        if (!missing.isEmpty()) {
            const QStringList absent = m_store
                                           .read([missing](QSqlDatabase &db) {
                                               return local::absentConversations(db, missing);
                                           })
                                           .result();
            if (!absent.isEmpty())
                page.conversations += remote::fetchConversations(*m_conn, absent);
            for (const QString &id : missing)
                m_localConversations.insert(id);
        }
        completeParents(page);
        for (const RemoteMessage &m : std::as_const(page.messages))
            m_localMessages.insert(m.id);

        // A page applies only on top of the one before it: if that one failed, or another
        // client of the store moved the positions, the positions must not jump.
        PullPositions from;
        for (auto it = page.next.begin(); it != page.next.end(); ++it)
            from.insert(it.key(), positions.value(it.key(), 0));
        QFuture<local::Applied> next =
            m_store.write([from, to = page.next, conversations = std::move(page.conversations),
                           messages = std::move(page.messages)](QSqlDatabase &db) {
                const PullPositions stored = local::positions(db);
                for (auto it = from.begin(); it != from.end(); ++it) {
                    if (stored.value(it.key(), 0) != it.value()) {
                        local::Applied skipped;
                        skipped.stale = true;
                        return skipped;
                    }
                }
                local::Applied a = local::apply(db, conversations, messages);
                local::setPositions(db, to);
                return a;
            });
        collect(applying);
        applying = std::move(next);
        for (auto it = page.next.begin(); it != page.next.end(); ++it)
            positions.insert(it.key(), it.value());
        result.changes += page.changes;
        if (stale || !page.more)
            break;
    }
    collect(applying);
    if (!stale)
        m_positions = positions;
    return result;
}

} // namespace arbor::sync
