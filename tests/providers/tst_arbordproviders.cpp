// `arbord providers ...` and `arbord chat --provider NAME`, the real binary end to end: the key
// comes from stdin or the environment (never an argument), lands in the keychain (never in the
// store), and reaches the vendor — here a fake OpenAI-compatible server on 127.0.0.1.
#include "secretservice.h"

#include "support/dbconnection.h"
#include "support/fakevendorserver.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

using arbor::testsupport::FakeVendorServer;

namespace {

struct Run
{
    int exitCode = -1;
    QByteArray out;
    QString err;
    QJsonArray array() const { return QJsonDocument::fromJson(out).array(); }
    QJsonObject object() const { return QJsonDocument::fromJson(out).object(); }
    QString describe() const
    {
        return QStringLiteral("exit %1\nstdout: %2\nstderr: %3")
            .arg(exitCode)
            .arg(QString::fromUtf8(out), err);
    }
};

QByteArray sse(const QStringList &pieces)
{
    QByteArray body;
    for (const QString &p : pieces) {
        const QJsonObject chunk{
            {QStringLiteral("choices"),
             QJsonArray{QJsonObject{
                 {QStringLiteral("index"), 0},
                 {QStringLiteral("delta"), QJsonObject{{QStringLiteral("content"), p}}}}}}};
        body += "data: " + QJsonDocument(chunk).toJson(QJsonDocument::Compact) + "\n\n";
    }
    body +=
        R"(data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":3}})"
        "\n\ndata: [DONE]\n\n";
    return body;
}

} // namespace

class TestArbordProviders : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    QString db() const { return m_dir->filePath(QStringLiteral("arbor.db")); }

    /** @brief Runs arbord while this thread's event loop keeps serving the fake vendor. */
    Run arbord(const QStringList &args, const QByteArray &input = {},
               const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment())
    {
        QProcess p;
        p.setProcessEnvironment(env);
        QSignalSpy finished(&p, &QProcess::finished);
        p.start(QStringLiteral(ARBORD_PATH), args + QStringList{QStringLiteral("--db"), db()});
        Run r;
        if (!p.waitForStarted()) {
            r.err = p.errorString();
            return r;
        }
        p.write(input);
        p.closeWriteChannel();
        if (!finished.wait(30000)) {
            p.kill();
            p.waitForFinished();
            r.err = QStringLiteral("arbord did not finish");
            return r;
        }
        r.exitCode = p.exitCode();
        r.out = p.readAllStandardOutput();
        r.err = QString::fromUtf8(p.readAllStandardError());
        return r;
    }

    QProcessEnvironment env() const
    {
        return arbor::testsupport::secretServiceExpected()
            ? QProcessEnvironment::systemEnvironment()
            : arbor::testsupport::environmentWithoutSecretService();
    }

    bool fileContains(const QString &needle) const
    {
        for (const QString &suffix : {QString(), QStringLiteral("-wal")}) {
            QFile f(db() + suffix);
            if (f.open(QIODevice::ReadOnly) && f.readAll().contains(needle.toUtf8()))
                return true;
        }
        return false;
    }

private Q_SLOTS:
    void init() { m_dir = std::make_unique<QTemporaryDir>(); }

    void addListRemoveLocal()
    {
        Run r = arbord({QStringLiteral("providers"), QStringLiteral("add"),
                        QStringLiteral("Home Ollama"), QStringLiteral("--preset"),
                        QStringLiteral("ollama"), QStringLiteral("--models"),
                        QStringLiteral("llama3.2:1b,qwen")},
                       {}, env());
        QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
        r = arbord({QStringLiteral("providers"), QStringLiteral("list"), QStringLiteral("--json")},
                   {}, env());
        QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
        QCOMPARE(r.array().size(), 1);
        const QJsonObject p = r.array().at(0).toObject();
        QCOMPARE(p.value(QStringLiteral("id")).toString(), QStringLiteral("home-ollama"));
        QCOMPARE(p.value(QStringLiteral("kind")).toString(), QStringLiteral("ollama"));
        QCOMPARE(p.value(QStringLiteral("base_url")).toString(),
                 QStringLiteral("http://127.0.0.1:11434"));
        QCOMPARE(p.value(QStringLiteral("models")).toArray().size(), 2);
        QCOMPARE(p.value(QStringLiteral("has_key")).toBool(), false);
        r = arbord(
            {QStringLiteral("providers"), QStringLiteral("remove"), QStringLiteral("Home Ollama")},
            {}, env());
        QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
        r = arbord({QStringLiteral("providers"), QStringLiteral("list"), QStringLiteral("--json")},
                   {}, env());
        QCOMPARE(r.array().size(), 0);
        r = arbord(
            {QStringLiteral("providers"), QStringLiteral("remove"), QStringLiteral("Home Ollama")},
            {}, env());
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.err.contains(QLatin1String("no provider")));
    }

    void keyIsNeverAnArgument()
    {
        const Run r =
            arbord({QStringLiteral("providers"), QStringLiteral("add"), QStringLiteral("X"),
                    QStringLiteral("--key"), QStringLiteral("sk-on-the-command-line")},
                   {}, env());
        QCOMPARE(r.exitCode, 2);
        QVERIFY(!fileContains(QStringLiteral("sk-on-the-command-line")));
    }

    void addWithoutKeychainSaysSo()
    {
        // Always run against no Secret Service: the honest fallback, whatever this machine has.
        const QString key =
            QStringLiteral("sk-nokeychain-%1").arg(QUuid::createUuid().toString(QUuid::Id128));
        const Run r = arbord(
            {QStringLiteral("providers"), QStringLiteral("add"), QStringLiteral("Cloud"),
             QStringLiteral("--preset"), QStringLiteral("openai"), QStringLiteral("--key-stdin")},
            key.toUtf8() + "\n", arbor::testsupport::environmentWithoutSecretService());
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(QLatin1String("No system keychain is available")),
                 qPrintable(r.describe()));
        QVERIFY(!r.err.contains(key));
        QVERIFY(!fileContains(key));
        const Run list =
            arbord({QStringLiteral("providers"), QStringLiteral("list"), QStringLiteral("--json")},
                   {}, arbor::testsupport::environmentWithoutSecretService());
        QCOMPARE(list.array().size(), 0); // nothing half-saved
    }

    void chatThroughConfiguredProvider()
    {
        FakeVendorServer server;
        const QString key =
            QStringLiteral("sk-e2e-%1").arg(QUuid::createUuid().toString(QUuid::Id128));
        const bool withKey = arbor::testsupport::secretServiceExpected();
        QStringList add{QStringLiteral("providers"),
                        QStringLiteral("add"),
                        QStringLiteral("Fake Vendor"),
                        QStringLiteral("--preset"),
                        QStringLiteral("custom"),
                        QStringLiteral("--base-url"),
                        server.baseUrl().toString() + QStringLiteral("/v1"),
                        QStringLiteral("--header"),
                        QStringLiteral("X-Title: Arbor tests"),
                        QStringLiteral("--models"),
                        QStringLiteral("fake-model")};
        QProcessEnvironment addEnv = env();
        if (withKey) {
            // One way in by stdin is tested elsewhere; here the environment variable.
            addEnv.insert(QStringLiteral("FAKE_VENDOR_KEY"), key);
            add << QStringLiteral("--key-env") << QStringLiteral("FAKE_VENDOR_KEY");
        }
        Run r = arbord(add, {}, addEnv);
        QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));

        server.enqueue(FakeVendorServer::stream(
            sse({QStringLiteral("Hello"), QStringLiteral(" from"), QStringLiteral(" fake")}),
            "text/event-stream", 3));
        r = arbord({QStringLiteral("chat"), QStringLiteral("--provider"),
                    QStringLiteral("Fake Vendor"), QStringLiteral("--model"),
                    QStringLiteral("fake-model"), QStringLiteral("--json"),
                    QStringLiteral("Say hello")},
                   {}, env());
        QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
        QCOMPARE(r.object().value(QStringLiteral("status")).toString(), QStringLiteral("complete"));
        QCOMPARE(r.object().value(QStringLiteral("content")).toString(),
                 QStringLiteral("Hello from fake"));
        QCOMPARE(server.requests().size(), 1);
        const auto request = server.requests().constFirst();
        QCOMPARE(request.target, QByteArray("/v1/chat/completions"));
        QCOMPARE(request.headers.value("x-title"), QByteArray("Arbor tests"));
        QCOMPARE(QJsonDocument::fromJson(request.body)
                     .object()
                     .value(QStringLiteral("model"))
                     .toString(),
                 QStringLiteral("fake-model"));
        if (withKey)
            QCOMPARE(request.headers.value("authorization"), QByteArray("Bearer ") + key.toUtf8());
        else
            QVERIFY(!request.headers.contains("authorization"));
        QVERIFY(!fileContains(key));
        QVERIFY(!r.err.contains(key) && !r.out.contains(key.toUtf8()));

        // An unknown provider is a plain error.
        r = arbord({QStringLiteral("chat"), QStringLiteral("--provider"), QStringLiteral("nope"),
                    QStringLiteral("hi")},
                   {}, env());
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.err.contains(QLatin1String("no provider")));
    }

    void credentialsAreRefusedNotStored_data()
    {
        QTest::addColumn<QStringList>("options");
        QTest::addColumn<QString>("place");
        const QString secret = QStringLiteral("sk-leak-4f1c9a");
        QTest::newRow("Authorization")
            << QStringList{QStringLiteral("--header"),
                           QStringLiteral("Authorization: Bearer ") + secret}
            << QStringLiteral("the header “Authorization”");
        QTest::newRow("x-api-key")
            << QStringList{QStringLiteral("--header"), QStringLiteral("x-api-key: ") + secret}
            << QStringLiteral("the header “x-api-key”");
        QTest::newRow("Api-Key") << QStringList{QStringLiteral("--header"),
                                                QStringLiteral("Api-Key: ") + secret}
                                 << QStringLiteral("the header “Api-Key”");
        QTest::newRow("x-goog-api-key")
            << QStringList{QStringLiteral("--header"), QStringLiteral("X-Goog-Api-Key:") + secret}
            << QStringLiteral("the header “X-Goog-Api-Key”");
        QTest::newRow("URL user:key@")
            << QStringList{QStringLiteral("--base-url"),
                           QStringLiteral("https://me:%1@llm.example/v1").arg(secret)}
            << QStringLiteral("the base URL (user:key@)");
        QTest::newRow("URL key@")
            << QStringList{QStringLiteral("--base-url"),
                           QStringLiteral("https://%1@llm.example/v1").arg(secret)}
            << QStringLiteral("the base URL (user:key@)");
    }

    void credentialsAreRefusedNotStored()
    {
        QFETCH(QStringList, options);
        QFETCH(QString, place);
        const Run r = arbord(QStringList{QStringLiteral("providers"), QStringLiteral("add"),
                                         QStringLiteral("Leaky"), QStringLiteral("--preset"),
                                         QStringLiteral("custom")}
                                 + options,
                             {}, env());
        QCOMPARE(r.exitCode, 2);
        QCOMPARE(
            r.err,
            QStringLiteral(
                "arbord providers add: %1 holds a credential, which Arbor never stores; give the "
                "API key with --key-stdin or --key-env (it goes to the system keychain)\n")
                .arg(place));
        QVERIFY(!fileContains(QStringLiteral("sk-leak-4f1c9a")));
        const Run list =
            arbord({QStringLiteral("providers"), QStringLiteral("list"), QStringLiteral("--json")},
                   {}, env());
        QCOMPARE(list.array().size(), 0);
    }

    void credentialsStoredEarlierAreNotShown()
    {
        // As an Arbor before this check stored them.
        const QString secret = QStringLiteral("sk-old-77e0b2");
        {
            arbor::testsupport::DbConnection c(db(),
                                               arbor::testsupport::DbConnection::Mode::Migrated);
            c.exec(QStringLiteral("INSERT INTO providers (id, kind, name, base_url, headers, "
                                  "models, enabled, created_at)"
                                  " VALUES ('old', 'openai', 'Old', ?, ?, '[\"m\"]', 1, 1)"),
                   {QStringLiteral("https://me:%1@llm.example/v1").arg(secret),
                    QStringLiteral("{\"Authorization\":\"Bearer %1\",\"X-Title\":\"Arbor\"}")
                        .arg(secret)});
        }
        for (const bool json : {false, true}) {
            QStringList args{QStringLiteral("providers"), QStringLiteral("list")};
            if (json)
                args << QStringLiteral("--json");
            const Run r = arbord(args, {}, env());
            QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
            QVERIFY2(!r.out.contains(secret.toUtf8()) && !r.err.contains(secret),
                     qPrintable(r.describe()));
            QVERIFY2(r.out.contains("https://llm.example/v1"), qPrintable(r.describe()));
            QVERIFY2(r.err.contains(QStringLiteral(
                         "“Old” keeps a credential in the store (the header “Authorization”)")),
                     qPrintable(r.describe()));
            if (json) {
                const QJsonObject headers =
                    r.array().at(0).toObject().value(QStringLiteral("headers")).toObject();
                QCOMPARE(headers.value(QStringLiteral("Authorization")).toString(),
                         QStringLiteral("(hidden)"));
                QCOMPARE(headers.value(QStringLiteral("X-Title")).toString(),
                         QStringLiteral("Arbor"));
            }
        }
    }

    void keyFromStdinGoesToKeychain()
    {
        if (!arbor::testsupport::secretServiceExpected()) {
            // Covered by addWithoutKeychainSaysSo when there is no Secret Service; here, an empty
            // key on stdin is refused before anything is stored.
            const Run r = arbord({QStringLiteral("providers"), QStringLiteral("add"),
                                  QStringLiteral("Cloud"), QStringLiteral("--key-stdin")},
                                 "\n", env());
            QCOMPARE(r.exitCode, 2);
            QVERIFY(r.err.contains(QLatin1String("empty")));
            return;
        }
        const QString key =
            QStringLiteral("sk-stdin-%1").arg(QUuid::createUuid().toString(QUuid::Id128));
        Run r = arbord({QStringLiteral("providers"), QStringLiteral("add"), QStringLiteral("Cloud"),
                        QStringLiteral("--preset"), QStringLiteral("groq"),
                        QStringLiteral("--key-stdin")},
                       key.toUtf8() + "\n", env());
        QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
        r = arbord({QStringLiteral("providers"), QStringLiteral("list"), QStringLiteral("--json")},
                   {}, env());
        QCOMPARE(r.array().at(0).toObject().value(QStringLiteral("has_key")).toBool(), true);
        QCOMPARE(r.array().at(0).toObject().value(QStringLiteral("base_url")).toString(),
                 QStringLiteral("https://api.groq.com/openai/v1"));
        QVERIFY(!r.out.contains(key.toUtf8()));
        QVERIFY(!fileContains(key));
        r = arbord({QStringLiteral("providers"), QStringLiteral("remove"), QStringLiteral("cloud")},
                   {}, env());
        QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
        // Added again without a key: the old key is gone from the keychain.
        r = arbord({QStringLiteral("providers"), QStringLiteral("add"), QStringLiteral("Cloud"),
                    QStringLiteral("--preset"), QStringLiteral("groq")},
                   {}, env());
        QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
        r = arbord({QStringLiteral("providers"), QStringLiteral("list"), QStringLiteral("--json")},
                   {}, env());
        QCOMPARE(r.array().at(0).toObject().value(QStringLiteral("has_key")).toBool(), false);
    }
};

QTEST_GUILESS_MAIN(TestArbordProviders)
#include "tst_arbordproviders.moc"
