// Push and fetch of shared rows: idempotent upserts that only move the server copy forward,
// within what row-level security allows.
#include "support/pgserver.h"
#include "sync/admin.h"
#include "sync/changelog.h"
#include "sync/pgconnection.h"
#include "sync/remotequeries.h"

#include <QTest>
#include <QUuid>

#include <memory>

using namespace arbor;
using namespace arbor::testsupport;
using sync::PushOutcome;
using sync::RemoteConversation;
using sync::RemoteMessage;

namespace {

QString newId()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

} // namespace

class TestRemoteQueries : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void pushIsIdempotent();
    void batchPushTakesChildFirstAndExactValues();
    void fetchRoundTrips();
    void streamingGrowsThenFreezes();
    void tombstonesAndLabelsPropagate();
    void conversationLastWriterWins();
    void securityStillApplies();

private:
    std::unique_ptr<sync::PgConnection> connect(const QString &user);
    int changeRows();
    RemoteMessage message(const QString &status, const QString &content,
                          const QString &parent = {});

    std::unique_ptr<PgServer> m_pg;
    std::unique_ptr<sync::PgConnection> m_super;
    std::unique_ptr<sync::PgConnection> m_alice;
    QString m_ws;
    RemoteConversation m_conv;
    RemoteMessage m_root;
};

std::unique_ptr<sync::PgConnection> TestRemoteQueries::connect(const QString &user)
{
    return std::make_unique<sync::PgConnection>(m_pg->dsn(user, user + QStringLiteral("-pw")));
}

int TestRemoteQueries::changeRows()
{
    return m_super->scalar(QStringLiteral("SELECT count(*) FROM arbor.changes")).toInt();
}

RemoteMessage TestRemoteQueries::message(const QString &status, const QString &content,
                                         const QString &parent)
{
    RemoteMessage m;
    m.id = newId();
    m.workspaceId = m_ws;
    m.conversationId = m_conv.id;
    m.parentId = parent;
    m.role = parent.isEmpty() ? QStringLiteral("user") : QStringLiteral("assistant");
    m.provider = QStringLiteral("demo");
    m.model = QStringLiteral("demo-1");
    m.content = content;
    m.status = status;
    m.createdAt = 1000;
    return m;
}

void TestRemoteQueries::initTestCase()
{
    try {
        m_pg = std::make_unique<PgServer>();
        m_super = std::make_unique<sync::PgConnection>(m_pg->superuserDsn());
        sync::Admin admin(*m_super);
        admin.init();
        m_ws = admin.addWorkspace(QStringLiteral("team")).id;
        for (const char *user : {"alice", "adam", "vera", "olga"})
            admin.addUser(QLatin1String(user), QLatin1String(user) + QStringLiteral("-pw"));
        admin.addMember(QStringLiteral("team"), QStringLiteral("alice"), QStringLiteral("member"));
        admin.addMember(QStringLiteral("team"), QStringLiteral("adam"), QStringLiteral("member"));
        admin.addMember(QStringLiteral("team"), QStringLiteral("vera"), QStringLiteral("viewer"));
        m_alice = connect(QStringLiteral("alice"));
    } catch (const std::exception &e) {
        QFAIL(e.what());
    }
    m_conv.id = newId();
    m_conv.workspaceId = m_ws;
    m_conv.title = QStringLiteral("Shared");
    m_conv.settings = QStringLiteral("{\"model\": \"demo-1\"}");
    m_conv.createdAt = 1000;
    m_conv.updatedAt = 1000;
    m_root = message(QStringLiteral("complete"), QStringLiteral("Hello, team"));
}

void TestRemoteQueries::pushIsIdempotent()
{
    QCOMPARE(sync::remote::pushConversation(*m_alice, m_conv), PushOutcome::Ok);
    QCOMPARE(sync::remote::pushMessage(*m_alice, m_root), PushOutcome::Ok);
    const int logged = changeRows();
    QCOMPARE(logged, 2);
    // Again, as after a crash between the server's commit and the outbox clean-up.
    QCOMPARE(sync::remote::pushConversation(*m_alice, m_conv), PushOutcome::Unchanged);
    QCOMPARE(sync::remote::pushMessage(*m_alice, m_root), PushOutcome::Unchanged);
    QCOMPARE(changeRows(), logged);
    QCOMPARE(m_super->scalar(QStringLiteral("SELECT count(*) FROM arbor.messages")),
             QStringLiteral("1"));
}

void TestRemoteQueries::batchPushTakesChildFirstAndExactValues()
{
    // A child ahead of its parent, text that needs JSON escapes, a timestamp a double rounds
    // (2^53 + 1), and a row the server already holds: one call changes exactly two rows.
    RemoteMessage parent = message(QStringLiteral("complete"), QStringLiteral("parent"), m_root.id);
    RemoteMessage child =
        message(QStringLiteral("complete"),
                QStringLiteral("quote \" back\\slash\nline \t tab é 🌳 \x01"), parent.id);
    child.createdAt = 9007199254740993LL;
    child.label = QStringLiteral("");
    child.promptTokens = 0;
    const int logged = changeRows();
    const QList<sync::PushedRow> rows = sync::remote::push(*m_alice, {}, {child, parent, m_root});
    QCOMPARE(rows.size(), 3);
    for (const sync::PushedRow &row : rows)
        QCOMPARE(row.outcome, row.id == m_root.id ? PushOutcome::Unchanged : PushOutcome::Ok);
    QCOMPARE(changeRows(), logged + 2);

    RemoteMessage expected = child;
    expected.author = QStringLiteral("alice");
    QCOMPARE(sync::remote::fetchMessages(*m_alice, {child.id}).value(0), expected);

    // Refusals are per row: a viewer's row, a row of a foreign workspace, a child whose parent
    // is nowhere; the others of the batch go in.
    auto vera = connect(QStringLiteral("vera"));
    RemoteMessage other = message(QStringLiteral("complete"), QStringLiteral("not allowed"));
    QCOMPARE(sync::remote::pushMessage(*vera, other), PushOutcome::Viewer);
    RemoteMessage fine = message(QStringLiteral("complete"), QStringLiteral("fine"));
    RemoteMessage foreign = message(QStringLiteral("complete"), QStringLiteral("wrong workspace"));
    foreign.workspaceId = newId();
    RemoteMessage orphan = message(QStringLiteral("complete"), QStringLiteral("orphan"), newId());
    const QList<sync::PushedRow> mixed = sync::remote::push(*m_alice, {}, {fine, foreign, orphan});
    QCOMPARE(mixed.size(), 3);
    for (const sync::PushedRow &row : mixed)
        QCOMPARE(row.outcome,
                 row.id == fine.id          ? PushOutcome::Ok
                     : row.id == foreign.id ? PushOutcome::NotAMember
                                            : PushOutcome::ParentMissing);
    QCOMPARE(sync::remote::fetchMessages(*m_alice, {fine.id, foreign.id, orphan.id}).size(), 1);
    QCOMPARE(changeRows(), logged + 3);
}

void TestRemoteQueries::fetchRoundTrips()
{
    auto adam = connect(QStringLiteral("adam"));
    const QList<RemoteMessage> messages = sync::remote::fetchMessages(*adam, {m_root.id, newId()});
    QCOMPARE(messages.size(), 1);
    RemoteMessage expected = m_root;
    expected.author = QStringLiteral("alice"); // the server names the author
    QCOMPARE(messages[0], expected);

    const QList<RemoteConversation> conversations =
        sync::remote::fetchConversations(*adam, {m_conv.id});
    QCOMPARE(conversations.size(), 1);
    RemoteConversation expectedConv = m_conv;
    expectedConv.createdBy = QStringLiteral("alice");
    expectedConv.settings = QStringLiteral("{\"model\": \"demo-1\"}"); // jsonb's canonical text
    QCOMPARE(conversations[0], expectedConv);
}

void TestRemoteQueries::streamingGrowsThenFreezes()
{
    RemoteMessage reply = message(QStringLiteral("streaming"), QStringLiteral("Hel"), m_root.id);
    QCOMPARE(sync::remote::pushMessage(*m_alice, reply), PushOutcome::Ok);
    reply.content = QStringLiteral("Hello the");
    QCOMPARE(sync::remote::pushMessage(*m_alice, reply), PushOutcome::Ok);
    reply.content = QStringLiteral("Hello there");
    reply.status = QStringLiteral("complete");
    reply.finishReason = QStringLiteral("stop");
    reply.finishedAt = 2000;
    reply.promptTokens = 3;
    reply.completionTokens = 2;
    QCOMPARE(sync::remote::pushMessage(*m_alice, reply), PushOutcome::Ok);
    QCOMPARE(sync::remote::pushMessage(*m_alice, reply), PushOutcome::Unchanged);

    // A stale copy (an older outbox entry replayed late) does not roll the server back.
    RemoteMessage stale = reply;
    stale.content = QStringLiteral("Hello the");
    stale.status = QStringLiteral("streaming");
    QCOMPARE(sync::remote::pushMessage(*m_alice, stale), PushOutcome::Unchanged);
    const QList<RemoteMessage> fetched = sync::remote::fetchMessages(*m_alice, {reply.id});
    QCOMPARE(fetched.size(), 1);
    QCOMPARE(fetched[0].content, QStringLiteral("Hello there"));
    QCOMPARE(fetched[0].status, QStringLiteral("complete"));
    QCOMPARE(fetched[0].completionTokens, std::optional<qint64>(2));
}

void TestRemoteQueries::tombstonesAndLabelsPropagate()
{
    RemoteMessage labelled = m_root;
    labelled.label = QStringLiteral("keep");
    QCOMPARE(sync::remote::pushMessage(*m_alice, labelled), PushOutcome::Ok);
    labelled.deletedAt = 3000;
    labelled.deletedBatch = QStringLiteral("batch-1");
    QCOMPARE(sync::remote::pushMessage(*m_alice, labelled), PushOutcome::Ok);
    QCOMPARE(sync::remote::pushMessage(*m_alice, labelled), PushOutcome::Unchanged);
    const RemoteMessage fetched = sync::remote::fetchMessages(*m_alice, {m_root.id}).value(0);
    QCOMPARE(fetched.label, QStringLiteral("keep"));
    QCOMPARE(fetched.deletedAt, std::optional<qint64>(3000));
    QCOMPARE(fetched.content, m_root.content); // a finished message's text never changes
}

void TestRemoteQueries::conversationLastWriterWins()
{
    RemoteConversation renamed = m_conv;
    renamed.title = QStringLiteral("Renamed");
    renamed.updatedAt = 5000;
    QCOMPARE(sync::remote::pushConversation(*m_alice, renamed), PushOutcome::Ok);
    RemoteConversation older = m_conv;
    older.title = QStringLiteral("Older name");
    older.updatedAt = 4000;
    QCOMPARE(sync::remote::pushConversation(*m_alice, older), PushOutcome::Unchanged);
    QCOMPARE(sync::remote::fetchConversations(*m_alice, {m_conv.id}).value(0).title,
             QStringLiteral("Renamed"));
}

void TestRemoteQueries::securityStillApplies()
{
    auto vera = connect(QStringLiteral("vera"));
    QCOMPARE(sync::remote::pushMessage(
                 *vera, message(QStringLiteral("complete"), QStringLiteral("viewer text"))),
             PushOutcome::Viewer);
    // adam may not rewrite alice's streaming message through the upsert.
    RemoteMessage hers = message(QStringLiteral("streaming"), QStringLiteral("draft"), m_root.id);
    QCOMPARE(sync::remote::pushMessage(*m_alice, hers), PushOutcome::Ok);
    auto adam = connect(QStringLiteral("adam"));
    hers.content = QStringLiteral("adam was here");
    QCOMPARE(sync::remote::pushMessage(*adam, hers), PushOutcome::NotYours);
    QCOMPARE(sync::remote::fetchMessages(*m_alice, {hers.id}).value(0).content,
             QStringLiteral("draft"));
    // Someone in no workspace fetches nothing, even by id.
    auto olga = connect(QStringLiteral("olga"));
    QVERIFY(sync::remote::fetchMessages(*olga, {m_root.id, hers.id}).isEmpty());
    QVERIFY(sync::remote::fetchConversations(*olga, {m_conv.id}).isEmpty());
}

QTEST_GUILESS_MAIN(TestRemoteQueries)
#include "tst_remotequeries.moc"
