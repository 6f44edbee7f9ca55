// Admin (arbord admin ...) against a real PostgreSQL: every command idempotent, missing
// privileges explained.
#include "rawpg.h"

#include "support/pgserver.h"
#include "sync/admin.h"
#include "sync/pgconnection.h"
#include "sync/pgschema.h"
#include "sync/remotequeries.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>
#include <QUuid>

#include <functional>
#include <memory>

using namespace arbor;
using namespace arbor::testsupport;
using sync::Admin;

class TestPgAdmin : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void initWithoutCreateRoleIsExplained();
    void initIsIdempotent();
    void workspacesAreIdempotent();
    void usersAreIdempotentAndKeepTheirPassword();
    void generatedPasswordLogsIn();
    void membersAreIdempotent();
    void missingPrivilegesAreExplained();
    void commandsBeforeInitSayWhatToDo();
    void cliIsIdempotent();
    void cliTakesLibpqEnvironmentAndSslMode();
    void upgradeToVersion4KeepsEveryChange();

private:
    std::unique_ptr<PgServer> m_pg;
    std::unique_ptr<sync::PgConnection> m_super;

    struct Run
    {
        int exitCode = -1;
        QString out;
        QString err;
    };
    Run arbord(const QStringList &args, const QByteArray &input = {},
               const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment());
};

void TestPgAdmin::initTestCase()
{
    try {
        m_pg = std::make_unique<PgServer>();
        m_super = std::make_unique<sync::PgConnection>(m_pg->superuserDsn());
        m_super->execScript(QStringLiteral("CREATE DATABASE fresh"));
        m_super->execScript(QStringLiteral("CREATE DATABASE cli"));
    } catch (const std::exception &e) {
        QFAIL(e.what());
    }
}

void TestPgAdmin::initWithoutCreateRoleIsExplained()
{
    m_super->execScript(QStringLiteral("CREATE ROLE dave LOGIN PASSWORD 'daves'"));
    sync::PgConnection dave(m_pg->dsn(QStringLiteral("dave"), QStringLiteral("daves")));
    try {
        Admin(dave).init();
        QFAIL("a role without CREATEROLE initialized the server");
    } catch (const sync::PgError &e) {
        QVERIFY(e.isPrivilegeError());
        QVERIFY2(e.message().contains(QStringLiteral("role “dave” may not create roles")),
                 qPrintable(e.message()));
        QVERIFY2(e.message().contains(QStringLiteral("CREATEROLE")), qPrintable(e.message()));
    }
    QCOMPARE(m_super->scalar(
                 QStringLiteral("SELECT count(*) FROM pg_roles WHERE rolname = 'arbor_user'")),
             QStringLiteral("0"));
}

void TestPgAdmin::initIsIdempotent()
{
    Admin admin(*m_super);
    const auto first = admin.init();
    QCOMPARE(first.from, 0);
    QCOMPARE(first.to, sync::PgSchema::latestVersion());
    QCOMPARE(
        first.applied,
        (QStringList{QStringLiteral("0001_team.sql"), QStringLiteral("0002_presence.sql"),
                     QStringLiteral("0003_pull.sql"), QStringLiteral("0004_security.sql"),
                     QStringLiteral("0005_reasoning.sql"), QStringLiteral("0006_tool_calls.sql"),
                     QStringLiteral("0007_usage.sql"), QStringLiteral("0008_imports.sql"),
                     QStringLiteral("0009_compare.sql"), QStringLiteral("0010_message_params.sql"),
                     QStringLiteral("0011_message_request.sql")}));
    QVERIFY(first.createdGroupRole);

    const auto second = admin.init();
    QCOMPARE(second.from, sync::PgSchema::latestVersion());
    QCOMPARE(second.to, sync::PgSchema::latestVersion());
    QVERIFY(second.applied.isEmpty());
    QVERIFY(!second.createdGroupRole);

    const auto migrated = admin.migrate();
    QVERIFY(migrated.applied.isEmpty());
    QCOMPARE(admin.status().schemaVersion, sync::PgSchema::latestVersion());
    QCOMPARE(
        m_super->scalar(QStringLiteral("SELECT count(*) FROM arbor.schema_migrations")).toInt(),
        sync::PgSchema::latestVersion());
}

void TestPgAdmin::workspacesAreIdempotent()
{
    Admin admin(*m_super);
    const auto first = admin.addWorkspace(QStringLiteral("research"));
    QCOMPARE(first.outcome, Admin::Outcome::Created);
    QVERIFY(!first.id.isEmpty());
    const auto second = admin.addWorkspace(QStringLiteral("research"));
    QCOMPARE(second.outcome, Admin::Outcome::Unchanged);
    QCOMPARE(second.id, first.id);
    QCOMPARE(m_super->scalar(QStringLiteral("SELECT count(*) FROM arbor.workspaces")),
             QStringLiteral("1"));
}

void TestPgAdmin::usersAreIdempotentAndKeepTheirPassword()
{
    Admin admin(*m_super);
    QCOMPARE(admin.addUser(QStringLiteral("alice"), QStringLiteral("first secret")).outcome,
             Admin::Outcome::Created);
    const auto again = admin.addUser(QStringLiteral("alice"), QStringLiteral("second secret"));
    QCOMPARE(again.outcome, Admin::Outcome::Unchanged);
    QVERIFY(again.generatedPassword.isEmpty());

    RawPg withFirst(m_pg->dsn(QStringLiteral("alice"), QStringLiteral("first secret")));
    QVERIFY2(withFirst.connected(), qPrintable(withFirst.connectError()));
    RawPg withSecond(m_pg->dsn(QStringLiteral("alice"), QStringLiteral("second secret")));
    QVERIFY(!withSecond.connected());
    QVERIFY(withSecond.connectError().contains(QStringLiteral("password authentication failed")));

    // A role made by hand outside Arbor joins arbor_user; its password is left alone.
    m_super->execScript(QStringLiteral("CREATE ROLE carol LOGIN PASSWORD 'carols'"));
    QCOMPARE(admin.addUser(QStringLiteral("carol"), std::nullopt).outcome, Admin::Outcome::Changed);
    QCOMPARE(admin.addUser(QStringLiteral("carol"), std::nullopt).outcome,
             Admin::Outcome::Unchanged);
    QCOMPARE(m_super->scalar(QStringLiteral("SELECT pg_has_role('carol', 'arbor_user', 'MEMBER')")),
             QStringLiteral("t"));
    RawPg carol(m_pg->dsn(QStringLiteral("carol"), QStringLiteral("carols")));
    QVERIFY2(carol.connected(), qPrintable(carol.connectError()));

    QVERIFY_THROWS_EXCEPTION(sync::PgError,
                             admin.addUser(QStringLiteral("pg_sneaky"), QStringLiteral("x")));
    QVERIFY_THROWS_EXCEPTION(sync::PgError,
                             admin.addUser(QStringLiteral("arbor_user"), QStringLiteral("x")));
    QVERIFY_THROWS_EXCEPTION(sync::PgError,
                             admin.addUser(QStringLiteral("bad name"), QStringLiteral("x")));
}

void TestPgAdmin::generatedPasswordLogsIn()
{
    Admin admin(*m_super);
    const auto created = admin.addUser(QStringLiteral("bob"), std::nullopt);
    QCOMPARE(created.outcome, Admin::Outcome::Created);
    QVERIFY(created.generatedPassword.size() >= 20);
    RawPg bob(m_pg->dsn(QStringLiteral("bob"), created.generatedPassword));
    QVERIFY2(bob.connected(), qPrintable(bob.connectError()));
    // The server stores a SCRAM verifier, not the password.
    const QString stored =
        m_super->scalar(QStringLiteral("SELECT rolpassword FROM pg_authid WHERE rolname = 'bob'"));
    QVERIFY(stored.startsWith(QStringLiteral("SCRAM-SHA-256$")));
    QVERIFY(!stored.contains(created.generatedPassword));
    QCOMPARE(admin.addUser(QStringLiteral("bob"), std::nullopt).generatedPassword, QString());
}

void TestPgAdmin::membersAreIdempotent()
{
    Admin admin(*m_super);
    const QString ws = QStringLiteral("research");
    QCOMPARE(admin.addMember(ws, QStringLiteral("alice"), QStringLiteral("member")),
             Admin::Outcome::Created);
    QCOMPARE(admin.addMember(ws, QStringLiteral("alice"), QStringLiteral("member")),
             Admin::Outcome::Unchanged);
    QCOMPARE(admin.addMember(ws, QStringLiteral("alice"), QStringLiteral("admin")),
             Admin::Outcome::Changed);
    QCOMPARE(admin.addMember(ws, QStringLiteral("bob"), QStringLiteral("viewer")),
             Admin::Outcome::Created);
    QCOMPARE(
        m_super->scalar(QStringLiteral("SELECT role FROM arbor.members WHERE role_name = 'alice'")),
        QStringLiteral("admin"));

    const auto status = admin.status();
    QCOMPARE(status.workspaces.size(), 1);
    QCOMPARE(status.workspaces[0].admins, 1);
    QCOMPARE(status.workspaces[0].viewers, 1);
    QCOMPARE(status.users, 3); // alice, bob, carol

    QVERIFY(admin.removeMember(ws, QStringLiteral("bob")).removed);
    QVERIFY(!admin.removeMember(ws, QStringLiteral("bob")).removed);
    QCOMPARE(m_super->scalar(QStringLiteral("SELECT count(*) FROM arbor.members")),
             QStringLiteral("1"));

    QVERIFY_THROWS_EXCEPTION(sync::PgError,
                             admin.addMember(ws, QStringLiteral("alice"), QStringLiteral("owner")));
    try {
        admin.addMember(ws, QStringLiteral("nobody"), QStringLiteral("member"));
        QFAIL("an unknown user became a member");
    } catch (const sync::PgError &e) {
        QVERIFY2(e.message().contains(QStringLiteral("arbord admin user add nobody")),
                 qPrintable(e.message()));
    }
    try {
        admin.addMember(QStringLiteral("no such team"), QStringLiteral("alice"),
                        QStringLiteral("member"));
        QFAIL("a member was added to a missing workspace");
    } catch (const sync::PgError &e) {
        QVERIFY2(e.message().contains(QStringLiteral("arbord admin workspace add")),
                 qPrintable(e.message()));
    }
}

void TestPgAdmin::missingPrivilegesAreExplained()
{
    // alice is an ordinary Arbor user: no CREATEROLE, not the schema owner.
    sync::PgConnection alice(m_pg->dsn(QStringLiteral("alice"), QStringLiteral("first secret")));
    Admin admin(alice);
    try {
        admin.addWorkspace(QStringLiteral("mine"));
        QFAIL("an ordinary user added a workspace");
    } catch (const sync::PgError &e) {
        QVERIFY(e.isPrivilegeError());
        QVERIFY2(e.message().contains(
                     QStringLiteral("role “alice” lacks a privilege to add workspaces")),
                 qPrintable(e.message()));
        QVERIFY2(e.message().contains(QStringLiteral("owner of schema arbor")),
                 qPrintable(e.message()));
    }
    try {
        admin.addUser(QStringLiteral("mallory"), QStringLiteral("x"));
        QFAIL("an ordinary user created a role");
    } catch (const sync::PgError &e) {
        QVERIFY(e.isPrivilegeError());
        QVERIFY2(e.message().contains(QStringLiteral("CREATEROLE")), qPrintable(e.message()));
    }
    try {
        admin.addMember(QStringLiteral("research"), QStringLiteral("alice"),
                        QStringLiteral("admin"));
        QFAIL("an ordinary user changed members");
    } catch (const sync::PgError &e) {
        QVERIFY2(e.isPrivilegeError(), qPrintable(e.message()));
    }

    // A role without CREATE on the database cannot make the schema there.
    sync::PgConnection aliceFresh(m_pg->dsn(QStringLiteral("alice"), QStringLiteral("first secret"),
                                            QStringLiteral("fresh")));
    try {
        Admin(aliceFresh).init();
        QFAIL("an ordinary user created the schema");
    } catch (const sync::PgError &e) {
        QVERIFY(e.isPrivilegeError());
        QVERIFY2(
            e.message().contains(QStringLiteral("may not create a schema in database “fresh”")),
            qPrintable(e.message()));
    }
}

void TestPgAdmin::commandsBeforeInitSayWhatToDo()
{
    sync::PgConnection fresh(m_pg->superuserDsn(QStringLiteral("fresh")));
    Admin admin(fresh);
    QCOMPARE(admin.status().schemaVersion, 0);
    for (const auto &command : std::initializer_list<std::function<void()>>{
             [&] { admin.migrate(); }, [&] { admin.addWorkspace(QStringLiteral("x")); },
             [&] {
                 admin.addMember(QStringLiteral("x"), QStringLiteral("alice"),
                                 QStringLiteral("member"));
             }}) {
        try {
            command();
            QFAIL("a command ran on a server without the schema");
        } catch (const sync::PgError &e) {
            QVERIFY2(e.message().contains(QStringLiteral("run “arbord admin init” first")),
                     qPrintable(e.message()));
        }
    }
}

TestPgAdmin::Run TestPgAdmin::arbord(const QStringList &args, const QByteArray &input,
                                     const QProcessEnvironment &env)
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(ARBORD_PATH), args);
    if (!p.waitForStarted())
        return {};
    if (!input.isEmpty())
        p.write(input);
    p.closeWriteChannel();
    p.waitForFinished(60000);
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
            QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

void TestPgAdmin::cliIsIdempotent()
{
    const QString dsn = m_pg->superuserDsn(QStringLiteral("cli"));
    const QStringList dsnArgs{QStringLiteral("--dsn"), dsn};

    Run r = arbord(QStringList{QStringLiteral("admin"), QStringLiteral("init")} + dsnArgs);
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY2(r.out.contains(QStringLiteral("applied 0001_team.sql")), qPrintable(r.out));
    r = arbord(QStringList{QStringLiteral("admin"), QStringLiteral("init")} + dsnArgs);
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY2(r.out.contains(QStringLiteral("schema is up to date")), qPrintable(r.out));
    r = arbord(QStringList{QStringLiteral("admin"), QStringLiteral("migrate")} + dsnArgs);
    QVERIFY2(r.exitCode == 0 && r.out.contains(QStringLiteral("schema is up to date")),
             qPrintable(r.out + r.err));

    const QStringList addWs{QStringLiteral("admin"), QStringLiteral("workspace"),
                            QStringLiteral("add"), QStringLiteral("ops"), QStringLiteral("--json")};
    r = arbord(addWs + dsnArgs);
    QCOMPARE(r.exitCode, 0);
    const QJsonObject ws1 = QJsonDocument::fromJson(r.out.toUtf8()).object();
    QCOMPARE(ws1.value(QStringLiteral("result")).toString(), QStringLiteral("created"));
    r = arbord(addWs + dsnArgs);
    const QJsonObject ws2 = QJsonDocument::fromJson(r.out.toUtf8()).object();
    QCOMPARE(ws2.value(QStringLiteral("result")).toString(), QStringLiteral("unchanged"));
    QCOMPARE(ws2.value(QStringLiteral("id")), ws1.value(QStringLiteral("id")));

    const QStringList addUser{QStringLiteral("admin"), QStringLiteral("user"),
                              QStringLiteral("add"), QStringLiteral("erin"),
                              QStringLiteral("--password-stdin")};
    r = arbord(addUser + dsnArgs, "erin's secret\n");
    QVERIFY2(r.exitCode == 0 && r.out.contains(QStringLiteral("created")),
             qPrintable(r.out + r.err));
    QVERIFY(!r.out.contains(QStringLiteral("password (shown only now)")));
    r = arbord(addUser + dsnArgs, "another\n");
    QVERIFY2(r.exitCode == 0 && r.out.contains(QStringLiteral("unchanged (password unchanged)")),
             qPrintable(r.out + r.err));
    RawPg erin(
        m_pg->dsn(QStringLiteral("erin"), QStringLiteral("erin's secret"), QStringLiteral("cli")));
    QVERIFY2(erin.connected(), qPrintable(erin.connectError()));

    r = arbord({QStringLiteral("admin"), QStringLiteral("user"), QStringLiteral("add"),
                QStringLiteral("frank"), QStringLiteral("--dsn"), dsn});
    QCOMPARE(r.exitCode, 0);
    const QString marker = QStringLiteral("password (shown only now): ");
    QVERIFY2(r.out.contains(marker), qPrintable(r.out));
    const QString generated = r.out.section(marker, 1).trimmed();
    RawPg frank(m_pg->dsn(QStringLiteral("frank"), generated, QStringLiteral("cli")));
    QVERIFY2(frank.connected(), qPrintable(frank.connectError()));

    const QStringList addMember{QStringLiteral("admin"), QStringLiteral("member"),
                                QStringLiteral("add"),   QStringLiteral("ops"),
                                QStringLiteral("erin"),  QStringLiteral("--role"),
                                QStringLiteral("member")};
    r = arbord(addMember + dsnArgs);
    QVERIFY2(r.exitCode == 0 && r.out.contains(QStringLiteral(": created")),
             qPrintable(r.out + r.err));
    r = arbord(addMember + dsnArgs);
    QVERIFY2(r.exitCode == 0 && r.out.contains(QStringLiteral(": unchanged")),
             qPrintable(r.out + r.err));
    QCOMPARE(erin.scalar(QStringLiteral("SELECT name FROM arbor.workspaces")),
             QStringLiteral("ops"));

    const QStringList removeMember{QStringLiteral("admin"), QStringLiteral("member"),
                                   QStringLiteral("remove"), QStringLiteral("ops"),
                                   QStringLiteral("erin")};
    r = arbord(removeMember + dsnArgs);
    QVERIFY2(r.exitCode == 0 && r.out.contains(QStringLiteral("removed; ended 1 open session(s)")),
             qPrintable(r.out + r.err));
    r = arbord(removeMember + dsnArgs);
    QVERIFY2(r.exitCode == 0 && r.out.contains(QStringLiteral("was not a member")),
             qPrintable(r.out + r.err));
    // Her open session was ended with the membership; a new one sees no workspace.
    QVERIFY(!erin.exec(QStringLiteral("SELECT 1")).ok);
    RawPg erinAgain(
        m_pg->dsn(QStringLiteral("erin"), QStringLiteral("erin's secret"), QStringLiteral("cli")));
    QVERIFY2(erinAgain.connected(), qPrintable(erinAgain.connectError()));
    const RawOutcome visible = erinAgain.exec(QStringLiteral("SELECT name FROM arbor.workspaces"));
    QVERIFY2(visible.ok, qPrintable(visible.error));
    QCOMPARE(visible.rows, 0);

    r = arbord(
        QStringList{QStringLiteral("admin"), QStringLiteral("status"), QStringLiteral("--json")}
        + dsnArgs);
    QCOMPARE(r.exitCode, 0);
    const QJsonObject status = QJsonDocument::fromJson(r.out.toUtf8()).object();
    QCOMPARE(status.value(QStringLiteral("schema_version")).toInt(),
             sync::PgSchema::latestVersion());
    QCOMPARE(status.value(QStringLiteral("workspaces")).toArray().size(), 1);

    // Mistakes: usage errors exit 2, a missing privilege exits 1 and says so.
    r = arbord(QStringList{QStringLiteral("admin"), QStringLiteral("member"), QStringLiteral("add"),
                           QStringLiteral("ops"), QStringLiteral("erin")}
               + dsnArgs);
    QCOMPARE(r.exitCode, 2);
    QVERIFY(r.err.contains(QStringLiteral("--role")));
    r = arbord({QStringLiteral("admin"), QStringLiteral("workspace"), QStringLiteral("add"),
                QStringLiteral("x"), QStringLiteral("--dsn"),
                m_pg->dsn(QStringLiteral("erin"), QStringLiteral("erin's secret"),
                          QStringLiteral("cli"))});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains(QStringLiteral("role “erin” lacks a privilege to add workspaces")),
             qPrintable(r.err));
    r = arbord({QStringLiteral("admin"), QStringLiteral("status"), QStringLiteral("--dsn"),
                m_pg->dsn(QStringLiteral("erin"), QStringLiteral("wrong"), QStringLiteral("cli"))});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains(QStringLiteral("cannot connect to PostgreSQL at 127.0.0.1:")),
             qPrintable(r.err));
    QVERIFY(!r.err.contains(QStringLiteral("wrong")));
}

void TestPgAdmin::cliTakesLibpqEnvironmentAndSslMode()
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("PGHOST"), QStringLiteral("127.0.0.1"));
    env.insert(QStringLiteral("PGPORT"), QString::number(m_pg->port()));
    env.insert(QStringLiteral("PGUSER"), QStringLiteral("postgres"));
    env.insert(QStringLiteral("PGPASSWORD"), m_pg->superuserPassword());
    env.insert(QStringLiteral("PGDATABASE"), QStringLiteral("cli"));
    Run r = arbord({QStringLiteral("admin"), QStringLiteral("status"), QStringLiteral("--json")},
                   {}, env);
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QJsonObject status = QJsonDocument::fromJson(r.out.toUtf8()).object();
    QCOMPARE(status.value(QStringLiteral("connected_as")).toString(), QStringLiteral("postgres"));
    QCOMPARE(status.value(QStringLiteral("schema_version")).toInt(),
             sync::PgSchema::latestVersion());
    QVERIFY(status.value(QStringLiteral("server")).toString().endsWith(QStringLiteral("/cli")));

    // sslmode reaches libpq: this test server has no TLS, so "require" must refuse to connect.
    env.insert(QStringLiteral("PGSSLMODE"), QStringLiteral("require"));
    r = arbord({QStringLiteral("admin"), QStringLiteral("status")}, {}, env);
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains(QStringLiteral("SSL")), qPrintable(r.err));
    r = arbord({QStringLiteral("admin"), QStringLiteral("status"), QStringLiteral("--dsn"),
                m_pg->superuserDsn(QStringLiteral("cli")) + QStringLiteral(" sslmode=require")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains(QStringLiteral("SSL")), qPrintable(r.err));
}

void TestPgAdmin::upgradeToVersion4KeepsEveryChange()
{
    // A server as release 3 left it: members wrote the tables themselves, the log was ordered
    // by (xid, id) across all workspaces.
    const auto newId = [] { return QUuid::createUuid().toString(QUuid::WithoutBraces); };
    QString w1, w2;
    const QString conv1 = newId(), conv2 = newId();
    QStringList ids1, ids2;
    try {
        m_super->execScript(QStringLiteral("CREATE DATABASE upgrade"));
        sync::PgConnection conn(m_pg->superuserDsn(QStringLiteral("upgrade")));
        conn.execScript(QStringLiteral("DO $$ BEGIN CREATE ROLE arbor_user NOLOGIN; "
                                       "EXCEPTION WHEN duplicate_object THEN NULL; END $$"));
        sync::PgSchema::createSchema(conn);
        QCOMPARE(sync::PgSchema::migrate(conn, 3).to, 3);
        Admin admin(conn);
        w1 = admin.addWorkspace(QStringLiteral("w1")).id;
        w2 = admin.addWorkspace(QStringLiteral("w2")).id;
        admin.addUser(QStringLiteral("uma"), QStringLiteral("uma-pw"));
        admin.addUser(QStringLiteral("ugo"), QStringLiteral("ugo-pw"));
        admin.addMember(QStringLiteral("w1"), QStringLiteral("uma"), QStringLiteral("member"));
        admin.addMember(QStringLiteral("w2"), QStringLiteral("ugo"), QStringLiteral("member"));
    } catch (const std::exception &e) {
        QFAIL(e.what());
    }
    const auto write = [&](const QString &user, const QString &ws, const QString &conv,
                           QStringList &ids, int messages) {
        RawPg raw(m_pg->dsn(user, user + QStringLiteral("-pw"), QStringLiteral("upgrade")));
        RawOutcome o = raw.exec(QStringLiteral("INSERT INTO arbor.conversations (id, workspace_id, "
                                               "created_at, updated_at) VALUES ('%1', '%2', 1, 1)")
                                    .arg(conv, ws));
        QVERIFY2(o.ok, qPrintable(o.error));
        ids << conv;
        for (int i = 0; i < messages; ++i) {
            ids << newId();
            o = raw.exec(QStringLiteral("INSERT INTO arbor.messages (id, workspace_id, "
                                        "conversation_id, role, status, created_at) VALUES "
                                        "('%1', '%2', '%3', 'user', 'complete', %4)")
                             .arg(ids.last(), ws, conv)
                             .arg(i + 2));
            QVERIFY2(o.ok, qPrintable(o.error));
        }
    };
    write(QStringLiteral("uma"), w1, conv1, ids1, 3);
    write(QStringLiteral("ugo"), w2, conv2, ids2, 1);
    write(QStringLiteral("uma"), w1, newId(), ids1, 0);

    sync::PgConnection conn(m_pg->superuserDsn(QStringLiteral("upgrade")));
    const sync::PgSchema::Result migrated = sync::PgSchema::migrate(conn);
    QCOMPARE(migrated.applied,
             (QStringList{QStringLiteral("0004_security.sql"), QStringLiteral("0005_reasoning.sql"),
                          QStringLiteral("0006_tool_calls.sql"), QStringLiteral("0007_usage.sql"),
                          QStringLiteral("0008_imports.sql"), QStringLiteral("0009_compare.sql"),
                          QStringLiteral("0010_message_params.sql"),
                          QStringLiteral("0011_message_request.sql")}));

    // Every change kept, numbered 1..n per workspace in the old order; heads at n.
    QCOMPARE(conn.scalar(QStringLiteral("SELECT string_agg(position::text, ',' ORDER BY position) "
                                        "FROM arbor.changes WHERE workspace_id = $1"),
                         {w1}),
             QStringLiteral("1,2,3,4,5"));
    QCOMPARE(conn.scalar(QStringLiteral("SELECT string_agg(entity_id::text, ',' ORDER BY position) "
                                        "FROM arbor.changes WHERE workspace_id = $1"),
                         {w1}),
             ids1.join(u','));
    QCOMPARE(
        conn.scalar(QStringLiteral("SELECT position FROM arbor.log_heads WHERE workspace_id = $1"),
                    {w2}),
        QStringLiteral("2"));
    QCOMPARE(conn.scalar(QStringLiteral("SELECT count(DISTINCT channel) FROM arbor.members")),
             QStringLiteral("2"));

    // The members carry on, through the functions only.
    RawPg uma(
        m_pg->dsn(QStringLiteral("uma"), QStringLiteral("uma-pw"), QStringLiteral("upgrade")));
    const RawOutcome direct =
        uma.exec(QStringLiteral(
                     "INSERT INTO arbor.messages (id, workspace_id, conversation_id, role, status, "
                     "created_at) VALUES ('%1', '%2', '%3', 'user', 'complete', 9)")
                     .arg(newId(), w1, conv1));
    QVERIFY2(direct.failedWith("42501"), qPrintable(direct.error));
    const QString next = newId();
    QCOMPARE(pushMessage(uma, messageRow(next, w1, conv1, QStringLiteral("complete"))),
             QStringLiteral("ok"));
    sync::PgConnection umaConn(
        m_pg->dsn(QStringLiteral("uma"), QStringLiteral("uma-pw"), QStringLiteral("upgrade")));
    const sync::PullPage page = sync::remote::pull(umaConn, {}, 100);
    QCOMPARE(page.next, (sync::PullPositions{{w1, 6}}));
    QCOMPARE(page.conversations.size() + page.messages.size(), ids1.size() + 1);
}

QTEST_GUILESS_MAIN(TestPgAdmin)
#include "tst_pgadmin.moc"
