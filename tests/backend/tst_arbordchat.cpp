// `arbord chat`, the real binary: one line per event on stderr, the components' log only with
// --verbose. Vendors are a FakeVendorServer on 127.0.0.1.
#include "chat/chatservice.h"
#include "store/sql.h"
#include "support/arbordprocess.h"
#include "support/dbconnection.h"
#include "support/fakevendorserver.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <sys/types.h>

#include <csignal>

using arbor::testsupport::ArbordRun;
using arbor::testsupport::DbConnection;
using arbor::testsupport::FakeVendorServer;

namespace {

} // namespace

class TestArbordChat : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    QString dbPath() const { return m_dir->filePath(QStringLiteral("arbor.db")); }

    /** @brief No session bus: keys are never looked for in this machine's keychain. */
    static QProcessEnvironment env()
    {
        QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
        e.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"),
                 QStringLiteral("unix:path=/nonexistent/arbor-test-no-bus"));
        e.remove(QStringLiteral("DISPLAY"));
        e.remove(QStringLiteral("QT_LOGGING_RULES"));
        return e;
    }

    ArbordRun arbord(const QStringList &args) const
    {
        return arbor::testsupport::runArbord(QStringLiteral(ARBORD_PATH),
                                             args + QStringList{QStringLiteral("--db"), dbPath()},
                                             env());
    }

    /** @brief Adds the fake vendor as provider "Fake" with model "fake-model". */
    bool addFakeVendor(const FakeVendorServer &server) const
    {
        const ArbordRun r = arbord({QStringLiteral("providers"), QStringLiteral("add"),
                                    QStringLiteral("Fake"), QStringLiteral("--preset"),
                                    QStringLiteral("custom"), QStringLiteral("--base-url"),
                                    server.baseUrl().toString() + QStringLiteral("/v1"),
                                    QStringLiteral("--models"), QStringLiteral("fake-model")});
        if (!r.endedWith(0))
            qWarning("%s", qPrintable(r.describe()));
        return r.endedWith(0);
    }

    static QStringList fakeChat(const QString &text, const QStringList &extra = {})
    {
        return QStringList{QStringLiteral("chat"), QStringLiteral("--provider"),
                           QStringLiteral("Fake"), QStringLiteral("--model"),
                           QStringLiteral("fake-model")}
        + extra + QStringList{text};
    }

private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
    }

    void aFailedReplyIsOneLineAndNoEmptyOutput()
    {
        FakeVendorServer server;
        QVERIFY(addFakeVendor(server));
        for (int i = 0; i < 3; ++i)
            server.enqueue(FakeVendorServer::json(
                503, R"({"error":{"type":"server_error","message":"Try later"}})"));
        const ArbordRun r = arbord(fakeChat(QStringLiteral("Anyone?")));
        QVERIFY2(r.endedWith(1), qPrintable(r.describe()));
        QCOMPARE(server.requests().size(), 3);
        QVERIFY2(r.out.isEmpty(), qPrintable(r.describe())); // not even an empty line
        const QStringList lines = r.errLines();
        for (const QString &line : lines)
            QVERIFY2(line.startsWith(QLatin1String("arbord chat: ")),
                     qPrintable(r.err)); // no log lines
        QVERIFY2(
            lines.constLast().startsWith(QLatin1String("arbord chat: the reply ended error: ")),
            qPrintable(r.err));
        QVERIFY2(lines.constLast().contains(QLatin1String("Try later")), qPrintable(r.err));
    }

    void verboseShowsTheLogWithoutARetryPromiseOnTheLastAttempt()
    {
        FakeVendorServer server;
        QVERIFY(addFakeVendor(server));
        for (int i = 0; i < 3; ++i)
            server.enqueue(FakeVendorServer::json(
                503, R"({"error":{"type":"server_error","message":"Try later"}})"));
        const ArbordRun r =
            arbord(QStringList{QStringLiteral("--verbose")} + fakeChat(QStringLiteral("Anyone?")));
        QVERIFY2(r.endedWith(1), qPrintable(r.describe()));
        QCOMPARE(server.requests().size(), 3);
        const QStringList failures = r.errLines().filter(QStringLiteral("arbor.chat.reply"));
        QCOMPARE(failures.size(), 3);
        QVERIFY2(failures.at(0).endsWith(QLatin1String("(will retry)")), qPrintable(r.err));
        QVERIFY2(failures.at(1).endsWith(QLatin1String("(will retry)")), qPrintable(r.err));
        QVERIFY2(!failures.at(2).contains(QLatin1String("will retry")), qPrintable(r.err));
    }
};

QTEST_GUILESS_MAIN(TestArbordChat)
#include "tst_arbordchat.moc"
