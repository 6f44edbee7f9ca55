// A keychain that exists but says no. The Secret Service's default collection is locked over
// D-Bus (org.freedesktop.Secret.Service.Lock); its unlock prompt cannot show without a display,
// so QtKeychain answers a write with its real AccessDenied error. Arbor must say so plainly and
// offer the same "keep keys in memory until quit" choice as with no keychain at all.
//
// This locks the collection, so CTest runs it in a private D-Bus session with its own
// gnome-keyring (tests/providers/CMakeLists.txt), never in the session other tests share.
#include "secretservice.h"

#include "llm/providerregistry.h"
#include "providers/providerservice.h"
#include "secrets/keychainsecretstore.h"
#include "store/store.h"

#include <QDBusConnection>
#include <QDBusMessage>
#include <QDBusObjectPath>
#include <QDBusVariant>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

using namespace arbor;
using secrets::KeychainSecretStore;
using secrets::SecretResult;
using Status = secrets::SecretResult::Status;
using store::providers::StoredProvider;

namespace {

template<class T>
T wait(QFuture<T> f)
{
    if (!QTest::qWaitFor([&] { return f.isFinished(); }, 20000))
        qFatal("a future did not finish");
    return f.result();
}

void waitVoid(QFuture<void> f)
{
    if (!QTest::qWaitFor([&] { return f.isFinished(); }, 20000))
        qFatal("a future did not finish");
}

const QString SecretsService = QStringLiteral("org.freedesktop.secrets");
const QString SecretsPath = QStringLiteral("/org/freedesktop/secrets");
const QString ServiceInterface = QStringLiteral("org.freedesktop.Secret.Service");

/** @brief The object path of the collection new items go to ("default" alias). */
QString defaultCollection()
{
    QDBusMessage call = QDBusMessage::createMethodCall(
        SecretsService, SecretsPath, ServiceInterface, QStringLiteral("ReadAlias"));
    call << QStringLiteral("default");
    const QDBusMessage reply = QDBusConnection::sessionBus().call(call);
    if (reply.type() != QDBusMessage::ReplyMessage || reply.arguments().isEmpty())
        return {};
    return reply.arguments().constFirst().value<QDBusObjectPath>().path();
}

bool isLocked(const QString &collection)
{
    QDBusMessage call = QDBusMessage::createMethodCall(
        SecretsService, collection, QStringLiteral("org.freedesktop.DBus.Properties"),
        QStringLiteral("Get"));
    call << QStringLiteral("org.freedesktop.Secret.Collection") << QStringLiteral("Locked");
    const QDBusMessage reply = QDBusConnection::sessionBus().call(call);
    return reply.type() == QDBusMessage::ReplyMessage && !reply.arguments().isEmpty()
        && reply.arguments().constFirst().value<QDBusVariant>().variant().toBool();
}

bool lock(const QString &collection)
{
    QDBusMessage call = QDBusMessage::createMethodCall(SecretsService, SecretsPath,
                                                       ServiceInterface, QStringLiteral("Lock"));
    call << QVariant::fromValue(QList<QDBusObjectPath>{QDBusObjectPath(collection)});
    const QDBusMessage reply = QDBusConnection::sessionBus().call(call);
    if (reply.type() != QDBusMessage::ReplyMessage)
        qWarning() << "Lock failed:" << reply.errorMessage();
    return isLocked(collection);
}

StoredProvider keyedProvider()
{
    StoredProvider p;
    p.kind = QStringLiteral("openai");
    p.name = QStringLiteral("Keyed");
    p.baseUrl = QUrl(QStringLiteral("http://127.0.0.1:9/v1"));
    p.models = {QStringLiteral("model-a")};
    return p;
}

struct Fixture
{
    explicit Fixture(const QString &dbPath, const QString &keychainService)
        : store(dbPath)
    {
        store.open();
        service = std::make_unique<providers::ProviderService>(
            store, registry, std::make_unique<KeychainSecretStore>(keychainService));
    }
    ~Fixture()
    {
        service.reset();
        store.close();
    }
    store::Store store;
    llm::ProviderRegistry registry;
    std::unique_ptr<providers::ProviderService> service;
};

} // namespace

class TestKeychainLocked : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_service = QStringLiteral("arbor-locked-test-%1")
                            .arg(QUuid::createUuid().toString(QUuid::WithoutBraces));
    QString m_key = QStringLiteral("sk-locked-%1").arg(QUuid::createUuid().toString(QUuid::Id128));

    /** @brief A refused key is not saved, says why, and the memory fallback is offered and works.
     */
    void refusedThenKeptInMemory(Fixture &f, const QString &expectedWord)
    {
        QSignalSpy status(f.service.get(), &providers::ProviderService::keychainStatusChanged);
        const auto refused = wait(f.service->save(keyedProvider(), m_key));
        QVERIFY(!refused.ok);
        QVERIFY2(refused.error.contains(expectedWord, Qt::CaseInsensitive),
                 qPrintable(refused.error));
        QVERIFY(!refused.error.contains(m_key));
        QVERIFY(f.service->configs().isEmpty()); // never saved pointing at a key that is not stored
        QVERIFY(!f.service->keychainAvailable()); // Settings shows the banner and the offer
        QVERIFY2(f.service->keychainProblem().contains(expectedWord, Qt::CaseInsensitive),
                 qPrintable(f.service->keychainProblem()));
        QVERIFY(status.size() >= 1);

        f.service->useMemorySecrets();
        QVERIFY(f.service->secretsInMemory());
        const auto saved = wait(f.service->save(keyedProvider(), m_key));
        QVERIFY2(saved.ok, qPrintable(saved.error));
        QVERIFY(f.service->hasKey(QStringLiteral("keyed")));
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_dir.isValid());
        if (!testsupport::secretServiceExpected())
            testsupport::isolateFromSecretService();
    }

    void lockedKeychainRefusesAndOffersMemory()
    {
        if (!testsupport::secretServiceExpected()) {
            // No service in this run: the real QtKeychain answer is "no backend"; the same offer.
            Fixture f(m_dir.filePath(QStringLiteral("none.db")), m_service);
            waitVoid(f.service->load());
            refusedThenKeptInMemory(f, QStringLiteral("keychain"));
            return;
        }
        KeychainSecretStore store(m_service);
        // Unlocked: a key is stored and read back.
        QCOMPARE(wait(store.write(QStringLiteral("before"), m_key)).status, Status::Ok);
        QCOMPARE(wait(store.read(QStringLiteral("before"))).secret, m_key);

        const QString collection = defaultCollection();
        QVERIFY2(!collection.isEmpty(), "the Secret Service has no default collection");
        QVERIFY2(lock(collection), qPrintable(collection));

        // Locked: the write is refused with QtKeychain's AccessDenied, and the text says locked.
        const SecretResult w = wait(store.write(QStringLiteral("after"), m_key));
        QCOMPARE(w.status, Status::Denied);
        QVERIFY2(w.message.contains(QLatin1String("locked"), Qt::CaseInsensitive),
                 qPrintable(w.message));
        QVERIFY(!w.message.contains(m_key));
        // A locked key cannot be read (the Secret Service cannot prompt here).
        const SecretResult r = wait(store.read(QStringLiteral("before")));
        QVERIFY(r.status != Status::Ok);
        QVERIFY(r.secret.isEmpty());

        Fixture f(m_dir.filePath(QStringLiteral("locked.db")), m_service);
        waitVoid(f.service->load());
        refusedThenKeptInMemory(f, QStringLiteral("locked"));
        // A probe read (not found in a locked collection too) does not hide the refusal.
        wait(f.service->probeKeychain());
        QVERIFY(!f.service->keychainAvailable());
    }
};

QTEST_GUILESS_MAIN(TestKeychainLocked)
#include "tst_keychainlocked.moc"
