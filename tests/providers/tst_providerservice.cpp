// ProviderService: settings in the store, keys in the keychain (or, by the user's explicit choice
// when there is none, in memory), live registry updates, and proof that a key never reaches the
// database file, a settings file or the log.
#include "secretservice.h"

#include "core/backend.h"
#include "llm/providerregistry.h"
#include "providers/providerservice.h"
#include "secrets/keychainsecretstore.h"
#include "secrets/secretstore.h"
#include "store/store.h"
#include "support/fakevendorserver.h"

#include <QDirIterator>
#include <QFile>
#include <QLoggingCategory>
#include <QMutex>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

using namespace arbor;
using arbor::testsupport::FakeVendorServer;
using store::providers::StoredProvider;

namespace {

QMutex g_logMutex;
QString g_log;

void captureLog(QtMsgType, const QMessageLogContext &context, const QString &message)
{
    QMutexLocker lock(&g_logMutex);
    g_log += QString::fromUtf8(context.category ? context.category : "") + QLatin1Char(' ')
        + message + QLatin1Char('\n');
}

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

StoredProvider openaiCompatible(const QString &name, const QUrl &base)
{
    StoredProvider p;
    p.kind = QStringLiteral("openai");
    p.name = name;
    p.baseUrl = base;
    p.models = {QStringLiteral("model-a"), QStringLiteral("model-b")};
    return p;
}

/** @brief Every file under @p root whose bytes contain @p needle (UTF-8 or UTF-16). */
QStringList filesContaining(const QString &root, const QString &needle)
{
    QStringList hits;
    const QByteArray utf8 = needle.toUtf8();
    const QByteArray utf16(reinterpret_cast<const char *>(needle.utf16()), needle.size() * 2);
    QDirIterator it(root, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        QFile f(it.next());
        if (!f.open(QIODevice::ReadOnly))
            continue;
        const QByteArray bytes = f.readAll();
        if (bytes.contains(utf8) || bytes.contains(utf16))
            hits.append(f.fileName());
    }
    return hits;
}

struct Fixture
{
    explicit Fixture(const QString &dbPath)
        : store(dbPath)
    {
        store.open();
        service = std::make_unique<providers::ProviderService>(
            store, registry, std::make_unique<secrets::KeychainSecretStore>());
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

bool hasModel(const llm::ProviderRegistry &registry, const QString &key)
{
    for (const auto &m : registry.models())
        if (m.key == key)
            return true;
    return false;
}

} // namespace

class TestProviderService : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    int m_n = 0;
    QString freshDb() { return m_dir.filePath(QStringLiteral("store-%1.db").arg(++m_n)); }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        if (!arbor::testsupport::secretServiceExpected())
            arbor::testsupport::isolateFromSecretService();
        QLoggingCategory::setFilterRules(QStringLiteral("*.debug=true"));
        qInstallMessageHandler(captureLog);
    }

    void saveRegistersAndPersists()
    {
        const QString db = freshDb();
        {
            Fixture f(db);
            waitVoid(f.service->load());
            QSignalSpy changed(f.service.get(), &providers::ProviderService::providersChanged);
            StoredProvider p;
            p.kind = QStringLiteral("ollama");
            p.name = QStringLiteral("My Ollama");
            p.baseUrl = QUrl(QStringLiteral("http://127.0.0.1:11434"));
            p.models = {QStringLiteral("llama3.2:1b")};
            const auto r = wait(f.service->save(p, std::nullopt));
            QVERIFY2(r.ok, qPrintable(r.error));
            QCOMPARE(changed.size(), 1);
            QVERIFY(f.registry.get(QStringLiteral("my-ollama")));
            QVERIFY(hasModel(f.registry, QStringLiteral("my-ollama/llama3.2:1b")));
            // Same name again: a second provider with its own id.
            QVERIFY(wait(f.service->save(p, std::nullopt)).ok);
            QVERIFY(f.registry.get(QStringLiteral("my-ollama-2")));
            QVERIFY(wait(f.service->setDefaultModel(QStringLiteral("my-ollama/llama3.2:1b"))).ok);
            // A model the provider does not list can be made pickable for this process.
            QVERIFY(f.service->ensureModel(QStringLiteral("my-ollama"), QStringLiteral("qwen")));
            QVERIFY(hasModel(f.registry, QStringLiteral("my-ollama/qwen")));
        }
        Fixture again(db);
        QVERIFY(again.registry.models().isEmpty());
        waitVoid(again.service->load());
        QVERIFY(again.service->loaded());
        QCOMPARE(again.service->configs().size(), 2);
        QVERIFY(hasModel(again.registry, QStringLiteral("my-ollama/llama3.2:1b")));
        QVERIFY(!hasModel(again.registry, QStringLiteral("my-ollama/qwen")));
        QCOMPARE(again.service->defaultModel(), QStringLiteral("my-ollama/llama3.2:1b"));

        // Removing the provider of the default model clears the default.
        QSignalSpy defaultChanged(again.service.get(),
                                  &providers::ProviderService::defaultModelChanged);
        QVERIFY(wait(again.service->remove(QStringLiteral("my-ollama"))).ok);
        QVERIFY(!again.registry.get(QStringLiteral("my-ollama")));
        QVERIFY(again.registry.get(QStringLiteral("my-ollama-2")));
        QCOMPARE(again.service->defaultModel(), QString());
        QCOMPARE(defaultChanged.size(), 1);
        QVERIFY(!wait(again.service->remove(QStringLiteral("my-ollama"))).ok);
    }

    void rejectsBadSettings()
    {
        Fixture f(freshDb());
        waitVoid(f.service->load());
        auto p =
            openaiCompatible(QStringLiteral(" "), QUrl(QStringLiteral("http://127.0.0.1:1/v1")));
        QVERIFY(!wait(f.service->save(p, std::nullopt)).ok);
        p.name = QStringLiteral("X");
        p.kind = QStringLiteral("carrier-pigeon");
        QVERIFY(!wait(f.service->save(p, std::nullopt)).ok);
        p.kind = QStringLiteral("openai");
        p.id = QStringLiteral("demo");
        QVERIFY(!wait(f.service->save(p, std::nullopt)).ok);
        QVERIFY(f.service->configs().isEmpty());
    }

    void keyNeverInDatabaseSettingsOrLogs()
    {
        const QString key =
            QStringLiteral("sk-arbor-test-%1").arg(QUuid::createUuid().toString(QUuid::Id128));
        const QString db = freshDb();
        {
            QMutexLocker lock(&g_logMutex);
            g_log.clear();
        }
        FakeVendorServer server;
        server.enqueue(FakeVendorServer::json(
            200, R"({"object":"list","data":[{"id":"model-a","object":"model"}]})"));
        {
            Fixture f(db);
            waitVoid(f.service->load());
            const auto cfg = openaiCompatible(
                QStringLiteral("Keyed"), QUrl(server.baseUrl().toString() + QStringLiteral("/v1")));
            if (arbor::testsupport::secretServiceExpected()) {
                QVERIFY(wait(f.service->probeKeychain()));
                const auto r = wait(f.service->save(cfg, key));
                QVERIFY2(r.ok, qPrintable(r.error));
            } else {
                // No keychain: the key is refused with a plain message, nothing is stored...
                QSignalSpy status(f.service.get(),
                                  &providers::ProviderService::keychainStatusChanged);
                const auto refused = wait(f.service->save(cfg, key));
                QVERIFY(!refused.ok);
                QVERIFY(refused.error.contains(QLatin1String("keychain")));
                QVERIFY(!f.service->keychainAvailable());
                QCOMPARE(status.size(), 1);
                QVERIFY(f.service->configs().isEmpty());
                // ...until the user chooses to keep keys in memory until quit.
                f.service->useMemorySecrets();
                QVERIFY(f.service->secretsInMemory());
                const auto r = wait(f.service->save(cfg, key));
                QVERIFY2(r.ok, qPrintable(r.error));
            }
            QVERIFY(f.service->hasKey(QStringLiteral("keyed")));
            // The key reaches the vendor, and only the vendor.
            const auto listed = wait(f.service->listModels(QStringLiteral("keyed")));
            QVERIFY2(!listed.error, listed.error ? qPrintable(listed.error->message) : "");
            QCOMPARE(listed.models.size(), 1);
            QCOMPARE(server.requests().constLast().headers.value("authorization"),
                     QByteArray("Bearer ") + key.toUtf8());
            QSettings settings;
            settings.setValue(QStringLiteral("probe"), 1);
            settings.sync();
        }
        if (arbor::testsupport::secretServiceExpected()) {
            // A new process would find the key in the keychain.
            Fixture again(db);
            waitVoid(again.service->load());
            QVERIFY(again.service->hasKey(QStringLiteral("keyed")));
            QVERIFY(wait(again.service->remove(QStringLiteral("keyed"))).ok);
            Fixture third(db);
            waitVoid(third.service->load());
            QVERIFY(!third.service->hasKey(QStringLiteral("keyed")));
        }
        // The database (with its WAL), any settings file, and the captured log: no key anywhere.
        QVERIFY(QFile::exists(db));
        QCOMPARE(filesContaining(m_dir.path(), key), QStringList());
        const QString settingsRoot =
            QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation);
        QVERIFY(QSettings().fileName().startsWith(settingsRoot));
        QCOMPARE(filesContaining(settingsRoot, key), QStringList());
        QMutexLocker lock(&g_logMutex);
        QVERIFY(!g_log.isEmpty()); // the capture works (debug output of this run)
        QVERIFY2(!g_log.contains(key), qPrintable(g_log));
    }

    void testConnectionReportsVendorErrors()
    {
        Fixture f(freshDb());
        waitVoid(f.service->load());
        FakeVendorServer server;
        server.enqueue(FakeVendorServer::json(
            401,
            R"({"error":{"message":"Incorrect API key provided","type":"invalid_request_error"}})"));
        const auto cfg = openaiCompatible(
            QStringLiteral("Bad"), QUrl(server.baseUrl().toString() + QStringLiteral("/v1")));
        const auto listed = wait(f.service->testConnection(cfg, QStringLiteral("wrong")));
        QVERIFY(listed.error);
        QCOMPARE(listed.error->kind, llm::ChatError::Kind::Auth);
        // Nothing was saved by a test.
        QVERIFY(f.service->configs().isEmpty());
        QVERIFY(!f.registry.get(QStringLiteral("bad")));
    }

    void limitsAreTheProvidersQueue()
    {
        // A provider's limits are its job queue's (the row `arbord jobs limit ID` writes): the
        // service saves them with the provider, under the id it made from the name.
        QTemporaryDir dir;
        core::BackendOptions options;
        options.dbPath = dir.filePath(QStringLiteral("limits.db"));
        options.runJobs = false;
        core::Backend backend(options);
        backend.open();
        providers::ProviderService &service = backend.providerService();
        const providers::SettingsOutcome saved =
            wait(service.save(openaiCompatible(QStringLiteral("Team Proxy"),
                                               QUrl(QStringLiteral("http://127.0.0.1:9"))),
                              std::nullopt, providers::QueueLimits{3, 120, -1}));
        QVERIFY2(saved.ok, qPrintable(saved.error));
        QCOMPARE(saved.id, QStringLiteral("team-proxy"));
        const auto limits = wait(service.limits());
        QCOMPARE(limits.value(saved.id).concurrency, 3);
        QCOMPARE(limits.value(saved.id).requestsPerMinute, 120);
        QCOMPARE(limits.value(saved.id).tokensPerMinute, 0);
        // Only what is given changes.
        QCOMPARE(wait(service.setLimits(saved.id, {-1, -1, 5000})).concurrency, 3);
        QCOMPARE(wait(service.limits()).value(saved.id).tokensPerMinute, 5000);
        // A refused provider stores no limits.
        StoredProvider bad = openaiCompatible(QStringLiteral("Bad"), QUrl());
        bad.kind = QStringLiteral("telepathy");
        QVERIFY(!wait(service.save(bad, std::nullopt, providers::QueueLimits{1, -1, -1})).ok);
        QVERIFY(!wait(service.limits()).contains(QStringLiteral("bad")));
    }

    void readsTheSettingsFields()
    {
        const QHash<QString, QString> headers = providers::ProviderService::headersFromText(
            QStringLiteral("X-Org: acme\nnot a header\n X-Tier :  gold \n"));
        QCOMPARE(headers.size(), 2);
        QCOMPARE(headers.value(QStringLiteral("X-Tier")), QStringLiteral("gold"));
        QCOMPARE(providers::ProviderService::modelsFromText(QStringLiteral("a, b\nc\n\na")),
                 (QStringList{QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")}));
    }
};

QTEST_GUILESS_MAIN(TestProviderService)
#include "tst_providerservice.moc"
