// Compare and fuse through team sync (issue 20), between real local stores and a real
// PostgreSQL: when each reply's first token arrived (time to first token, tokens/s) and which
// replies a fused reply came from, a column's own parameters (a temperature), and what else a
// reply was asked with (the tool servers it was offered, a fused reply's prompt) arrive
// identical on a teammate's device and on the server.
// Model sets are per device and never leave it.
#include "syncdevice.h"

#include "store/messagequeries.h"
#include "store/modelsetqueries.h"
#include "support/pgserver.h"
#include "sync/admin.h"
#include "sync/localstate.h"
#include "sync/pgconnection.h"
#include "sync/syncclient.h"

#include <QTest>

#include <memory>

using namespace arbor;
using namespace arbor::testsupport;
using domain::MessageStatus;

class TestSyncCompare : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void firstTokenAndSourcesTravelWithTheReplies();

private:
    QString dsn(const QString &user) const { return m_pg->dsn(user, user + QStringLiteral("-pw")); }
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

    std::unique_ptr<PgServer> m_pg;
    std::unique_ptr<sync::PgConnection> m_super;
    QString m_ws;
    std::unique_ptr<Device> m_alice;
    std::unique_ptr<Device> m_bob;
};

void TestSyncCompare::initTestCase()
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
    m_alice = std::make_unique<Device>(QStringLiteral("alice"));
    m_bob = std::make_unique<Device>(QStringLiteral("bob"));
}

void TestSyncCompare::firstTokenAndSourcesTravelWithTheReplies()
{
    const QString conv = m_alice->newConversation(QStringLiteral("Which is best"));
    const QString question = m_alice->addMessage(conv, {}, QStringLiteral("Best sort?"));
    const QString a = m_alice->addMessage(conv, question, {}, MessageStatus::Streaming);
    const QString b = m_alice->addMessage(conv, question, {}, MessageStatus::Streaming);
    sync::SyncClient alice(m_alice->store, dsn(QStringLiteral("alice")));
    alice.connect();
    sync::local::moveToWorkspace(m_alice->store, conv, m_ws);
    sync::SyncClient bob(m_bob->store, dsn(QStringLiteral("bob")));
    bob.connect();
    QCOMPARE(alice.push().pushed, 4);
    bob.pull();
    QCOMPARE(column(*m_bob, QStringLiteral("first_token_at"), a), QStringLiteral("<null>"));

    // The first tokens arrive while the replies stream: pushed as they are stored.
    m_alice->store
        .write([&](QSqlDatabase &db) {
            store::messages::setFirstTokenAt(db, a, 1'700'000'000'123);
            store::messages::appendChunk(db, a, 0, QStringLiteral("Merge sort."));
            store::messages::setFirstTokenAt(db, b, 1'700'000'000'456);
            store::messages::setFirstTokenAt(db, b, 1'700'000'009'999); // only the first counts
            store::messages::appendChunk(db, b, 0, QStringLiteral("Quicksort."));
        })
        .waitForFinished();
    QCOMPARE(alice.push().pushed, 2);
    bob.pull();
    QCOMPARE(column(*m_bob, QStringLiteral("first_token_at"), a), QStringLiteral("1700000000123"));
    QCOMPARE(column(*m_bob, QStringLiteral("first_token_at"), b), QStringLiteral("1700000000456"));

    // Both finish; a fused reply records them as its sources.
    QString fused;
    QString hot;
    m_alice->store
        .write([&](QSqlDatabase &db) {
            store::messages::finish(db, a, store::messages::Finish{});
            store::messages::finish(db, b, store::messages::Finish{});
            domain::Message m;
            m.id = domain::newId();
            m.conversationId = conv;
            m.parentId = question;
            m.role = QStringLiteral("assistant");
            m.status = MessageStatus::Complete;
            m.content = QStringLiteral("Merge sort when stable, else quicksort.");
            m.createdAt = domain::nowMs();
            m.fusedFrom = QStringLiteral("[\"%1\",\"%2\"]").arg(a, b);
            m.request = QStringLiteral(R"({"prompt":"Q: Best sort?\n---\nFuse them."})");
            store::messages::insert(db, m);
            fused = m.id;
            // A column of the same model at another temperature: its parameters travel with it.
            m.id = domain::newId();
            m.content = QStringLiteral("Timsort.");
            m.fusedFrom.clear();
            m.params = QStringLiteral(R"({"max_tokens":400,"temperature":1.5})");
            m.request = QStringLiteral(R"({"tools":["everything","files"]})");
            store::messages::insert(db, m);
            hot = m.id;
            store::modelsets::save(db, QStringLiteral("mine"), QStringLiteral("[]"), 1);
        })
        .waitForFinished();
    QCOMPARE(alice.push().pushed, 4);
    bob.pull();
    for (const QString &id : {a, b, fused, hot}) {
        for (const QString &c : {QStringLiteral("first_token_at"), QStringLiteral("fused_from"),
                                 QStringLiteral("params"), QStringLiteral("request"),
                                 QStringLiteral("status"), QStringLiteral("content")}) {
            QCOMPARE(column(*m_bob, c, id), column(*m_alice, c, id));
            QCOMPARE(serverColumn(c, id), column(*m_alice, c, id));
        }
    }
    QCOMPARE(column(*m_bob, QStringLiteral("fused_from"), fused),
             QStringLiteral("[\"%1\",\"%2\"]").arg(a, b));
    QCOMPARE(column(*m_bob, QStringLiteral("first_token_at"), b), QStringLiteral("1700000000456"));
    QCOMPARE(column(*m_bob, QStringLiteral("params"), hot),
             QStringLiteral(R"({"max_tokens":400,"temperature":1.5})"));
    QCOMPARE(column(*m_bob, QStringLiteral("params"), a), QStringLiteral("<null>"));
    QCOMPARE(serverColumn(QStringLiteral("params"), a), QStringLiteral("<null>"));
    QCOMPARE(column(*m_bob, QStringLiteral("request"), fused),
             QStringLiteral(R"({"prompt":"Q: Best sort?\n---\nFuse them."})"));
    QCOMPARE(column(*m_bob, QStringLiteral("request"), a), QStringLiteral("<null>"));
    QCOMPARE(serverColumn(QStringLiteral("request"), a), QStringLiteral("<null>"));
    // Bob's store gives the column as Alice's does.
    const auto got =
        m_bob->store.read([hot](QSqlDatabase &db) { return store::messages::get(db, hot); })
            .result();
    QVERIFY(got.has_value());
    QCOMPARE(got->params, QStringLiteral(R"({"max_tokens":400,"temperature":1.5})"));
    QCOMPARE(got->request, QStringLiteral(R"({"tools":["everything","files"]})"));
    // Model sets stay on the device that saved them.
    QCOMPARE(m_bob->scalar(QStringLiteral("SELECT count(*) FROM model_sets")), QStringLiteral("0"));
    QCOMPARE(m_alice->scalar(QStringLiteral("SELECT count(*) FROM model_sets")),
             QStringLiteral("1"));
    QCOMPARE(m_bob->outbox(), 0);
    QCOMPARE(alice.push().pushed, 0);
    QCOMPARE(bob.pull().messages, 0);

    // A page of more than 32 messages is applied in one statement (localsync.cpp): the
    // parameters and requests arrive that way too.
    QStringList many;
    m_alice->store
        .write([&](QSqlDatabase &db) {
            for (int i = 0; i < 40; ++i) {
                domain::Message m;
                m.id = domain::newId();
                m.conversationId = conv;
                m.parentId = question;
                m.role = QStringLiteral("assistant");
                m.status = MessageStatus::Complete;
                m.content = QStringLiteral("Answer %1").arg(i);
                m.createdAt = domain::nowMs();
                m.params = QStringLiteral(R"({"temperature":%1})").arg(i % 2 ? 1 : 0);
                if (i % 2)
                    m.request = QStringLiteral(R"({"tools":["t%1"]})").arg(i);
                store::messages::insert(db, m);
                many.append(m.id);
            }
        })
        .waitForFinished();
    QCOMPARE(alice.push().pushed, 40);
    QCOMPARE(bob.pull().messages, 40);
    for (const QString &id : {many.constFirst(), many.constLast()}) {
        QCOMPARE(column(*m_bob, QStringLiteral("params"), id),
                 column(*m_alice, QStringLiteral("params"), id));
        QCOMPARE(column(*m_bob, QStringLiteral("request"), id),
                 column(*m_alice, QStringLiteral("request"), id));
    }
    QCOMPARE(column(*m_bob, QStringLiteral("params"), many.constLast()),
             QStringLiteral(R"({"temperature":1})"));
    QCOMPARE(column(*m_bob, QStringLiteral("request"), many.constLast()),
             QStringLiteral(R"({"tools":["t39"]})"));
    QCOMPARE(column(*m_bob, QStringLiteral("request"), many.constFirst()),
             QStringLiteral("<null>"));
}

QTEST_GUILESS_MAIN(TestSyncCompare)
#include "tst_synccompare.moc"
