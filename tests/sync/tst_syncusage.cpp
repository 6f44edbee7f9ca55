// A reply's usage and cost through team sync (issue 19), between real local stores and a real
// PostgreSQL: the counts, the estimate flag and the cost its author's Arbor priced arrive
// identical on a teammate's device and on the server, and the teammate's kept totals count
// them (equal to a recount of the messages).
#include "syncdevice.h"

#include "store/messagequeries.h"
#include "store/usagequeries.h"
#include "support/pgserver.h"
#include "sync/admin.h"
#include "sync/localstate.h"
#include "sync/pgconnection.h"
#include "sync/remotequeries.h"
#include "sync/syncclient.h"

#include <QTest>

#include <memory>

using namespace arbor;
using namespace arbor::testsupport;
using domain::MessageStatus;

class TestSyncUsage : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void usageAndCostTravelWithTheReply();

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

void TestSyncUsage::initTestCase()
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

void TestSyncUsage::usageAndCostTravelWithTheReply()
{
    const QString conv = m_alice->newConversation(QStringLiteral("What it costs"));
    const QString root = m_alice->addMessage(conv, {}, QStringLiteral("How many r?"));
    const QString priced = m_alice->addMessage(conv, root, {}, MessageStatus::Streaming);
    const QString estimated = m_alice->addMessage(conv, root, {}, MessageStatus::Streaming);
    m_alice->store
        .write([&](QSqlDatabase &db) {
            store::exec(db,
                        QStringLiteral("UPDATE messages SET provider = 'p', model = 'm'"
                                       " WHERE id IN (?, ?)"),
                        {priced, estimated});
        })
        .waitForFinished();
    sync::SyncClient alice(m_alice->store, dsn(QStringLiteral("alice")));
    alice.connect();
    sync::local::moveToWorkspace(m_alice->store, conv, m_ws);
    sync::SyncClient bob(m_bob->store, dsn(QStringLiteral("bob")));
    bob.connect();
    QCOMPARE(alice.push().pushed, 4);

    // Alice's Arbor prices both replies; the second had no usage from its vendor: estimated,
    // from its text (18 characters: 5 tokens) and the question's (11: 3 tokens).
    m_alice->store
        .write([&](QSqlDatabase &db) {
            store::usage::Price price;
            price.provider = QStringLiteral("p");
            price.model = QStringLiteral("m");
            price.validFrom = QStringLiteral("2020-01-01");
            price.input = 3;
            price.output = 15;
            price.cachedInput = 0.3;
            price.currency = QStringLiteral("EUR");
            store::usage::setPrice(db, price);
            store::messages::appendChunk(db, priced, 0, QStringLiteral("Three."));
            store::messages::Finish f;
            f.finishReason = QStringLiteral("stop");
            f.promptTokens = 2006;
            f.completionTokens = 300;
            f.cachedTokens = 1920;
            f.reasoningTokens = 64;
            store::messages::finish(db, priced, f);
            store::messages::appendChunk(db, estimated, 0, QStringLiteral("There are three r."));
            store::messages::finish(db, estimated, store::messages::Finish{});
        })
        .waitForFinished();
    QCOMPARE(column(*m_alice, QStringLiteral("cost_nanos"), priced),
             QString::number(86 * 3000 + 1920 * 300 + 300 * 15000));
    QCOMPARE(column(*m_alice, QStringLiteral("usage_estimated"), estimated), QStringLiteral("1"));
    QCOMPARE(alice.push().pushed, 2);
    bob.pull();
    const QStringList columns{QStringLiteral("prompt_tokens"), QStringLiteral("completion_tokens"),
                              QStringLiteral("cached_tokens"), QStringLiteral("reasoning_tokens"),
                              QStringLiteral("cost_nanos"),    QStringLiteral("currency"),
                              QStringLiteral("status"),        QStringLiteral("content")};
    for (const QString &id : {priced, estimated}) {
        for (const QString &c : columns) {
            QCOMPARE(column(*m_bob, c, id), column(*m_alice, c, id));
            QCOMPARE(serverColumn(c, id), column(*m_alice, c, id));
        }
        QCOMPARE(column(*m_bob, QStringLiteral("usage_estimated"), id),
                 column(*m_alice, QStringLiteral("usage_estimated"), id));
    }
    QCOMPARE(serverColumn(QStringLiteral("usage_estimated"), estimated), QStringLiteral("true"));
    QCOMPARE(serverColumn(QStringLiteral("usage_estimated"), priced), QStringLiteral("false"));
    QCOMPARE(column(*m_bob, QStringLiteral("currency"), priced), QStringLiteral("EUR"));
    QCOMPARE(column(*m_bob, QStringLiteral("cost_nanos"), estimated),
             QString::number(3 * 3000 + 5 * 15000));
    // Bob's kept totals of the conversation count both replies and equal a recount of his
    // messages.
    const auto totals =
        m_bob->store
            .read([conv](QSqlDatabase &db) { return store::usage::conversationTotals(db, conv); })
            .result();
    QCOMPARE(totals.size(), 1);
    QCOMPARE(totals.at(0).currency, QStringLiteral("EUR"));
    QCOMPARE(totals.at(0).messages, qint64(2));
    QCOMPARE(totals.at(0).estimated, qint64(1));
    QCOMPARE(totals.at(0).inputTokens, qint64(2006 + 3));
    QCOMPARE(totals.at(0).cachedTokens, qint64(1920));
    QCOMPARE(totals.at(0).reasoningTokens, qint64(64));
    QCOMPARE(totals.at(0).costNanos,
             qint64(86 * 3000 + 1920 * 300 + 300 * 15000 + 3 * 3000 + 5 * 15000));
    QCOMPARE(m_bob->scalar(QStringLiteral("SELECT sum(output_tokens) FROM usage_conversation_days"
                                          " WHERE conversation_id = ?"),
                           {conv}),
             m_bob->scalar(QStringLiteral("SELECT sum(completion_tokens) FROM messages"
                                          " WHERE conversation_id = ? AND deleted_at IS NULL"),
                           {conv}));
    // Nothing is pushed back or pulled again.
    QCOMPARE(m_bob->outbox(), 0);
    QCOMPARE(alice.push().pushed, 0);
    QCOMPARE(bob.pull().messages, 0);
}

QTEST_GUILESS_MAIN(TestSyncUsage)
#include "tst_syncusage.moc"
