// A reply's reasoning through team sync, between real local stores and a real PostgreSQL:
// streamed reasoning is a checkpoint like text (also when nothing else changed), the finished
// reasoning, its duration and what goes back to the vendor arrive identical on a teammate's
// device, a finished reply's reasoning cannot be changed on the server, and a schema mismatch
// still says what to do.
#include "syncdevice.h"

#include "store/messagequeries.h"
#include "support/pgserver.h"
#include "sync/admin.h"
#include "sync/localstate.h"
#include "sync/pgconnection.h"
#include "sync/pgschema.h"
#include "sync/remotequeries.h"
#include "sync/syncclient.h"

#include <QTest>

#include <memory>

using namespace arbor;
using namespace arbor::testsupport;
using domain::MessageStatus;

class TestSyncReasoning : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void reasoningTravelsWithTheReply();
    void aFinishedRepliesReasoningStays();
    void schemaMismatchesSayWhatToDo();

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

    std::unique_ptr<PgServer> m_pg;
    std::unique_ptr<sync::PgConnection> m_super;
    QString m_ws;
    std::unique_ptr<Device> m_alice;
    std::unique_ptr<Device> m_bob;
    QString m_conv;
    QString m_reply;
};

void TestSyncReasoning::initTestCase()
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
    m_conv = m_alice->newConversation(QStringLiteral("Thinking aloud"));
}

void TestSyncReasoning::reasoningTravelsWithTheReply()
{
    const QString root = m_alice->addMessage(m_conv, {}, QStringLiteral("How many r?"));
    m_reply = m_alice->addMessage(m_conv, root, {}, MessageStatus::Streaming);
    const QString reply = m_reply;
    sync::SyncClient alice(m_alice->store, dsn(QStringLiteral("alice")));
    alice.connect();
    sync::local::moveToWorkspace(m_alice->store, m_conv, m_ws);
    sync::SyncClient bob(m_bob->store, dsn(QStringLiteral("bob")));
    bob.connect();
    QCOMPARE(alice.push().pushed, 3);

    // Only reasoning so far: each stored piece is a checkpoint teammates see.
    const auto write = [this](std::function<void(QSqlDatabase &)> f) {
        m_alice->store.write(std::move(f)).waitForFinished();
    };
    write([reply](QSqlDatabase &db) {
        store::messages::appendReasoningChunk(db, reply, 0, QStringLiteral("Spell it: "));
    });
    QCOMPARE(m_alice->outbox(), 1);
    QCOMPARE(alice.push().pushed, 1);
    bob.pull();
    QCOMPARE(column(*m_bob, QStringLiteral("reasoning"), reply), QStringLiteral("Spell it: "));
    QCOMPARE(column(*m_bob, QStringLiteral("status"), reply), QStringLiteral("streaming"));
    QCOMPARE(column(*m_bob, QStringLiteral("content"), reply), QString());

    write([reply](QSqlDatabase &db) {
        store::messages::appendReasoningChunk(db, reply, 1, QStringLiteral("s-t-r-a-w-b-e-r-r-y."));
    });
    QCOMPARE(alice.push().pushed, 1); // the server took it: not "unchanged"
    QCOMPARE(serverColumn(QStringLiteral("reasoning"), reply),
             QStringLiteral("Spell it: s-t-r-a-w-b-e-r-r-y."));
    bob.pull();
    QCOMPARE(column(*m_bob, QStringLiteral("reasoning"), reply),
             QStringLiteral("Spell it: s-t-r-a-w-b-e-r-r-y."));

    // The answer begins: the duration alone changes the row.
    write([reply](QSqlDatabase &db) { store::messages::setReasoningMs(db, reply, 4200); });
    QCOMPARE(m_alice->outbox(), 1);
    QCOMPARE(alice.push().pushed, 1);
    bob.pull();
    QCOMPARE(column(*m_bob, QStringLiteral("reasoning_ms"), reply), QStringLiteral("4200"));

    // Finished with what goes back to the vendor (with a character PostgreSQL's text refuses).
    const QString data = QStringLiteral(
        R"({"format":"anthropic","parts":[{"type":"thinking","in":"reasoning","start":0,"length":30,"signature":"EqQBCgIYAhIM1gbc\u0000=="},{"type":"redacted_thinking","data":"EmwKAhgB"}]})");
    write([reply, data](QSqlDatabase &db) {
        store::messages::appendReasoningChunk(db, reply, 2, QStringLiteral(" Three — «drei»."));
        store::messages::appendChunk(db, reply, 3, QStringLiteral("There are 3."));
        store::messages::Finish f;
        f.finishReason = QStringLiteral("stop");
        f.reasoningData = data;
        store::messages::finish(db, reply, f);
    });
    QCOMPARE(alice.push().pushed, 1);
    bob.pull();
    for (const char *name : {"reasoning", "reasoning_ms", "reasoning_data", "content", "status"}) {
        const QString c = QString::fromLatin1(name);
        QCOMPARE(column(*m_bob, c, reply), column(*m_alice, c, reply));
        QCOMPARE(serverColumn(c, reply), column(*m_alice, c, reply));
    }
    QCOMPARE(column(*m_bob, QStringLiteral("reasoning"), reply),
             QStringLiteral("Spell it: s-t-r-a-w-b-e-r-r-y. Three — «drei»."));
    QCOMPARE(column(*m_bob, QStringLiteral("reasoning_ms"), reply), QStringLiteral("4200"));
    QVERIFY(column(*m_alice, QStringLiteral("reasoning_data"), reply).contains(u"\uFFFD"));
    QVERIFY(column(*m_bob, QStringLiteral("reasoning_data"), reply).contains(u"EmwKAhgB"));
    // Bob reads it as a message like any other (and finds it by its reasoning).
    const auto pulled =
        m_bob->store.read([reply](QSqlDatabase &db) { return store::messages::get(db, reply); })
            .result();
    QVERIFY(pulled);
    QCOMPARE(pulled->reasoning, QStringLiteral("Spell it: s-t-r-a-w-b-e-r-r-y. Three — «drei»."));
    QCOMPARE(pulled->reasoningMs, qint64(4200));
    QCOMPARE(m_bob->scalar(QStringLiteral("SELECT count(*) FROM message_fts WHERE message_fts "
                                          "MATCH 'drei'")),
             QStringLiteral("1"));
    // Nothing is pushed back or pulled again.
    QCOMPARE(m_bob->outbox(), 0);
    QCOMPARE(alice.push().pushed, 0);
    QCOMPARE(bob.pull().messages, 0);
}

void TestSyncReasoning::aFinishedRepliesReasoningStays()
{
    // Only live rows move forward: a push that would rewrite a finished reply's reasoning (a
    // client bypassing the app) changes nothing on the server.
    sync::PgConnection conn(dsn(QStringLiteral("alice")));
    const QList<sync::RemoteMessage> rows = sync::remote::fetchMessages(conn, {m_reply});
    QCOMPARE(rows.size(), 1);
    sync::RemoteMessage forged = rows.first();
    QCOMPARE(forged.reasoningMs.value_or(-1), qint64(4200));
    QVERIFY(forged.reasoningData.contains(u"redacted_thinking"));
    forged.reasoning = QStringLiteral("Something else entirely");
    forged.reasoningData = QStringLiteral(R"({"format":"anthropic","parts":[]})");
    QCOMPARE(sync::remote::pushMessage(conn, forged), sync::PushOutcome::Unchanged);
    QCOMPARE(serverColumn(QStringLiteral("reasoning"), m_reply),
             QStringLiteral("Spell it: s-t-r-a-w-b-e-r-r-y. Three — «drei»."));
    QVERIFY(serverColumn(QStringLiteral("reasoning_data"), m_reply).contains(u"EmwKAhgB"));
    // Nor directly, for the table's owner.
    try {
        m_super->exec(QStringLiteral("UPDATE arbor.messages SET reasoning = 'x' WHERE id = $1"),
                      {m_reply});
        QFAIL("a finished reply's reasoning was changed");
    } catch (const sync::PgError &e) {
        QVERIFY2(e.message().contains(u"finished"), qPrintable(e.message()));
    }
}

void TestSyncReasoning::schemaMismatchesSayWhatToDo()
{
    const int latest = sync::PgSchema::latestVersion();
    QVERIFY(latest >= 5);
    const auto connectMessage = [this] {
        sync::SyncClient alice(m_alice->store, dsn(QStringLiteral("alice")));
        try {
            alice.connect();
        } catch (const sync::PgError &e) {
            return e.message();
        }
        return QString();
    };
    // A server not migrated to the newest columns yet (versions may have gaps: branches number
    // their migrations apart).
    const QString previous = m_super->scalar(
        QStringLiteral("SELECT max(version) FROM arbor.schema_migrations WHERE version < $1"),
        {QString::number(latest)});
    m_super->exec(QStringLiteral("UPDATE arbor.schema_migrations SET version = -version WHERE "
                                 "version = $1"),
                  {QString::number(latest)});
    QString message = connectMessage();
    m_super->exec(QStringLiteral("UPDATE arbor.schema_migrations SET version = -version WHERE "
                                 "version = $1"),
                  {QString::number(-latest)});
    QVERIFY2(message.contains(QStringLiteral("older Arbor team schema (%1; this build needs %2)")
                                  .arg(previous)
                                  .arg(latest)),
             qPrintable(message));
    QVERIFY2(message.contains(u"arbord admin migrate"), qPrintable(message));

    // What a client of an older Arbor meets on this server: told to update, nothing written.
    m_super->exec(QStringLiteral("INSERT INTO arbor.schema_migrations (version, name) VALUES "
                                 "($1, 'future')"),
                  {QString::number(latest + 1)});
    message = connectMessage();
    m_super->exec(QStringLiteral("DELETE FROM arbor.schema_migrations WHERE version = $1"),
                  {QString::number(latest + 1)});
    QVERIFY2(message.contains(QStringLiteral("newer Arbor team schema (%1; this build knows up "
                                             "to %2): update Arbor")
                                  .arg(latest + 1)
                                  .arg(latest)),
             qPrintable(message));
    QVERIFY(connectMessage().isEmpty());
}

QTEST_GUILESS_MAIN(TestSyncReasoning)
#include "tst_syncreasoning.moc"
