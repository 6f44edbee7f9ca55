// (No raw string literals in this file: moc stops reading at one.)
// UpdateCheck (app/, issue 24): opt-in, at most weekly, reads a JSON feed over real HTTP on
// 127.0.0.1 and only ever says what it found. A feed it cannot read changes nothing.
#include "uistate.h"
#include "updatecheck.h"

#include "support/fakevendorserver.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using arbor::app::UiState;
using arbor::app::UpdateCheck;
using arbor::testsupport::FakeVendorServer;

class TestUpdateCheck : public QObject
{
    Q_OBJECT

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<FakeVendorServer> m_server;
    std::unique_ptr<UiState> m_state;

    QUrl feed() const
    {
        QUrl url = m_server->baseUrl();
        url.setPath(QStringLiteral("/releases/feed.json"));
        return url;
    }

    void serve(const QByteArray &json, int status = 200)
    {
        m_server->enqueue(FakeVendorServer::json(status, json));
    }

    static void waitFor(UpdateCheck &check) { QTRY_VERIFY_WITH_TIMEOUT(!check.checking(), 10000); }

private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        m_server = std::make_unique<FakeVendorServer>();
        m_state = std::make_unique<UiState>(m_dir->filePath(QStringLiteral("ui.ini")));
    }

    void cleanup()
    {
        m_state.reset();
        m_server.reset();
        m_dir.reset();
    }

    void offByDefaultAndAsksNothing()
    {
        UpdateCheck check(m_state.get(), feed(), QStringLiteral("0.1.0"));
        QVERIFY(!check.enabled());
        QVERIFY(!check.checkIfDue());
        QTest::qWait(200);
        QCOMPARE(m_server->requests().size(), 0);
        QCOMPARE(check.statusText(), QStringLiteral("Not checked yet."));
    }

    void aNewerVersionIsShownWithItsNotes()
    {
        UpdateCheck check(m_state.get(), feed(), QStringLiteral("0.1.0"));
        serve("{\"version\": \"0.2.0\", \"notes_url\": \"https://example.org/releases/0.2.0\","
              " \"published\": \"2027-01-10\"}");
        check.setEnabled(true); // turning it on asks at once: never asked before
        waitFor(check);
        QCOMPARE(m_server->requests().size(), 1);
        QCOMPARE(m_server->requests().at(0).method, QByteArray("GET"));
        QCOMPARE(m_server->requests().at(0).target, QByteArray("/releases/feed.json"));
        QVERIFY(m_server->requests().at(0).headers.value("user-agent").startsWith("Arbor/0.1.0"));
        QCOMPARE(check.error(), QString());
        QCOMPARE(check.availableVersion(), QStringLiteral("0.2.0"));
        QCOMPARE(check.notesUrl(), QUrl(QStringLiteral("https://example.org/releases/0.2.0")));
        QVERIFY(!check.dismissed());
        QVERIFY(check.statusText().contains(QStringLiteral("0.2.0")));

        // Dismissed: hidden until a newer version appears; kept between runs.
        check.dismiss();
        QVERIFY(UpdateCheck(m_state.get(), feed(), QStringLiteral("0.1.0")).dismissed());
        serve("{\"version\": \"0.3.0\"}");
        check.checkNow();
        waitFor(check);
        QCOMPARE(check.availableVersion(), QStringLiteral("0.3.0"));
        QVERIFY(!check.dismissed());
        QCOMPARE(check.notesUrl(), QUrl()); // the feed gave none

        // Once this build is 0.3.0, the same answer is no news.
        QCOMPARE(UpdateCheck(m_state.get(), feed(), QStringLiteral("0.3.0")).availableVersion(),
                 QString());
    }

    void atMostWeekly()
    {
        UpdateCheck check(m_state.get(), feed(), QStringLiteral("0.1.0"));
        serve("{\"version\": \"0.1.0\"}");
        check.setEnabled(true);
        waitFor(check);
        QCOMPARE(check.availableVersion(), QString()); // up to date
        QVERIFY(check.statusText().startsWith(QStringLiteral("Arbor 0.1.0 is the newest")));
        // The next start within a week asks nothing...
        QVERIFY(!check.checkIfDue());
        QCOMPARE(m_server->requests().size(), 1);
        // ...eight days later it asks again.
        UiState::UpdateOffer offer = m_state->updateOffer();
        offer.checkedAt = QDateTime::currentDateTimeUtc().addDays(-8);
        m_state->setUpdateOffer(offer);
        serve("{\"version\": \"0.1.1\"}");
        QVERIFY(check.checkIfDue());
        waitFor(check);
        QCOMPARE(m_server->requests().size(), 2);
        QCOMPARE(check.availableVersion(), QStringLiteral("0.1.1"));
    }

    void aBadFeedSaysWhyAndChangesNothing_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("error");
        QTest::newRow("not json") << 200 << QByteArray("<html>Not here</html>")
                                  << "not a JSON object";
        QTest::newRow("truncated") << 200 << QByteArray("{\"version\": \"0.9") << "not a JSON";
        QTest::newRow("no version")
            << 200 << QByteArray("{\"notes_url\": \"https://x\"}") << "names no version";
        QTest::newRow("junk version")
            << 200 << QByteArray("{\"version\": \"banana\"}") << "names no version";
        QTest::newRow("http 404") << 404 << QByteArray("{\"error\": \"gone\"}")
                                  << "answered HTTP 404";
        QTest::newRow("huge") << 200
                              << QByteArray("{\"version\": \"9.0.0\", \"pad\": \"")
                + QByteArray(200 * 1024, 'x') + QByteArray("\"}")
                              << "larger than 64 KB";
    }

    void aBadFeedSaysWhyAndChangesNothing()
    {
        QFETCH(int, status);
        QFETCH(QByteArray, body);
        QFETCH(QString, error);
        // A good answer first, then the bad one.
        UpdateCheck check(m_state.get(), feed(), QStringLiteral("0.1.0"));
        serve("{\"version\": \"0.2.0\", \"notes_url\": \"https://example.org/n\"}");
        check.setEnabled(true);
        waitFor(check);
        const UiState::UpdateOffer before = m_state->updateOffer();
        serve(body, status);
        check.checkNow();
        waitFor(check);
        QVERIFY2(check.error().contains(error, Qt::CaseInsensitive), qPrintable(check.error()));
        QVERIFY(check.statusText().startsWith(QStringLiteral("Could not check")));
        QCOMPARE(check.availableVersion(), QStringLiteral("0.2.0"));
        QCOMPARE(m_state->updateOffer().checkedAt, before.checkedAt);
    }

    void onlyWebLinksAreKept()
    {
        UpdateCheck check(m_state.get(), feed(), QStringLiteral("0.1.0"));
        serve("{\"version\": \"0.2.0\", \"notes_url\": \"file:///etc/passwd\"}");
        check.checkNow();
        waitFor(check);
        QCOMPARE(check.availableVersion(), QStringLiteral("0.2.0"));
        QCOMPARE(check.notesUrl(), QUrl());
    }

    void versions()
    {
        QVERIFY(UpdateCheck::isNewer(QStringLiteral("0.2.0"), QStringLiteral("0.1.0")));
        QVERIFY(UpdateCheck::isNewer(QStringLiteral("v0.10.0"), QStringLiteral("0.9.9")));
        QVERIFY(UpdateCheck::isNewer(QStringLiteral("1.0.0-rc1"), QStringLiteral("0.9")));
        QVERIFY(!UpdateCheck::isNewer(QStringLiteral("0.1.0"), QStringLiteral("0.1.0")));
        QVERIFY(!UpdateCheck::isNewer(QStringLiteral("0.0.9"), QStringLiteral("0.1.0")));
        QVERIFY(!UpdateCheck::isNewer(QStringLiteral("1.x"), QStringLiteral("0.1.0")));
        QVERIFY(!UpdateCheck::isNewer(QString(), QStringLiteral("0.1.0")));
    }

    void noFeedNoChecks()
    {
        UpdateCheck check(m_state.get(), QUrl(), QStringLiteral("0.1.0"));
        QVERIFY(!check.hasFeed());
        check.setEnabled(true);
        check.checkNow();
        QVERIFY(!check.checking());
        QVERIFY(check.statusText().contains(QStringLiteral("no update feed")));
    }
};

QTEST_MAIN(TestUpdateCheck)
#include "tst_updatecheck.moc"
