// KeychainSecretStore against a real Secret Service (gnome-keyring in a private D-Bus session),
// or, when the run does not promise one, the plain "no keychain" answers.
#include "secretservice.h"

#include "secrets/keychainsecretstore.h"

#include <QSignalSpy>
#include <QTest>
#include <QUuid>

using arbor::secrets::KeychainSecretStore;
using arbor::secrets::SecretResult;
using Status = arbor::secrets::SecretResult::Status;

namespace {

SecretResult wait(QFuture<SecretResult> f)
{
    // Keychain jobs run on this thread's event loop.
    if (!QTest::qWaitFor([&] { return f.isFinished(); }, 20000))
        return SecretResult{Status::Failed, {}, QStringLiteral("timed out")};
    return f.result();
}

} // namespace

class TestKeychainSecretStore : public QObject
{
    Q_OBJECT

private:
    QString m_service =
        QStringLiteral("arbor-test-%1").arg(QUuid::createUuid().toString(QUuid::WithoutBraces));

private Q_SLOTS:
    void initTestCase()
    {
        if (!arbor::testsupport::secretServiceExpected())
            arbor::testsupport::isolateFromSecretService();
    }

    void roundTrip()
    {
        if (!arbor::testsupport::secretServiceExpected()) {
            // No keychain: every call says so plainly; nothing falls back to a file.
            KeychainSecretStore store(m_service);
            const QString secret =
                QStringLiteral("sk-never-stored-%1").arg(QUuid::createUuid().toString());
            const SecretResult w = wait(store.write(QStringLiteral("acct"), secret));
            QCOMPARE(w.status, Status::Unavailable);
            QVERIFY(!w.message.isEmpty());
            QVERIFY(!w.message.contains(secret));
            QCOMPARE(wait(store.read(QStringLiteral("acct"))).status, Status::Unavailable);
            QCOMPARE(wait(store.remove(QStringLiteral("acct"))).status, Status::Unavailable);
            return;
        }
        KeychainSecretStore store(m_service);
        const QString account = QStringLiteral("provider/test/openai");
        const QString secret =
            QStringLiteral("sk-test-ünïcode-%1").arg(QUuid::createUuid().toString());
        // EntryNotFound is not an error.
        QCOMPARE(wait(store.read(account)).status, Status::NotFound);
        const SecretResult w = wait(store.write(account, secret));
        QVERIFY2(w.ok(), qPrintable(w.message));
        const SecretResult r = wait(store.read(account));
        QVERIFY2(r.ok(), qPrintable(r.message));
        QCOMPARE(r.secret, secret);
        // A second store object (another process would do the same) sees it.
        KeychainSecretStore other(m_service);
        QCOMPARE(wait(other.read(account)).secret, secret);
        QVERIFY(wait(store.write(account, QStringLiteral("replaced"))).ok());
        QCOMPARE(wait(store.read(account)).secret, QStringLiteral("replaced"));
        QVERIFY(wait(store.remove(account)).ok());
        QCOMPARE(wait(store.read(account)).status, Status::NotFound);
        // Removing what is not there succeeds.
        QVERIFY(wait(store.remove(account)).ok());
    }

    void queuedJobsRunInOrder()
    {
        KeychainSecretStore store(m_service);
        const QString account = QStringLiteral("provider/test/queued");
        // Issued at once; they must run one at a time, in order.
        auto w1 = store.write(account, QStringLiteral("one"));
        auto r1 = store.read(account);
        auto w2 = store.write(account, QStringLiteral("two"));
        auto r2 = store.read(account);
        auto rm = store.remove(account);
        auto r3 = store.read(account);
        const Status expectedStatus =
            arbor::testsupport::secretServiceExpected() ? Status::Ok : Status::Unavailable;
        QCOMPARE(wait(w1).status, expectedStatus);
        QCOMPARE(wait(r1).status, expectedStatus);
        QCOMPARE(wait(w2).status, expectedStatus);
        QCOMPARE(wait(r2).status, expectedStatus);
        QCOMPARE(wait(rm).status, expectedStatus);
        if (arbor::testsupport::secretServiceExpected()) {
            QCOMPARE(r1.result().secret, QStringLiteral("one"));
            QCOMPARE(r2.result().secret, QStringLiteral("two"));
            QCOMPARE(wait(r3).status, Status::NotFound);
        } else {
            QCOMPARE(wait(r3).status, Status::Unavailable);
        }
    }
};

QTEST_GUILESS_MAIN(TestKeychainSecretStore)
#include "tst_keychainsecretstore.moc"
