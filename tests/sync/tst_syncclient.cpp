// The sync client between real local stores and a real PostgreSQL: outbox push, cursor pull,
// no echo, offline safety, refused rows, unread counts, and the live engine (notifications,
// presence, reconnect).
#include "syncdevice.h"

#include "domain/ids.h"
#include "domain/message.h"
#include "store/conversationqueries.h"
#include "store/messagequeries.h"
#include "store/sql.h"
#include "store/store.h"
#include "store/treequeries.h"
#include "support/pgserver.h"
#include "support/syncdigest.h"
#include "sync/admin.h"
#include "sync/pgconnection.h"
#include "sync/pgschema.h"
#include "sync/syncclient.h"
#include "sync/syncengine.h"

#include <QDateTime>
#include <QSignalSpy>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <functional>
#include <memory>

using namespace arbor;
using namespace arbor::testsupport;
using domain::Message;
using domain::MessageStatus;

class TestSyncClient : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void personalConversationsStayLocal();
    void sharedTreeReachesTeammate();
    void pulledRowsAreNotPushedBack();
    void teammatesMessagesAreNotDeletedLocally();
    void teammatesConversationChangesNeedAnAdmin();
    void streamingReplyGrowsThenFinishes();
    void offlineChangesWaitInOutbox();
    void viewerChangesAreRefusedNotLost();
    void unreadCountsFollowArrivals();
    void engineDeliversLiveAndShowsPresence();
    void engineReconnectsAfterServerStop();
    void largePagesKeepTreeSearchAndLocalRows();
    void refusesAnOlderServerSchema();
    void twoClientsOfOneStoreShareThePositions();

private:
    QString dsn(const QString &user) const { return m_pg->dsn(user, user + QStringLiteral("-pw")); }
    int serverCount(const QString &sql) { return super().scalar(sql).toInt(); }
    sync::PgConnection &super() { return *m_super; }
    /** @brief Starts the stopped server and opens the superuser connection again. */
    void restartServer()
    {
        m_pg->start();
        m_super = std::make_unique<sync::PgConnection>(m_pg->superuserDsn());
    }

    std::unique_ptr<PgServer> m_pg;
    std::unique_ptr<sync::PgConnection> m_super;
    QString m_ws;
    std::unique_ptr<Device> m_alice;
    std::unique_ptr<Device> m_bob;
    QString m_shared; // alice's conversation shared in sharedTreeReachesTeammate
};

void TestSyncClient::initTestCase()
{
    try {
        m_pg = std::make_unique<PgServer>();
        m_super = std::make_unique<sync::PgConnection>(m_pg->superuserDsn());
        sync::Admin admin(*m_super);
        admin.init();
        m_ws = admin.addWorkspace(QStringLiteral("team")).id;
        admin.addWorkspace(QStringLiteral("other"));
        for (const char *user : {"alice", "bob", "vera", "ada"})
            admin.addUser(QLatin1String(user), QLatin1String(user) + QStringLiteral("-pw"));
        admin.addMember(QStringLiteral("team"), QStringLiteral("alice"), QStringLiteral("member"));
        admin.addMember(QStringLiteral("team"), QStringLiteral("bob"), QStringLiteral("member"));
        admin.addMember(QStringLiteral("team"), QStringLiteral("vera"), QStringLiteral("viewer"));
        admin.addMember(QStringLiteral("team"), QStringLiteral("ada"), QStringLiteral("admin"));
    } catch (const std::exception &e) {
        QFAIL(e.what());
    }
    m_alice = std::make_unique<Device>(QStringLiteral("alice"));
    m_bob = std::make_unique<Device>(QStringLiteral("bob"));
}

void TestSyncClient::personalConversationsStayLocal()
{
    const QString conv = m_alice->newConversation(QStringLiteral("Private notes"));
    m_alice->addMessage(conv, {}, QStringLiteral("my secret"));
    QCOMPARE(m_alice->outbox(), 0);

    sync::SyncClient client(m_alice->store, dsn(QStringLiteral("alice")));
    client.connect();
    QCOMPARE(client.user(), QStringLiteral("alice"));
    QCOMPARE(client.workspaces().size(), 1); // "other" is not hers
    QCOMPARE(client.workspaces().first().name, QStringLiteral("team"));
    QCOMPARE(client.push().pushed, 0);
    QCOMPARE(serverCount(QStringLiteral("SELECT count(*) FROM arbor.messages")), 0);
    // The store keeps the workspaces, never the private wake-up channels.
    QList<sync::Workspace> withoutChannels = client.workspaces();
    for (sync::Workspace &w : withoutChannels) {
        QVERIFY(w.channel.startsWith(QLatin1String("arbor_")));
        w.channel.clear();
    }
    QCOMPARE(sync::local::storedWorkspaces(m_alice->store), withoutChannels);
}

void TestSyncClient::sharedTreeReachesTeammate()
{
    // A tree made while personal, then moved: the whole tree is queued, parents first.
    m_shared = m_alice->newConversation(QStringLiteral("Launch plan"));
    const QString root = m_alice->addMessage(m_shared, {}, QStringLiteral("What should we ship?"));
    const QString a1 = m_alice->addMessage(m_shared, root, QStringLiteral("Option A"));
    m_alice->addMessage(m_shared, root, QStringLiteral("Option B (a sibling branch)"));
    m_alice->addMessage(m_shared, a1, QStringLiteral("Details of A"));
    QCOMPARE(m_alice->outbox(), 0);

    sync::local::moveToWorkspace(m_alice->store, m_shared, m_ws);
    QCOMPARE(m_alice->outbox(), 5);
    QCOMPARE(sync::local::workspaceOf(m_alice->store, m_shared), m_ws);
    QVERIFY_THROWS_EXCEPTION(store::StoreError,
                             sync::local::moveToWorkspace(m_alice->store, m_shared, m_ws));

    sync::SyncClient alice(m_alice->store, dsn(QStringLiteral("alice")));
    alice.connect();
    QCOMPARE(alice.push().pushed, 5);
    QCOMPARE(m_alice->outbox(), 0);
    QCOMPARE(serverCount(QStringLiteral("SELECT count(*) FROM arbor.messages")), 4);
    QCOMPARE(super().scalar(QStringLiteral("SELECT author FROM arbor.messages LIMIT 1")),
             QStringLiteral("alice"));

    sync::SyncClient bob(m_bob->store, dsn(QStringLiteral("bob")));
    bob.connect();
    const sync::PullResult pulled = bob.pull();
    QCOMPARE(pulled.conversations, 1);
    QCOMPARE(pulled.messages, 4);
    QVERIFY(pulled.conversationIds.contains(m_shared));
    QCOMPARE(
        m_bob->scalar(QStringLiteral("SELECT title FROM conversations WHERE id = ?"), {m_shared}),
        QStringLiteral("Launch plan"));
    QCOMPARE(m_bob->scalar(QStringLiteral("SELECT child_count FROM messages WHERE id = ?"), {root}),
             QStringLiteral("2"));
    QCOMPARE(m_bob->scalar(QStringLiteral("SELECT author FROM messages WHERE id = ?"), {root}),
             QStringLiteral("alice"));
    QCOMPARE(testsupport::syncDigest(m_alice->store), testsupport::syncDigest(m_bob->store));
    QCOMPARE(testsupport::syncDigest(m_bob->store), testsupport::serverDigest(super()));

    // Pulling again reads nothing new and changes nothing.
    const sync::PullResult again = bob.pull();
    QCOMPARE(again.changes, 0);
    QCOMPARE(again.messages, 0);
    QVERIFY(sync::local::storedPositions(m_bob->store).value(m_ws) > 0);
}

void TestSyncClient::pulledRowsAreNotPushedBack()
{
    QCOMPARE(m_bob->outbox(), 0);
    // Bob answers in alice's conversation: his reply is queued and reaches alice.
    const QString root = m_bob->scalar(
        QStringLiteral("SELECT id FROM messages WHERE conversation_id = ? AND parent_id IS NULL"),
        {m_shared});
    const QString reply = m_bob->addMessage(m_shared, root, QStringLiteral("Bob prefers C"));
    QCOMPARE(m_bob->outbox(), 1);
    sync::SyncClient bob(m_bob->store, dsn(QStringLiteral("bob")));
    bob.connect();
    QCOMPARE(bob.push().pushed, 1);
    bob.pull(); // his own row comes back through the log: no change, nothing queued
    QCOMPARE(m_bob->outbox(), 0);

    sync::SyncClient alice(m_alice->store, dsn(QStringLiteral("alice")));
    alice.connect();
    const sync::PullResult pulled = alice.pull();
    QCOMPARE(pulled.messages, 1);
    QCOMPARE(pulled.messageIds, QStringList{reply});
    QCOMPARE(m_alice->outbox(), 0);
    QCOMPARE(
        m_alice->scalar(QStringLiteral("SELECT child_count FROM messages WHERE id = ?"), {root}),
        QStringLiteral("3"));
    QCOMPARE(testsupport::syncDigest(m_alice->store), testsupport::syncDigest(m_bob->store));
}

void TestSyncClient::teammatesMessagesAreNotDeletedLocally()
{
    // Bob's reply reached alice. The server lets only bob change it, so alice deleting it (or a
    // branch above it) must be refused before anything changes, not silently kept local.
    const auto liveOnAlice = [this] {
        return m_alice
            ->scalar(QStringLiteral("SELECT count(*) FROM messages WHERE conversation_id = ?"
                                    " AND deleted_at IS NULL"),
                     {m_shared})
            .toInt();
    };
    const QString root = m_alice->scalar(
        QStringLiteral("SELECT id FROM messages WHERE conversation_id = ? AND parent_id IS NULL"),
        {m_shared});
    const QString bobs = m_alice->scalar(
        QStringLiteral("SELECT id FROM messages WHERE conversation_id = ? AND author = 'bob'"),
        {m_shared});
    QVERIFY(!bobs.isEmpty());
    const int before = liveOnAlice();
    for (const QString &target : {bobs, root}) {
        try {
            m_alice->store
                .write([target](QSqlDatabase &db) {
                    store::tree::removeSubtree(db, target, domain::nowMs());
                })
                .waitForFinished();
            QFAIL("deleting a teammate's message was not refused");
        } catch (const store::StoreError &e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(QStringLiteral("1 message by bob")),
                     e.what());
        }
        QCOMPARE(liveOnAlice(), before);
        QCOMPARE(m_alice->outbox(), 0);
    }
    // A label is shared too: only bob may set one on his message.
    QVERIFY_THROWS_EXCEPTION(store::StoreError,
                             m_alice->store
                                 .write([bobs](QSqlDatabase &db) {
                                     store::tree::setLabel(db, bobs, QStringLiteral("C it is"));
                                 })
                                 .waitForFinished());
    QVERIFY(m_alice->scalar(QStringLiteral("SELECT label FROM messages WHERE id = ?"), {bobs})
                .isEmpty());
    QCOMPARE(m_alice->outbox(), 0);

    // Her own leaf below her own reply is hers to delete, and the tombstone reaches bob.
    const QString own = m_alice->scalar(
        QStringLiteral(
            "SELECT id FROM messages WHERE conversation_id = ? AND content = 'Details of A'"),
        {m_shared});
    m_alice->store
        .write([own](QSqlDatabase &db) { store::tree::removeSubtree(db, own, domain::nowMs()); })
        .waitForFinished();
    QCOMPARE(liveOnAlice(), before - 1);
    QCOMPARE(m_alice->outbox(), 1);
    sync::SyncClient alice(m_alice->store, dsn(QStringLiteral("alice")));
    alice.connect();
    QCOMPARE(alice.push().pushed, 1);
    sync::SyncClient bob(m_bob->store, dsn(QStringLiteral("bob")));
    bob.connect();
    QCOMPARE(bob.pull().messages, 1);
    QVERIFY(!m_bob->scalar(QStringLiteral("SELECT deleted_at FROM messages WHERE id = ?"), {own})
                 .isEmpty());
    QCOMPARE(testsupport::syncDigest(m_alice->store), testsupport::syncDigest(m_bob->store));
    QCOMPARE(testsupport::syncDigest(m_bob->store), testsupport::serverDigest(super()));
}

void TestSyncClient::teammatesConversationChangesNeedAnAdmin()
{
    // Alice started m_shared. Bob (a member) may not rename, reconfigure or delete it: the
    // server would refuse, so the store refuses first and changes nothing.
    using namespace store::conversations;
    const auto title = [this](Device &d) {
        return d.scalar(QStringLiteral("SELECT title FROM conversations WHERE id = ?"), {m_shared});
    };
    QCOMPARE(m_bob->scalar(QStringLiteral("SELECT created_by FROM conversations WHERE id = ?"),
                           {m_shared}),
             QStringLiteral("alice"));
    const QList<std::function<void(QSqlDatabase &)>> edits{
        [id = m_shared](QSqlDatabase &db) { rename(db, id, QStringLiteral("Bob's plan")); },
        [id = m_shared](QSqlDatabase &db) {
            setSettings(db, id, {{QStringLiteral("temperature"), 0.2}});
        },
        [id = m_shared](QSqlDatabase &db) { remove(db, id); },
    };
    for (const auto &edit : edits) {
        try {
            m_bob->store.write(edit).waitForFinished();
            QFAIL("a member changed a teammate's conversation");
        } catch (const store::StoreError &e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(QStringLiteral("was started by alice")),
                     e.what());
        }
    }
    QCOMPARE(title(*m_bob), QStringLiteral("Launch plan"));
    QVERIFY(m_bob
                ->scalar(QStringLiteral("SELECT deleted_at FROM conversations WHERE id = ?"),
                         {m_shared})
                .isEmpty());
    QCOMPARE(m_bob->outbox(), 0);

    // Ada is an admin of the workspace: her rename is allowed here and on the server.
    Device ada(QStringLiteral("ada"));
    sync::SyncClient adaClient(ada.store, dsn(QStringLiteral("ada")));
    adaClient.connect();
    adaClient.pull();
    ada.store.write(edits.first()).waitForFinished();
    QCOMPARE(adaClient.push().pushed, 1);
    QCOMPARE(ada.outbox(), 0);
    sync::SyncClient alice(m_alice->store, dsn(QStringLiteral("alice")));
    alice.connect();
    QCOMPARE(alice.pull().conversations, 1);
    QCOMPARE(title(*m_alice), QStringLiteral("Bob's plan"));

    // The creator renames it back (her own conversation: allowed), and everyone converges.
    m_alice->store
        .write([id = m_shared](QSqlDatabase &db) { rename(db, id, QStringLiteral("Launch plan")); })
        .waitForFinished();
    QCOMPARE(alice.push().pushed, 1);
    sync::SyncClient bob(m_bob->store, dsn(QStringLiteral("bob")));
    bob.connect();
    bob.pull();
    adaClient.pull();
    QCOMPARE(title(*m_bob), QStringLiteral("Launch plan"));
    QCOMPARE(title(ada), QStringLiteral("Launch plan"));
    QCOMPARE(testsupport::syncDigest(m_alice->store), testsupport::syncDigest(m_bob->store));
    QCOMPARE(testsupport::syncDigest(ada.store), testsupport::serverDigest(super()));
}

void TestSyncClient::streamingReplyGrowsThenFinishes()
{
    const QString root = m_alice->addMessage(m_shared, {}, QStringLiteral("Write a poem"));
    const QString reply = m_alice->addMessage(m_shared, root, {}, MessageStatus::Streaming);
    m_alice->store
        .write([reply](QSqlDatabase &db) {
            store::messages::appendChunk(db, reply, 0, QStringLiteral("Roses "));
            store::messages::appendChunk(db, reply, 1, QStringLiteral("are "));
        })
        .waitForFinished();

    sync::SyncClient alice(m_alice->store, dsn(QStringLiteral("alice")));
    alice.connect();
    sync::SyncClient bob(m_bob->store, dsn(QStringLiteral("bob")));
    bob.connect();

    alice.push();
    bob.pull();
    QCOMPARE(m_bob->scalar(QStringLiteral("SELECT content FROM messages WHERE id = ?"), {reply}),
             QStringLiteral("Roses are "));
    QCOMPARE(m_bob->scalar(QStringLiteral("SELECT status FROM messages WHERE id = ?"), {reply}),
             QStringLiteral("streaming"));

    m_alice->store
        .write([reply](QSqlDatabase &db) {
            store::messages::appendChunk(db, reply, 2, QStringLiteral("red."));
            store::messages::Finish f;
            f.finishReason = QStringLiteral("stop");
            store::messages::finish(db, reply, f);
        })
        .waitForFinished();
    alice.push();
    bob.pull();
    QCOMPARE(m_bob->scalar(QStringLiteral("SELECT content FROM messages WHERE id = ?"), {reply}),
             QStringLiteral("Roses are red."));
    QCOMPARE(m_bob->scalar(QStringLiteral("SELECT status FROM messages WHERE id = ?"), {reply}),
             QStringLiteral("complete"));
    // Alice's own copy was never overwritten by the pull (no chunks doubled).
    alice.pull();
    QCOMPARE(m_alice->scalar(QStringLiteral("SELECT content FROM messages WHERE id = ?"), {reply}),
             QStringLiteral("Roses are red."));
    QCOMPARE(testsupport::syncDigest(m_alice->store), testsupport::syncDigest(m_bob->store));
}

void TestSyncClient::offlineChangesWaitInOutbox()
{
    sync::SyncClient alice(m_alice->store, dsn(QStringLiteral("alice")));
    alice.connect();
    m_pg->stop(true);
    const QString m1 = m_alice->addMessage(m_shared, {}, QStringLiteral("written offline"));
    m_alice->store
        .write([this](QSqlDatabase &db) {
            store::conversations::rename(db, m_shared, QStringLiteral("Launch plan (v2)"));
        })
        .waitForFinished();
    QCOMPARE(m_alice->outbox(), 2);
    bool threw = false;
    try {
        alice.push();
    } catch (const sync::PgError &e) {
        threw = true;
        QVERIFY(!alice.isConnected());
        QVERIFY2(!e.message().isEmpty(), "a readable error");
    }
    QVERIFY(threw);
    QCOMPARE(m_alice->outbox(), 2); // nothing leaves the outbox before the server has it

    restartServer();
    alice.connect();
    QCOMPARE(alice.push().pushed, 2);
    QCOMPARE(m_alice->outbox(), 0);
    QCOMPARE(
        serverCount(QStringLiteral("SELECT count(*) FROM arbor.messages WHERE id = '%1'").arg(m1)),
        1);
    QCOMPARE(super().scalar(QStringLiteral("SELECT title FROM arbor.conversations WHERE id = $1"),
                            {m_shared}),
             QStringLiteral("Launch plan (v2)"));

    sync::SyncClient bob(m_bob->store, dsn(QStringLiteral("bob")));
    bob.connect();
    bob.pull();
    QCOMPARE(
        m_bob->scalar(QStringLiteral("SELECT title FROM conversations WHERE id = ?"), {m_shared}),
        QStringLiteral("Launch plan (v2)"));
    QCOMPARE(testsupport::syncDigest(m_alice->store), testsupport::syncDigest(m_bob->store));
    QCOMPARE(testsupport::syncDigest(m_bob->store), testsupport::serverDigest(super()));
}

void TestSyncClient::viewerChangesAreRefusedNotLost()
{
    Device vera(QStringLiteral("vera"));
    sync::SyncClient client(vera.store, dsn(QStringLiteral("vera")));
    client.connect();
    client.pull();
    QCOMPARE(testsupport::syncDigest(vera.store), testsupport::serverDigest(super()));
    // The app refuses to share into a workspace where she only reads...
    const QString conv = vera.newConversation(QStringLiteral("Vera's"));
    QVERIFY_THROWS_EXCEPTION(store::StoreError,
                             sync::local::moveToWorkspace(vera.store, conv, m_ws));
    // ...and to post, rename or label there: the store knows her role and says so up front,
    // instead of keeping a reply the server will never take.
    const QString root = vera.scalar(
        QStringLiteral("SELECT id FROM messages WHERE conversation_id = ? LIMIT 1"), {m_shared});
    try {
        vera.addMessage(m_shared, root, QStringLiteral("viewer reply"));
        QFAIL("a viewer posted in a shared conversation");
    } catch (const store::StoreError &e) {
        QVERIFY2(QString::fromUtf8(e.what()).contains(QStringLiteral("You are a viewer")),
                 e.what());
    }
    QVERIFY_THROWS_EXCEPTION(store::StoreError,
                             vera.store
                                 .write([this](QSqlDatabase &db) {
                                     store::conversations::rename(db, m_shared,
                                                                  QStringLiteral("x"));
                                 })
                                 .waitForFinished());
    QCOMPARE(vera.outbox(), 0);
    QCOMPARE(
        vera.scalar(QStringLiteral("SELECT count(*) FROM messages WHERE content = 'viewer reply'")),
        QStringLiteral("0"));
    // Her personal conversations are hers as ever.
    vera.addMessage(conv, {}, QStringLiteral("my own notes"));
}

void TestSyncClient::unreadCountsFollowArrivals()
{
    sync::SyncClient bob(m_bob->store, dsn(QStringLiteral("bob")));
    bob.connect();
    bob.pull();
    sync::local::markRead(m_bob->store, m_shared);
    m_bob->store.write([](QSqlDatabase &) {}).waitForFinished(); // markRead is posted
    QTest::qWait(5); // arrivals after the mark have a later local time
    QCOMPARE(sync::local::unreadCounts(m_bob->store, QStringLiteral("bob")).value(m_shared), 0);

    m_alice->addMessage(m_shared, {}, QStringLiteral("news 1"));
    m_alice->addMessage(m_shared, {}, QStringLiteral("news 2"));
    const QString bobOwn = m_bob->addMessage(m_shared, {}, QStringLiteral("bob's own"));
    sync::SyncClient alice(m_alice->store, dsn(QStringLiteral("alice")));
    alice.connect();
    alice.push();
    bob.push();
    bob.pull();
    const auto unread = sync::local::unreadCounts(m_bob->store, QStringLiteral("bob"));
    QCOMPARE(unread.value(m_shared), 2); // his own message is never unread
    sync::local::markRead(m_bob->store, m_shared);
    m_bob->store.write([](QSqlDatabase &) {}).waitForFinished();
    QCOMPARE(sync::local::unreadCounts(m_bob->store, QStringLiteral("bob")).value(m_shared), 0);
    Q_UNUSED(bobOwn);
}

void TestSyncClient::engineDeliversLiveAndShowsPresence()
{
    sync::SyncEngine::Options fast;
    fast.pollIntervalMs = 60000; // so a delivery within the wait comes from a notification
    fast.outboxCheckMs = 60000;
    sync::SyncEngine alice(m_alice->store, dsn(QStringLiteral("alice")), fast);
    sync::SyncEngine bob(m_bob->store, dsn(QStringLiteral("bob")), fast);
    QSignalSpy bobPulled(&bob, &sync::SyncEngine::pulled);
    alice.start();
    bob.start();
    QTRY_COMPARE_WITH_TIMEOUT(alice.status().state, sync::SyncEngine::State::Connected, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(bob.status().state, sync::SyncEngine::State::Connected, 10000);
    QCOMPARE(bob.status().user, QStringLiteral("bob"));
    QCOMPARE(bob.workspaces().size(), 1);
    QTest::qWait(300); // the catch-up cycle after connecting
    bobPulled.clear();

    const QString live = m_alice->addMessage(m_shared, {}, QStringLiteral("live message"));
    alice.poke();
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            for (const QList<QVariant> &args : std::as_const(bobPulled))
                if (args.at(1).toStringList().contains(live))
                    return true;
            return false;
        }(),
        10000);
    QCOMPARE(m_bob->scalar(QStringLiteral("SELECT content FROM messages WHERE id = ?"), {live}),
             QStringLiteral("live message"));

    alice.setPresence(m_shared, true);
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            for (const sync::PresenceEntry &p : bob.presence())
                if (p.user == u"alice" && p.conversationId == m_shared && p.typing && p.online)
                    return true;
            return false;
        }(),
        10000);
    alice.stop();
    QCOMPARE(alice.status().state, sync::SyncEngine::State::Offline);
    // Going offline is announced too.
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            for (const sync::PresenceEntry &p : bob.presence())
                if (p.user == u"alice")
                    return !p.online;
            return false;
        }(),
        10000);
    bob.stop();
}

void TestSyncClient::engineReconnectsAfterServerStop()
{
    sync::SyncEngine alice(m_alice->store, dsn(QStringLiteral("alice")));
    alice.start();
    QTRY_COMPARE_WITH_TIMEOUT(alice.status().state, sync::SyncEngine::State::Connected, 10000);
    m_pg->stop(true);
    const QString offline =
        m_alice->addMessage(m_shared, {}, QStringLiteral("while the server is down"));
    alice.poke();
    QTRY_COMPARE_WITH_TIMEOUT(alice.status().state, sync::SyncEngine::State::Reconnecting, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(alice.status().pending, 1, 10000);
    QVERIFY(!alice.status().error.isEmpty());
    restartServer();
    QTRY_COMPARE_WITH_TIMEOUT(alice.status().state, sync::SyncEngine::State::Connected, 15000);
    QTRY_COMPARE_WITH_TIMEOUT(alice.status().pending, 0, 10000);
    QCOMPARE(
        serverCount(
            QStringLiteral("SELECT count(*) FROM arbor.messages WHERE id = '%1'").arg(offline)),
        1);
    alice.stop();
}

void TestSyncClient::largePagesKeepTreeSearchAndLocalRows()
{
    // More rows per page than the row-by-row path takes (32): pages go through the staging
    // table, several pages in flight between the server and the store.
    const QString conv = m_alice->newConversation(QStringLiteral("Big thread"));
    const QString root = m_alice->addMessage(conv, {}, QStringLiteral("root of the big thread"));
    QString parent = root;
    for (int i = 0; i < 150; ++i)
        parent = m_alice->addMessage(conv, parent, QStringLiteral("chain step %1").arg(i));
    for (int i = 0; i < 49; ++i)
        m_alice->addMessage(conv, root, QStringLiteral("sibling zebra%1").arg(i));
    sync::local::moveToWorkspace(m_alice->store, conv, m_ws);
    sync::SyncClient alice(m_alice->store, dsn(QStringLiteral("alice")));
    alice.connect();
    QCOMPARE(alice.push().pushed, 201);

    sync::SyncClient bob(m_bob->store, dsn(QStringLiteral("bob")));
    bob.connect();
    const sync::PullResult pulled = bob.pull(64);
    // (plus what earlier cases left for bob to pull)
    QVERIFY(pulled.messages >= 200);
    QCOMPARE(QSet<QString>(pulled.messageIds.cbegin(), pulled.messageIds.cend()).size(),
             pulled.messages);
    QCOMPARE(m_bob->scalar(
                 QStringLiteral("SELECT count(*) FROM messages WHERE conversation_id = ?"), {conv}),
             QStringLiteral("200"));
    QVERIFY(pulled.conversationIds.contains(conv));
    QCOMPARE(m_bob->scalar(QStringLiteral("SELECT child_count FROM messages WHERE id = ?"), {root}),
             QStringLiteral("50"));
    QCOMPARE(
        m_bob->scalar(QStringLiteral("SELECT child_count FROM messages WHERE id = ?"), {parent}),
        QStringLiteral("0"));
    // Search indexed every pulled row, and the index is sound.
    QCOMPARE(m_bob->scalar(QStringLiteral("SELECT count(*) FROM message_fts WHERE message_fts "
                                          "MATCH 'zebra*'")),
             QStringLiteral("49"));
    m_bob->store
        .write([](QSqlDatabase &db) {
            store::exec(db,
                        QStringLiteral("INSERT INTO message_fts (message_fts) "
                                       "VALUES ('integrity-check')"));
        })
        .waitForFinished();
    QCOMPARE(testsupport::syncDigest(m_alice->store), testsupport::syncDigest(m_bob->store));

    // Bob labels his own message locally; a full re-pull from the start of the log (large pages
    // again) must not overwrite it with the server's unlabelled copy, and finds nothing else to
    // change.
    const QString own =
        m_bob->scalar(QStringLiteral("SELECT id FROM messages WHERE content = 'Bob prefers C'"));
    QVERIFY(!own.isEmpty());
    m_bob->store
        .write([own](QSqlDatabase &db) {
            store::exec(db, QStringLiteral("UPDATE messages SET label = 'decision' WHERE id = ?"),
                        {own});
            store::exec(db, QStringLiteral("DELETE FROM sync_positions"));
        })
        .waitForFinished();
    bob.connect(); // a client reads its stored positions when it connects
    const sync::PullResult again = bob.pull(64);
    QVERIFY(again.changes > 200);
    QCOMPARE(again.messages, 0);
    QCOMPARE(m_bob->scalar(QStringLiteral("SELECT label FROM messages WHERE id = ?"), {own}),
             QStringLiteral("decision"));
    QCOMPARE(bob.push().pushed, 1);
    QCOMPARE(
        super().scalar(QStringLiteral("SELECT label FROM arbor.messages WHERE id = $1"), {own}),
        QStringLiteral("decision"));
}

void TestSyncClient::refusesAnOlderServerSchema()
{
    // A server one migration behind this build: the client says what to do instead of failing
    // on a missing function later.
    const int latest = sync::PgSchema::latestVersion();
    super().exec(QStringLiteral("UPDATE arbor.schema_migrations SET version = -version "
                                "WHERE version = $1"),
                 {QString::number(latest)});
    sync::SyncClient alice(m_alice->store, dsn(QStringLiteral("alice")));
    QString message;
    try {
        alice.connect();
    } catch (const sync::PgError &e) {
        message = e.message();
    }
    super().exec(QStringLiteral("UPDATE arbor.schema_migrations SET version = -version "
                                "WHERE version = $1"),
                 {QString::number(-latest)});
    QVERIFY2(message.contains(QStringLiteral("arbord admin migrate")), qPrintable(message));
    QVERIFY2(message.contains(QStringLiteral("older")), qPrintable(message));
    alice.connect(); // and with the schema back, it connects
}

void TestSyncClient::twoClientsOfOneStoreShareThePositions()
{
    // The app's engine and an `arbord sync` on the same file: each keeps the positions in
    // memory between pulls. When the other one moved them, a page must not apply on a wrong
    // start.
    sync::SyncClient first(m_bob->store, dsn(QStringLiteral("bob")));
    sync::SyncClient second(m_bob->store, dsn(QStringLiteral("bob")));
    first.connect();
    second.connect();
    first.pull();
    second.pull();
    sync::SyncClient alice(m_alice->store, dsn(QStringLiteral("alice")));
    alice.connect();
    const QString one = m_alice->addMessage(m_shared, {}, QStringLiteral("seen by the second"));
    QCOMPARE(alice.push().pushed, 1);
    const sync::PullResult bySecond = second.pull();
    QCOMPARE(bySecond.messageIds, QStringList{one});
    const qint64 afterSecond = sync::local::storedPositions(m_bob->store).value(m_ws);

    const QString two = m_alice->addMessage(m_shared, {}, QStringLiteral("then by the first"));
    QCOMPARE(alice.push().pushed, 1);
    // first still holds the older position: its page starts behind the stored one (the store
    // refuses it and first starts again from the stored positions); nothing is skipped or
    // doubled.
    const sync::PullResult byFirst = first.pull();
    QCOMPARE(byFirst.messageIds, QStringList{two});
    QVERIFY(sync::local::storedPositions(m_bob->store).value(m_ws) > afterSecond);
    QCOMPARE(testsupport::syncDigest(m_alice->store), testsupport::syncDigest(m_bob->store));
    QCOMPARE(first.pull().changes, 0);
}

QTEST_GUILESS_MAIN(TestSyncClient)
#include "tst_syncclient.moc"
