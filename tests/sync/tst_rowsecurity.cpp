// Row-level security of the team schema, tried the way a client that bypasses the app would:
// raw libpq, logged in as each person with their own password.
#include "rawpg.h"

#include "support/pgserver.h"
#include "sync/admin.h"
#include "sync/pgconnection.h"

#include <QTest>
#include <QUuid>

#include <memory>

using namespace arbor;
using namespace arbor::testsupport;

namespace {

QString newId()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

// Direct table writes: what members could do before server version 4, and an attacker tries.
QString insertConversation(const QString &id, const QString &ws)
{
    return QStringLiteral(
               "INSERT INTO arbor.conversations (id, workspace_id, title, created_at, updated_at) "
               "VALUES ('%1', '%2', 'title', 1, 1)")
        .arg(id, ws);
}

QString insertMessage(const QString &id, const QString &ws, const QString &conversation)
{
    return QStringLiteral("INSERT INTO arbor.messages (id, workspace_id, conversation_id, role, "
                          "content, status, created_at) "
                          "VALUES ('%1', '%2', '%3', 'user', 'text', 'streaming', 1)")
        .arg(id, ws, conversation);
}

} // namespace

class TestRowSecurity : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void eachRoleReadsOnlyItsWorkspaces_data();
    void eachRoleReadsOnlyItsWorkspaces();
    void crossWorkspaceWritesFail_data();
    void crossWorkspaceWritesFail();
    void memberWritesOnlyOwnMessages();
    void viewerReadsOnly();
    void finishedMessagesAreImmutable();
    void nobodyWritesMembershipOrTheLog();
    void removedMemberLosesAccessAtOnce();

private:
    std::unique_ptr<RawPg> login(const QString &user);
    int count(const QString &table, const QString &where = QStringLiteral("true"));

    std::unique_ptr<PgServer> m_pg;
    std::unique_ptr<sync::PgConnection> m_super;
    QString m_alpha, m_beta;
    QString m_alphaConv, m_alphaMsg, m_alphaDone, m_betaConv, m_betaMsg;
};

std::unique_ptr<RawPg> TestRowSecurity::login(const QString &user)
{
    auto conn = std::make_unique<RawPg>(m_pg->dsn(user, user + QStringLiteral("-pw")));
    if (!conn->connected())
        qWarning("login %s: %s", qPrintable(user), qPrintable(conn->connectError()));
    return conn;
}

int TestRowSecurity::count(const QString &table, const QString &where)
{
    return m_super
        ->scalar(QStringLiteral("SELECT count(*) FROM arbor.%1 WHERE %2").arg(table, where))
        .toInt();
}

void TestRowSecurity::initTestCase()
{
    try {
        m_pg = std::make_unique<PgServer>();
        m_super = std::make_unique<sync::PgConnection>(m_pg->superuserDsn());
        sync::Admin admin(*m_super);
        admin.init();
        m_alpha = admin.addWorkspace(QStringLiteral("alpha")).id;
        m_beta = admin.addWorkspace(QStringLiteral("beta")).id;
        for (const char *user : {"alice", "adam", "vera", "bob", "olga"})
            admin.addUser(QLatin1String(user), QLatin1String(user) + QStringLiteral("-pw"));
        admin.addMember(QStringLiteral("alpha"), QStringLiteral("alice"), QStringLiteral("member"));
        admin.addMember(QStringLiteral("alpha"), QStringLiteral("adam"), QStringLiteral("admin"));
        admin.addMember(QStringLiteral("alpha"), QStringLiteral("vera"), QStringLiteral("viewer"));
        admin.addMember(QStringLiteral("beta"), QStringLiteral("bob"), QStringLiteral("member"));
        // olga is an Arbor user in no workspace.
    } catch (const std::exception &e) {
        QFAIL(e.what());
    }
    m_alphaConv = newId();
    m_alphaMsg = newId();
    m_alphaDone = newId();
    m_betaConv = newId();
    m_betaMsg = newId();
    // The members write their own rows, through arbor.push().
    auto alice = login(QStringLiteral("alice"));
    QVERIFY(alice->connected());
    QCOMPARE(pushConversation(*alice, m_alphaConv, m_alpha), QStringLiteral("ok"));
    QCOMPARE(pushMessage(*alice, messageRow(m_alphaMsg, m_alpha, m_alphaConv)),
             QStringLiteral("ok"));
    QCOMPARE(pushMessage(*alice,
                         messageRow(m_alphaDone, m_alpha, m_alphaConv, QStringLiteral("complete"))),
             QStringLiteral("ok"));
    auto bob = login(QStringLiteral("bob"));
    QCOMPARE(pushConversation(*bob, m_betaConv, m_beta), QStringLiteral("ok"));
    QCOMPARE(pushMessage(*bob, messageRow(m_betaMsg, m_beta, m_betaConv)), QStringLiteral("ok"));
    QCOMPARE(count(QStringLiteral("messages")), 3);
    QCOMPARE(count(QStringLiteral("changes")), 5);
}

void TestRowSecurity::eachRoleReadsOnlyItsWorkspaces_data()
{
    QTest::addColumn<QString>("user");
    QTest::addColumn<QString>("workspace"); // the only one visible, or empty
    QTest::addColumn<int>("messages");
    QTest::newRow("member") << QStringLiteral("alice") << QStringLiteral("alpha") << 2;
    QTest::newRow("admin") << QStringLiteral("adam") << QStringLiteral("alpha") << 2;
    QTest::newRow("viewer") << QStringLiteral("vera") << QStringLiteral("alpha") << 2;
    QTest::newRow("member of the other workspace")
        << QStringLiteral("bob") << QStringLiteral("beta") << 1;
    QTest::newRow("in no workspace") << QStringLiteral("olga") << QString() << 0;
}

void TestRowSecurity::eachRoleReadsOnlyItsWorkspaces()
{
    QFETCH(QString, user);
    QFETCH(QString, workspace);
    QFETCH(int, messages);
    auto conn = login(user);
    QVERIFY(conn->connected());
    const QString visible = workspace == u"alpha" ? m_alpha
        : workspace == u"beta"                    ? m_beta
                                                  : QString();

    QCOMPARE(conn->scalar(QStringLiteral("SELECT count(*) FROM arbor.messages")).toInt(), messages);
    QCOMPARE(conn->scalar(QStringLiteral("SELECT count(*) FROM arbor.workspaces")).toInt(),
             visible.isEmpty() ? 0 : 1);
    QCOMPARE(conn->scalar(QStringLiteral("SELECT count(*) FROM arbor.conversations")).toInt(),
             visible.isEmpty() ? 0 : 1);
    QCOMPARE(conn->scalar(QStringLiteral("SELECT count(*) FROM arbor.changes")).toInt(),
             messages + (visible.isEmpty() ? 0 : 1));
    for (const QString &table :
         {QStringLiteral("workspaces"), QStringLiteral("conversations"), QStringLiteral("messages"),
          QStringLiteral("changes"), QStringLiteral("members")}) {
        const QString column =
            table == u"workspaces" ? QStringLiteral("id") : QStringLiteral("workspace_id");
        const RawOutcome o =
            conn->exec(QStringLiteral("SELECT count(*) FROM arbor.%1 WHERE %2 <> '%3'")
                           .arg(table, column, visible.isEmpty() ? newId() : visible));
        QVERIFY2(o.ok, qPrintable(o.error));
        QVERIFY2(o.first == u"0",
                 qPrintable(user + QStringLiteral(" sees other rows of ") + table));
    }
    // Membership: one's own rows only, never the teammates' or other workspaces'.
    QCOMPARE(conn->scalar(QStringLiteral("SELECT count(*) FROM arbor.members")).toInt(),
             visible.isEmpty() ? 0 : 1);
    QCOMPARE(conn->scalar(QStringLiteral(
                 "SELECT count(*) FROM arbor.members WHERE role_name <> current_user")),
             QStringLiteral("0"));
}

void TestRowSecurity::crossWorkspaceWritesFail_data()
{
    QTest::addColumn<QString>("user");
    QTest::addColumn<bool>("inAlpha"); // attacks beta when in alpha, else alpha
    QTest::newRow("member") << QStringLiteral("alice") << true;
    QTest::newRow("admin") << QStringLiteral("adam") << true;
    QTest::newRow("viewer") << QStringLiteral("vera") << true;
    QTest::newRow("member of beta") << QStringLiteral("bob") << false;
    QTest::newRow("in no workspace") << QStringLiteral("olga") << true;
}

void TestRowSecurity::crossWorkspaceWritesFail()
{
    QFETCH(QString, user);
    QFETCH(bool, inAlpha);
    const QString ws = inAlpha ? m_beta : m_alpha;
    const QString conv = inAlpha ? m_betaConv : m_alphaConv;
    const QString msg = inAlpha ? m_betaMsg : m_alphaMsg;
    const QString own = inAlpha ? m_alpha : m_beta;
    auto conn = login(user);
    QVERIFY(conn->connected());
    const int messagesBefore = count(QStringLiteral("messages"));
    const int conversationsBefore = count(QStringLiteral("conversations"));

    // SELECT: nothing, even by id.
    QCOMPARE(
        conn->exec(QStringLiteral("SELECT * FROM arbor.messages WHERE id = '%1'").arg(msg)).rows,
        0);
    QCOMPARE(
        conn->exec(QStringLiteral("SELECT * FROM arbor.conversations WHERE id = '%1'").arg(conv))
            .rows,
        0);
    QCOMPARE(
        conn->exec(QStringLiteral("SELECT * FROM arbor.changes WHERE workspace_id = '%1'").arg(ws))
            .rows,
        0);

    // Tables: members hold no INSERT, UPDATE or DELETE privilege at all (42501 whatever the row).
    for (const QString &sql :
         {insertConversation(newId(), ws), insertMessage(newId(), ws, conv),
          insertMessage(newId(), own, conv),
          QStringLiteral("UPDATE arbor.messages SET content = 'hacked' WHERE id = '%1'").arg(msg),
          QStringLiteral("UPDATE arbor.messages SET deleted_at = 1 WHERE workspace_id = '%1'")
              .arg(ws),
          QStringLiteral("UPDATE arbor.conversations SET title = 'hacked' WHERE id = '%1'")
              .arg(conv),
          QStringLiteral("UPDATE arbor.messages SET workspace_id = '%1' WHERE id = '%2'")
              .arg(own, msg),
          QStringLiteral("DELETE FROM arbor.messages WHERE workspace_id = '%1'").arg(ws),
          QStringLiteral("DELETE FROM arbor.conversations WHERE workspace_id = '%1'").arg(ws),
          QStringLiteral("DELETE FROM arbor.changes WHERE workspace_id = '%1'").arg(ws),
          QStringLiteral("TRUNCATE arbor.messages")}) {
        const RawOutcome o = conn->exec(sql);
        QVERIFY2(o.failedWith("42501"), qPrintable(sql + QStringLiteral(": ") + o.error));
    }

    // Through the write function: refused per row, by the caller's own membership, or (smuggled
    // under the caller's workspace id) because the conversation is not one of its workspace.
    const bool member = user == u"alice" || user == u"adam" || user == u"bob";
    QCOMPARE(pushConversation(*conn, newId(), ws), QStringLiteral("not-a-member"));
    QCOMPARE(pushMessage(*conn, messageRow(newId(), ws, conv)), QStringLiteral("not-a-member"));
    QCOMPARE(pushMessage(*conn, messageRow(newId(), own, conv)),
             member
                 ? QStringLiteral("conversation-missing")
                 : (user == u"vera" ? QStringLiteral("viewer") : QStringLiteral("not-a-member")));

    QCOMPARE(count(QStringLiteral("messages")), messagesBefore);
    QCOMPARE(count(QStringLiteral("conversations")), conversationsBefore);
    QCOMPARE(
        m_super->scalar(QStringLiteral("SELECT content FROM arbor.messages WHERE id = $1"), {msg}),
        QStringLiteral("text"));
    QCOMPARE(m_super->scalar(QStringLiteral("SELECT title FROM arbor.conversations WHERE id = $1"),
                             {conv}),
             QStringLiteral("title"));
    QCOMPARE(count(QStringLiteral("messages"), QStringLiteral("deleted_at IS NOT NULL")), 0);
}

void TestRowSecurity::memberWritesOnlyOwnMessages()
{
    auto alice = login(QStringLiteral("alice"));
    auto adam = login(QStringLiteral("adam"));
    const QString adams = newId();
    // The author is whoever logged in, whatever the row says.
    QJsonObject row = messageRow(adams, m_alpha, m_alphaConv);
    row.insert(QStringLiteral("author"), QStringLiteral("alice"));
    QCOMPARE(pushMessage(*adam, row), QStringLiteral("ok"));
    QCOMPARE(
        m_super->scalar(QStringLiteral("SELECT author FROM arbor.messages WHERE id = $1"), {adams}),
        QStringLiteral("adam"));

    // Her own streaming message: yes.
    QCOMPARE(pushMessage(*alice,
                         messageRow(m_alphaMsg, m_alpha, m_alphaConv, QStringLiteral("streaming"),
                                    QStringLiteral("text more"))),
             QStringLiteral("ok"));
    // A teammate's (even a workspace admin's, and the other way round): no.
    QJsonObject hacked = messageRow(adams, m_alpha, m_alphaConv, QStringLiteral("streaming"),
                                    QStringLiteral("hacked"));
    hacked.insert(QStringLiteral("deleted_at"), 1);
    QCOMPARE(pushMessage(*alice, hacked), QStringLiteral("not-yours"));
    QCOMPARE(pushMessage(*adam,
                         messageRow(m_alphaMsg, m_alpha, m_alphaConv, QStringLiteral("streaming"),
                                    QStringLiteral("hacked"))),
             QStringLiteral("not-yours"));
    // Nor her message moved to another conversation or workspace.
    QCOMPARE(pushMessage(*alice, messageRow(m_alphaMsg, m_alpha, newId())),
             QStringLiteral("id-taken"));

    QCOMPARE(m_super->scalar(QStringLiteral("SELECT content FROM arbor.messages WHERE id = $1"),
                             {adams}),
             QStringLiteral("text"));
    QCOMPARE(m_super->scalar(QStringLiteral("SELECT deleted_at IS NULL FROM arbor.messages "
                                            "WHERE id = $1"),
                             {adams}),
             QStringLiteral("t"));
    QCOMPARE(m_super->scalar(QStringLiteral("SELECT content FROM arbor.messages WHERE id = $1"),
                             {m_alphaMsg}),
             QStringLiteral("text more"));
}

void TestRowSecurity::viewerReadsOnly()
{
    auto vera = login(QStringLiteral("vera"));
    QCOMPARE(
        vera->exec(QStringLiteral("SELECT * FROM arbor.messages WHERE id = '%1'").arg(m_alphaMsg))
            .rows,
        1);
    QCOMPARE(pushConversation(*vera, newId(), m_alpha), QStringLiteral("viewer"));
    QCOMPARE(pushConversation(*vera, m_alphaConv, m_alpha, QStringLiteral("mine"), 99),
             QStringLiteral("viewer"));
    QCOMPARE(pushMessage(*vera, messageRow(newId(), m_alpha, m_alphaConv)),
             QStringLiteral("viewer"));
    RawOutcome o = vera->exec(
        QStringLiteral("UPDATE arbor.messages SET label = 'mine' WHERE workspace_id = '%1'")
            .arg(m_alpha));
    QVERIFY2(o.failedWith("42501"), qPrintable(o.error));
    o = vera->exec(
        QStringLiteral("DELETE FROM arbor.messages WHERE workspace_id = '%1'").arg(m_alpha));
    QVERIFY2(o.failedWith("42501"), qPrintable(o.error));
    QCOMPARE(count(QStringLiteral("messages"), QStringLiteral("label IS NOT NULL")), 0);
    QCOMPARE(m_super->scalar(QStringLiteral("SELECT title FROM arbor.conversations WHERE id = $1"),
                             {m_alphaConv}),
             QStringLiteral("title"));
}

void TestRowSecurity::finishedMessagesAreImmutable()
{
    auto alice = login(QStringLiteral("alice"));
    // A finished message's text and status never change; its label and tombstone do.
    QCOMPARE(pushMessage(*alice,
                         messageRow(m_alphaDone, m_alpha, m_alphaConv, QStringLiteral("streaming"),
                                    QStringLiteral("rewritten"))),
             QStringLiteral("unchanged"));
    QJsonObject labelled =
        messageRow(m_alphaDone, m_alpha, m_alphaConv, QStringLiteral("complete"));
    labelled.insert(QStringLiteral("label"), QStringLiteral("keep"));
    QCOMPARE(pushMessage(*alice, labelled), QStringLiteral("ok"));
    QCOMPARE(m_super->scalar(QStringLiteral("SELECT content || '/' || status || '/' || label FROM "
                                            "arbor.messages WHERE id = $1"),
                             {m_alphaDone}),
             QStringLiteral("text/complete/keep"));
}

void TestRowSecurity::nobodyWritesMembershipOrTheLog()
{
    auto alice = login(QStringLiteral("alice"));
    for (const QString &sql : {
             QStringLiteral("INSERT INTO arbor.members (workspace_id, role_name, role) "
                            "VALUES ('%1', 'alice', 'admin')")
                 .arg(m_beta),
             QStringLiteral("UPDATE arbor.members SET role = 'admin'"),
             QStringLiteral("INSERT INTO arbor.workspaces (name) VALUES ('mine')"),
             QStringLiteral(
                 "INSERT INTO arbor.changes (workspace_id, position, entity, entity_id, "
                 "conversation_id, op) VALUES ('%1', 99, 'message', '%2', '%3', 'insert')")
                 .arg(m_beta, newId(), m_betaConv),
             QStringLiteral("UPDATE arbor.log_heads SET position = 0"),
             QStringLiteral("SELECT * FROM arbor.log_heads"),
             QStringLiteral("SELECT arbor.wake('%1', 'd')").arg(m_beta),
             QStringLiteral("SELECT arbor.log_rows()"),
             QStringLiteral("INSERT INTO arbor.presence (workspace_id, role_name) VALUES ('%1', "
                            "'alice')")
                 .arg(m_alpha),
         }) {
        const RawOutcome o = alice->exec(sql);
        QVERIFY2(!o.ok, qPrintable(sql));
        QVERIFY2(o.sqlState == "42501" || o.sqlState == "0A000", qPrintable(sql + o.error));
    }

    // Becoming the group role does not widen what one sees: it is still alice (session_user)
    // who asks. Becoming another person is refused.
    const QString mine = alice->scalar(QStringLiteral("SELECT count(*) FROM arbor.messages"));
    RawOutcome o = alice->exec(QStringLiteral("SET ROLE arbor_user"));
    QVERIFY2(o.ok, qPrintable(o.error));
    QCOMPARE(alice->scalar(QStringLiteral("SELECT count(*) FROM arbor.messages")), mine);
    QCOMPARE(alice->scalar(QStringLiteral("SELECT count(*) FROM arbor.messages WHERE "
                                          "workspace_id <> '%1'")
                               .arg(m_alpha)),
             QStringLiteral("0"));
    QCOMPARE(pushConversation(*alice, newId(), m_beta), QStringLiteral("not-a-member"));
    alice->exec(QStringLiteral("RESET ROLE"));
    o = alice->exec(QStringLiteral("SET ROLE bob"));
    QVERIFY2(o.failedWith("42501"), qPrintable(o.error));
    QCOMPARE(count(QStringLiteral("members")), 4);
}

void TestRowSecurity::removedMemberLosesAccessAtOnce()
{
    auto vera = login(QStringLiteral("vera"));
    QCOMPARE(vera->scalar(QStringLiteral("SELECT count(*) FROM arbor.messages")).toInt(), 3);
    const sync::Admin::RemoveResult removed =
        sync::Admin(*m_super).removeMember(QStringLiteral("alpha"), QStringLiteral("vera"));
    QVERIFY(removed.removed);
    QCOMPARE(removed.sessionsEnded, 1);
    QVERIFY(removed.warning.isEmpty());
    // Her session was ended; a new one reads nothing.
    QVERIFY(!vera->exec(QStringLiteral("SELECT 1")).ok);
    vera = login(QStringLiteral("vera"));
    QVERIFY(vera->connected());
    QCOMPARE(vera->scalar(QStringLiteral("SELECT count(*) FROM arbor.messages")),
             QStringLiteral("0"));
    QCOMPARE(vera->scalar(QStringLiteral("SELECT count(*) FROM arbor.changes")),
             QStringLiteral("0"));
    QCOMPARE(vera->scalar(QStringLiteral("SELECT count(*) FROM arbor.my_workspaces()")),
             QStringLiteral("0"));
}

QTEST_GUILESS_MAIN(TestRowSecurity)
#include "tst_rowsecurity.moc"
