// The change log, ordered per workspace (server version 4): a writer holds its workspace's log
// head to commit, so the committed positions of a workspace always form a gap-free prefix and a
// reader that remembers "the last position" never skips a late commit. Nothing outside a
// workspace (another workspace's open transaction, any login role's) holds its pull back.
#include "rawpg.h"

#include "support/pgserver.h"
#include "sync/admin.h"
#include "sync/changelog.h"
#include "sync/pgconnection.h"
#include "sync/remotequeries.h"

#include <QSet>
#include <QTest>
#include <QThread>
#include <QUuid>

#include <memory>

using namespace arbor;
using namespace arbor::testsupport;

namespace {

QString newId()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

/** @brief Sends @p sql without waiting for the answer. */
bool send(RawPg &conn, const QString &sql)
{
    return PQsendQuery(conn.handle(), sql.toUtf8().constData()) == 1;
}

/** @brief True once the answer to send() has arrived (without blocking). */
bool answered(RawPg &conn)
{
    PQconsumeInput(conn.handle());
    return PQisBusy(conn.handle()) == 0;
}

/** @brief Reads the answer to send(): true when every statement succeeded. */
bool collect(RawPg &conn, QString *error = nullptr)
{
    bool ok = true;
    while (PGresult *r = PQgetResult(conn.handle())) {
        const ExecStatusType status = PQresultStatus(r);
        if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
            ok = false;
            if (error)
                *error = QString::fromUtf8(PQresultErrorMessage(r));
        }
        PQclear(r);
    }
    return ok;
}

} // namespace

class TestChangeLog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void readsEverythingCommittedOnce();
    void aLateCommitIsReadInOrderWithoutGaps();
    void concurrentWritersAreSeenExactlyOnce();
    void heldTransactionsElsewhereDoNotHoldBackAPull();
    void otherWorkspacesStayInvisible();
    void wakeUpsGoToMembersOnly();

private:
    std::unique_ptr<RawPg> login(const QString &user);
    QString pushOf(const QString &id) const;
    /** @brief Reads the workspace's log after @p position, in pages of two; returns the entity
     *  ids and moves @p position. Checks that positions come one after the other. */
    QStringList drain(sync::PgConnection &conn, const QString &workspace, qint64 &position);

    std::unique_ptr<PgServer> m_pg;
    std::unique_ptr<sync::PgConnection> m_super;
    QString m_ws, m_other, m_conv;
};

std::unique_ptr<RawPg> TestChangeLog::login(const QString &user)
{
    return std::make_unique<RawPg>(m_pg->dsn(user, user + QStringLiteral("-pw")));
}

QString TestChangeLog::pushOf(const QString &id) const
{
    return pushSql({}, {messageRow(id, m_ws, m_conv, QStringLiteral("complete"))});
}

QStringList TestChangeLog::drain(sync::PgConnection &conn, const QString &workspace,
                                 qint64 &position)
{
    QStringList ids;
    for (;;) {
        const QList<sync::Change> page = sync::remote::changes(conn, workspace, position, 2);
        for (const sync::Change &c : page) {
            if (c.position != position + 1) // a gap: the test fails on the list of ids
                return ids << QStringLiteral("gap before %1").arg(c.position);
            ids << c.entityId;
            position = c.position;
        }
        if (page.isEmpty())
            return ids;
    }
}

void TestChangeLog::initTestCase()
{
    try {
        m_pg = std::make_unique<PgServer>();
        m_super = std::make_unique<sync::PgConnection>(m_pg->superuserDsn());
        sync::Admin admin(*m_super);
        admin.init();
        m_ws = admin.addWorkspace(QStringLiteral("team")).id;
        m_other = admin.addWorkspace(QStringLiteral("elsewhere")).id;
        for (const char *user : {"alice", "bob", "olga"})
            admin.addUser(QLatin1String(user), QLatin1String(user) + QStringLiteral("-pw"));
        admin.addMember(QStringLiteral("team"), QStringLiteral("alice"), QStringLiteral("member"));
        admin.addMember(QStringLiteral("elsewhere"), QStringLiteral("bob"),
                        QStringLiteral("member"));
        // olga can log in and belongs to no workspace.
    } catch (const std::exception &e) {
        QFAIL(e.what());
    }
    m_conv = newId();
    auto alice = login(QStringLiteral("alice"));
    QCOMPARE(pushConversation(*alice, m_conv, m_ws), QStringLiteral("ok"));
}

void TestChangeLog::readsEverythingCommittedOnce()
{
    sync::PgConnection reader(m_pg->dsn(QStringLiteral("alice"), QStringLiteral("alice-pw")));
    const QList<sync::Change> first = sync::remote::changes(reader, m_ws, 0);
    QCOMPARE(first.size(), 1);
    QCOMPARE(first[0].entity, QStringLiteral("conversation"));
    QCOMPARE(first[0].entityId, m_conv);
    QCOMPARE(first[0].op, QStringLiteral("insert"));
    QCOMPARE(first[0].position, 1);
    QVERIFY(sync::remote::changes(reader, m_ws, first[0].position).isEmpty());
}

void TestChangeLog::aLateCommitIsReadInOrderWithoutGaps()
{
    sync::PgConnection reader(m_pg->dsn(QStringLiteral("alice"), QStringLiteral("alice-pw")));
    qint64 position = 0;
    drain(reader, m_ws, position);

    auto slow = login(QStringLiteral("alice"));
    auto fast = login(QStringLiteral("alice"));
    const QString early = newId();
    const QString late = newId();
    QVERIFY(slow->exec(QStringLiteral("BEGIN")).ok);
    const RawOutcome o = slow->exec(pushOf(early));
    QVERIFY2(o.ok && o.first == u"ok", qPrintable(o.error + o.first));
    // The second writer of the workspace waits for the first one's commit...
    QVERIFY(send(*fast, pushOf(late)));
    QTest::qWait(300);
    QVERIFY2(!answered(*fast), "a second writer of the workspace did not wait for the first");
    // ...and meanwhile a reader sees neither (nothing is committed).
    QCOMPARE(drain(reader, m_ws, position), QStringList());

    QVERIFY(slow->exec(QStringLiteral("COMMIT")).ok);
    QTRY_VERIFY(answered(*fast));
    QString error;
    QVERIFY2(collect(*fast, &error), qPrintable(error));
    // In commit order, each position once, none skipped.
    QCOMPARE(drain(reader, m_ws, position), (QStringList{early, late}));
    QCOMPARE(drain(reader, m_ws, position), QStringList());
}

void TestChangeLog::concurrentWritersAreSeenExactlyOnce()
{
    sync::PgConnection reader(m_pg->dsn(QStringLiteral("alice"), QStringLiteral("alice-pw")));
    qint64 position = 0;
    drain(reader, m_ws, position);

    // Six writers send whole transactions at once; they queue on the workspace's log head and
    // commit one after the other. One rolls back: its change must never appear, and it must
    // leave no gap.
    constexpr int Writers = 6;
    const int rolledBack = 4;
    std::vector<std::unique_ptr<RawPg>> writers;
    QStringList ids;
    for (int i = 0; i < Writers; ++i) {
        writers.push_back(login(QStringLiteral("alice")));
        ids << newId();
        const QString end = i == rolledBack ? QStringLiteral("ROLLBACK") : QStringLiteral("COMMIT");
        QVERIFY(send(
            *writers.back(),
            QStringLiteral("BEGIN; %1; SELECT pg_sleep(0.05); %2").arg(pushOf(ids.back()), end)));
    }
    QStringList seen;
    for (int done = 0; done < Writers;) {
        done = 0;
        for (auto &w : writers)
            done += answered(*w) ? 1 : 0;
        seen << drain(reader, m_ws, position);
        QTest::qWait(10);
    }
    for (auto &w : writers) {
        QString error;
        QVERIFY2(collect(*w, &error), qPrintable(error));
    }
    seen << drain(reader, m_ws, position);
    QStringList expected = ids;
    expected.removeAt(rolledBack);
    QCOMPARE(QSet<QString>(seen.begin(), seen.end()).size(), seen.size()); // no duplicates
    QStringList sortedSeen = seen, sortedExpected = expected;
    sortedSeen.sort();
    sortedExpected.sort();
    QCOMPARE(sortedSeen, sortedExpected); // and no "gap before" entries
}

void TestChangeLog::heldTransactionsElsewhereDoNotHoldBackAPull()
{
    // Version 3 read below the cluster's snapshot xmin: one idle transaction anywhere stopped
    // every pull. Now: a login role in no workspace, and a member of another workspace in the
    // middle of a push, both leave their transactions open...
    auto olga = login(QStringLiteral("olga"));
    QVERIFY(olga->exec(QStringLiteral("BEGIN")).ok);
    QVERIFY(olga->exec(QStringLiteral("SELECT pg_current_xact_id()")).ok);
    auto bob = login(QStringLiteral("bob"));
    QVERIFY(bob->exec(QStringLiteral("BEGIN")).ok);
    const QString bobs = newId();
    QCOMPARE(bob->exec(pushSql({conversationRow(bobs, m_other)}, {})).first, QStringLiteral("ok"));

    // ...and alice's workspace goes on: her write commits at once and her pull reads it.
    sync::PgConnection reader(m_pg->dsn(QStringLiteral("alice"), QStringLiteral("alice-pw")));
    qint64 position = 0;
    drain(reader, m_ws, position);
    auto alice = login(QStringLiteral("alice"));
    const QString id = newId();
    const RawOutcome o = alice->exec(pushOf(id));
    QVERIFY2(o.ok && o.first == u"ok", qPrintable(o.error + o.first));
    QCOMPARE(drain(reader, m_ws, position), QStringList{id});
    // The whole pull too (every workspace of the reader, one round trip).
    const sync::PullPage page = sync::remote::pull(reader, {{m_ws, position - 1}}, 100);
    QCOMPARE(page.changes, 1);
    QCOMPARE(page.messages.size(), 1);
    QCOMPARE(page.messages[0].id, id);

    QVERIFY(olga->exec(QStringLiteral("ROLLBACK")).ok);
    QVERIFY(bob->exec(QStringLiteral("COMMIT")).ok);
}

void TestChangeLog::otherWorkspacesStayInvisible()
{
    auto bob = login(QStringLiteral("bob"));
    const QString conv = newId();
    QCOMPARE(pushConversation(*bob, conv, m_other), QStringLiteral("ok"));
    sync::PgConnection bobReader(m_pg->dsn(QStringLiteral("bob"), QStringLiteral("bob-pw")));
    qint64 bobPosition = 0;
    QVERIFY(drain(bobReader, m_other, bobPosition).contains(conv));
    // Asking for alice's workspace by id gives bob nothing at all.
    qint64 probe = 0;
    QCOMPARE(drain(bobReader, m_ws, probe), QStringList());

    sync::PgConnection aliceReader(m_pg->dsn(QStringLiteral("alice"), QStringLiteral("alice-pw")));
    qint64 alicePosition = 0;
    QCOMPARE(drain(aliceReader, m_other, alicePosition), QStringList());
    const sync::PullPage page = sync::remote::pull(aliceReader, {}, 1000);
    QVERIFY(!page.next.contains(m_other));
    for (const sync::RemoteConversation &c : page.conversations)
        QVERIFY(c.id != conv);
}

void TestChangeLog::wakeUpsGoToMembersOnly()
{
    // Alice learns her private channel from the server; nobody else can read it.
    auto listener = login(QStringLiteral("alice"));
    const QString channel = listener->scalar(
        QStringLiteral("SELECT channel FROM arbor.my_workspaces() WHERE id = '%1'").arg(m_ws));
    QVERIFY(channel.startsWith(QLatin1String("arbor_")));
    QCOMPARE(channel.size(), 38);
    QVERIFY(listener->exec(QStringLiteral("LISTEN %1").arg(channel)).ok);
    auto bob = login(QStringLiteral("bob"));
    QCOMPARE(
        bob->scalar(
            QStringLiteral("SELECT count(*) FROM arbor.members WHERE channel = '%1'").arg(channel)),
        QStringLiteral("0"));
    // The channel of version 3 was the workspace id: nobody hears anything on it any more.
    const QString oldChannel = QStringLiteral("arbor_ws_") + QString(m_ws).remove(u'-');
    QVERIFY(bob->exec(QStringLiteral("LISTEN %1").arg(oldChannel)).ok);

    auto writer = login(QStringLiteral("alice"));
    const RawOutcome o = writer->exec(pushOf(newId()));
    QVERIFY2(o.ok && o.first == u"ok", qPrintable(o.error + o.first));

    PGnotify *note = waitForNotification(*listener, 5000);
    QVERIFY2(note, "no notification arrived");
    QCOMPARE(QString::fromUtf8(note->relname), channel);
    QCOMPARE(QByteArray(note->extra), QByteArray("d")); // a wake-up: no id, no text
    PQfreemem(note);
    PGnotify *overheard = waitForNotification(*bob, 300);
    QVERIFY2(!overheard, "a non-member heard a workspace's wake-up");
}

QTEST_GUILESS_MAIN(TestChangeLog)
#include "tst_changelog.moc"
