// Provider settings in the store: round trip, replace, remove, and the settings table.
#include "store/providerqueries.h"
#include "store/sql.h"
#include "support/dbconnection.h"

#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using arbor::testsupport::DbConnection;
namespace providers = arbor::store::providers;

class TestProviderQueries : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roundTrip()
    {
        QTemporaryDir dir;
        DbConnection c(dir.filePath(QStringLiteral("a.db")), DbConnection::Mode::Migrated);
        providers::StoredProvider p;
        p.id = QStringLiteral("openrouter");
        p.kind = QStringLiteral("openai");
        p.name = QStringLiteral("OpenRouter “work”");
        p.baseUrl = QUrl(QStringLiteral("https://openrouter.ai/api/v1"));
        p.headers.insert(QStringLiteral("HTTP-Referer"), QStringLiteral("https://arbor.example"));
        p.headers.insert(QStringLiteral("X-Title"), QStringLiteral("Arbor"));
        p.models = {QStringLiteral("openai/gpt-4o"), QStringLiteral("anthropic/claude-3.5-sonnet")};
        p.createdAt = 1000;
        providers::upsert(c.db(), p);

        const auto got = providers::get(c.db(), p.id);
        QVERIFY(got);
        QCOMPARE(got->kind, p.kind);
        QCOMPARE(got->name, p.name);
        QCOMPARE(got->baseUrl, p.baseUrl);
        QCOMPARE(got->headers, p.headers);
        QCOMPARE(got->models, p.models);
        QVERIFY(got->enabled);
        QCOMPARE(got->createdAt, 1000);

        // Replace keeps created_at and the list order.
        p.name = QStringLiteral("OpenRouter");
        p.models = {QStringLiteral("x/y")};
        p.enabled = false;
        p.createdAt = 5000;
        providers::upsert(c.db(), p);
        providers::StoredProvider second;
        second.id = QStringLiteral("local");
        second.kind = QStringLiteral("ollama");
        second.name = QStringLiteral("Local");
        second.createdAt = 2000;
        providers::upsert(c.db(), second);
        const auto all = providers::list(c.db());
        QCOMPARE(all.size(), 2);
        QCOMPARE(all.at(0).id, QStringLiteral("openrouter"));
        QCOMPARE(all.at(0).name, QStringLiteral("OpenRouter"));
        QCOMPARE(all.at(0).models, QStringList{QStringLiteral("x/y")});
        QVERIFY(!all.at(0).enabled);
        QCOMPARE(all.at(0).createdAt, 1000);
        QCOMPARE(all.at(1).id, QStringLiteral("local"));
        QVERIFY(all.at(1).headers.isEmpty());

        QVERIFY(providers::remove(c.db(), QStringLiteral("openrouter")));
        QVERIFY(!providers::remove(c.db(), QStringLiteral("openrouter")));
        QVERIFY(!providers::get(c.db(), QStringLiteral("openrouter")));
        QCOMPARE(providers::list(c.db()).size(), 1);
    }

    void credentialsAreNotStored_data()
    {
        QTest::addColumn<QString>("header");
        QTest::addColumn<QString>("url");
        QTest::newRow("Authorization") << QStringLiteral("Authorization") << QString();
        QTest::newRow("authorization") << QStringLiteral("authorization") << QString();
        QTest::newRow("Proxy-Authorization") << QStringLiteral("Proxy-Authorization") << QString();
        QTest::newRow("x-api-key") << QStringLiteral("x-api-key") << QString();
        QTest::newRow("api-key") << QStringLiteral("api-key") << QString();
        QTest::newRow("x-goog-api-key") << QStringLiteral("x-goog-api-key") << QString();
        QTest::newRow("user and password")
            << QString() << QStringLiteral("https://u:secret-1@host.example/v1");
        QTest::newRow("user only")
            << QString() << QStringLiteral("https://secret-1@host.example/v1");
    }

    void credentialsAreNotStored()
    {
        // The store refuses them whoever asks (the app's settings as well as arbord).
        QFETCH(QString, header);
        QFETCH(QString, url);
        QTemporaryDir dir;
        DbConnection c(dir.filePath(QStringLiteral("a.db")), DbConnection::Mode::Migrated);
        providers::StoredProvider p;
        p.id = QStringLiteral("leaky");
        p.kind = QStringLiteral("openai");
        p.name = QStringLiteral("Leaky");
        p.baseUrl = QUrl(url.isEmpty() ? QStringLiteral("https://host.example/v1") : url);
        if (!header.isEmpty())
            p.headers.insert(header, QStringLiteral("Bearer secret-1"));
        p.headers.insert(QStringLiteral("X-Title"), QStringLiteral("Arbor"));
        QVERIFY(!providers::credentialIn(p).isEmpty());
        QVERIFY_THROWS_EXCEPTION(arbor::store::StoreError, providers::upsert(c.db(), p));
        QCOMPARE(c.scalar(QStringLiteral("SELECT count(*) FROM providers")).toInt(), 0);

        p.headers.remove(header);
        p.baseUrl = QUrl(QStringLiteral("https://host.example/v1"));
        QVERIFY(providers::credentialIn(p).isEmpty());
        providers::upsert(c.db(), p);
        QCOMPARE(c.scalar(QStringLiteral("SELECT count(*) FROM providers")).toInt(), 1);
    }

    void settings()
    {
        QTemporaryDir dir;
        DbConnection c(dir.filePath(QStringLiteral("a.db")), DbConnection::Mode::Migrated);
        const QString key = QString::fromLatin1(providers::DefaultModelKey);
        QCOMPARE(providers::setting(c.db(), key, QStringLiteral("none")), QStringLiteral("none"));
        providers::setSetting(c.db(), key, QStringLiteral("openrouter/openai/gpt-4o"));
        QCOMPARE(providers::setting(c.db(), key), QStringLiteral("openrouter/openai/gpt-4o"));
        providers::setSetting(c.db(), key, QStringLiteral("local/llama3"));
        QCOMPARE(providers::setting(c.db(), key), QStringLiteral("local/llama3"));
        providers::setSetting(c.db(), key, QString());
        QCOMPARE(providers::setting(c.db(), key, QStringLiteral("gone")), QStringLiteral("gone"));
    }

    void noKeyColumn()
    {
        // The schema itself has nowhere to put a key.
        QTemporaryDir dir;
        DbConnection c(dir.filePath(QStringLiteral("a.db")), DbConnection::Mode::Migrated);
        QSqlQuery q(c.db());
        QVERIFY(
            q.exec(QStringLiteral("SELECT name FROM pragma_table_info('providers') ORDER BY cid")));
        QStringList columns;
        while (q.next())
            columns.append(q.value(0).toString());
        QCOMPARE(columns,
                 (QStringList{QStringLiteral("id"), QStringLiteral("kind"), QStringLiteral("name"),
                              QStringLiteral("base_url"), QStringLiteral("headers"),
                              QStringLiteral("models"), QStringLiteral("enabled"),
                              QStringLiteral("created_at")}));
    }
};

QTEST_GUILESS_MAIN(TestProviderQueries)
#include "tst_providerqueries.moc"
