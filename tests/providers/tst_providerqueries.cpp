// Provider settings in the store: round trip, replace, remove, and the settings table.
#include "support/dbconnection.h"

#include "store/providerqueries.h"

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
        QVERIFY(q.exec(QStringLiteral("SELECT name FROM pragma_table_info('providers') ORDER BY cid")));
        QStringList columns;
        while (q.next())
            columns.append(q.value(0).toString());
        QCOMPARE(columns, (QStringList{QStringLiteral("id"), QStringLiteral("kind"), QStringLiteral("name"), QStringLiteral("base_url"),
                                       QStringLiteral("headers"), QStringLiteral("models"), QStringLiteral("enabled"),
                                       QStringLiteral("created_at")}));
    }
};

QTEST_GUILESS_MAIN(TestProviderQueries)
#include "tst_providerqueries.moc"
