// A reply's usage and cost through team sync (issue 19), between real local stores and a real
// PostgreSQL: the counts, the estimate flag and the cost its author's Arbor priced arrive
// identical on a teammate's device and on the server, and the teammate's kept totals count
// them (equal to a recount of the messages). The branch sums (migration 0019) on the teammate's
// device follow what the pull brings: usage arriving for a reply that has replies under it by
// then, and a tombstone of a subtree.
#include "syncdevice.h"

#include "store/messagequeries.h"
#include "store/treequeries.h"
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
    void branchSumsFollowPulledChanges();

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

void TestSyncUsage::branchSumsFollowPulledChanges()
{
    // Alice's chain q1 → r1 → q2 → r2 reaches Bob while both replies are still streaming: their
    // usage arrives later, r1's when r1 already has a question and a reply under it.
    const QString conv = m_alice->newConversation(QStringLiteral("Branch sums"));
    const QString q1 = m_alice->addMessage(conv, {}, QStringLiteral("One?"));
    const QString r1 = m_alice->addMessage(conv, q1, {}, MessageStatus::Streaming);
    const QString q2 = m_alice->addMessage(conv, r1, QStringLiteral("Two?"));
    const QString r2 = m_alice->addMessage(conv, q2, {}, MessageStatus::Streaming);
    sync::SyncClient alice(m_alice->store, dsn(QStringLiteral("alice")));
    alice.connect();
    sync::local::moveToWorkspace(m_alice->store, conv, m_ws);
    sync::SyncClient bob(m_bob->store, dsn(QStringLiteral("bob")));
    bob.connect();
    QVERIFY(alice.push().pushed >= 5);
    bob.pull();
    QCOMPARE(m_bob->scalar(
                 QStringLiteral("SELECT count(*) FROM messages WHERE conversation_id = ?"), {conv}),
             QStringLiteral("4"));
    m_alice->store
        .write([&](QSqlDatabase &db) {
            for (const auto &[id, input, output] :
                 {std::tuple{r1, 1000, 100}, std::tuple{r2, 3000, 300}}) {
                store::messages::appendChunk(db, id, 0, QStringLiteral("Answer."));
                store::messages::Finish f;
                f.promptTokens = input;
                f.completionTokens = output;
                store::messages::finish(db, id, f);
            }
        })
        .waitForFinished();
    QCOMPARE(alice.push().pushed, 2);
    bob.pull();
    const auto sums = [conv](testsupport::Device &device, const QString &leaf) {
        return device.store
            .write([conv, leaf](QSqlDatabase &db) {
                store::exec(db,
                            QStringLiteral("UPDATE conversations SET current_leaf_id = ? WHERE"
                                           " id = ?"),
                            {leaf, conv});
                QStringList out;
                for (const auto &totals : {store::usage::pathTotals(db, conv),
                                           store::usage::walkedPathTotals(db, conv)}) {
                    QStringList parts;
                    for (const store::usage::Totals &t : totals)
                        parts << QStringLiteral("%1:%2:%3:%4")
                                     .arg(t.currency)
                                     .arg(t.messages)
                                     .arg(t.inputTokens)
                                     .arg(t.outputTokens);
                    out << parts.join(QLatin1Char(','));
                }
                return out;
            })
            .result();
    };
    // Kept sums and a walk agree on both devices, and Bob's equal Alice's.
    const QStringList atR2 = sums(*m_bob, r2);
    QCOMPARE(atR2, (QStringList{QStringLiteral(":2:4000:400"), QStringLiteral(":2:4000:400")}));
    QCOMPARE(sums(*m_alice, r2), atR2);
    QCOMPARE(sums(*m_bob, q2),
             (QStringList{QStringLiteral(":1:1000:100"), QStringLiteral(":1:1000:100")}));

    // Alice removes q2 and what is under it; Bob's r1 branch no longer counts r2, and nothing
    // live of his sits under a tombstone.
    const QString batch =
        m_alice->store
            .write([q2](QSqlDatabase &db) {
                return store::tree::removeSubtree(db, q2, QDateTime::currentMSecsSinceEpoch());
            })
            .result();
    QVERIFY(!batch.isEmpty());
    QVERIFY(alice.push().pushed >= 2);
    bob.pull();
    QCOMPARE(m_bob->scalar(QStringLiteral("SELECT count(*) FROM messages WHERE conversation_id = ?"
                                          " AND deleted_at IS NOT NULL"),
                           {conv}),
             QStringLiteral("2"));
    QCOMPARE(m_bob->scalar(QStringLiteral("SELECT coalesce(sum(live_under_deleted), 0) FROM"
                                          " usage_path_breaks WHERE conversation_id = ?"),
                           {conv}),
             QStringLiteral("0"));
    QCOMPARE(sums(*m_bob, r1),
             (QStringList{QStringLiteral(":1:1000:100"), QStringLiteral(":1:1000:100")}));
}

QTEST_GUILESS_MAIN(TestSyncUsage)
#include "tst_syncusage.moc"
