// A reply's tool calls through team sync, between real local stores and a real PostgreSQL
// (server version 6): a call stored while the reply streams is a checkpoint teammates see, the
// finished reply's calls arrive identical on a teammate's device and on the server, a call's
// later status and result (what the tools issue writes) travel without another schema change,
// and a teammate cannot change someone else's calls.
#include "syncdevice.h"

#include "domain/toolcall.h"
#include "store/messagequeries.h"
#include "support/pgserver.h"
#include "sync/admin.h"
#include "sync/localstate.h"
#include "sync/pgconnection.h"
#include "sync/pgschema.h"
#include "sync/remotequeries.h"
#include "sync/syncclient.h"

#include <QSqlQuery>
#include <QTest>

#include <memory>

using namespace arbor;
using namespace arbor::testsupport;
using domain::MessageStatus;

class TestSyncToolCalls : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void toolCallsTravelWithTheReply();
    void aCallsResultTravelsAfterTheReplyFinished();
    void aTeammateCannotChangeThem();

private:
    QString dsn(const QString &user) const { return m_pg->dsn(user, user + QStringLiteral("-pw")); }
    /** @brief @p column of message @p id on @p device ("<null>" for NULL). */
    static QString column(Device &device, const QString &column, const QString &id)
    {
        return device.scalar(
            QStringLiteral("SELECT coalesce(%1, '<null>') FROM messages WHERE id = ?").arg(column),
            {id});
    }
    QString serverColumn(const QString &column, const QString &id)
    {
        return m_super->scalar(
            QStringLiteral("SELECT coalesce(%1::text, '<null>') FROM arbor.messages "
                           "WHERE id = $1")
                .arg(column),
            {id});
    }
    void write(std::function<void(QSqlDatabase &)> f)
    {
        m_alice->store.write(std::move(f)).waitForFinished();
    }

    std::unique_ptr<PgServer> m_pg;
    std::unique_ptr<sync::PgConnection> m_super;
    QString m_ws;
    std::unique_ptr<Device> m_alice;
    std::unique_ptr<Device> m_bob;
    std::unique_ptr<sync::SyncClient> m_aliceClient;
    std::unique_ptr<sync::SyncClient> m_bobClient;
    QString m_conv;
    QString m_reply;
};

void TestSyncToolCalls::initTestCase()
{
    try {
        m_pg = std::make_unique<PgServer>();
        m_super = std::make_unique<sync::PgConnection>(m_pg->superuserDsn());
        sync::Admin admin(*m_super);
        admin.init();
        m_ws = admin.addWorkspace(QStringLiteral("team")).id;
        for (const char *user : {"alice", "bob"}) {
            admin.addUser(QLatin1String(user), QLatin1String(user) + QStringLiteral("-pw"));
            admin.addMember(QStringLiteral("team"), QLatin1String(user), QStringLiteral("member"));
        }
    } catch (const std::exception &e) {
        QFAIL(e.what());
    }
    QVERIFY(sync::PgSchema::latestVersion() >= 6);
    m_alice = std::make_unique<Device>(QStringLiteral("alice"));
    m_bob = std::make_unique<Device>(QStringLiteral("bob"));
    m_conv = m_alice->newConversation(QStringLiteral("Weather"));
}

void TestSyncToolCalls::toolCallsTravelWithTheReply()
{
    const QString root = m_alice->addMessage(m_conv, {}, QStringLiteral("Paris and Lyon?"));
    m_reply = m_alice->addMessage(m_conv, root, {}, MessageStatus::Streaming);
    const QString reply = m_reply;
    m_aliceClient =
        std::make_unique<sync::SyncClient>(m_alice->store, dsn(QStringLiteral("alice")));
    m_aliceClient->connect();
    sync::local::moveToWorkspace(m_alice->store, m_conv, m_ws);
    m_bobClient = std::make_unique<sync::SyncClient>(m_bob->store, dsn(QStringLiteral("bob")));
    m_bobClient->connect();
    QCOMPARE(m_aliceClient->push().pushed, 3);

    // Text, then a whole call while the reply still streams: a checkpoint teammates see.
    domain::ToolCall paris;
    paris.id = QStringLiteral("call_1");
    paris.name = QStringLiteral("get_weather");
    paris.arguments = QStringLiteral(R"({"city": "Paris"})");
    paris.at = 9;
    const QString one = domain::toolcalls::toText({paris});
    write([reply, one](QSqlDatabase &db) {
        store::messages::appendChunk(db, reply, 0, QStringLiteral("Checking."));
        store::messages::setToolCalls(db, reply, one);
    });
    QCOMPARE(m_alice->outbox(), 1);
    QCOMPARE(m_aliceClient->push().pushed, 1);
    m_bobClient->pull();
    QCOMPARE(column(*m_bob, QStringLiteral("tool_calls"), reply), one);
    QCOMPARE(column(*m_bob, QStringLiteral("status"), reply), QStringLiteral("streaming"));
    QCOMPARE(column(*m_bob, QStringLiteral("content"), reply), QStringLiteral("Checking."));

    // The second call alone changes the row; the server takes it (not "unchanged").
    domain::ToolCall lyon = paris;
    lyon.id = QStringLiteral("call_2");
    // A character PostgreSQL's text refuses, inside the arguments' JSON text.
    lyon.arguments = QStringLiteral("{\"city\": \"Lyon") + QChar(u'\0') + QStringLiteral("\"}");
    const QString two = domain::toolcalls::toText({paris, lyon});
    write([reply, two](QSqlDatabase &db) { store::messages::setToolCalls(db, reply, two); });
    QCOMPARE(m_alice->outbox(), 1);
    QCOMPARE(m_aliceClient->push().pushed, 1);

    // Finished: the calls stay with the reply, identical everywhere.
    write([reply, two](QSqlDatabase &db) {
        store::messages::Finish f;
        f.finishReason = QStringLiteral("tool_calls");
        f.toolCalls = two;
        store::messages::finish(db, reply, f);
    });
    QCOMPARE(m_aliceClient->push().pushed, 1);
    m_bobClient->pull();
    for (const char *name : {"tool_calls", "content", "status", "finish_reason"}) {
        const QString c = QString::fromLatin1(name);
        QCOMPARE(column(*m_bob, c, reply), column(*m_alice, c, reply));
        QCOMPARE(serverColumn(c, reply), column(*m_alice, c, reply));
    }
    QVERIFY(column(*m_alice, QStringLiteral("tool_calls"), reply).contains(u"\uFFFD"));
    // Bob reads them as a message like any other.
    const auto pulled =
        m_bob->store.read([reply](QSqlDatabase &db) { return store::messages::get(db, reply); })
            .result();
    QVERIFY(pulled);
    const QList<domain::ToolCall> calls = domain::toolcalls::parse(pulled->toolCalls);
    QCOMPARE(calls.size(), 2);
    QCOMPARE(calls.at(0), paris);
    QCOMPARE(calls.at(1).id, QStringLiteral("call_2"));
    QCOMPARE(calls.at(1).arguments, QStringLiteral("{\"city\": \"Lyon\uFFFD\"}"));
    // Nothing is pushed back or pulled again.
    QCOMPARE(m_bob->outbox(), 0);
    QCOMPARE(m_aliceClient->push().pushed, 0);
    QCOMPARE(m_bobClient->pull().messages, 0);
}

void TestSyncToolCalls::aCallsResultTravelsAfterTheReplyFinished()
{
    // What the tools issue will write on a finished reply: a call's status and result. The
    // column carries it, the sync trigger queues it, the server takes it from the author.
    const QString reply = m_reply;
    const auto stored =
        m_alice->store.read([reply](QSqlDatabase &db) { return store::messages::get(db, reply); })
            .result();
    QList<domain::ToolCall> calls = domain::toolcalls::parse(stored->toolCalls);
    calls[0].status = QString(domain::ToolCall::Done);
    calls[0].result = QStringLiteral("18 °C, sunny");
    calls[0].startedAt = 1000;
    calls[0].finishedAt = 1400;
    const QString done = domain::toolcalls::toText(calls);
    write([reply, done](QSqlDatabase &db) {
        QSqlQuery q(db);
        q.prepare(QStringLiteral("UPDATE messages SET tool_calls = ? WHERE id = ?"));
        q.addBindValue(done);
        q.addBindValue(reply);
        QVERIFY(q.exec());
    });
    QCOMPARE(m_alice->outbox(), 1);
    QCOMPARE(m_aliceClient->push().pushed, 1);
    QCOMPARE(serverColumn(QStringLiteral("tool_calls"), reply), done);
    QCOMPARE(serverColumn(QStringLiteral("status"), reply), QStringLiteral("complete"));
    QCOMPARE(m_bobClient->pull().messages, 1);
    QCOMPARE(column(*m_bob, QStringLiteral("tool_calls"), reply), done);
    QCOMPARE(
        domain::toolcalls::parse(column(*m_bob, QStringLiteral("tool_calls"), reply)).at(0).result,
        QStringLiteral("18 °C, sunny"));
}

void TestSyncToolCalls::aTeammateCannotChangeThem()
{
    // Bob pushes Alice's reply with other calls (a client bypassing the app): refused, the
    // server keeps Alice's.
    const QString before = serverColumn(QStringLiteral("tool_calls"), m_reply);
    sync::PgConnection conn(dsn(QStringLiteral("bob")));
    const QList<sync::RemoteMessage> rows = sync::remote::fetchMessages(conn, {m_reply});
    QCOMPARE(rows.size(), 1);
    QCOMPARE(rows.first().toolCalls, before);
    sync::RemoteMessage forged = rows.first();
    forged.toolCalls =
        QStringLiteral("[{\"id\":\"x\",\"name\":\"rm\",\"arguments\":\"{\\\"path\\\":\\\"/"
                       "\\\"}\",\"at\":0,\"status\":\"requested\"}]");
    QCOMPARE(sync::remote::pushMessage(conn, forged), sync::PushOutcome::NotYours);
    QCOMPARE(serverColumn(QStringLiteral("tool_calls"), m_reply), before);
}

QTEST_GUILESS_MAIN(TestSyncToolCalls)
#include "tst_synctoolcalls.moc"
