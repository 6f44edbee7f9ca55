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

QString insertConversation(const QString &id, const QString &ws)
{
    return QStringLiteral(
               "INSERT INTO arbor.conversations (id, workspace_id, title, created_at, updated_at) "
               "VALUES ('%1', '%2', 'title', 1, 1)")
        .arg(id, ws);
}

QString insertMessage(const QString &id, const QString &ws, const QString &conversation,
                      const QString &status = QStringLiteral("streaming"),
                      const QString &author = {})
{
    return QStringLiteral("INSERT INTO arbor.messages (id, workspace_id, conversation_id, role, "
                          "content, status, created_at%5) "
                          "VALUES ('%1', '%2', '%3', 'user', 'text', '%4', 1%6)")
        .arg(id, ws, conversation, status,
             author.isEmpty() ? QString() : QStringLiteral(", author"),
             author.isEmpty() ? QString() : QStringLiteral(", '%1'").arg(author));
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
    // The members write their own rows, through the policies.
    auto alice = login(QStringLiteral("alice"));
    QVERIFY(alice->connected());
    for (const QString &sql :
         {insertConversation(m_alphaConv, m_alpha), insertMessage(m_alphaMsg, m_alpha, m_alphaConv),
          insertMessage(m_alphaDone, m_alpha, m_alphaConv, QStringLiteral("complete"))}) {
        const RawOutcome o = alice->exec(sql);
        QVERIFY2(o.ok, qPrintable(o.error));
    }
    auto bob = login(QStringLiteral("bob"));
    for (const QString &sql :
         {insertConversation(m_betaConv, m_beta), insertMessage(m_betaMsg, m_beta, m_betaConv)}) {
        const RawOutcome o = bob->exec(sql);
        QVERIFY2(o.ok, qPrintable(o.error));
    }
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

    // INSERT: refused by the policy (42501), or by the foreign key when smuggled under our own
    // workspace id.
    RawOutcome o = conn->exec(insertConversation(newId(), ws));
    QVERIFY2(o.failedWith("42501"), qPrintable(o.error));
    o = conn->exec(insertMessage(newId(), ws, conv));
    QVERIFY2(o.failedWith("42501"), qPrintable(o.error));
    o = conn->exec(insertMessage(newId(), own, conv));
    QVERIFY2(!o.ok, "a message was hung under another workspace's conversation");

    // UPDATE: the rows are invisible, so nothing changes.
    o = conn->exec(
        QStringLiteral("UPDATE arbor.messages SET content = 'hacked' WHERE id = '%1'").arg(msg));
    QVERIFY2(o.ok && o.affected == 0, qPrintable(o.error));
    o = conn->exec(
        QStringLiteral("UPDATE arbor.messages SET deleted_at = 1 WHERE workspace_id = '%1'")
            .arg(ws));
    QVERIFY2(o.ok && o.affected == 0, qPrintable(o.error));
    o = conn->exec(QStringLiteral("UPDATE arbor.conversations SET title = 'hacked' WHERE id = '%1'")
                       .arg(conv));
    QVERIFY2(o.ok && o.affected == 0, qPrintable(o.error));
    // Moving a row between workspaces is not even a grantable column.
    o = conn->exec(QStringLiteral("UPDATE arbor.messages SET workspace_id = '%1' WHERE id = '%2'")
                       .arg(own, msg));
    QVERIFY2(o.failedWith("42501"), qPrintable(o.error));

    // DELETE: nobody but the owner deletes anything (deletion is a tombstone).
    for (const QString &table :
         {QStringLiteral("messages"), QStringLiteral("conversations"), QStringLiteral("changes")}) {
        o = conn->exec(
            QStringLiteral("DELETE FROM arbor.%1 WHERE workspace_id = '%2'").arg(table, ws));
        QVERIFY2(o.failedWith("42501"), qPrintable(o.error));
    }
    o = conn->exec(QStringLiteral("TRUNCATE arbor.messages"));
    QVERIFY2(o.failedWith("42501"), qPrintable(o.error));

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
    RawOutcome o = adam->exec(insertMessage(adams, m_alpha, m_alphaConv));
    QVERIFY2(o.ok, qPrintable(o.error));
    QCOMPARE(
        m_super->scalar(QStringLiteral("SELECT author FROM arbor.messages WHERE id = $1"), {adams}),
        QStringLiteral("adam"));

    // Her own streaming message: yes.
    o = alice->exec(
        QStringLiteral("UPDATE arbor.messages SET content = content || ' more' WHERE id = '%1'")
            .arg(m_alphaMsg));
    QVERIFY2(o.ok && o.affected == 1, qPrintable(o.error));
    // A teammate's (even a workspace admin's, and the other way round): no.
    o = alice->exec(
        QStringLiteral(
            "UPDATE arbor.messages SET content = 'hacked', deleted_at = 1 WHERE id = '%1'")
            .arg(adams));
    QVERIFY2(o.ok && o.affected == 0, qPrintable(o.error));
    o = adam->exec(QStringLiteral("UPDATE arbor.messages SET content = 'hacked' WHERE id = '%1'")
                       .arg(m_alphaMsg));
    QVERIFY2(o.ok && o.affected == 0, qPrintable(o.error));
    // Writing in someone else's name, or changing the author: no.
    o = alice->exec(insertMessage(newId(), m_alpha, m_alphaConv, QStringLiteral("complete"),
                                  QStringLiteral("adam")));
    QVERIFY2(o.failedWith("42501"), qPrintable(o.error));
    o = alice->exec(
        QStringLiteral("UPDATE arbor.messages SET author = 'alice' WHERE id = '%1'").arg(adams));
    QVERIFY2(o.failedWith("42501"), qPrintable(o.error));
    // Deleting is a tombstone on one's own message.
    o = alice->exec(QStringLiteral("DELETE FROM arbor.messages WHERE id = '%1'").arg(m_alphaMsg));
    QVERIFY2(o.failedWith("42501"), qPrintable(o.error));

    QCOMPARE(m_super->scalar(QStringLiteral("SELECT content FROM arbor.messages WHERE id = $1"),
                             {adams}),
             QStringLiteral("text"));
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
    RawOutcome o = vera->exec(insertConversation(newId(), m_alpha));
    QVERIFY2(o.failedWith("42501"), qPrintable(o.error));
    o = vera->exec(insertMessage(newId(), m_alpha, m_alphaConv));
    QVERIFY2(o.failedWith("42501"), qPrintable(o.error));
    o = vera->exec(
        QStringLiteral("UPDATE arbor.messages SET label = 'mine' WHERE workspace_id = '%1'")
            .arg(m_alpha));
    QVERIFY2(o.ok && o.affected == 0, qPrintable(o.error));
    o = vera->exec(QStringLiteral("UPDATE arbor.conversations SET title = 'mine' WHERE id = '%1'")
                       .arg(m_alphaConv));
    QVERIFY2(o.ok && o.affected == 0, qPrintable(o.error));
    o = vera->exec(
        QStringLiteral("DELETE FROM arbor.messages WHERE workspace_id = '%1'").arg(m_alpha));
    QVERIFY2(o.failedWith("42501"), qPrintable(o.error));
    QCOMPARE(count(QStringLiteral("messages"), QStringLiteral("label IS NOT NULL")), 0);
}

void TestRowSecurity::finishedMessagesAreImmutable()
{
    auto alice = login(QStringLiteral("alice"));
    RawOutcome o = alice->exec(
        QStringLiteral("UPDATE arbor.messages SET content = 'rewritten' WHERE id = '%1'")
            .arg(m_alphaDone));
    QVERIFY2(o.failedWith("23514"), qPrintable(o.error));
    o = alice->exec(QStringLiteral("UPDATE arbor.messages SET label = 'keep' WHERE id = '%1'")
                        .arg(m_alphaDone));
    QVERIFY2(o.ok && o.affected == 1, qPrintable(o.error));
}

void TestRowSecurity::nobodyWritesMembershipOrTheLog()
{
    auto alice = login(QStringLiteral("alice"));
    RawOutcome o = alice->exec(QStringLiteral("INSERT INTO arbor.members (workspace_id, role_name, "
                                              "role) VALUES ('%1', 'alice', 'admin')")
                                   .arg(m_beta));
    QVERIFY2(o.failedWith("42501"), qPrintable(o.error));
    o = alice->exec(QStringLiteral("UPDATE arbor.members SET role = 'admin'"));
    QVERIFY2(o.failedWith("42501"), qPrintable(o.error));
    o = alice->exec(QStringLiteral("INSERT INTO arbor.workspaces (name) VALUES ('mine')"));
    QVERIFY2(o.failedWith("42501"), qPrintable(o.error));
    o = alice->exec(
        QStringLiteral(
            "INSERT INTO arbor.changes (workspace_id, entity, entity_id, conversation_id, op) "
            "VALUES ('%1', 'message', '%2', '%3', 'insert')")
            .arg(m_beta, newId(), m_betaConv));
    QVERIFY2(o.failedWith("42501"), qPrintable(o.error));
    o = alice->exec(QStringLiteral("SELECT arbor.log_change()"));
    QVERIFY2(!o.ok, "the change-log trigger function is callable");

    // Becoming the group role or another person does not widen what one sees.
    o = alice->exec(QStringLiteral("SET ROLE arbor_user"));
    QVERIFY2(o.ok, qPrintable(o.error));
    QCOMPARE(alice->scalar(QStringLiteral("SELECT count(*) FROM arbor.messages")),
             QStringLiteral("0"));
    alice->exec(QStringLiteral("RESET ROLE"));
    o = alice->exec(QStringLiteral("SET ROLE bob"));
    QVERIFY2(o.failedWith("42501"), qPrintable(o.error));
    QCOMPARE(count(QStringLiteral("members")), 4);
}

void TestRowSecurity::removedMemberLosesAccessAtOnce()
{
    auto vera = login(QStringLiteral("vera"));
    QCOMPARE(vera->scalar(QStringLiteral("SELECT count(*) FROM arbor.messages")).toInt(), 3);
    QVERIFY(sync::Admin(*m_super).removeMember(QStringLiteral("alpha"), QStringLiteral("vera")));
    // Same session, next statement: nothing.
    QCOMPARE(vera->scalar(QStringLiteral("SELECT count(*) FROM arbor.messages")),
             QStringLiteral("0"));
    QCOMPARE(vera->scalar(QStringLiteral("SELECT count(*) FROM arbor.changes")),
             QStringLiteral("0"));
}

QTEST_GUILESS_MAIN(TestRowSecurity)
#include "tst_rowsecurity.moc"
