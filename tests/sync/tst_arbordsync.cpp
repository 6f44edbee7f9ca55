// `arbord sync` with the team server configured the way the app's dialog configures it: the
// real binary, a real PostgreSQL (tests/support/pgserver) and, under scripts/dev test, the real
// Secret Service for the password. `sync connect` stores host/port/db/user/sslmode in the store
// and the password in the keychain (never a password from the command line); plain `arbord sync`
// then needs no --dsn; another device of the same person finds the password in the keychain;
// the app's backend reads the same settings; `disconnect` forgets both.
#include "core/backend.h"
#include "providers/secretservice.h"
#include "secrets/keychainsecretstore.h"
#include "support/arbordprocess.h"
#include "support/pgserver.h"
#include "support/storefiles.h"
#include "sync/admin.h"
#include "sync/pgconnection.h"
#include "sync/syncservice.h"

#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace arbor;
using testsupport::ArbordRun;
using testsupport::PgServer;

namespace {

const QString AlicePassword = QStringLiteral("alice's pw \\ with 'quotes'");

} // namespace

class TestArbordSync : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<PgServer> m_pg;
    QTemporaryDir m_dir;

    QString path(const QString &name) const { return m_dir.filePath(name); }
    QString dsn() const
    {
        return QStringLiteral("host=127.0.0.1 port=%1 dbname=postgres user=alice sslmode=disable")
            .arg(m_pg->port());
    }
    sync::TeamServerConfig config() const
    {
        return {QStringLiteral("127.0.0.1"), m_pg->port(), QStringLiteral("postgres"),
                QStringLiteral("alice"), QStringLiteral("disable")};
    }
    static QProcessEnvironment env()
    {
        return testsupport::secretServiceExpected()
            ? QProcessEnvironment::systemEnvironment()
            : testsupport::environmentWithoutSecretService();
    }
    static ArbordRun arbord(const QStringList &args, const QByteArray &input = {})
    {
        return testsupport::runArbord(QStringLiteral(ARBORD_PATH), args, env(), input);
    }
    /** @brief What the keychain holds for alice on this server. */
    secrets::SecretResult storedPassword() const
    {
        secrets::KeychainSecretStore keychain;
        auto read = keychain.read(config().account());
        if (!QTest::qWaitFor([&] { return read.isFinished(); }, 10000))
            return {};
        return read.result();
    }
    int serverMessages() const
    {
        sync::PgConnection super(m_pg->superuserDsn());
        return super.scalar(QStringLiteral("SELECT count(*) FROM arbor.messages")).toInt();
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (!testsupport::secretServiceExpected())
            testsupport::isolateFromSecretService();
        QVERIFY(m_dir.isValid());
        try {
            m_pg = std::make_unique<PgServer>();
            sync::PgConnection super(m_pg->superuserDsn());
            sync::Admin admin(super);
            admin.init();
            admin.addWorkspace(QStringLiteral("team"));
            admin.addUser(QStringLiteral("alice"), AlicePassword);
            admin.addMember(QStringLiteral("team"), QStringLiteral("alice"),
                            QStringLiteral("member"));
        } catch (const std::exception &e) {
            QFAIL(e.what());
        }
    }

    void connectRefusesAPasswordOnTheCommandLine_data()
    {
        QTest::addColumn<QString>("given");
        QTest::newRow("password=") << QStringLiteral("host=127.0.0.1 dbname=postgres user=alice "
                                                     "password=alice-secret");
        QTest::newRow("URI") << QStringLiteral(
            "postgresql://alice:alice-secret@127.0.0.1/postgres");
        QTest::newRow("URI query")
            << QStringLiteral("postgresql://alice@127.0.0.1/postgres?password=alice-secret");
    }

    void connectRefusesAPasswordOnTheCommandLine()
    {
        QFETCH(QString, given);
        const QString db = path(QStringLiteral("refused.db"));
        const ArbordRun r = arbord({QStringLiteral("sync"), QStringLiteral("connect"),
                                    QStringLiteral("--dsn"), given, QStringLiteral("--db"), db});
        QVERIFY2(r.endedWith(2), qPrintable(r.describe()));
        QVERIFY2(r.err.contains(QLatin1String("holds a password")), qPrintable(r.describe()));
        QVERIFY2(!r.err.contains(QLatin1String("alice-secret")), qPrintable(r.describe()));
        QVERIFY(!QFileInfo::exists(db)); // nothing was stored anywhere
    }

    void syncsWithTheConfiguredServer()
    {
        const QString db = path(QStringLiteral("laptop.db"));
        // A store with a conversation, and no server yet: plain `arbord sync` says what to do.
        const ArbordRun chat =
            arbord({QStringLiteral("chat"), QStringLiteral("--db"), db, QStringLiteral("--rate"),
                    QStringLiteral("0"), QStringLiteral("--json"), QStringLiteral("For the team")});
        QVERIFY2(chat.endedWith(0), qPrintable(chat.describe()));
        const QString conversation =
            chat.object().value(QLatin1String("conversation_id")).toString();
        ArbordRun r = arbord({QStringLiteral("sync"), QStringLiteral("--db"), db});
        QVERIFY2(r.endedWith(1), qPrintable(r.describe()));
        QVERIFY2(r.err.contains(QLatin1String("no team server is configured")),
                 qPrintable(r.describe()));

        // Configured as the dialog does it: the password from stdin into the keychain.
        r = arbord({QStringLiteral("sync"), QStringLiteral("connect"), QStringLiteral("--dsn"),
                    dsn(), QStringLiteral("--password-stdin"), QStringLiteral("--db"), db},
                   AlicePassword.toUtf8() + '\n');
        if (!testsupport::secretServiceExpected()) {
            // No keychain: the password is not kept anywhere else, and nothing is configured.
            QVERIFY2(r.endedWith(1), qPrintable(r.describe()));
            QVERIFY2(r.err.contains(QLatin1String("password could not be stored")),
                     qPrintable(r.describe()));
            r = arbord(
                {QStringLiteral("sync"), QStringLiteral("status"), QStringLiteral("--db"), db});
            QVERIFY2(r.out.contains("none configured"), qPrintable(r.describe()));
            return;
        }
        QVERIFY2(r.endedWith(0), qPrintable(r.describe()));
        QVERIFY2(r.out.contains(QStringLiteral("connected to 127.0.0.1:%1/postgres as alice")
                                    .arg(m_pg->port())
                                    .toUtf8()),
                 qPrintable(r.describe()));
        QCOMPARE(storedPassword().secret, AlicePassword);
        QVERIFY(!testsupport::fileBytes(db).contains("alice's pw"));

        r = arbord({QStringLiteral("sync"), QStringLiteral("status"), QStringLiteral("--db"), db});
        QVERIFY2(r.endedWith(0), qPrintable(r.describe()));
        QVERIFY2(r.out.contains(QStringLiteral("team server: 127.0.0.1:%1/postgres as alice "
                                               "(sslmode disable)")
                                    .arg(m_pg->port())
                                    .toUtf8()),
                 qPrintable(r.describe()));
        QVERIFY2(r.out.contains("workspace team"), qPrintable(r.describe()));

        // Shared and synced without --dsn.
        r = arbord({QStringLiteral("sync"), QStringLiteral("share"), conversation,
                    QStringLiteral("team"), QStringLiteral("--db"), db});
        QVERIFY2(r.endedWith(0), qPrintable(r.describe()));
        r = arbord({QStringLiteral("sync"), QStringLiteral("--db"), db, QStringLiteral("--json")});
        QVERIFY2(r.endedWith(0), qPrintable(r.describe()));
        QCOMPARE(r.object().value(QLatin1String("user")).toString(), QStringLiteral("alice"));
        QCOMPARE(r.object().value(QLatin1String("pushed")).toInt(), 3); // conversation, 2 msgs
        QCOMPARE(serverMessages(), 2);

        // Alice's other computer: the same server and user, no password given; the keychain has
        // it.
        const QString desktop = path(QStringLiteral("desktop.db"));
        r = arbord({QStringLiteral("sync"), QStringLiteral("connect"), QStringLiteral("--dsn"),
                    QStringLiteral("postgresql://alice@127.0.0.1:%1/postgres?sslmode=disable")
                        .arg(m_pg->port()),
                    QStringLiteral("--db"), desktop});
        QVERIFY2(r.endedWith(0), qPrintable(r.describe()));
        r = arbord(
            {QStringLiteral("sync"), QStringLiteral("--db"), desktop, QStringLiteral("--json")});
        QVERIFY2(r.endedWith(0), qPrintable(r.describe()));
        QCOMPARE(r.object().value(QLatin1String("pulled_messages")).toInt(), 2);

        // `--follow` without --dsn runs until told to stop.
        QProcess follow;
        follow.setProcessEnvironment(env());
        follow.start(
            QStringLiteral(ARBORD_PATH),
            {QStringLiteral("sync"), QStringLiteral("--follow"), QStringLiteral("--db"), desktop});
        QVERIFY(follow.waitForStarted());
        QString said;
        QVERIFY2(QTest::qWaitFor(
                     [&] {
                         said += QString::fromUtf8(follow.readAllStandardError());
                         return said.contains(QLatin1String("Connected as alice"));
                     },
                     20000),
                 qPrintable(said));
        ::kill(pid_t(follow.processId()), SIGTERM);
        QVERIFY(follow.waitForFinished(20000));
        QCOMPARE(follow.exitStatus(), QProcess::NormalExit);
        QCOMPARE(follow.exitCode(), 0);

        // The window's backend finds the same server and connects with the stored password.
        {
            core::BackendOptions options;
            options.dbPath = db;
            options.runJobs = false;
            core::Backend backend(options);
            backend.open();
            sync::SyncService &service = backend.sync();
            service.start();
            QTRY_COMPARE_WITH_TIMEOUT(service.state(), sync::SyncService::State::Connected, 20000);
            QCOMPARE(service.config(), config());
        }

        // Disconnect forgets the settings and the password.
        r = arbord(
            {QStringLiteral("sync"), QStringLiteral("disconnect"), QStringLiteral("--db"), db});
        QVERIFY2(r.endedWith(0), qPrintable(r.describe()));
        QCOMPARE(storedPassword().status, secrets::SecretResult::Status::NotFound);
        r = arbord({QStringLiteral("sync"), QStringLiteral("status"), QStringLiteral("--db"), db});
        QVERIFY2(r.out.contains("none configured"), qPrintable(r.describe()));
        r = arbord({QStringLiteral("sync"), QStringLiteral("--db"), db});
        QVERIFY2(r.endedWith(1), qPrintable(r.describe()));
        QVERIFY2(r.err.contains(QLatin1String("no team server is configured")),
                 qPrintable(r.describe()));
    }
};

QTEST_GUILESS_MAIN(TestArbordSync)
#include "tst_arbordsync.moc"
