// ProviderSettings (app/) at start: it looks for local model servers on its own, off the GUI
// thread, and offers the ones that answered and are not configured yet (the banner's list).
// Real servers on 127.0.0.1 port 0, reached through ARBOR_DISCOVERY_PORTS: the well-known ports
// may be taken on a developer's machine.
#include "providersettings.h"

#include "core/backend.h"
#include "providers/providerservice.h"
#include "support/fakevendorserver.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

using namespace arbor;
using testsupport::FakeVendorServer;

namespace {

FakeVendorServer::Response ollamaTags()
{
    return FakeVendorServer::json(200,
                                  R"({"models":[{"name":"llama3.2:1b"},{"name":"qwen2.5:0.5b"}]})");
}

quint16 closedPort()
{
    QTcpServer s;
    if (!s.listen(QHostAddress::LocalHost, 0))
        qFatal("cannot listen on 127.0.0.1");
    return s.serverPort(); // closed when s goes away
}

} // namespace

class TestLocalServerOffers : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<core::Backend> m_backend;

    core::Backend &backend()
    {
        if (!m_backend) {
            m_backend = std::make_unique<core::Backend>(
                core::BackendOptions{m_dir.filePath(QStringLiteral("offers.db")), 0.0, true, 1});
            m_backend->open();
        }
        return *m_backend;
    }

    static void waitForDiscovery(app::ProviderSettings &settings)
    {
        QVERIFY(QTest::qWaitFor([&] { return !settings.discovering(); }, 10000));
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void cleanupTestCase()
    {
        if (m_backend)
            m_backend->close();
        m_backend.reset();
    }

    void offersWhatAnswersAtStart()
    {
        FakeVendorServer ollama;
        ollama.enqueue(ollamaTags());
        const quint16 port = static_cast<quint16>(ollama.baseUrl().port());
        qputenv(
            "ARBOR_DISCOVERY_PORTS",
            QStringLiteral("ollama:%1,LM Studio=openai:%2").arg(port).arg(closedPort()).toUtf8());

        core::Backend &b = backend();
        QElapsedTimer timer;
        timer.start();
        app::ProviderSettings settings(&b); // no call: it looks by itself
        QVERIFY(settings.discovering());
        QVERIFY(timer.elapsed() < 200); // the GUI thread did not wait for the network
        waitForDiscovery(settings);
        QVERIFY2(timer.elapsed() < 3000, qPrintable(QString::number(timer.elapsed())));
        QCOMPARE(ollama.requests().size(), 1);
        QCOMPARE(ollama.requests().constFirst().target, QByteArray("/api/tags"));

        const QVariantList offers = settings.offers();
        QCOMPARE(offers.size(), 1);
        const QVariantMap offer = offers.constFirst().toMap();
        QCOMPARE(offer.value(QStringLiteral("name")).toString(), QStringLiteral("Ollama"));
        QCOMPARE(offer.value(QStringLiteral("address")).toString(),
                 QStringLiteral("127.0.0.1:%1").arg(port));
        QCOMPARE(offer.value(QStringLiteral("models")).toStringList(),
                 (QStringList{QStringLiteral("llama3.2:1b"), QStringLiteral("qwen2.5:0.5b")}));

        // "Add": it becomes a provider with the models it listed, and is offered no more.
        QSignalSpy saved(&settings, &app::ProviderSettings::saved);
        settings.addDiscovered(offer.value(QStringLiteral("index")).toInt());
        // Not saved.wait(): the store may finish before the continuation is attached, and Qt
        // then runs it (and emits saved) inside addDiscovered(), before a wait would start.
        QTRY_COMPARE_WITH_TIMEOUT(saved.size(), 1, 10000);
        QVERIFY2(saved.constFirst().at(0).toBool(),
                 qPrintable(saved.constFirst().at(1).toString()));
        QCOMPARE(settings.providers().size(), 1);
        QCOMPARE(
            settings.providers().constFirst().toMap().value(QStringLiteral("modelCount")).toInt(),
            2);
        QVERIFY(settings.offers().isEmpty());
        QCOMPARE(settings.discovered().size(), 1); // the dialog still lists it, as added
    }

    void configuredServersAreNotOffered()
    {
        // The next start: the server answers again, but it is configured already (also when
        // the configuration names it localhost instead of 127.0.0.1).
        FakeVendorServer ollama;
        ollama.enqueue(ollamaTags());
        const quint16 port = static_cast<quint16>(ollama.baseUrl().port());
        store::providers::StoredProvider p;
        p.kind = QStringLiteral("ollama");
        p.name = QStringLiteral("Mine");
        p.baseUrl = QUrl(QStringLiteral("http://localhost:%1").arg(port));
        auto f = backend().providerService().save(p, std::nullopt);
        QVERIFY(QTest::qWaitFor([&] { return f.isFinished(); }, 10000));
        QVERIFY(f.result().ok);
        qputenv("ARBOR_DISCOVERY_PORTS", QStringLiteral("ollama:%1").arg(port).toUtf8());

        app::ProviderSettings settings(&backend());
        waitForDiscovery(settings);
        QCOMPARE(ollama.requests().size(), 1);
        QCOMPARE(settings.discovered().size(), 1);
        QVERIFY(settings.offers().isEmpty());
    }

    void notNowHidesTheOffer()
    {
        FakeVendorServer jan;
        jan.enqueue(FakeVendorServer::json(
            200, R"({"object":"list","data":[{"id":"tiny","object":"model"}]})"));
        qputenv("ARBOR_DISCOVERY_PORTS",
                QStringLiteral("Jan=openai:%1").arg(jan.baseUrl().port()).toUtf8());
        app::ProviderSettings settings(&backend());
        waitForDiscovery(settings);
        QCOMPARE(settings.offers().size(), 1);
        QCOMPARE(settings.offers().constFirst().toMap().value(QStringLiteral("name")).toString(),
                 QStringLiteral("Jan"));
        QSignalSpy changed(&settings, &app::ProviderSettings::discoveredChanged);
        settings.dismissOffers();
        QCOMPARE(changed.size(), 1);
        QVERIFY(settings.offers().isEmpty());
        QCOMPARE(settings.discovered().size(), 1); // still in Settings, where it can be added
    }

    void emptyListLooksNowhere()
    {
        qputenv("ARBOR_DISCOVERY_PORTS", "");
        app::ProviderSettings settings(&backend());
        waitForDiscovery(settings);
        QVERIFY(settings.discovered().isEmpty());
        QVERIFY(settings.offers().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestLocalServerOffers)
#include "tst_localserveroffers.moc"
