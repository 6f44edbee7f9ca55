// TeamServerConfig (sync/): the team server's settings as the app's dialog and `arbord sync
// connect` make them: a quoted libpq connection string, the checks of the fields, and a
// connection string read back (key=value or URI), refused when it holds a password.
#include "sync/teamserverconfig.h"

#include <QTest>

using arbor::sync::TeamServerConfig;

class TestTeamServerConfig : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void dsnQuotesValues()
    {
        TeamServerConfig c;
        c.host = QStringLiteral("db.example.org");
        c.port = 6432;
        c.database = QStringLiteral("team db");
        c.user = QStringLiteral("o'brien");
        c.sslmode = QStringLiteral("verify-full");
        QCOMPARE(c.dsn(),
                 QStringLiteral("host='db.example.org' port='6432' dbname='team db' "
                                "user='o\\'brien' sslmode='verify-full'"));
        QCOMPARE(c.dsn(QStringLiteral("a\\b'c")),
                 QStringLiteral("host='db.example.org' port='6432' dbname='team db' "
                                "user='o\\'brien' password='a\\\\b\\'c' sslmode='verify-full'"));
        QCOMPARE(c.account(), QStringLiteral("team-server:o'brien@db.example.org:6432/team db"));
        // libpq reads it back as written.
        QString error;
        const auto back = TeamServerConfig::fromDsn(c.dsn(), &error);
        QVERIFY2(back, qPrintable(error));
        QCOMPARE(*back, c);
    }

    void validatesFields()
    {
        TeamServerConfig c;
        QVERIFY(c.validate().contains(QLatin1String("host")));
        c.host = QStringLiteral("h");
        c.database = QStringLiteral("d");
        c.user = QStringLiteral("u");
        QVERIFY(c.validate().isEmpty());
        c.port = 0;
        QVERIFY(c.validate().contains(QLatin1String("port")));
        c.port = 5432;
        c.sslmode = QStringLiteral("sometimes");
        QVERIFY(!c.validate().isEmpty());
    }

    void readsConnectionStrings_data()
    {
        QTest::addColumn<QString>("dsn");
        QTest::addColumn<QString>("server");
        QTest::addColumn<QString>("user");
        QTest::addColumn<QString>("sslmode");
        QTest::newRow("key=value") << QStringLiteral("host=db.lan port=6432 dbname=team user=al")
                                   << QStringLiteral("db.lan:6432/team") << QStringLiteral("al")
                                   << QStringLiteral("prefer");
        QTest::newRow("URI") << QStringLiteral("postgresql://al@db.lan/team?sslmode=require")
                             << QStringLiteral("db.lan:5432/team") << QStringLiteral("al")
                             << QStringLiteral("require");
    }

    void readsConnectionStrings()
    {
        QFETCH(QString, dsn);
        QFETCH(QString, server);
        QFETCH(QString, user);
        QFETCH(QString, sslmode);
        QString error;
        const auto c = TeamServerConfig::fromDsn(dsn, &error);
        QVERIFY2(c, qPrintable(error));
        QCOMPARE(c->server(), server);
        QCOMPARE(c->user, user);
        QCOMPARE(c->sslmode, sslmode);
    }

    void refusesPasswordsAndWhatItCannotKeep_data()
    {
        QTest::addColumn<QString>("dsn");
        QTest::addColumn<QString>("says");
        QTest::newRow("password=") << QStringLiteral("host=h dbname=d user=u password=secret")
                                   << QStringLiteral("password");
        QTest::newRow("URI password")
            << QStringLiteral("postgresql://u:secret@h/d") << QStringLiteral("password");
        QTest::newRow("URI query password")
            << QStringLiteral("postgresql://u@h/d?password=secret") << QStringLiteral("password");
        QTest::newRow("other parameter")
            << QStringLiteral("host=h dbname=d user=u application_name=x")
            << QStringLiteral("application_name");
        QTest::newRow("no user") << QStringLiteral("host=h dbname=d") << QStringLiteral("user");
        QTest::newRow("unreadable") << QStringLiteral("host='h") << QStringLiteral("libpq");
    }

    void refusesPasswordsAndWhatItCannotKeep()
    {
        QFETCH(QString, dsn);
        QFETCH(QString, says);
        QString error;
        QVERIFY(!TeamServerConfig::fromDsn(dsn, &error));
        QVERIFY2(error.contains(says), qPrintable(error));
        QVERIFY2(!error.contains(QLatin1String("secret")), qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TestTeamServerConfig)
#include "tst_teamserverconfig.moc"
