// `arbord compare` and `arbord sets` (issue 20), the real binary on a real store: the --json
// shape and exit codes, saved model sets, Ctrl+C stopping every column, and a 6-way compare
// killed with SIGKILL mid-stream: the next process finds every column with its text so far,
// settled like any reply.
#include "core/backend.h"
#include "llm/demotext.h"
#include "store/messagequeries.h"
#include "store/store.h"
#include "support/arbordfixture.h"
#include "support/dbconnection.h"
#include "support/fakevendorserver.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <sys/types.h>

#include <csignal>

using namespace arbor;
using testsupport::ArbordRun;
using testsupport::DbConnection;

class TestArbordCompare
    : public QObject
    , private testsupport::ArbordFixture
{
    Q_OBJECT

    /** @brief Replies in the store and how many have stored text (chunks or content). */
    std::pair<int, int> progress(int expected)
    {
        if (!QFileInfo::exists(dbPath()))
            return {0, 0};
        try {
            DbConnection c(dbPath(), DbConnection::Mode::ReadOnly);
            QSqlQuery q = store::exec(
                c.db(),
                QStringLiteral("SELECT count(*), sum(content <> '' OR EXISTS (SELECT 1 FROM "
                               "message_chunks k WHERE k.message_id = m.id)) FROM messages m "
                               "WHERE role = 'assistant'"));
            if (!q.next() || q.value(0).toInt() != expected)
                return {q.isValid() ? q.value(0).toInt() : 0, 0};
            return {q.value(0).toInt(), q.value(1).toInt()};
        } catch (const store::StoreError &) {
            return {0, 0};
        }
    }

    void start(QProcess &p, int columns, const QString &rate, const QString &prompt)
    {
        QStringList models;
        for (int i = 0; i < columns; ++i)
            models << (i % 2 ? QStringLiteral("demo/demo:temperature=0.%1").arg(i)
                             : QStringLiteral("demo/demo"));
        p.setProgram(QStringLiteral(ARBORD_PATH));
        p.setArguments({QStringLiteral("compare"), QStringLiteral("--db"), dbPath(),
                        QStringLiteral("--rate"), rate, QStringLiteral("--models"),
                        models.join(QLatin1Char(',')), prompt});
        p.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        p.start();
        QVERIFY2(p.waitForStarted(), qPrintable(p.errorString()));
    }

private Q_SLOTS:
    void init() { QVERIFY(newStore()); }
    void cleanup() { m_dir.reset(); }

    void jsonShapeAndExitCodes()
    {
        const ArbordRun r = arbord({QStringLiteral("compare"), QStringLiteral("--rate"),
                                    QStringLiteral("0"), QStringLiteral("--models"),
                                    QStringLiteral("demo/demo,demo/demo:temperature=0.5,demo/demo"),
                                    QStringLiteral("--json"), QStringLiteral("Compare us")});
        QVERIFY2(r.endedWith(0), qPrintable(r.describe()));
        const QJsonObject o = r.object();
        QVERIFY(!o.value(u"user_message_id").toString().isEmpty());
        const QJsonArray replies = o.value(u"replies").toArray();
        QCOMPARE(replies.size(), 3);
        QSet<QString> texts;
        for (const QJsonValue &v : replies) {
            const QJsonObject reply = v.toObject();
            for (const char *key : {"message_id", "provider", "model", "status", "ttft_ms",
                                    "tokens_per_s", "completion_tokens", "content"})
                QVERIFY2(reply.contains(QLatin1String(key)), key);
            QCOMPARE(reply.value(u"provider").toString(), QStringLiteral("demo"));
            QCOMPARE(reply.value(u"model").toString(), QStringLiteral("demo"));
            QCOMPARE(reply.value(u"status").toString(), QStringLiteral("complete"));
            QVERIFY(reply.value(u"ttft_ms").toDouble(-1) >= 0);
            QVERIFY(reply.value(u"completion_tokens").toInt() > 0);
            texts.insert(reply.value(u"content").toString());
        }
        QCOMPARE(texts.size(), 3);
        // Each reply says its own parameters (kept on the message); null when it has none.
        QVERIFY(replies.at(0).toObject().value(u"params").isNull());
        QCOMPARE(replies.at(1).toObject().value(u"params").toObject(),
                 (QJsonObject{{QStringLiteral("temperature"), 0.5}}));
        // Under --parent: a second compare of the same message's conversation, as a branch.
        const ArbordRun again = arbord(
            {QStringLiteral("compare"), QStringLiteral("--rate"), QStringLiteral("0"),
             QStringLiteral("--models"), QStringLiteral("demo/demo,demo/demo"),
             QStringLiteral("--parent"), replies.at(1).toObject().value(u"message_id").toString(),
             QStringLiteral("--json"), QStringLiteral("And now?")});
        QVERIFY2(again.endedWith(0), qPrintable(again.describe()));
        QCOMPARE(again.object().value(u"conversation_id"), o.value(u"conversation_id"));

        // Usage errors: exit 2, nothing stored.
        for (const QStringList &bad :
             {QStringList{QStringLiteral("compare"), QStringLiteral("Hi")},
              QStringList{QStringLiteral("compare"), QStringLiteral("--models"),
                          QStringLiteral("demo/demo"), QStringLiteral("Hi")},
              QStringList{QStringLiteral("compare"), QStringLiteral("--models"),
                          QStringLiteral("demo/demo,demo/demo"), QStringLiteral("--set"),
                          QStringLiteral("x"), QStringLiteral("Hi")},
              QStringList{QStringLiteral("compare"), QStringLiteral("--models"),
                          QStringLiteral("demo/demo:temperature=9,demo/demo"),
                          QStringLiteral("Hi")}}) {
            const ArbordRun u = arbord(bad);
            QVERIFY2(u.endedWith(2), qPrintable(u.describe()));
        }
        const ArbordRun unknown =
            arbord({QStringLiteral("compare"), QStringLiteral("--models"),
                    QStringLiteral("demo/demo,nobody/x"), QStringLiteral("Hi")});
        QVERIFY2(unknown.endedWith(1), qPrintable(unknown.describe()));
    }

    void aFailedColumnExitsOneAndKeepsTheOthers()
    {
        testsupport::FakeVendorServer server;
        QVERIFY(addFakeVendor(server));
        server.enqueue(testsupport::FakeVendorServer::json(
            400,
            R"({"error":{"message":"This model does not exist","type":"invalid_request_error"}})"));
        const ArbordRun r =
            arbord({QStringLiteral("compare"), QStringLiteral("--rate"), QStringLiteral("0"),
                    QStringLiteral("--models"), QStringLiteral("demo/demo,Fake/fake-model"),
                    QStringLiteral("--json"), QStringLiteral("One fails")});
        QVERIFY2(r.endedWith(1), qPrintable(r.describe()));
        const QJsonArray replies = r.object().value(u"replies").toArray();
        QCOMPARE(replies.size(), 2);
        QCOMPARE(replies.at(0).toObject().value(u"status").toString(), QStringLiteral("complete"));
        QCOMPARE(replies.at(1).toObject().value(u"status").toString(), QStringLiteral("error"));
        QVERIFY(replies.at(1).toObject().value(u"ttft_ms").isNull());
        QVERIFY(!replies.at(0).toObject().value(u"content").toString().isEmpty());
    }

    void setsAreSavedListedUsedAndRemoved()
    {
        ArbordRun r = arbord({QStringLiteral("sets"), QStringLiteral("add"), QStringLiteral("pair"),
                              QStringLiteral("--models"),
                              QStringLiteral("demo/demo:temperature=0.3,demo/demo")});
        QVERIFY2(r.endedWith(0), qPrintable(r.describe()));
        r = arbord({QStringLiteral("sets"), QStringLiteral("list")});
        QVERIFY2(r.endedWith(0), qPrintable(r.describe()));
        QCOMPARE(QString::fromUtf8(r.out),
                 QStringLiteral("pair  demo/demo:temperature=0.3,demo/demo\n"));
        r = arbord({QStringLiteral("sets"), QStringLiteral("list"), QStringLiteral("--json")});
        const QJsonArray sets = r.array();
        QCOMPARE(sets.size(), 1);
        QCOMPARE(sets.at(0).toObject().value(u"models").toArray().size(), 2);
        r = arbord({QStringLiteral("compare"), QStringLiteral("--rate"), QStringLiteral("0"),
                    QStringLiteral("--set"), QStringLiteral("pair"), QStringLiteral("--json"),
                    QStringLiteral("Hello")});
        QVERIFY2(r.endedWith(0), qPrintable(r.describe()));
        QCOMPARE(r.object().value(u"replies").toArray().size(), 2);
        r = arbord({QStringLiteral("sets"), QStringLiteral("remove"), QStringLiteral("pair")});
        QVERIFY2(r.endedWith(0), qPrintable(r.describe()));
        r = arbord({QStringLiteral("sets"), QStringLiteral("remove"), QStringLiteral("pair")});
        QVERIFY2(r.endedWith(1), qPrintable(r.describe()));
        r = arbord({QStringLiteral("compare"), QStringLiteral("--set"), QStringLiteral("pair"),
                    QStringLiteral("Hello")});
        QVERIFY2(r.endedWith(1), qPrintable(r.describe()));
    }

    void ctrlCStopsEveryColumn()
    {
        QProcess p;
        start(p, 3, QStringLiteral("10"), QStringLiteral("Stop us all"));
        if (QTest::currentTestFailed())
            return;
        QTRY_VERIFY_WITH_TIMEOUT(progress(3).second == 3, 60000);
        QCOMPARE(::kill(pid_t(p.processId()), SIGINT), 0);
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 3);
        DbConnection c(dbPath(), DbConnection::Mode::ReadOnly);
        QCOMPARE(c.scalar(QStringLiteral("SELECT count(*) FROM messages WHERE role = 'assistant' "
                                         "AND status = 'cancelled' AND content <> ''"))
                     .toInt(),
                 3);
    }

    void killedMidSixWayCompareKeepsEveryColumn()
    {
        const QString prompt = QStringLiteral("Six at once, then a crash");
        QProcess p;
        start(p, 6, QStringLiteral("10"), prompt);
        if (QTest::currentTestFailed())
            return;
        QTRY_VERIFY_WITH_TIMEOUT(progress(6).second == 6, 60000);
        QCOMPARE(::kill(pid_t(p.processId()), SIGKILL), 0);
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitStatus(), QProcess::CrashExit);

        core::Backend backend({dbPath(), 0, true, 2});
        backend.open(); // settles what the killed process left
        const QString user = [this] {
            DbConnection c(dbPath(), DbConnection::Mode::ReadOnly);
            return c.scalar(QStringLiteral("SELECT id FROM messages WHERE role = 'user'"))
                .toString();
        }();
        const auto columns =
            backend.store()
                .read([user](QSqlDatabase &db) { return store::messages::children(db, user); })
                .result();
        QCOMPARE(columns.size(), 6);
        for (const domain::Message &m : columns) {
            QCOMPARE(domain::toString(m.status), QStringLiteral("interrupted"));
            QVERIFY(!m.content.isEmpty());
            QVERIFY(m.firstTokenAt > 0);
            // Its own text so far: a prefix of the demo's text for its position.
            const QString full = llm::DemoText::answer(
                prompt, llm::DemoText::seedFor(prompt) + quint64(m.siblingIndex));
            QVERIFY2(m.content.size() < full.size(), "the kill came after the column ended");
            QVERIFY2(full.startsWith(m.content), qPrintable(m.content));
        }
        backend.close();
    }
};

QTEST_GUILESS_MAIN(TestArbordCompare)
#include "tst_arbordcompare.moc"
