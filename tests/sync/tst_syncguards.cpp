// The client's side of the team-server security work, between real local stores and a real
// PostgreSQL: a pull never takes over a row that is local-only, ids of one workspace do not
// travel to another, U+0000 syncs, refused rows come back when their reason is gone, and a
// removed member's copies stop being shared.
#include "rawpg.h"
#include "syncdevice.h"

#include "store/treequeries.h"
#include "support/pgserver.h"
#include "support/syncdigest.h"
#include "sync/admin.h"
#include "sync/pgconnection.h"
#include "sync/presenceclient.h"
#include "sync/syncclient.h"
#include "sync/syncengine.h"

#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace arbor;
using namespace arbor::testsupport;
using domain::MessageStatus;

class TestSyncGuards : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void aPullNeverTakesOverAPersonalConversation();
    void presenceNamesOnlyConversationsOfItsWorkspace();
    void forkOriginsStayInTheirWorkspace();
    void nulCharactersSync();
    void refusedRowsComeBackAfterPromotion();
    void childrenPushedBeforeTheirParentsArrive();
    void aRemovedMembersCopiesStopBeingShared();

private:
    QString dsn(const QString &user) const { return m_pg->dsn(user, user + QStringLiteral("-pw")); }
    std::unique_ptr<RawPg> login(const QString &user) { return std::make_unique<RawPg>(dsn(user)); }
    QString server(const QString &sql, const QStringList &params = {})
    {
        return m_super->scalar(sql, params);
    }

    std::unique_ptr<PgServer> m_pg;
    std::unique_ptr<sync::PgConnection> m_super;
    QString m_team, m_lab;
};

void TestSyncGuards::initTestCase()
{
    try {
        m_pg = std::make_unique<PgServer>();
        m_super = std::make_unique<sync::PgConnection>(m_pg->superuserDsn());
        sync::Admin admin(*m_super);
        admin.init();
        m_team = admin.addWorkspace(QStringLiteral("team")).id;
        m_lab = admin.addWorkspace(QStringLiteral("lab")).id;
        for (const char *user : {"alice", "bob", "mallory", "carol", "eve"})
            admin.addUser(QLatin1String(user), QLatin1String(user) + QStringLiteral("-pw"));
        for (const char *user : {"alice", "bob", "mallory", "carol", "eve"})
            admin.addMember(QStringLiteral("team"), QLatin1String(user), QStringLiteral("member"));
        admin.addMember(QStringLiteral("lab"), QStringLiteral("alice"), QStringLiteral("member"));
        admin.addMember(QStringLiteral("lab"), QStringLiteral("bob"), QStringLiteral("member"));
    } catch (const std::exception &e) {
        QFAIL(e.what());
    }
}

void TestSyncGuards::aPullNeverTakesOverAPersonalConversation()
{
    // Mallory, alice's teammate, learned the id of alice's personal conversation and of one of
    // its messages. She creates a shared conversation with that id (a title, a tombstone) and
    // messages in it, one reusing the id of alice's message.
    Device alice(QStringLiteral("alice"));
    const QString personal = alice.newConversation(QStringLiteral("My diary"));
    const QString entry = alice.addMessage(personal, {}, QStringLiteral("dear diary"));
    sync::SyncClient aliceClient(alice.store, dsn(QStringLiteral("alice")));
    aliceClient.connect();

    auto mallory = login(QStringLiteral("mallory"));
    QJsonObject hijack = conversationRow(personal, m_team, QStringLiteral("Owned by mallory"), 99);
    hijack.insert(QStringLiteral("deleted_at"), 99);
    const RawOutcome o = mallory->exec(
        pushSql({hijack},
                {messageRow(domain::newId(), m_team, personal, QStringLiteral("complete"),
                            QStringLiteral("mallory was here")),
                 messageRow(entry, m_team, personal, QStringLiteral("complete"),
                            QStringLiteral("rewritten diary"))}));
    QVERIFY2(o.ok, qPrintable(o.error));

    const sync::PullResult pulled = aliceClient.pull();
    QCOMPARE(pulled.refused, 3);
    QVERIFY(!pulled.conversationIds.contains(personal));
    // Untouched: still personal, same title, not deleted, nothing queued, no foreign message.
    QCOMPARE(
        alice.scalar(QStringLiteral("SELECT coalesce(workspace_id, 'personal') || '|' || title || "
                                    "'|' || coalesce(deleted_at, 'live') FROM conversations "
                                    "WHERE id = ?"),
                     {personal}),
        QStringLiteral("personal|My diary|live"));
    QCOMPARE(alice.scalar(QStringLiteral("SELECT group_concat(content, '/') FROM messages WHERE "
                                         "conversation_id = ?"),
                          {personal}),
             QStringLiteral("dear diary"));
    QCOMPARE(alice.outbox(), 0);
    // Reported: what was refused and why.
    const QList<sync::local::PullRefusal> refusals = sync::local::pullRefusals(alice.store);
    QCOMPARE(refusals.size(), 3);
    for (const sync::local::PullRefusal &r : refusals) {
        QCOMPARE(r.workspaceId, m_team);
        QVERIFY2(r.reason.contains(QLatin1String("personal conversation"))
                     || r.reason.contains(QLatin1String("not shared in that workspace")),
                 qPrintable(r.reason));
    }
    // And her own writes to it stay her own.
    alice.addMessage(personal, entry, QStringLiteral("still mine"));
    QCOMPARE(alice.outbox(), 0);
}

void TestSyncGuards::presenceNamesOnlyConversationsOfItsWorkspace()
{
    // Alice is in team and lab. With a team conversation open, lab hears only that she is
    // online; with a personal one open, nobody hears of it.
    Device alice(QStringLiteral("alice-presence"));
    sync::SyncClient client(alice.store, dsn(QStringLiteral("alice")));
    client.connect();
    const QString shared = alice.newConversation(QStringLiteral("Team notes"));
    sync::local::moveToWorkspace(alice.store, shared, m_team);
    QCOMPARE(client.push().pushed, 1);
    const QString personal = alice.newConversation(QStringLiteral("Private"));

    const auto where = [this](const QString &workspace) {
        return server(QStringLiteral("SELECT coalesce(conversation_id::text, 'nowhere') || ' ' || "
                                     "typing::text FROM arbor.presence WHERE role_name = 'alice' "
                                     "AND workspace_id = $1"),
                      {workspace});
    };
    sync::PresenceClient presence(alice.store);
    presence.announce(*client.connection(), client.workspaces(), shared, true);
    QCOMPARE(where(m_team), shared + QStringLiteral(" true"));
    QCOMPARE(where(m_lab), QStringLiteral("nowhere false"));
    presence.announce(*client.connection(), client.workspaces(), personal, true);
    QCOMPARE(where(m_team), QStringLiteral("nowhere false"));
    QCOMPARE(where(m_lab), QStringLiteral("nowhere false"));
    // Bob, in both workspaces, sees the same.
    sync::PgConnection bob(dsn(QStringLiteral("bob")));
    for (const sync::PresenceEntry &p : sync::remote::presence(bob))
        if (p.user == u"alice")
            QVERIFY2(p.conversationId.isEmpty(), qPrintable(p.conversationId));
}

void TestSyncGuards::forkOriginsStayInTheirWorkspace()
{
    Device alice(QStringLiteral("alice-forks"));
    sync::SyncClient client(alice.store, dsn(QStringLiteral("alice")));
    client.connect();
    const QString source = alice.newConversation(QStringLiteral("Source"));
    const QString root = alice.addMessage(source, {}, QStringLiteral("root"));
    sync::local::moveToWorkspace(alice.store, source, m_team);
    const auto fork = [&alice](const QString &node) {
        return alice.store
            .write(
                [node](QSqlDatabase &db) { return store::tree::fork(db, node, domain::nowMs()); })
            .result();
    };
    // A fork shared in the same workspace keeps its origin; one shared elsewhere does not.
    const QString inTeam = fork(root);
    const QString inLab = fork(root);
    sync::local::moveToWorkspace(alice.store, inTeam, m_team);
    sync::local::moveToWorkspace(alice.store, inLab, m_lab);
    client.push();
    QCOMPARE(sync::local::pendingChanges(alice.store), 0);
    const auto origin = [this](const QString &id) {
        return server(QStringLiteral("SELECT coalesce(forked_from_conversation_id::text, 'none') "
                                     "|| ' ' || coalesce(forked_from_message_id::text, 'none') "
                                     "FROM arbor.conversations WHERE id = $1"),
                      {id});
    };
    QCOMPARE(origin(inTeam), source + u' ' + root);
    QCOMPARE(origin(inLab), QStringLiteral("none none"));
    // A fork of a personal conversation names nothing either.
    const QString personal = alice.newConversation(QStringLiteral("Personal"));
    const QString inPersonal = fork(alice.addMessage(personal, {}, QStringLiteral("p")));
    sync::local::moveToWorkspace(alice.store, inPersonal, m_team);
    client.push();
    QCOMPARE(origin(inPersonal), QStringLiteral("none none"));
}

void TestSyncGuards::nulCharactersSync()
{
    // A model may emit U+0000; PostgreSQL's text cannot hold it. It becomes U+FFFD here and on
    // the server, and the conversation keeps syncing.
    Device alice(QStringLiteral("alice-nul"));
    Device bob(QStringLiteral("bob-nul"));
    sync::SyncClient aliceClient(alice.store, dsn(QStringLiteral("alice")));
    sync::SyncClient bobClient(bob.store, dsn(QStringLiteral("bob")));
    aliceClient.connect();
    bobClient.connect();
    bobClient.pull();
    const QString nul = QString(QChar(u'\0'));
    const QString conv = alice.newConversation(QStringLiteral("A") + nul + QStringLiteral("B"));
    sync::local::moveToWorkspace(alice.store, conv, m_team);
    alice.store
        .write([conv, nul](QSqlDatabase &db) {
            store::conversations::setSettings(
                db, conv,
                {{QStringLiteral("system"), QStringLiteral("be") + nul + QStringLiteral("brief")}});
        })
        .waitForFinished();
    const QString root =
        alice.addMessage(conv, {}, QStringLiteral("x") + nul + QStringLiteral("y"));
    const QString reply = alice.addMessage(conv, root, {}, MessageStatus::Streaming);
    alice.store
        .write([reply, nul](QSqlDatabase &db) {
            store::messages::appendChunk(db, reply, 0, nul + QStringLiteral("tail"));
            store::messages::finish(db, reply, store::messages::Finish{});
        })
        .waitForFinished();
    const QString later = alice.addMessage(conv, reply, QStringLiteral("and later"));
    const sync::PushResult pushed = aliceClient.push();
    QCOMPARE(pushed.refused, 0);
    QCOMPARE(pushed.pushed, 4);
    const QString replacement = QString(QChar(domain::NulReplacement));
    QCOMPARE(server(QStringLiteral("SELECT title FROM arbor.conversations WHERE id = $1"), {conv}),
             QStringLiteral("A") + replacement + QStringLiteral("B"));
    QCOMPARE(
        server(QStringLiteral("SELECT settings->>'system' FROM arbor.conversations WHERE id = $1"),
               {conv}),
        QStringLiteral("be") + replacement + QStringLiteral("brief"));
    QCOMPARE(server(QStringLiteral("SELECT content FROM arbor.messages WHERE id = $1"), {reply}),
             replacement + QStringLiteral("tail"));
    QCOMPARE(server(QStringLiteral("SELECT count(*) FROM arbor.messages WHERE id = $1"), {later}),
             QStringLiteral("1"));
    QCOMPARE(alice.scalar(QStringLiteral("SELECT content FROM messages WHERE id = ?"), {root}),
             QStringLiteral("x") + replacement + QStringLiteral("y"));
    bobClient.pull();
    aliceClient.pull();
    QCOMPARE(bob.scalar(QStringLiteral("SELECT title FROM conversations WHERE id = ?"), {conv}),
             QStringLiteral("A") + replacement + QStringLiteral("B"));
    QCOMPARE(testsupport::syncDigest(alice.store), testsupport::syncDigest(bob.store));
}

void TestSyncGuards::refusedRowsComeBackAfterPromotion()
{
    // Carol writes while a member; an admin makes her a viewer before her push, and later a
    // member again. The refused row waits with its reason, is not counted as pushed, and goes
    // out after the promotion.
    Device carol(QStringLiteral("carol"));
    sync::SyncClient client(carol.store, dsn(QStringLiteral("carol")));
    client.connect();
    const QString conv = carol.newConversation(QStringLiteral("Carol's"));
    sync::local::moveToWorkspace(carol.store, conv, m_team);
    QCOMPARE(client.push().pushed, 1);
    const QString draft = carol.addMessage(conv, {}, QStringLiteral("written as a member"));

    sync::Admin(*m_super).addMember(QStringLiteral("team"), QStringLiteral("carol"),
                                    QStringLiteral("viewer"));
    const sync::PushResult refused = client.push();
    QCOMPARE(refused.pushed, 0);
    QCOMPARE(refused.refused, 1);
    const auto reasons = sync::local::refusedChanges(carol.store);
    QCOMPARE(reasons.size(), 1);
    QCOMPARE(reasons.first().first, draft);
    QVERIFY2(reasons.first().second.contains(QLatin1String("viewer")),
             qPrintable(reasons.first().second));
    QCOMPARE(server(QStringLiteral("SELECT count(*) FROM arbor.messages WHERE id = $1"), {draft}),
             QStringLiteral("0"));

    sync::Admin(*m_super).addMember(QStringLiteral("team"), QStringLiteral("carol"),
                                    QStringLiteral("member"));
    // The engine notices the role at its next workspace refresh; a one-shot sync at connect.
    QCOMPARE(client.refreshWorkspaces().first().role, QStringLiteral("member"));
    const sync::PushResult after = client.push();
    QCOMPARE(after.pushed, 1);
    QCOMPARE(after.refused, 0);
    QVERIFY(sync::local::refusedChanges(carol.store).isEmpty());
    QCOMPARE(server(QStringLiteral("SELECT count(*) FROM arbor.messages WHERE id = $1"), {draft}),
             QStringLiteral("1"));
}

void TestSyncGuards::childrenPushedBeforeTheirParentsArrive()
{
    // A chain of 602 messages written while the clock stepped back: each reply is older than its
    // parent, so sharing queues children first, and with 500-row batches most children go
    // before their parents. Every one must arrive, and "pushed" must count only what did.
    Device bob(QStringLiteral("bob-clock"));
    const QString conv = bob.newConversation(QStringLiteral("Clock trouble"));
    const qint64 start = domain::nowMs();
    QString parent;
    QStringList ids;
    for (int i = 0; i < 602; ++i) {
        parent = bob.addMessage(conv, parent, QStringLiteral("step %1").arg(i),
                                MessageStatus::Complete, start - i);
        ids << parent;
    }
    sync::SyncClient client(bob.store, dsn(QStringLiteral("bob")));
    client.connect();
    sync::local::moveToWorkspace(bob.store, conv, m_team);
    QCOMPARE(bob.outbox(), 603);
    const sync::PushResult pushed = client.push(500);
    QCOMPARE(pushed.refused, 0);
    QCOMPARE(pushed.pushed, 603);
    QCOMPARE(bob.outbox(), 0);
    QCOMPARE(
        server(QStringLiteral("SELECT count(*) FROM arbor.messages WHERE conversation_id = $1"),
               {conv}),
        QStringLiteral("602"));

    // A teammate pulls it in small pages: the log has children before parents too.
    Device alice(QStringLiteral("alice-clock"));
    sync::SyncClient aliceClient(alice.store, dsn(QStringLiteral("alice")));
    aliceClient.connect();
    const sync::PullResult pulled = aliceClient.pull(50);
    QCOMPARE(pulled.refused, 0);
    const QString tree =
        QStringLiteral("SELECT count(*) || ' ' || sum(parent_id IS NULL) || ' ' || "
                       "max(child_count) FROM messages WHERE conversation_id = ?");
    QCOMPARE(alice.scalar(tree, {conv}), QStringLiteral("602 1 1"));
    QCOMPARE(alice.scalar(tree, {conv}), bob.scalar(tree, {conv}));
}

void TestSyncGuards::aRemovedMembersCopiesStopBeingShared()
{
    Device eve(QStringLiteral("eve"));
    Device alice(QStringLiteral("alice-removal"));
    sync::SyncClient aliceClient(alice.store, dsn(QStringLiteral("alice")));
    aliceClient.connect();
    const QString conv = alice.newConversation(QStringLiteral("Roadmap"));
    const QString root = alice.addMessage(conv, {}, QStringLiteral("Q1 goals"));
    sync::local::moveToWorkspace(alice.store, conv, m_team);
    aliceClient.push();

    sync::SyncEngine::Options quick;
    quick.pollIntervalMs = 200;
    sync::SyncEngine engine(eve.store, dsn(QStringLiteral("eve")), quick);
    engine.start();
    QTRY_COMPARE_WITH_TIMEOUT(eve.scalar(QStringLiteral("SELECT workspace_id FROM conversations "
                                                        "WHERE id = ?"),
                                         {conv}),
                              m_team, 10000);
    const sync::Admin::RemoveResult removed =
        sync::Admin(*m_super).removeMember(QStringLiteral("team"), QStringLiteral("eve"));
    QVERIFY(removed.removed);
    // Her engine's session was ended; it reconnects without the workspace, and her copy becomes
    // a personal one that remembers where it came from.
    QTRY_COMPARE_WITH_TIMEOUT(eve.scalar(QStringLiteral("SELECT coalesce(workspace_id, 'personal') "
                                                        "|| ' ' || left_workspace_name FROM "
                                                        "conversations WHERE id = ?"),
                                         {conv}),
                              QStringLiteral("personal team"), 15000);
    QCOMPARE(eve.outbox(), 0);
    QTRY_COMPARE(engine.workspaces().size(), 0);
    // It is hers now: writing in it stays here.
    const QString hers = eve.addMessage(conv, root, QStringLiteral("eve's idea"));
    QCOMPARE(eve.outbox(), 0);
    // Alice writes on: nothing reaches eve.
    const QString news = alice.addMessage(conv, root, QStringLiteral("after eve left"));
    aliceClient.push();
    QTest::qWait(1000);
    QCOMPARE(eve.scalar(QStringLiteral("SELECT count(*) FROM messages WHERE id = ?"), {news}),
             QStringLiteral("0"));
    engine.stop();

    // Added back, the same conversation re-attaches (and only that one may).
    sync::Admin(*m_super).addMember(QStringLiteral("team"), QStringLiteral("eve"),
                                    QStringLiteral("member"));
    sync::SyncClient eveClient(eve.store, dsn(QStringLiteral("eve")));
    eveClient.connect();
    const sync::PullResult back = eveClient.pull();
    QCOMPARE(back.refused, 0);
    QCOMPARE(
        eve.scalar(QStringLiteral("SELECT workspace_id FROM conversations WHERE id = ?"), {conv}),
        m_team);
    QCOMPARE(eve.scalar(QStringLiteral("SELECT count(*) FROM messages WHERE id = ?"), {news}),
             QStringLiteral("1"));
    // What she wrote while away goes out with it.
    QCOMPARE(eveClient.push().refused, 0);
    QCOMPARE(server(QStringLiteral("SELECT author FROM arbor.messages WHERE id = $1"), {hers}),
             QStringLiteral("eve"));
}

QTEST_GUILESS_MAIN(TestSyncGuards)
#include "tst_syncguards.moc"
