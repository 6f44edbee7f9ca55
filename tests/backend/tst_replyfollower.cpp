// ReplyFollower: a sender follows its reply through the store, whichever engine runs it. Two
// real backends on one store file stand for two processes; waits are made with the job
// queries an engine uses.
#include "chat/chatservice.h"
#include "chat/livetexts.h"
#include "chat/replyfollower.h"
#include "core/backend.h"
#include "domain/ids.h"
#include "jobs/adminqueries.h"
#include "jobs/jobengine.h"
#include "jobs/jobqueries.h"
#include "llm/demotext.h"
#include "store/messagequeries.h"
#include "store/store.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace arbor;
using chat::ReplyFollower;
using chat::ReplyWait;
using domain::MessageStatus;

class TestReplyFollower : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    QString dbPath() const { return m_dir->filePath(QStringLiteral("arbor.db")); }

    static chat::SendRequest request(const QString &text)
    {
        chat::SendRequest r;
        r.text = text;
        r.modelKey = QStringLiteral("demo/demo");
        return r;
    }

private Q_SLOTS:
    void initTestCase()
    {
        qRegisterMetaType<MessageStatus>();
        qRegisterMetaType<ReplyWait>();
    }

    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
    }

    void followsAReplyThatAnotherEngineRuns()
    {
        // The sender runs no jobs; the other "process" runs them (demo at 200 tokens/s).
        core::Backend sender({dbPath(), 0, false, 1});
        sender.open();
        core::Backend runner({dbPath(), 200, true, 2});
        runner.open();

        const chat::SendResult sent =
            sender.chat().send(request(QStringLiteral("Follow this"))).result();
        runner.engine().wake(); // as the other process's poll would, sooner
        ReplyFollower follower(sender.chat(), sender.events(), sender.liveTexts());
        QString seen;
        int pieces = 0;
        connect(&follower, &ReplyFollower::textArrived, this, [&](const QString &piece) {
            seen += piece;
            ++pieces;
        });
        QSignalSpy ended(&follower, &ReplyFollower::ended);
        follower.follow(sent.assistant.id);
        QVERIFY(ended.wait(60000));
        QCOMPARE(domain::toString(ended.at(0).at(0).value<MessageStatus>()),
                 QStringLiteral("complete"));
        QCOMPARE(ended.at(0).at(2).toBool(), true);
        const QString expected = llm::DemoText::answer(
            QStringLiteral("Follow this"), llm::DemoText::seedFor(QStringLiteral("Follow this")));
        QCOMPARE(seen, expected);
        QCOMPARE(follower.text(), expected);
        QVERIFY2(pieces > 1, "the text came in one piece at the end, not as it streamed");
        runner.close();
        sender.close();
    }

    void followsAReplyThatThisProcessRuns()
    {
        core::Backend backend({dbPath(), 0, true, 2});
        backend.open();
        ReplyFollower follower(backend.chat(), backend.events(), backend.liveTexts());
        QSignalSpy ended(&follower, &ReplyFollower::ended);
        const chat::SendResult sent = backend.chat().send(request(QStringLiteral("Here"))).result();
        follower.follow(sent.assistant.id);
        QVERIFY(ended.wait(60000));
        QCOMPARE(domain::toString(ended.at(0).at(0).value<MessageStatus>()),
                 QStringLiteral("complete"));
        const auto stored = backend.store()
                                .read([id = sent.assistant.id](QSqlDatabase &db) {
                                    return store::messages::get(db, id);
                                })
                                .result();
        QCOMPARE(follower.text(), stored->content);
    }

    void saysWhyAReplyWaits()
    {
        core::Backend sender({dbPath(), 0, false, 1});
        sender.open();
        const chat::SendResult sent =
            sender.chat().send(request(QStringLiteral("Wait for it"))).result();
        ReplyFollower follower(sender.chat(), sender.events(), sender.liveTexts());
        QSignalSpy waiting(&follower, &ReplyFollower::waiting);
        follower.follow(sent.assistant.id);

        // An engine elsewhere tried once and was rate limited: the job runs again in a minute.
        const qint64 now = domain::nowMs();
        const qint64 retryAt = now + 60000;
        sender.store()
            .write([jobId = sent.jobId, now, retryAt](QSqlDatabase &db) {
                jobs::queries::registerWorker(db, QStringLiteral("elsewhere"),
                                              QStringLiteral("host"), 1, now);
                jobs::queries::claim(db, QStringLiteral("elsewhere"),
                                     {QStringLiteral("chat.reply")}, 1, now);
                jobs::queries::fail(
                    db, jobId, QStringLiteral("elsewhere"),
                    QStringLiteral("Rate limited by the vendor (HTTP 429): slow down"), retryAt,
                    now);
            })
            .waitForFinished();
        QTRY_COMPARE_WITH_TIMEOUT(waiting.size(), 1, 30000);
        ReplyWait wait = waiting.at(0).at(0).value<ReplyWait>();
        QCOMPARE(wait.why, ReplyWait::Why::Retry);
        QCOMPARE(wait.runAt, retryAt);
        QCOMPARE(wait.attempts, 1);
        QCOMPARE(wait.maxAttempts, 3);
        QCOMPARE(wait.lastError,
                 QStringLiteral("Rate limited by the vendor (HTTP 429): slow down"));

        // The same wait is told once; a pause is a new one.
        sender.store()
            .write([now](QSqlDatabase &db) {
                jobs::admin::setPaused(db, QStringLiteral("demo"), true, now);
            })
            .waitForFinished();
        QTRY_COMPARE_WITH_TIMEOUT(waiting.size(), 2, 30000);
        wait = waiting.at(1).at(0).value<ReplyWait>();
        QCOMPARE(wait.why, ReplyWait::Why::Paused);
        QCOMPARE(wait.queue, QStringLiteral("demo"));

        // Stopped while it waits: the store says so, and following ends.
        QSignalSpy ended(&follower, &ReplyFollower::ended);
        QVERIFY(sender.chat().stop(sent.assistant.id).result());
        QVERIFY(ended.wait(30000));
        QCOMPARE(domain::toString(ended.at(0).at(0).value<MessageStatus>()),
                 QStringLiteral("cancelled"));
        QCOMPARE(waiting.size(), 2);
    }

    void aMissingReplyFails()
    {
        core::Backend backend({dbPath(), 0, false, 1});
        backend.open();
        ReplyFollower follower(backend.chat(), backend.events(), backend.liveTexts());
        QSignalSpy failed(&follower, &ReplyFollower::failed);
        follower.follow(QStringLiteral("no-such-message"));
        QVERIFY(failed.wait(30000));
        QVERIFY(failed.at(0).at(0).toString().contains(QLatin1String("no-such-message")));
    }
};

QTEST_GUILESS_MAIN(TestReplyFollower)
#include "tst_replyfollower.moc"
