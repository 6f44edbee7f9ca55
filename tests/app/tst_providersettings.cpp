// ProviderSettings (app/): a provider's job-queue limits set from the Settings form reach the
// store (job_queues, the row `arbord jobs limit` writes) and the engine's limiter; of two
// connection tests, only the newest one's answer is shown (real HTTP on 127.0.0.1).
#include "providersettings.h"

#include "core/backend.h"
#include "jobs/adminqueries.h"
#include "jobs/jobengine.h"
#include "store/store.h"
#include "support/fakevendorserver.h"
#include "support/tempbackend.h"

#include <QSignalSpy>
#include <QTest>

using namespace arbor;

namespace {

std::optional<jobs::QueueSettings> storedLimits(core::Backend &backend, const QString &queue)
{
    const auto all = backend.store()
                         .read([](QSqlDatabase &db) { return jobs::admin::queueSettings(db); })
                         .result();
    for (const auto &s : all)
        if (s.name == queue)
            return s;
    return std::nullopt;
}

std::optional<jobs::QueueLimitState> limiterState(core::Backend &backend, const QString &queue)
{
    for (const auto &s : backend.engine().queueStates().result())
        if (s.name == queue)
            return s;
    return std::nullopt;
}

QVariantMap providerNamed(const app::ProviderSettings &settings, const QString &id)
{
    for (const QVariant &p : settings.providers())
        if (p.toMap().value(QStringLiteral("id")).toString() == id)
            return p.toMap();
    return {};
}

} // namespace

class TestProviderSettings : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void onlyTheNewestConnectionTestIsShown()
    {
        testsupport::TempBackend temp;
        QVERIFY(temp.isValid());
        app::ProviderSettings settings(&*temp);
        QSignalSpy tested(&settings, &app::ProviderSettings::tested);
        // The first address answers late with an error; the user has changed the fields and
        // tested again meanwhile, and that address answers at once.
        testsupport::FakeVendorServer slow;
        testsupport::FakeVendorServer::Response refused = testsupport::FakeVendorServer::json(
            401, R"({"error":{"message":"bad key","type":"invalid_request_error"}})");
        refused.body.first().delayMs = 1500;
        slow.enqueue(refused);
        testsupport::FakeVendorServer fast;
        fast.enqueue(testsupport::FakeVendorServer::json(
            200, R"({"object":"list","data":[{"id":"fast-model","object":"model"}]})"));
        settings.testConnection({}, QStringLiteral("openai"), slow.baseUrl().toString() + "/v1", {},
                                QStringLiteral("old-key"));
        QTRY_COMPARE_WITH_TIMEOUT(slow.requests().size(), 1, 10000);
        settings.testConnection({}, QStringLiteral("openai"), fast.baseUrl().toString() + "/v1", {},
                                QStringLiteral("new-key"));
        // Both answer (the busy count comes back to zero), in whichever order; one is shown.
        QTRY_VERIFY_WITH_TIMEOUT(!settings.busy() && fast.requests().size() == 1, 20000);
        QCOMPARE(tested.size(), 1);
        QVERIFY2(tested.first().at(0).toBool(), qPrintable(tested.first().at(1).toString()));
        QCOMPARE(tested.first().at(2).toStringList(), QStringList{QStringLiteral("fast-model")});
    }

    void limitsReachTheStoreAndTheLimiter()
    {
        testsupport::TempBackend temp;
        QVERIFY(temp.isValid());
        core::Backend &backend = *temp;

        app::ProviderSettings settings(&backend);
        QSignalSpy saved(&settings, &app::ProviderSettings::saved);

        // A new provider saved with limits: its id is made from the name.
        settings.save({}, QStringLiteral("openai"), QStringLiteral("Team Proxy"),
                      QStringLiteral("http://127.0.0.1:9/v1"), {}, QStringLiteral("small-model"),
                      {}, false, 3, 120, 50000);
        QTRY_COMPARE_WITH_TIMEOUT(saved.size(), 1, 10000);
        QVERIFY2(saved.first().at(0).toBool(), qPrintable(saved.first().at(1).toString()));
        const QString id = QStringLiteral("team-proxy");
        // The list is read again after the save is reported: wait for the new row.
        QTRY_COMPARE_WITH_TIMEOUT(
            providerNamed(settings, id).value(QStringLiteral("concurrency")).toInt(), 3, 10000);
        const QVariantMap shown = providerNamed(settings, id);
        QCOMPARE(shown.value(QStringLiteral("requestsPerMinute")).toLongLong(), 120);
        QCOMPARE(shown.value(QStringLiteral("tokensPerMinute")).toLongLong(), 50000);

        const auto row = storedLimits(backend, id);
        QVERIFY(row);
        QCOMPARE(row->concurrency, 3);
        QCOMPARE(row->requestsPerMinute, 120);
        QCOMPARE(row->tokensPerMinute, 50000);
        QVERIFY(!row->paused);

        QTRY_VERIFY_WITH_TIMEOUT(limiterState(backend, id)
                                     && limiterState(backend, id)->requestsPerMinute == 120,
                                 10000);
        const auto live = limiterState(backend, id);
        QCOMPARE(live->concurrency, 3);
        QCOMPARE(live->tokensPerMinute, 50000);

        // Changing one limit keeps the others and the queue's pause.
        backend.engine().setQueuePaused(id, true).waitForFinished();
        settings.setLimits(id, -1, 0, -1);
        QTRY_COMPARE_WITH_TIMEOUT(saved.size(), 2, 10000);
        QVERIFY(saved.last().at(0).toBool());
        const auto changed = storedLimits(backend, id);
        QVERIFY(changed);
        QCOMPARE(changed->concurrency, 3);
        QCOMPARE(changed->requestsPerMinute, 0);
        QCOMPARE(changed->tokensPerMinute, 50000);
        QVERIFY(changed->paused);
        QTRY_VERIFY_WITH_TIMEOUT(
            limiterState(backend, id) && limiterState(backend, id)->requestsPerMinute == 0, 10000);
        QCOMPARE(limiterState(backend, id)->concurrency, 3);

        // Editing the provider without touching the limits leaves them alone.
        settings.save(id, QStringLiteral("openai"), QStringLiteral("Team Proxy"),
                      QStringLiteral("http://127.0.0.1:9/v1"), {}, QStringLiteral("small-model"),
                      {}, false);
        QTRY_COMPARE_WITH_TIMEOUT(saved.size(), 3, 10000);
        QCOMPARE(storedLimits(backend, id)->tokensPerMinute, 50000);

        // A new settings object (the next start) shows what the store holds.
        app::ProviderSettings again(&backend);
        QTRY_COMPARE_WITH_TIMEOUT(
            providerNamed(again, id).value(QStringLiteral("tokensPerMinute")).toLongLong(), 50000,
            10000);
        QCOMPARE(providerNamed(again, id).value(QStringLiteral("concurrency")).toInt(), 3);
    }
};

QTEST_GUILESS_MAIN(TestProviderSettings)
#include "tst_providersettings.moc"
