// The test harness itself: a private PostgreSQL that really requires passwords, survives an
// immediate stop and restart with its data, and disappears afterwards.
#include "rawpg.h"

#include "support/pgserver.h"

#include <QDir>
#include <QTest>

#include <memory>

using namespace arbor::testsupport;

class TestPgServer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void requiresThePassword();
    void restartKeepsCommittedData();
    void removesItselfOnDestruction();
};

void TestPgServer::requiresThePassword()
{
    std::unique_ptr<PgServer> pg;
    try {
        pg = std::make_unique<PgServer>();
    } catch (const std::exception &e) {
        QFAIL(e.what());
    }
    RawPg good(pg->superuserDsn());
    QVERIFY2(good.connected(), qPrintable(good.connectError()));
    QCOMPARE(good.scalar(QStringLiteral("SHOW listen_addresses")), QStringLiteral("127.0.0.1"));
    RawPg bad(pg->dsn(QStringLiteral("postgres"), QStringLiteral("not the password")));
    QVERIFY(!bad.connected());
    QVERIFY(bad.connectError().contains(QStringLiteral("password authentication failed")));
}

void TestPgServer::restartKeepsCommittedData()
{
    std::unique_ptr<PgServer> pg;
    try {
        pg = std::make_unique<PgServer>();
    } catch (const std::exception &e) {
        QFAIL(e.what());
    }
    {
        RawPg conn(pg->superuserDsn());
        QVERIFY(conn.exec(QStringLiteral("CREATE TABLE kept (v int); INSERT INTO kept VALUES (42)"))
                    .ok);
    }
    const quint16 port = pg->port();
    pg->stop(true); // like a crash
    QVERIFY(!pg->isRunning());
    RawPg down(pg->superuserDsn());
    QVERIFY(!down.connected());
    pg->start();
    QCOMPARE(pg->port(), port);
    RawPg again(pg->superuserDsn());
    QVERIFY2(again.connected(), qPrintable(again.connectError()));
    QCOMPARE(again.scalar(QStringLiteral("SELECT v FROM kept")), QStringLiteral("42"));
}

void TestPgServer::removesItselfOnDestruction()
{
    QString dsn;
    QString dataDir;
    {
        PgServer pg;
        dsn = pg.superuserDsn();
        RawPg conn(dsn);
        QVERIFY(conn.connected());
        dataDir = conn.scalar(QStringLiteral("SHOW data_directory"));
        QVERIFY(QDir(dataDir).exists());
    }
    RawPg gone(dsn);
    QVERIFY(!gone.connected());
    QVERIFY(!QDir(dataDir).exists());
}

QTEST_GUILESS_MAIN(TestPgServer)
#include "tst_pgserver.moc"
