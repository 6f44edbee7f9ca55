#include "syncclient.h"

#include "pgconnection.h"
#include "pgschema.h"
#include "remotequeries.h"
#include "store/sql.h"
#include "store/store.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QHash>
#include <QLoggingCategory>
#include <QSqlError>
#include <QSqlQuery>

#include <algorithm>
#include <sqlite3.h>
#include <utility>

namespace arbor::sync {

Q_LOGGING_CATEGORY(lcSync, "arbor.sync", QtInfoMsg)

using store::exec;
using store::nullIfEmpty;

/** @brief One outbox row with the local copy of its entity, read in one snapshot. */
struct OutboxRow
{
    qint64 seq = 0;
    qint64 version = 0;
    QString entity;
    QString entityId;
    bool missing = false; ///< the entity is gone locally: nothing to push
    RemoteConversation conversation;
    RemoteMessage message;
};

namespace {

std::optional<qint64> optionalInt(const QVariant &v)
{
    if (v.isNull())
        return std::nullopt;
    return v.toLongLong();
}

QVariant variant(const std::optional<qint64> &v)
{
    return v ? QVariant(*v) : QVariant();
}

QString textOrEmpty(const QVariant &v)
{
    return v.isNull() ? QString() : v.toString();
}

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

QString stateValue(QSqlDatabase &db, const QString &key)
{
    QSqlQuery q = exec(db, QStringLiteral("SELECT value FROM sync_state WHERE key = ?"), {key});
    return q.next() ? q.value(0).toString() : QString();
}

void setStateValue(QSqlDatabase &db, const QString &key, const QString &value)
{
    exec(db,
         QStringLiteral("INSERT INTO sync_state (key, value) VALUES (?, ?) "
                        "ON CONFLICT (key) DO UPDATE SET value = excluded.value"),
         {key, value});
}

QList<OutboxRow> readOutbox(QSqlDatabase &db, int limit)
{
    QList<OutboxRow> rows;
    QSqlQuery q = exec(db,
                       QStringLiteral("SELECT seq, version, entity, entity_id FROM sync_outbox "
                                      "WHERE error = '' ORDER BY seq LIMIT ?"),
                       {limit});
    while (q.next()) {
        OutboxRow row;
        row.seq = q.value(0).toLongLong();
        row.version = q.value(1).toLongLong();
        row.entity = q.value(2).toString();
        row.entityId = q.value(3).toString();
        rows.append(row);
    }
    for (OutboxRow &row : rows) {
        if (row.entity == u"conversation") {
            store::CachedQuery cached = store::execCached(
                db,
                QStringLiteral("SELECT workspace_id, title, current_leaf_id, settings, "
                               "forked_from_conversation_id, forked_from_message_id, "
                               "created_at, updated_at, deleted_at "
                               "FROM conversations WHERE id = ?"),
                {row.entityId});
            QSqlQuery &c = *cached;
            if (!c.next() || c.value(0).isNull()) {
                c.finish();
                row.missing = true;
                continue;
            }
            RemoteConversation &rc = row.conversation;
            rc.id = row.entityId;
            rc.workspaceId = c.value(0).toString();
            rc.title = c.value(1).toString();
            rc.currentLeafId = textOrEmpty(c.value(2));
            rc.settings = c.value(3).toString();
            rc.forkedFromConversationId = textOrEmpty(c.value(4));
            rc.forkedFromMessageId = textOrEmpty(c.value(5));
            rc.createdAt = c.value(6).toLongLong();
            rc.updatedAt = c.value(7).toLongLong();
            rc.deletedAt = optionalInt(c.value(8));
            c.finish(); // a cached statement left mid-rows would pin this reader's snapshot
        } else {
            // Streaming text lives in chunks until the reply ends: push content + chunks.
            store::CachedQuery cached = store::execCached(
                db,
                QStringLiteral(
                    "SELECT c.workspace_id, m.conversation_id, m.parent_id, m.role, m.provider, "
                    "m.model, m.content || coalesce((SELECT group_concat(text, '') FROM "
                    "(SELECT text FROM message_chunks WHERE message_id = m.id ORDER BY seq)), ''), "
                    "m.status, m.error, m.finish_reason, m.prompt_tokens, m.completion_tokens, "
                    "m.label, m.created_at, m.finished_at, m.deleted_at, m.deleted_batch "
                    "FROM messages m JOIN conversations c ON c.id = m.conversation_id "
                    "WHERE m.id = ?"),
                {row.entityId});
            QSqlQuery &m = *cached;
            if (!m.next() || m.value(0).isNull()) {
                m.finish();
                row.missing = true;
                continue;
            }
            RemoteMessage &rm = row.message;
            rm.id = row.entityId;
            rm.workspaceId = m.value(0).toString();
            rm.conversationId = m.value(1).toString();
            rm.parentId = textOrEmpty(m.value(2));
            rm.role = m.value(3).toString();
            rm.provider = m.value(4).toString();
            rm.model = m.value(5).toString();
            rm.content = m.value(6).toString();
            rm.status = m.value(7).toString();
            rm.error = m.value(8).toString();
            rm.finishReason = m.value(9).toString();
            rm.promptTokens = optionalInt(m.value(10));
            rm.completionTokens = optionalInt(m.value(11));
            rm.label = textOrEmpty(m.value(12));
            rm.createdAt = m.value(13).toLongLong();
            rm.finishedAt = optionalInt(m.value(14));
            rm.deletedAt = optionalInt(m.value(15));
            rm.deletedBatch = textOrEmpty(m.value(16));
            m.finish();
        }
    }
    return rows;
}

ChangeCursor cursorIn(QSqlDatabase &db)
{
    ChangeCursor c;
    const QString xid = stateValue(db, QStringLiteral("cursor_xid"));
    if (!xid.isEmpty()) {
        c.xid = xid;
        c.id = stateValue(db, QStringLiteral("cursor_id")).toLongLong();
    }
    return c;
}

/** @brief True when the error means the connection itself is gone (not a refused row). */
bool isConnectionLoss(const PgError &e, const PgConnection &conn)
{
    return !conn.isOk() || e.sqlState().startsWith("08") || e.sqlState().startsWith("57P")
        || e.sqlState().isEmpty();
}

QString textColumn(sqlite3_stmt *st, int column)
{
    return QString::fromUtf8(reinterpret_cast<const char *>(sqlite3_column_text(st, column)),
                             sqlite3_column_bytes(st, column));
}

struct Applied
{
    bool stale = false; ///< not applied: the stored cursor was not where the page starts
    int conversations = 0;
    int messages = 0;
    QSet<QString> conversationIds;
    QStringList messageIds;
};

Applied applyRemote(QSqlDatabase &db, const QList<RemoteConversation> &conversations,
                    QList<RemoteMessage> messages)
{
    Applied applied;
    const qint64 now = nowMs();
    exec(db, QStringLiteral("UPDATE sync_flags SET applying = 1"));
    for (const RemoteConversation &c : conversations) {
        // The current leaf is each person's own position in the tree: a new copy starts at
        // none (the newest path), an existing one keeps the local position.
        QSqlQuery q = exec(
            db,
            QStringLiteral(
                "INSERT INTO conversations (id, workspace_id, title, current_leaf_id, settings, "
                "created_by, forked_from_conversation_id, forked_from_message_id, created_at, "
                "updated_at, deleted_at) VALUES (?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET workspace_id = excluded.workspace_id, "
                "created_by = excluded.created_by, "
                "title = excluded.title, settings = excluded.settings, "
                "updated_at = max(updated_at, excluded.updated_at), "
                "deleted_at = coalesce(deleted_at, excluded.deleted_at) "
                "WHERE NOT EXISTS (SELECT 1 FROM sync_outbox o WHERE o.entity = 'conversation' "
                "AND o.entity_id = excluded.id) "
                "AND (excluded.updated_at > conversations.updated_at "
                "OR (conversations.deleted_at IS NULL AND excluded.deleted_at IS NOT NULL) "
                "OR conversations.workspace_id IS NOT excluded.workspace_id)"),
            {c.id, c.workspaceId, c.title, c.settings, nullIfEmpty(c.createdBy),
             nullIfEmpty(c.forkedFromConversationId),
             nullIfEmpty(c.forkedFromMessageId), c.createdAt, c.updatedAt, variant(c.deletedAt)});
        if (q.numRowsAffected() > 0) {
            ++applied.conversations;
            applied.conversationIds.insert(c.id);
        }
    }

    // Parents before children (clocks of different machines may disagree on created_at).
    QSet<QString> present;
    auto isLocal = [&db](const QString &id) {
        QSqlQuery q = exec(db, QStringLiteral("SELECT 1 FROM messages WHERE id = ?"), {id});
        return q.next();
    };
    QList<RemoteMessage> ordered;
    ordered.reserve(messages.size());
    QSet<QString> inBatch;
    for (const RemoteMessage &m : messages)
        inBatch.insert(m.id);
    while (!messages.isEmpty()) {
        QList<RemoteMessage> waiting;
        const qsizetype before = messages.size();
        for (RemoteMessage &m : messages) {
            if (m.parentId.isEmpty() || present.contains(m.parentId)
                || (!inBatch.contains(m.parentId) && isLocal(m.parentId))) {
                present.insert(m.id);
                ordered.append(std::move(m));
            } else {
                waiting.append(std::move(m));
            }
        }
        messages = std::move(waiting);
        if (messages.size() == before) {
            // Parents that are neither here nor local (should not happen: a parent's change
            // is always logged first). Skip them loudly rather than break the local tree.
            for (const RemoteMessage &m : messages)
                qCWarning(lcSync) << "skipping message" << m.id << "whose parent" << m.parentId
                                  << "is unknown";
            break;
        }
    }

    if (ordered.isEmpty()) {
        exec(db, QStringLiteral("UPDATE sync_flags SET applying = 0"));
        return applied;
    }
    // Messages written here (synced_at NULL) are pushed from here: the server copy never
    // overwrites them. Messages that came from the server follow the server. RETURNING names
    // the rows inserted or really updated. On SQLite's C API: Qt's per-value binding cost more
    // than the upsert at the rate of an initial pull.
    static const QByteArray columns = QByteArrayLiteral(
        "id, conversation_id, parent_id, role, author, provider, model, content, status, error, "
        "finish_reason, prompt_tokens, completion_tokens, label, created_at, finished_at, "
        "deleted_at, deleted_batch");
    static const QByteArray upsertTail = QByteArrayLiteral(
        " ON CONFLICT (id) DO UPDATE SET content = excluded.content, "
        "status = excluded.status, error = excluded.error, "
        "finish_reason = excluded.finish_reason, prompt_tokens = excluded.prompt_tokens, "
        "completion_tokens = excluded.completion_tokens, label = excluded.label, "
        "finished_at = excluded.finished_at, deleted_at = excluded.deleted_at, "
        "deleted_batch = excluded.deleted_batch "
        "WHERE messages.synced_at IS NOT NULL "
        "AND NOT EXISTS (SELECT 1 FROM sync_outbox o WHERE o.entity = 'message' "
        "AND o.entity_id = excluded.id) "
        "AND NOT EXISTS (SELECT 1 FROM message_chunks k WHERE k.message_id = excluded.id) "
        "AND (messages.content IS NOT excluded.content OR messages.status IS NOT "
        "excluded.status OR messages.label IS NOT excluded.label "
        "OR messages.deleted_at IS NOT excluded.deleted_at "
        "OR messages.error IS NOT excluded.error "
        "OR messages.finish_reason IS NOT excluded.finish_reason "
        "OR messages.completion_tokens IS NOT excluded.completion_tokens) "
        "RETURNING id, conversation_id");
    const auto bindMessage = [](sqlite3_stmt *st, const RemoteMessage &m) {
        // Text without a copy (each string outlives the step); a null QString is '' for the NOT
        // NULL columns, an empty optional id is NULL.
        const auto text = [st](int i, const QString &v) {
            sqlite3_bind_text16(st, i, v.utf16(), int(v.size() * sizeof(char16_t)), SQLITE_STATIC);
        };
        const auto optionalText = [st, &text](int i, const QString &v) {
            if (v.isEmpty())
                sqlite3_bind_null(st, i);
            else
                text(i, v);
        };
        const auto number = [st](int i, const std::optional<qint64> &v) {
            if (v)
                sqlite3_bind_int64(st, i, *v);
            else
                sqlite3_bind_null(st, i);
        };
        text(1, m.id);
        text(2, m.conversationId);
        optionalText(3, m.parentId);
        text(4, m.role);
        text(5, m.author);
        text(6, m.provider);
        text(7, m.model);
        text(8, m.content);
        text(9, m.status);
        text(10, m.error);
        text(11, m.finishReason);
        number(12, m.promptTokens);
        number(13, m.completionTokens);
        optionalText(14, m.label);
        number(15, m.createdAt);
        number(16, m.finishedAt);
        number(17, m.deletedAt);
        optionalText(18, m.deletedBatch);
    };
    // A live update is a few rows: one upsert each. A large page goes into a temporary table
    // and then into messages in ONE statement: SQLite opens a statement savepoint for each
    // upsert (messages has triggers), and full-text search writes its pending terms to disk at
    // every savepoint, so row by row each message became its own search segment (43 µs a row,
    // most of an initial pull).
    constexpr qsizetype RowByRowUpTo = 32;
    if (ordered.size() <= RowByRowUpTo) {
        // Kept prepared on the writer's connection: compiling this upsert (with the tree,
        // search and outbox triggers) costs more than running it.
        static const QString sql = QString::fromLatin1(
            "INSERT INTO messages (" + columns
            + ", synced_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            + upsertTail);
        for (const RemoteMessage &m : ordered) {
            store::CachedQuery upsert = store::execCached(
                db, sql,
                QVariantList{m.id, m.conversationId, nullIfEmpty(m.parentId), m.role, m.author,
                             m.provider, m.model, m.content, m.status, m.error, m.finishReason,
                             variant(m.promptTokens), variant(m.completionTokens),
                             nullIfEmpty(m.label), m.createdAt, variant(m.finishedAt),
                             variant(m.deletedAt), nullIfEmpty(m.deletedBatch), now});
            while (upsert->next()) {
                ++applied.messages;
                applied.conversationIds.insert(upsert->value(1).toString());
                applied.messageIds.append(upsert->value(0).toString());
            }
        }
    } else {
        exec(db, QStringLiteral("CREATE TEMP TABLE IF NOT EXISTS pulled_messages ("
                                "seq INTEGER PRIMARY KEY, %1)")
                     .arg(QString::fromLatin1(columns)));
        exec(db, QStringLiteral("DELETE FROM temp.pulled_messages"));
        {
            store::NativeQuery stage(db, "INSERT INTO temp.pulled_messages (" + columns
                                             + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                                               "?, ?, ?, ?)");
            for (const RemoteMessage &m : ordered) {
                bindMessage(stage.statement(), m);
                stage.step();
                sqlite3_reset(stage.statement()); // before the next bindings
            }
        }
        // In seq order: parents first (the child counts need the parent in place). SQLite's
        // parser needs the WHERE before ON CONFLICT.
        store::NativeQuery upsert(db, "INSERT INTO messages (" + columns
                                          + ", synced_at) SELECT " + columns
                                          + ", ? FROM temp.pulled_messages WHERE true "
                                            "ORDER BY seq"
                                          + upsertTail);
        sqlite3_bind_int64(upsert.statement(), 1, now);
        while (upsert.step()) {
            ++applied.messages;
            applied.conversationIds.insert(textColumn(upsert.statement(), 1));
            applied.messageIds.append(textColumn(upsert.statement(), 0));
        }
        exec(db, QStringLiteral("DELETE FROM temp.pulled_messages"));
    }
    exec(db, QStringLiteral("UPDATE sync_flags SET applying = 0"));
    return applied;
}

} // namespace

QString workspaceChannel(const QString &workspaceId)
{
    return QStringLiteral("arbor_ws_") + QString(workspaceId).remove(u'-');
}

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

    // A cursor belongs to one server and one person: anything else starts over.
    const QString identity = m_user + u'@' + m_server;
    m_store
        .write([identity, user = m_user](QSqlDatabase &db) {
            if (stateValue(db, QStringLiteral("identity")) != identity) {
                exec(db, QStringLiteral("DELETE FROM sync_state"));
                exec(db, QStringLiteral("DELETE FROM sync_workspaces"));
                setStateValue(db, QStringLiteral("identity"), identity);
            }
            // Who this store acts as on the server: the store refuses edits the server would.
            setStateValue(db, QStringLiteral("user"), user);
        })
        .waitForFinished();
    m_workspaces.clear(); // a new connection listens to nothing yet
    refreshWorkspaces();
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
    const PgResult r = m_conn->exec(QStringLiteral(
        "SELECT w.id, w.name, m.role FROM arbor.workspaces w "
        "JOIN arbor.members m ON m.workspace_id = w.id AND m.role_name = current_user "
        "ORDER BY w.name"));
    QList<Workspace> list;
    for (int i = 0; i < r.rows(); ++i)
        list.append({r.text(i, 0), r.text(i, 1), r.text(i, 2)});
    for (const Workspace &w : list) {
        if (!m_workspaces.contains(w))
            m_conn->exec(QStringLiteral("LISTEN ") + workspaceChannel(w.id));
    }
    m_workspaces = list;
    m_store
        .write([list](QSqlDatabase &db) {
            exec(db, QStringLiteral("DELETE FROM sync_workspaces"));
            for (const Workspace &w : list)
                exec(db,
                     QStringLiteral("INSERT INTO sync_workspaces (id, name, role) VALUES (?, ?, ?)"),
                     {w.id, w.name, w.role});
        })
        .waitForFinished();
    return list;
}

int SyncClient::push(int batchSize)
{
    int pushed = 0;
    for (;;) {
        const QList<OutboxRow> rows =
            m_store.read([batchSize](QSqlDatabase &db) { return readOutbox(db, batchSize); })
                .result();
        if (rows.isEmpty())
            return pushed;
        pushBatch(rows);
        pushed += int(rows.size());
        if (rows.size() < batchSize)
            return pushed;
    }
}

void SyncClient::pushBatch(const QList<OutboxRow> &rows)
{
    auto pushOne = [this](const OutboxRow &row) {
        if (row.missing)
            return;
        if (row.entity == u"conversation")
            remote::pushConversation(*m_conn, row.conversation);
        else
            remote::pushMessage(*m_conn, row.message);
    };

    QList<QPair<const OutboxRow *, QString>> refused;
    try {
        // One statement per run of rows of one kind: the outbox order puts a conversation
        // before its messages, and within a run the server checks parents at commit.
        m_conn->exec(QStringLiteral("BEGIN"));
        QList<RemoteConversation> conversations;
        QList<RemoteMessage> messages;
        auto flush = [&] {
            remote::pushConversations(*m_conn, std::exchange(conversations, {}));
            remote::pushMessages(*m_conn, std::exchange(messages, {}));
        };
        for (const OutboxRow &row : rows) {
            if (row.missing)
                continue;
            if (row.entity == u"conversation") {
                if (!messages.isEmpty())
                    flush();
                conversations.append(row.conversation);
            } else {
                messages.append(row.message);
            }
        }
        flush();
        m_conn->exec(QStringLiteral("COMMIT"));
    } catch (const PgError &e) {
        if (isConnectionLoss(e, *m_conn))
            throw;
        m_conn->exec(QStringLiteral("ROLLBACK"));
        // Find the rows the server refuses, one transaction each; push the others.
        for (const OutboxRow &row : rows) {
            try {
                pushOne(row);
            } catch (const PgError &one) {
                if (isConnectionLoss(one, *m_conn))
                    throw;
                qCWarning(lcSync) << "the server refused" << row.entity << row.entityId << ":"
                                  << one.message();
                refused.append({&row, one.message()});
            }
        }
    }

    // The server has committed: only now do the rows leave the outbox, and only if nothing
    // changed them meanwhile (a newer version is pushed next time).
    m_store
        .write([rows, refused](QSqlDatabase &db) {
            QSet<qint64> refusedSeqs;
            for (const auto &[row, error] : refused) {
                refusedSeqs.insert(row->seq);
                store::execCached(
                    db, QStringLiteral("UPDATE sync_outbox SET error = ? WHERE seq = ? AND version = ?"),
                    {error, row->seq, row->version});
            }
            for (const OutboxRow &row : rows) {
                if (!refusedSeqs.contains(row.seq))
                    store::execCached(
                        db, QStringLiteral("DELETE FROM sync_outbox WHERE seq = ? AND version = ?"),
                        {row.seq, row.version});
            }
        })
        .waitForFinished();
}

void SyncClient::forgetLocalState()
{
    m_cursor.reset();
    m_localConversations.clear();
}

PullResult SyncClient::pull(int batchSize)
{
    try {
        bool stale = false;
        PullResult result = pullPages(batchSize, stale);
        if (stale) {
            // Another client of this store moved the cursor: start again from the stored one.
            forgetLocalState();
            const PullResult more = pullPages(batchSize, stale);
            result.changes += more.changes;
            result.conversations += more.conversations;
            result.messages += more.messages;
            result.conversationIds.unite(more.conversationIds);
            result.messageIds += more.messageIds;
            result.heldBack = more.heldBack || stale;
            if (stale)
                forgetLocalState();
        }
        return result;
    } catch (...) {
        forgetLocalState();
        throw;
    }
}

PullResult SyncClient::pullPages(int batchSize, bool &stale)
{
    PullResult result;
    ChangeCursor cursor = m_cursor ? *m_cursor : storedCursor(m_store);
    // The store applies one page while the server sends the next.
    QFuture<Applied> applying;
    const auto collect = [&result, &stale](QFuture<Applied> &pending) {
        if (!pending.isValid())
            return;
        const Applied a = pending.result(); // rethrows the store's error
        pending = {};
        stale = stale || a.stale;
        result.conversations += a.conversations;
        result.messages += a.messages;
        result.conversationIds.unite(a.conversationIds);
        result.messageIds += a.messageIds;
    };
    stale = false;
    for (;;) {
        PullPage page = remote::pull(*m_conn, cursor, batchSize);
        result.heldBack = page.heldBack;
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
            const QStringList absent =
                m_store
                    .read([missing](QSqlDatabase &db) {
                        QStringList out;
                        for (const QString &id : missing) {
                            QSqlQuery q = exec(
                                db, QStringLiteral("SELECT 1 FROM conversations WHERE id = ?"), {id});
                            if (!q.next())
                                out.append(id);
                        }
                        return out;
                    })
                    .result();
            if (!absent.isEmpty())
                page.conversations += remote::fetchConversations(*m_conn, absent);
            for (const QString &id : missing)
                m_localConversations.insert(id);
        }

        // A page applies only on top of the one before it: if that one failed, or another
        // client of the store moved the cursor, the cursor must not jump.
        QFuture<Applied> next = m_store.write(
            [from = cursor, to = page.next, conversations = std::move(page.conversations),
             messages = std::move(page.messages)](QSqlDatabase &db) {
                if (cursorIn(db) != from) {
                    Applied skipped;
                    skipped.stale = true;
                    return skipped;
                }
                Applied a = applyRemote(db, conversations, messages);
                setStateValue(db, QStringLiteral("cursor_xid"), to.xid);
                setStateValue(db, QStringLiteral("cursor_id"), QString::number(to.id));
                return a;
            });
        collect(applying);
        applying = std::move(next);
        cursor = page.next;
        result.changes += page.changes;
        if (stale || page.changes < batchSize)
            break;
    }
    collect(applying);
    if (!stale)
        m_cursor = cursor;
    return result;
}

void SyncClient::setPresence(const QString &conversationId, bool typing, bool online,
                             const QString &workspaceId)
{
    for (const Workspace &w : std::as_const(m_workspaces)) {
        if (!workspaceId.isEmpty() && w.id != workspaceId)
            continue;
        m_conn->exec(QStringLiteral(
                         "INSERT INTO arbor.presence AS p (workspace_id, conversation_id, typing, "
                         "online, seen_at) VALUES ($1, $2, $3, $4, now()) "
                         "ON CONFLICT (workspace_id, role_name) DO UPDATE SET "
                         "conversation_id = EXCLUDED.conversation_id, typing = EXCLUDED.typing, "
                         "online = EXCLUDED.online, seen_at = now()"),
                     {w.id, conversationId.isEmpty() ? QString() : conversationId,
                      typing ? QStringLiteral("true") : QStringLiteral("false"),
                      online ? QStringLiteral("true") : QStringLiteral("false")});
    }
}

QList<PresenceEntry> SyncClient::presence()
{
    const PgResult r = m_conn->exec(QStringLiteral(
        "SELECT workspace_id, role_name, coalesce(conversation_id::text, ''), typing, "
        "online AND seen_at > now() - interval '30 seconds' FROM arbor.presence "
        "ORDER BY workspace_id, role_name"));
    QList<PresenceEntry> out;
    for (int i = 0; i < r.rows(); ++i)
        out.append({r.text(i, 0), r.text(i, 1), r.text(i, 2), r.text(i, 3) == u"t",
                    r.text(i, 4) == u"t"});
    return out;
}

int SyncClient::pendingChanges(store::Store &store)
{
    return store
        .read([](QSqlDatabase &db) {
            QSqlQuery q = exec(db, QStringLiteral("SELECT count(*) FROM sync_outbox"));
            return q.next() ? q.value(0).toInt() : 0;
        })
        .result();
}

QList<QPair<QString, QString>> SyncClient::refusedChanges(store::Store &store)
{
    return store
        .read([](QSqlDatabase &db) {
            QList<QPair<QString, QString>> out;
            QSqlQuery q = exec(db, QStringLiteral("SELECT entity_id, error FROM sync_outbox "
                                                  "WHERE error <> '' ORDER BY seq"));
            while (q.next())
                out.append({q.value(0).toString(), q.value(1).toString()});
            return out;
        })
        .result();
}

ChangeCursor SyncClient::storedCursor(store::Store &store)
{
    return store.read([](QSqlDatabase &db) { return cursorIn(db); }).result();
}

QList<Workspace> SyncClient::storedWorkspaces(store::Store &store)
{
    return store
        .read([](QSqlDatabase &db) {
            QList<Workspace> out;
            QSqlQuery q =
                exec(db, QStringLiteral("SELECT id, name, role FROM sync_workspaces ORDER BY name"));
            while (q.next())
                out.append({q.value(0).toString(), q.value(1).toString(), q.value(2).toString()});
            return out;
        })
        .result();
}

namespace local {

void moveToWorkspace(store::Store &store, const QString &conversationId, const QString &workspaceId)
{
    store
        .write([conversationId, workspaceId](QSqlDatabase &db) {
            QSqlQuery w = exec(db, QStringLiteral("SELECT role FROM sync_workspaces WHERE id = ?"),
                               {workspaceId});
            if (!w.next())
                throw store::StoreError(
                    QStringLiteral("unknown workspace %1 (connect to the team server first)")
                        .arg(workspaceId));
            if (w.value(0).toString() == u"viewer")
                throw store::StoreError(
                    QStringLiteral("you are a viewer in this workspace and cannot share into it"));
            QSqlQuery q = exec(db,
                               QStringLiteral("UPDATE conversations SET workspace_id = ?, "
                                              "updated_at = max(updated_at + 1, ?) "
                                              "WHERE id = ? AND workspace_id IS NULL"),
                               {workspaceId, nowMs(), conversationId});
            if (q.numRowsAffected() != 1)
                throw store::StoreError(
                    QStringLiteral("conversation %1 is unknown or already shared").arg(conversationId));
        })
        .waitForFinished();
}

QString workspaceOf(store::Store &store, const QString &conversationId)
{
    return store
        .read([conversationId](QSqlDatabase &db) {
            QSqlQuery q = exec(db, QStringLiteral("SELECT workspace_id FROM conversations WHERE id = ?"),
                               {conversationId});
            return q.next() ? textOrEmpty(q.value(0)) : QString();
        })
        .result();
}

void markRead(store::Store &store, const QString &conversationId)
{
    store.post(
        [conversationId, now = nowMs()](QSqlDatabase &db) {
            exec(db,
                 QStringLiteral("INSERT INTO read_state (conversation_id, read_at) VALUES (?, ?) "
                                "ON CONFLICT (conversation_id) DO UPDATE SET read_at = "
                                "max(read_at, excluded.read_at)"),
                 {conversationId, now});
        });
}

QHash<QString, int> unreadCounts(store::Store &store, const QString &me)
{
    return store
        .read([me](QSqlDatabase &db) {
            QHash<QString, int> out;
            QSqlQuery q = exec(
                db,
                QStringLiteral("SELECT m.conversation_id, count(*) FROM messages m "
                               "LEFT JOIN read_state r ON r.conversation_id = m.conversation_id "
                               "WHERE m.synced_at IS NOT NULL AND m.author <> ? "
                               "AND m.deleted_at IS NULL AND m.synced_at > coalesce(r.read_at, 0) "
                               "GROUP BY m.conversation_id"),
                {me});
            while (q.next())
                out.insert(q.value(0).toString(), q.value(1).toInt());
            return out;
        })
        .result();
}

} // namespace local

namespace {

/** @brief Shared rows as one canonical text per row, sorted, hashed. */
QByteArray hashRows(QStringList rows)
{
    std::sort(rows.begin(), rows.end());
    QCryptographicHash hash(QCryptographicHash::Sha256);
    for (const QString &row : rows) {
        hash.addData(row.toUtf8());
        hash.addData(QByteArrayView("\n", 1));
    }
    return hash.result().toHex();
}

QString conversationRow(const QString &id, const QString &ws, const QString &title, bool deleted)
{
    return QStringLiteral("c|%1|%2|%3|%4").arg(id, ws, title, deleted ? QStringLiteral("d") : QStringLiteral("-"));
}

QString messageRow(const QString &id, const QString &conv, const QString &parent,
                   const QString &status, const QString &content, bool deleted)
{
    return QStringLiteral("m|%1|%2|%3|%4|%5|%6")
        .arg(id, conv, parent, status, deleted ? QStringLiteral("d") : QStringLiteral("-"),
             QString::fromLatin1(QCryptographicHash::hash(content.toUtf8(),
                                                          QCryptographicHash::Sha256)
                                     .toHex()));
}

} // namespace

QByteArray local::digest(store::Store &store)
{
    return store
        .read([](QSqlDatabase &db) {
            QStringList rows;
            QSqlQuery c = exec(db, QStringLiteral("SELECT id, workspace_id, title, deleted_at IS NOT "
                                                  "NULL FROM conversations WHERE workspace_id IS "
                                                  "NOT NULL"));
            while (c.next())
                rows << conversationRow(c.value(0).toString(), c.value(1).toString(),
                                        c.value(2).toString(), c.value(3).toBool());
            QSqlQuery m = exec(
                db,
                QStringLiteral(
                    "SELECT m.id, m.conversation_id, coalesce(m.parent_id, ''), m.status, "
                    "m.content || coalesce((SELECT group_concat(text, '') FROM (SELECT text FROM "
                    "message_chunks WHERE message_id = m.id ORDER BY seq)), ''), "
                    "m.deleted_at IS NOT NULL FROM messages m JOIN conversations c ON c.id = "
                    "m.conversation_id WHERE c.workspace_id IS NOT NULL"));
            while (m.next())
                rows << messageRow(m.value(0).toString(), m.value(1).toString(),
                                   m.value(2).toString(), m.value(3).toString(),
                                   m.value(4).toString(), m.value(5).toBool());
            return hashRows(rows);
        })
        .result();
}

QByteArray serverDigest(PgConnection &conn)
{
    QStringList rows;
    const PgResult c = conn.exec(QStringLiteral(
        "SELECT id, workspace_id, title, deleted_at IS NOT NULL FROM arbor.conversations"));
    for (int i = 0; i < c.rows(); ++i)
        rows << conversationRow(c.text(i, 0), c.text(i, 1), c.text(i, 2), c.text(i, 3) == u"t");
    const PgResult m = conn.exec(QStringLiteral(
        "SELECT id, conversation_id, coalesce(parent_id::text, ''), status, content, "
        "deleted_at IS NOT NULL FROM arbor.messages"));
    for (int i = 0; i < m.rows(); ++i)
        rows << messageRow(m.text(i, 0), m.text(i, 1), m.text(i, 2), m.text(i, 3), m.text(i, 4),
                           m.text(i, 5) == u"t");
    return hashRows(rows);
}

} // namespace arbor::sync
