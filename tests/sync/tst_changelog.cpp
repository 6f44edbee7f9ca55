// The change log's pull cursor: a transaction that commits after one with a later position is
// still read, exactly once. A naive `id > last_id` cursor misses it (shown here too).
#include "rawpg.h"

#include "support/pgserver.h"
#include "sync/admin.h"
#include "sync/changelog.h"
#include "sync/pgconnection.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QTest>
#include <QUuid>

#include <sys/select.h>

#include <memory>

using namespace arbor;
using namespace arbor::testsupport;
using sync::ChangeCursor;
using sync::ChangeLog;

namespace {

QString newId()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

} // namespace

class TestChangeLog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void readsEverythingCommittedOnce();
    void lateCommitIsMissedByNaiveCursorButNotByOurs();
    void concurrentWritersAreSeenExactlyOnce();
    void otherWorkspacesStayInvisible();
    void notifyWakesListenersOfTheWorkspace();

private:
    std::unique_ptr<RawPg> login(const QString &user);
    QString insertMessage(const QString &id) const;
    /** @brief Pulls until the log is drained below the watermark; returns the entity ids. */
    QStringList drain(sync::PgConnection &conn, ChangeCursor &cursor);

    std::unique_ptr<PgServer> m_pg;
    std::unique_ptr<sync::PgConnection> m_super;
    QString m_ws, m_other, m_conv;
};

std::unique_ptr<RawPg> TestChangeLog::login(const QString &user)
{
    return std::make_unique<RawPg>(m_pg->dsn(user, user + QStringLiteral("-pw")));
}

QString TestChangeLog::insertMessage(const QString &id) const
{
    return QStringLiteral("INSERT INTO arbor.messages (id, workspace_id, conversation_id, role, "
                          "status, created_at) "
                          "VALUES ('%1', '%2', '%3', 'user', 'complete', 1)")
        .arg(id, m_ws, m_conv);
}

QStringList TestChangeLog::drain(sync::PgConnection &conn, ChangeCursor &cursor)
{
    QStringList ids;
    for (;;) {
        const ChangeLog::Batch batch =
            ChangeLog::read(conn, cursor, 2); // small pages: cross page edges
        for (const sync::Change &c : batch.changes)
            ids << c.entityId;
        cursor = batch.next;
        if (batch.changes.isEmpty())
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
        admin.addUser(QStringLiteral("alice"), QStringLiteral("alice-pw"));
        admin.addUser(QStringLiteral("bob"), QStringLiteral("bob-pw"));
        admin.addMember(QStringLiteral("team"), QStringLiteral("alice"), QStringLiteral("member"));
        admin.addMember(QStringLiteral("elsewhere"), QStringLiteral("bob"),
                        QStringLiteral("member"));
    } catch (const std::exception &e) {
        QFAIL(e.what());
    }
    m_conv = newId();
    auto alice = login(QStringLiteral("alice"));
    const RawOutcome o = alice->exec(
        QStringLiteral("INSERT INTO arbor.conversations (id, workspace_id, created_at, updated_at) "
                       "VALUES ('%1', '%2', 1, 1)")
            .arg(m_conv, m_ws));
    QVERIFY2(o.ok, qPrintable(o.error));
}

void TestChangeLog::readsEverythingCommittedOnce()
{
    sync::PgConnection reader(m_pg->dsn(QStringLiteral("alice"), QStringLiteral("alice-pw")));
    ChangeCursor cursor;
    const ChangeLog::Batch first = ChangeLog::read(reader, cursor);
    QCOMPARE(first.changes.size(), 1);
    QCOMPARE(first.changes[0].entity, QStringLiteral("conversation"));
    QCOMPARE(first.changes[0].entityId, m_conv);
    QCOMPARE(first.changes[0].op, QStringLiteral("insert"));
    QVERIFY(!(first.next == cursor));
    const ChangeLog::Batch second = ChangeLog::read(reader, first.next);
    QVERIFY(second.changes.isEmpty());
    QCOMPARE(second.next, first.next);
}

void TestChangeLog::lateCommitIsMissedByNaiveCursorButNotByOurs()
{
    sync::PgConnection reader(m_pg->dsn(QStringLiteral("alice"), QStringLiteral("alice-pw")));
    auto naive = login(QStringLiteral("alice"));
    ChangeCursor cursor;
    drain(reader, cursor);
    qint64 naiveLast =
        naive->scalar(QStringLiteral("SELECT coalesce(max(id), 0) FROM arbor.changes"))
            .toLongLong();
    QStringList naiveSeen;
    auto naivePull = [&] {
        const QString sql =
            QStringLiteral("SELECT id, entity_id FROM arbor.changes WHERE id > %1 ORDER BY id")
                .arg(naiveLast);
        PGresult *r = PQexec(naive->handle(), sql.toUtf8().constData());
        for (int i = 0; i < PQntuples(r); ++i) {
            naiveLast = QByteArray(PQgetvalue(r, i, 0)).toLongLong();
            naiveSeen << QString::fromUtf8(PQgetvalue(r, i, 1));
        }
        PQclear(r);
    };

    auto slow = login(QStringLiteral("alice"));
    auto fast = login(QStringLiteral("alice"));
    const QString early = newId(); // inserted first: the smaller change id...
    const QString late = newId();
    QVERIFY(slow->exec(QStringLiteral("BEGIN")).ok);
    RawOutcome o = slow->exec(insertMessage(early));
    QVERIFY2(o.ok, qPrintable(o.error));
    o = fast->exec(insertMessage(late)); // ...but this one commits first
    QVERIFY2(o.ok, qPrintable(o.error));

    naivePull();
    QCOMPARE(naiveSeen, QStringList{late});
    // Ours holds back: the oldest running transaction (slow) is the watermark.
    QCOMPARE(drain(reader, cursor), QStringList());

    o = slow->exec(QStringLiteral("COMMIT"));
    QVERIFY2(o.ok, qPrintable(o.error));
    // The premise: `early` holds the smaller position but committed last.
    QVERIFY(m_super->scalar(
                QStringLiteral("SELECT (SELECT id FROM arbor.changes WHERE entity_id = $1) < "
                               "(SELECT id FROM arbor.changes WHERE entity_id = $2)"),
                {early, late})
            == u"t");

    naivePull();
    QCOMPARE(naiveSeen,
             QStringList{late}); // the naive cursor has moved past `early`: lost for good
    QCOMPARE(drain(reader, cursor), (QStringList{early, late}));
    QCOMPARE(drain(reader, cursor), QStringList());
}

void TestChangeLog::concurrentWritersAreSeenExactlyOnce()
{
    sync::PgConnection reader(m_pg->dsn(QStringLiteral("alice"), QStringLiteral("alice-pw")));
    ChangeCursor cursor;
    drain(reader, cursor);

    // Six writers open transactions in one order and end them in a shuffled one, with pulls in
    // between. One rolls back: its change must never appear.
    constexpr int Writers = 6;
    std::vector<std::unique_ptr<RawPg>> writers;
    QStringList ids;
    for (int i = 0; i < Writers; ++i) {
        writers.push_back(login(QStringLiteral("alice")));
        QVERIFY(writers.back()->exec(QStringLiteral("BEGIN")).ok);
        ids << newId();
        const RawOutcome o = writers.back()->exec(insertMessage(ids.back()));
        QVERIFY2(o.ok, qPrintable(o.error));
    }
    std::vector<int> order{3, 0, 5, 1, 4, 2};
    const int rolledBack = 5;
    QStringList seen;
    for (int i : order) {
        const RawOutcome o = writers[static_cast<size_t>(i)]->exec(
            i == rolledBack ? QStringLiteral("ROLLBACK") : QStringLiteral("COMMIT"));
        QVERIFY2(o.ok, qPrintable(o.error));
        seen << drain(reader, cursor);
    }
    QStringList expected = ids;
    expected.removeAt(rolledBack);
    QCOMPARE(QSet<QString>(seen.begin(), seen.end()).size(), seen.size()); // no duplicates
    QStringList sortedSeen = seen, sortedExpected = expected;
    sortedSeen.sort();
    sortedExpected.sort();
    QCOMPARE(sortedSeen, sortedExpected);
}

void TestChangeLog::otherWorkspacesStayInvisible()
{
    auto bob = login(QStringLiteral("bob"));
    const QString conv = newId();
    const RawOutcome o = bob->exec(
        QStringLiteral("INSERT INTO arbor.conversations (id, workspace_id, created_at, updated_at) "
                       "VALUES ('%1', '%2', 1, 1)")
            .arg(conv, m_other));
    QVERIFY2(o.ok, qPrintable(o.error));
    sync::PgConnection bobReader(m_pg->dsn(QStringLiteral("bob"), QStringLiteral("bob-pw")));
    ChangeCursor bobCursor;
    QCOMPARE(drain(bobReader, bobCursor), QStringList{conv});

    sync::PgConnection aliceReader(m_pg->dsn(QStringLiteral("alice"), QStringLiteral("alice-pw")));
    ChangeCursor aliceCursor;
    QVERIFY(!drain(aliceReader, aliceCursor).contains(conv));
}

void TestChangeLog::notifyWakesListenersOfTheWorkspace()
{
    auto listener = login(QStringLiteral("alice"));
    const QString channel = QStringLiteral("arbor_ws_") + QString(m_ws).remove(u'-');
    QVERIFY(listener->exec(QStringLiteral("LISTEN %1").arg(channel)).ok);

    auto writer = login(QStringLiteral("alice"));
    const QString id = newId();
    const RawOutcome o = writer->exec(insertMessage(id));
    QVERIFY2(o.ok, qPrintable(o.error));

    PGnotify *note = nullptr;
    for (int attempt = 0; attempt < 100 && !note; ++attempt) {
        const int fd = PQsocket(listener->handle());
        fd_set set;
        FD_ZERO(&set);
        FD_SET(fd, &set);
        timeval timeout{0, 100000};
        ::select(fd + 1, &set, nullptr, nullptr, &timeout);
        PQconsumeInput(listener->handle());
        note = PQnotifies(listener->handle());
    }
    QVERIFY2(note, "no notification arrived");
    QCOMPARE(QString::fromUtf8(note->relname), channel);
    const QJsonObject payload = QJsonDocument::fromJson(QByteArray(note->extra)).object();
    PQfreemem(note);
    QCOMPARE(payload.value(QStringLiteral("id")).toString(), id);
    QCOMPARE(payload.value(QStringLiteral("e")).toString(), QStringLiteral("message"));
    QCOMPARE(payload.value(QStringLiteral("c")).toString(), m_conv);
    QVERIFY(!payload.contains(QStringLiteral("content"))); // a wake-up, never the text
}

QTEST_GUILESS_MAIN(TestChangeLog)
#include "tst_changelog.moc"
