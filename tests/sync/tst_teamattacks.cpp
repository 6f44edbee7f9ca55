// The team server attacked the way a member of one workspace would attack another, with raw
// libpq and their own login (docs/team-server.md, "Threat model"). Each probe is run against two
// hidden rows with different contents (and where it matters, an id nobody holds): the answers
// must be the same, so the probe learns nothing about what the rows hold.
#include "rawpg.h"

#include "support/pgserver.h"
#include "sync/admin.h"
#include "sync/changelog.h"
#include "sync/pgconnection.h"
#include "sync/remotequeries.h"

#include <QRegularExpression>
#include <QTest>
#include <QUuid>

#include <functional>
#include <memory>

using namespace arbor;
using namespace arbor::testsupport;

namespace {

QString newId()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

/** @brief What a statement answered, with ids replaced, so two answers can be compared. */
QString answer(RawPg &conn, const QString &sql, const QStringList &ids)
{
    PGresult *r = PQexec(conn.handle(), sql.toUtf8().constData());
    const ExecStatusType status = PQresultStatus(r);
    QString text;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
        text = QStringLiteral("ok %1 rows %2 affected:")
                   .arg(PQntuples(r))
                   .arg(QString::fromUtf8(PQcmdTuples(r)));
        for (int row = 0; row < PQntuples(r); ++row)
            for (int col = 0; col < PQnfields(r); ++col)
                text += u' ' + QString::fromUtf8(PQgetvalue(r, row, col));
    } else {
        const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
        text = QStringLiteral("error %1: %2")
                   .arg(QString::fromUtf8(state ? state : ""),
                        QString::fromUtf8(PQresultErrorMessage(r)).trimmed());
    }
    PQclear(r);
    for (const QString &id : ids)
        text.replace(id, QStringLiteral("<target>"));
    // Rows a probe wrote carry fresh ids: those say nothing either.
    static const QRegularExpression Uuid(
        QStringLiteral("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"));
    return text.replace(Uuid, QStringLiteral("<id>"));
}

} // namespace

class TestTeamAttacks : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void directWritesAnswerTheSameWhateverTheRowHolds_data();
    void directWritesAnswerTheSameWhateverTheRowHolds();
    void theWriteFunctionLearnsNothingOfHiddenRows_data();
    void theWriteFunctionLearnsNothingOfHiddenRows();
    void theBinarySearchOfTheReportReadsNothing();
    void idsOfOtherWorkspacesDoNotTravel();
    void readsAndTheLogShowNothingOfOtherWorkspaces();
    void aRemovedMemberReadsAndHearsNothingNew();

private:
    std::unique_ptr<RawPg> login(const QString &user);

    std::unique_ptr<PgServer> m_pg;
    std::unique_ptr<sync::PgConnection> m_super;
    QString m_alpha, m_beta;
    // In alpha, out of mallory's sight: two rows of each kind with different contents.
    QString m_convA, m_convB, m_msgA, m_msgB;
    // Mallory's own conversation in beta.
    QString m_mallorysConv;
};

std::unique_ptr<RawPg> TestTeamAttacks::login(const QString &user)
{
    auto conn = std::make_unique<RawPg>(m_pg->dsn(user, user + QStringLiteral("-pw")));
    if (!conn->connected())
        qWarning("login %s: %s", qPrintable(user), qPrintable(conn->connectError()));
    return conn;
}

void TestTeamAttacks::initTestCase()
{
    try {
        m_pg = std::make_unique<PgServer>();
        m_super = std::make_unique<sync::PgConnection>(m_pg->superuserDsn());
        sync::Admin admin(*m_super);
        admin.init();
        m_alpha = admin.addWorkspace(QStringLiteral("alpha")).id;
        m_beta = admin.addWorkspace(QStringLiteral("beta")).id;
        for (const char *user : {"alice", "eve", "mallory", "olga"})
            admin.addUser(QLatin1String(user), QLatin1String(user) + QStringLiteral("-pw"));
        admin.addMember(QStringLiteral("alpha"), QStringLiteral("alice"), QStringLiteral("member"));
        admin.addMember(QStringLiteral("alpha"), QStringLiteral("eve"), QStringLiteral("member"));
        admin.addMember(QStringLiteral("beta"), QStringLiteral("mallory"), QStringLiteral("admin"));
    } catch (const std::exception &e) {
        QFAIL(e.what());
    }
    m_convA = newId();
    m_convB = newId();
    m_msgA = newId();
    m_msgB = newId();
    m_mallorysConv = newId();
    auto alice = login(QStringLiteral("alice"));
    QCOMPARE(pushConversation(*alice, m_convA, m_alpha, QStringLiteral("Secret plan")),
             QStringLiteral("ok"));
    QCOMPARE(pushConversation(*alice, m_convB, m_alpha, QStringLiteral("x"), 7),
             QStringLiteral("ok"));
    QCOMPARE(pushMessage(*alice,
                         messageRow(m_msgA, m_alpha, m_convA, QStringLiteral("streaming"),
                                    QStringLiteral("the launch code is 4711"))),
             QStringLiteral("ok"));
    QCOMPARE(pushMessage(*alice,
                         messageRow(m_msgB, m_alpha, m_convB, QStringLiteral("complete"),
                                    QStringLiteral("z"))),
             QStringLiteral("ok"));
    auto mallory = login(QStringLiteral("mallory"));
    QCOMPARE(pushConversation(*mallory, m_mallorysConv, m_beta), QStringLiteral("ok"));
}

void TestTeamAttacks::directWritesAnswerTheSameWhateverTheRowHolds_data()
{
    // %1: the hidden message's id, %2: mallory's workspace, %3: her conversation.
    QTest::addColumn<QString>("probe");
    const QString insert = QStringLiteral(
        "INSERT INTO arbor.messages AS t (id, workspace_id, conversation_id, role, status, "
        "created_at) VALUES ('%1', '%2', '%3', 'user', 'complete', 1) ");
    QTest::newRow("ON CONFLICT DO UPDATE WHERE (the attack of version 3)") << insert
            + QStringLiteral("ON CONFLICT (id) DO UPDATE SET label = 'x' "
                             "WHERE length(t.content) > 10");
    QTest::newRow("ON CONFLICT DO UPDATE WHERE on a character") << insert
            + QStringLiteral("ON CONFLICT (id) DO UPDATE SET label = 'x' "
                             "WHERE ascii(substr(t.content, 1, 1)) < 100");
    QTest::newRow("ON CONFLICT DO NOTHING") << insert + QStringLiteral("ON CONFLICT DO NOTHING");
    QTest::newRow("INSERT RETURNING") << insert + QStringLiteral("RETURNING t.content");
    QTest::newRow("UPDATE WHERE") << QStringLiteral(
        "UPDATE arbor.messages SET label = 'x' WHERE id = '%1' "
        "AND length(content) > 10");
    QTest::newRow("UPDATE RETURNING") << QStringLiteral(
        "UPDATE arbor.messages SET label = label WHERE id = '%1' RETURNING content");
    QTest::newRow("DELETE RETURNING")
        << QStringLiteral("DELETE FROM arbor.messages WHERE id = '%1' RETURNING content");
    QTest::newRow("SELECT by id") << QStringLiteral(
        "SELECT content FROM arbor.messages WHERE id = '%1'");
    QTest::newRow("SELECT the log")
        << QStringLiteral("SELECT * FROM arbor.changes WHERE entity_id = '%1'");
    QTest::newRow("presence upsert")
        << QStringLiteral("INSERT INTO arbor.presence (workspace_id, role_name, conversation_id) "
                          "VALUES ('%2', 'mallory', '%1') ON CONFLICT (workspace_id, role_name) DO "
                          "UPDATE SET typing = true WHERE arbor.presence.conversation_id = '%1'");
    QTest::newRow("a PL/pgSQL probe loop")
        << QStringLiteral("DO $$ BEGIN FOR i IN 1..3 LOOP INSERT INTO arbor.messages AS t (id, "
                          "workspace_id, conversation_id, role, status, created_at) VALUES ('%1', "
                          "'%2', '%3', 'user', 'complete', 1) ON CONFLICT (id) DO UPDATE SET label "
                          "= 'x' WHERE length(t.content) > i; END LOOP; END $$");
}

void TestTeamAttacks::directWritesAnswerTheSameWhateverTheRowHolds()
{
    QFETCH(QString, probe);
    auto mallory = login(QStringLiteral("mallory"));
    QStringList answers;
    for (const QString &target : {m_msgA, m_msgB, newId()})
        answers << answer(*mallory,
                          QString(probe)
                              .replace(QLatin1String("%1"), target)
                              .replace(QLatin1String("%2"), m_beta)
                              .replace(QLatin1String("%3"), m_mallorysConv),
                          {target});
    QCOMPARE(answers[0], answers[1]);
    QCOMPARE(answers[0], answers[2]); // not even whether the id exists
    QVERIFY2(answers[0].startsWith(QLatin1String("error 42501"))
                 || answers[0].startsWith(QLatin1String("ok 0 rows")),
             qPrintable(answers[0]));
    QCOMPARE(m_super->scalar(
                 QStringLiteral("SELECT count(*) FROM arbor.messages WHERE label IS NOT NULL")),
             QStringLiteral("0"));
}

void TestTeamAttacks::theWriteFunctionLearnsNothingOfHiddenRows_data()
{
    // How a row names a hidden one (%1), as mallory pushes it into her own workspace.
    QTest::addColumn<bool>("conversations"); // the targets: hidden conversations, else messages
    QTest::addColumn<bool>("idMayShow");     // ids are global keys: "this id is taken" is accepted
    using Probe = std::function<QString(const QString &, const QString &, const QString &)>;
    QTest::addColumn<Probe>("probe");
    QTest::newRow("a message with the hidden id")
        << false << true << Probe([](const QString &id, const QString &ws, const QString &conv) {
               return pushSql({},
                              {messageRow(id, ws, conv, QStringLiteral("streaming"),
                                          QStringLiteral("guess"))});
           });
    QTest::newRow("a conversation with the hidden id")
        << true << true << Probe([](const QString &id, const QString &ws, const QString &) {
               return pushSql({conversationRow(id, ws, QStringLiteral("guess"), 999)}, {});
           });
    QTest::newRow("the hidden id claimed in its own workspace")
        << false << false << Probe([this](const QString &id, const QString &, const QString &conv) {
               return pushSql({}, {messageRow(id, m_alpha, conv)});
           });
    QTest::newRow("a reply to the hidden message")
        << false << false << Probe([](const QString &id, const QString &ws, const QString &conv) {
               return pushSql({},
                              {messageRow(newId(), ws, conv, QStringLiteral("complete"),
                                          QStringLiteral("reply"), id)});
           });
    QTest::newRow("a message in the hidden conversation")
        << true << false << Probe([](const QString &id, const QString &ws, const QString &) {
               return pushSql({}, {messageRow(newId(), ws, id)});
           });
    QTest::newRow("a message in the hidden conversation, claimed in its workspace")
        << true << false << Probe([this](const QString &id, const QString &, const QString &) {
               return pushSql({}, {messageRow(newId(), m_alpha, id)});
           });
}

void TestTeamAttacks::theWriteFunctionLearnsNothingOfHiddenRows()
{
    QFETCH(bool, conversations);
    QFETCH(bool, idMayShow);
    using Probe = std::function<QString(const QString &, const QString &, const QString &)>;
    QFETCH(Probe, probe);
    auto mallory = login(QStringLiteral("mallory"));
    QStringList answers;
    const QStringList targets = conversations ? QStringList{m_convA, m_convB, newId()}
                                              : QStringList{m_msgA, m_msgB, newId()};
    for (const QString &target : targets)
        answers << answer(*mallory, probe(target, m_beta, m_mallorysConv), {target});
    // Two hidden rows with different titles, texts, statuses, clocks: the same answer.
    QCOMPARE(answers[0], answers[1]);
    if (!idMayShow)
        QCOMPARE(answers[0], answers[2]); // not even whether the row exists
    QVERIFY2(!answers[0].contains(QLatin1String("4711")), qPrintable(answers[0]));
    // Nothing of alpha changed.
    QCOMPARE(
        m_super->scalar(
            QStringLiteral("SELECT content || status FROM arbor.messages WHERE id = $1"), {m_msgA}),
        QStringLiteral("the launch code is 4711streaming"));
    QCOMPARE(m_super->scalar(QStringLiteral("SELECT title FROM arbor.conversations WHERE id = $1"),
                             {m_convA}),
             QStringLiteral("Secret plan"));
    QCOMPARE(m_super->scalar(
                 QStringLiteral("SELECT count(*) FROM arbor.messages WHERE workspace_id = $1"),
                 {m_alpha}),
             QStringLiteral("2"));
}

void TestTeamAttacks::theBinarySearchOfTheReportReadsNothing()
{
    // The attack as reported: binary search on length(content), then on each character, through
    // the ON CONFLICT predicate. Every probe must fail the same way; the "read" text stays empty.
    auto mallory = login(QStringLiteral("mallory"));
    const auto yes = [&](const QString &predicate) {
        const RawOutcome o = mallory->exec(
            QStringLiteral(
                "INSERT INTO arbor.messages AS t (id, workspace_id, conversation_id, role, "
                "status, created_at) VALUES ('%1', '%2', '%3', 'user', 'complete', 1) "
                "ON CONFLICT (id) DO UPDATE SET label = 'x' WHERE %4")
                .arg(m_msgA, m_beta, m_mallorysConv, predicate));
        if (!o.failedWith("42501"))
            qWarning("probe answered: %s", qPrintable(o.ok ? QStringLiteral("ok") : o.error));
        return o.error.contains(QLatin1String("row-level security"));
    };
    int low = 0, high = 100;
    while (low < high) {
        const int mid = (low + high) / 2;
        if (yes(QStringLiteral("length(t.content) > %1").arg(mid)))
            low = mid + 1;
        else
            high = mid;
    }
    QString read;
    for (int i = 1; i <= low; ++i) {
        int a = 0, b = 127;
        while (a < b) {
            const int mid = (a + b) / 2;
            if (yes(QStringLiteral("ascii(substr(t.content, %1, 1)) > %2").arg(i).arg(mid)))
                a = mid + 1;
            else
                b = mid;
        }
        read += QChar(a);
    }
    QCOMPARE(low, 0); // against version 3 this read 23, then "the launch code is 4711"
    QCOMPARE(read, QString());
}

void TestTeamAttacks::idsOfOtherWorkspacesDoNotTravel()
{
    auto mallory = login(QStringLiteral("mallory"));
    // A fork whose origin is in another workspace keeps no origin on the server, the same for a
    // hidden origin and one nobody holds.
    QStringList forks;
    for (const QString &origin : {m_convA, newId()}) {
        const QString fork = newId();
        QJsonObject row = conversationRow(fork, m_beta);
        row.insert(QStringLiteral("forked_from_conversation_id"), origin);
        row.insert(QStringLiteral("forked_from_message_id"), m_msgA);
        const RawOutcome o = mallory->exec(pushSql({row}, {}));
        QVERIFY2(o.ok && o.first == u"ok", qPrintable(o.error + o.first));
        forks << mallory->scalar(
            QStringLiteral(
                "SELECT coalesce(forked_from_conversation_id::text, 'none') || ' ' || "
                "coalesce(forked_from_message_id::text, 'none') FROM arbor.conversations "
                "WHERE id = '%1'")
                .arg(fork));
    }
    QCOMPARE(forks, (QStringList{QStringLiteral("none none"), QStringLiteral("none none")}));
    // An origin in the same workspace is kept.
    const QString inside = newId();
    QJsonObject row = conversationRow(inside, m_beta);
    row.insert(QStringLiteral("forked_from_conversation_id"), m_mallorysConv);
    QCOMPARE(mallory->exec(pushSql({row}, {})).first, QStringLiteral("ok"));
    QCOMPARE(mallory->scalar(QStringLiteral("SELECT forked_from_conversation_id FROM "
                                            "arbor.conversations WHERE id = '%1'")
                                 .arg(inside)),
             m_mallorysConv);

    // Presence names only a conversation of its own workspace.
    for (const QString &conversation : {m_convA, newId()}) {
        const RawOutcome o =
            mallory->exec(QStringLiteral("SELECT arbor.set_presence('%1', '%2', true, true)")
                              .arg(m_beta, conversation));
        QVERIFY2(o.ok, qPrintable(o.error));
        QCOMPARE(mallory->scalar(QStringLiteral("SELECT coalesce(conversation_id::text, 'none') || "
                                                "typing::text FROM arbor.presence WHERE "
                                                "role_name = 'mallory'")),
                 QStringLiteral("nonefalse"));
    }
    // Nor can she say she is somewhere in a workspace that is not hers.
    const RawOutcome o = mallory->exec(
        QStringLiteral("SELECT arbor.set_presence('%1', NULL, false, true)").arg(m_alpha));
    QVERIFY2(o.failedWith("42501"), qPrintable(o.error));
}

void TestTeamAttacks::readsAndTheLogShowNothingOfOtherWorkspaces()
{
    auto mallory = login(QStringLiteral("mallory"));
    sync::PgConnection conn(m_pg->dsn(QStringLiteral("mallory"), QStringLiteral("mallory-pw")));
    // Naming alpha in the pull positions gives nothing of alpha.
    const sync::PullPage page = sync::remote::pull(conn, {{m_alpha, 0}}, 1000);
    QVERIFY(!page.next.contains(m_alpha));
    for (const sync::RemoteMessage &m : page.messages)
        QCOMPARE(m.workspaceId, m_beta);
    QVERIFY(sync::remote::changes(conn, m_alpha, 0).isEmpty());
    QVERIFY(sync::remote::fetchMessages(conn, {m_msgA, m_msgB}).isEmpty());
    QVERIFY(sync::remote::fetchConversations(conn, {m_convA}).isEmpty());
    // The log has no global counter left to watch, and the heads are nobody's business.
    QVERIFY(!mallory->exec(QStringLiteral("SELECT max(id) FROM arbor.changes")).ok);
    QVERIFY(mallory->exec(QStringLiteral("SELECT * FROM arbor.log_heads")).failedWith("42501"));
    QCOMPARE(mallory->scalar(QStringLiteral("SELECT count(*) FROM arbor.members")),
             QStringLiteral("1")); // her own membership only
    QCOMPARE(mallory->scalar(QStringLiteral("SELECT arbor.can_read('%1')").arg(m_alpha)),
             QStringLiteral("f"));
    // Someone in no workspace sees no workspace, no row, no member.
    auto olga = login(QStringLiteral("olga"));
    for (const char *table :
         {"workspaces", "members", "conversations", "messages", "changes", "presence"})
        QCOMPARE(
            olga->scalar(QStringLiteral("SELECT count(*) FROM arbor.%1").arg(QLatin1String(table))),
            QStringLiteral("0"));
}

void TestTeamAttacks::aRemovedMemberReadsAndHearsNothingNew()
{
    auto eve = login(QStringLiteral("eve"));
    const QString channel = eve->scalar(
        QStringLiteral("SELECT channel FROM arbor.my_workspaces() WHERE id = '%1'").arg(m_alpha));
    QVERIFY(!channel.isEmpty());
    QVERIFY(eve->exec(QStringLiteral("LISTEN %1").arg(channel)).ok);
    auto alice = login(QStringLiteral("alice"));
    QCOMPARE(pushMessage(*alice,
                         messageRow(newId(), m_alpha, m_convA, QStringLiteral("complete"),
                                    QStringLiteral("before"), m_msgA)),
             QStringLiteral("ok"));
    PGnotify *note = waitForNotification(*eve, 5000);
    QVERIFY2(note, "a member hears her workspace");
    PQfreemem(note);
    QVERIFY(eve->exec(QStringLiteral("BEGIN")).ok); // and holds a transaction open

    const sync::Admin::RemoveResult removed =
        sync::Admin(*m_super).removeMember(QStringLiteral("alpha"), QStringLiteral("eve"));
    QVERIFY(removed.removed);
    QCOMPARE(removed.sessionsEnded, 1);
    QVERIFY(!eve->exec(QStringLiteral("SELECT 1")).ok); // her session is gone

    // Back with a new session, listening on her old channel and the old public one.
    eve = login(QStringLiteral("eve"));
    QVERIFY(eve->exec(QStringLiteral("LISTEN %1").arg(channel)).ok);
    QVERIFY(eve->exec(QStringLiteral("LISTEN arbor_ws_%1").arg(QString(m_alpha).remove(u'-'))).ok);
    const QString after = newId();
    QCOMPARE(pushMessage(*alice,
                         messageRow(after, m_alpha, m_convA, QStringLiteral("complete"),
                                    QStringLiteral("after eve left"), m_msgA)),
             QStringLiteral("ok"));
    PGnotify *overheard = waitForNotification(*eve, 500);
    QVERIFY2(!overheard, "a removed member still hears the workspace");
    QCOMPARE(eve->scalar(QStringLiteral("SELECT count(*) FROM arbor.messages")),
             QStringLiteral("0"));
    QCOMPARE(eve->scalar(QStringLiteral("SELECT count(*) FROM arbor.my_workspaces()")),
             QStringLiteral("0"));
    sync::PgConnection conn(m_pg->dsn(QStringLiteral("eve"), QStringLiteral("eve-pw")));
    QVERIFY(sync::remote::pull(conn, {}, 1000).messages.isEmpty());
    QVERIFY(sync::remote::fetchMessages(conn, {after}).isEmpty());
    QCOMPARE(pushMessage(*eve, messageRow(newId(), m_alpha, m_convA)),
             QStringLiteral("not-a-member"));
}

QTEST_GUILESS_MAIN(TestTeamAttacks)
#include "tst_teamattacks.moc"
