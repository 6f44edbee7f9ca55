// `arbord tools add … --secret-env K=VAR` against a real Secret Service (gnome-keyring on a D-Bus
// session bus of this test's own, started by its ctest command through dbus-run-session): the
// value goes into the keychain through QtKeychain, the stdio server gets it in its environment,
// and it is in neither the store nor any command line (arbord's or the server's).
#include "mcpservers.h"

#include "providers/secretservice.h"
#include "support/arbordprocess.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QUuid>

using arbor::testsupport::ArbordRun;
using namespace arbor::testing;

class TestArbordToolSecrets : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    /// A value no earlier run can have left anywhere.
    const QString m_secret =
        QStringLiteral("arbor-secret-") + QUuid::createUuid().toString(QUuid::WithoutBraces);

    QString dbPath() const { return m_dir.filePath(QStringLiteral("arbor.db")); }

    /** @brief The test's session bus (with its gnome-keyring), and the secret in a variable. */
    QProcessEnvironment env() const
    {
        QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
        e.remove(QStringLiteral("QT_LOGGING_RULES"));
        e.insert(QStringLiteral("ARBOR_TOOL_TOKEN"), m_secret);
        return e;
    }

    ArbordRun arbord(const QStringList &args) const
    {
        return arbor::testsupport::runArbord(QStringLiteral(ARBORD_PATH),
                                             args + QStringList{QStringLiteral("--db"), dbPath()},
                                             env());
    }

    /** @brief What the Secret Service holds under Arbor's service, as secret-tool prints it. */
    static QByteArray keychainItems()
    {
        QProcess p;
        p.setProcessChannelMode(QProcess::MergedChannels);
        p.start(QStringLiteral("secret-tool"),
                {QStringLiteral("search"), QStringLiteral("--all"), QStringLiteral("--unlock"),
                 QStringLiteral("server"), QStringLiteral("Arbor")});
        if (!p.waitForFinished(30000))
            return "secret-tool did not end";
        return p.readAll();
    }

    /** @brief Every file of the store (the database, its WAL and shared memory). */
    QByteArray storeBytes() const
    {
        QByteArray all;
        const QStringList files =
            QDir(m_dir.path()).entryList({QStringLiteral("arbor.db*")}, QDir::Files);
        for (const QString &name : files) {
            QFile f(m_dir.filePath(name));
            if (f.open(QIODevice::ReadOnly))
                all += f.readAll();
        }
        return all;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(arbor::testsupport::secretServiceExpected(),
                 "no Secret Service: this test runs through its ctest command (dbus-run-session "
                 "and gnome-keyring, scripts/dev __in-session)");
    }

    void secretReachesTheServerOnlyThroughItsEnvironment()
    {
        const QString report = m_dir.filePath(QStringLiteral("report.json"));
        ArbordRun r = arbord({"tools", "add", "sec", "--command", "node", "--arg", scriptedServer(),
                              "--arg", "--report", "--arg", report, "--secret-env",
                              "API_TOKEN=ARBOR_TOOL_TOKEN", "--env", "PLAIN=1"});
        QVERIFY2(r.endedWith(0), qPrintable(r.describe()));

        // In the keychain, through QtKeychain (the libsecret schema's "server" is the service).
        QVERIFY2(keychainItems().contains(m_secret.toUtf8()), keychainItems().constData());

        // The store knows the name only.
        r = arbord({"tools", "list", "--json"});
        QVERIFY2(r.endedWith(0), qPrintable(r.describe()));
        const QJsonObject env =
            r.object().value("servers").toArray().first().toObject().value("env").toObject();
        QCOMPARE(env.value("API_TOKEN").toString(), QStringLiteral("(secret)"));
        QCOMPARE(env.value("PLAIN").toString(), QStringLiteral("1"));
        QVERIFY(!r.out.contains(m_secret.toUtf8()));

        // Connecting starts the server, which reports what it was given.
        r = arbord({"tools", "test", "sec"});
        QVERIFY2(r.endedWith(0), qPrintable(r.describe()));
        QVERIFY2(r.out.contains("write_note"), r.out.constData());
        QVERIFY(!r.out.contains(m_secret.toUtf8()) && !r.err.contains(m_secret.toUtf8()));
        QFile file(report);
        QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(report));
        const QJsonObject seen = QJsonDocument::fromJson(file.readAll()).object();
        QCOMPARE(seen.value("env").toObject().value("API_TOKEN").toString(), m_secret);
        QCOMPARE(seen.value("env").toObject().value("PLAIN").toString(), QStringLiteral("1"));
        const QJsonArray cmdline = seen.value("cmdline").toArray();
        QVERIFY(cmdline.size() >= 4); // node, the script, --report, the file
        for (const QJsonValue &arg : cmdline)
            QVERIFY2(!arg.toString().contains(m_secret), qPrintable(arg.toString()));

        const QByteArray stored = storeBytes();
        QVERIFY(stored.contains("API_TOKEN")); // the store was read: the name is there
        QVERIFY(!stored.contains(m_secret.toUtf8()));

        // Removing the server removes its secret.
        r = arbord({"tools", "remove", "sec"});
        QVERIFY2(r.endedWith(0), qPrintable(r.describe()));
        QVERIFY2(!keychainItems().contains(m_secret.toUtf8()), keychainItems().constData());
    }
};

QTEST_GUILESS_MAIN(TestArbordToolSecrets)
#include "tst_arbordtoolsecrets.moc"
