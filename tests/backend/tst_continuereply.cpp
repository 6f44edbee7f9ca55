// "Continue" on a reply that stopped early: a new sibling that starts with the old text and is
// extended to the full answer; the original stays as it was.
#include "chat/chatevents.h"
#include "chat/chatservice.h"
#include "core/backend.h"
#include "jobs/jobqueries.h"
#include "llm/demotext.h"
#include "store/messagequeries.h"
#include "store/store.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace arbor;

class TestContinueReply : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<core::Backend> m_backend;

    domain::Message load(const QString &id)
    {
        return *m_backend->store()
                    .read([id](QSqlDatabase &db) { return store::messages::get(db, id); })
                    .result();
    }

private Q_SLOTS:
    void init()
    {
        m_backend = std::make_unique<core::Backend>(core::BackendOptions{
            m_dir.filePath(QStringLiteral("%1.db").arg(QTest::currentTestFunction())), 20, true,
            2});
        m_backend->open();
    }

    void cleanup() { m_backend.reset(); }

    void continuesAStoppedReplyToTheFullAnswer()
    {
        chat::SendRequest request;
        request.text = QStringLiteral("Explain branching, slowly");
        const chat::SendResult sent = m_backend->chat().send(request).result();
        QTRY_VERIFY_WITH_TIMEOUT(load(sent.assistant.id).content.size() > 20, 30000);
        QVERIFY(m_backend->chat().stop(sent.assistant.id).result());
        QTRY_COMPARE_WITH_TIMEOUT(domain::toString(load(sent.assistant.id).status),
                                  QStringLiteral("cancelled"), 30000);
        const QString partial = load(sent.assistant.id).content;
        const QString full =
            llm::DemoText::answer(request.text, llm::DemoText::seedFor(request.text));
        QVERIFY(full.startsWith(partial));
        QVERIFY(partial.size() < full.size());

        QSignalSpy deltas(&m_backend->events(), &chat::ChatEvents::messageDelta);
        const chat::SendResult more = m_backend->chat().continueReply(sent.assistant.id).result();
        QCOMPARE(more.assistant.parentId, sent.user.id);
        QCOMPARE(more.assistant.content, partial);
        QTRY_COMPARE_WITH_TIMEOUT(domain::toString(load(more.assistant.id).status),
                                  QStringLiteral("complete"), 60000);
        QCOMPARE(load(more.assistant.id).content, full);
        // Deltas continue from the old text: the first offset is where it stopped.
        QVERIFY(!deltas.isEmpty());
        QCOMPARE(deltas.first().at(2).toLongLong(), partial.size());

        // The original is untouched, and the continuation is its sibling on the visible path.
        QCOMPARE(load(sent.assistant.id).content, partial);
        QCOMPARE(domain::toString(load(sent.assistant.id).status), QStringLiteral("cancelled"));
        const auto path = m_backend->chat().visiblePath(sent.conversationId).result();
        QCOMPARE(path.constLast().id, more.assistant.id);
        QCOMPARE(path.constLast().siblingCount, 2);
    }

    void repliesChargeAnEstimateOfTheirContext()
    {
        // The tokens/minute budget is charged when a job is claimed, before usage is known.
        m_backend.reset();
        m_backend = std::make_unique<core::Backend>(
            core::BackendOptions{m_dir.filePath(QStringLiteral("estimate.db")), 0, false, 1});
        m_backend->open();
        chat::SendRequest request;
        request.text = QString(4000, QLatin1Char('x'));
        const chat::SendResult sent = m_backend->chat().send(request).result();
        const qint64 estimate = m_backend->store()
                                    .read([id = sent.jobId](QSqlDatabase &db) {
                                        return jobs::queries::get(db, id)->tokensEstimate;
                                    })
                                    .result();
        QCOMPARE(estimate, 4000 / 4 + 1024);
    }

    void refusesACompleteOrEmptyReply()
    {
        m_backend.reset();
        m_backend = std::make_unique<core::Backend>(
            core::BackendOptions{m_dir.filePath(QStringLiteral("fast.db")), 0, true, 2});
        m_backend->open();
        chat::SendRequest request;
        request.text = QStringLiteral("Quick one");
        const chat::SendResult sent = m_backend->chat().send(request).result();
        QTRY_COMPARE_WITH_TIMEOUT(domain::toString(load(sent.assistant.id).status),
                                  QStringLiteral("complete"), 30000);
        auto f = m_backend->chat().continueReply(sent.assistant.id);
        QString error;
        try {
            f.result();
        } catch (const std::exception &e) {
            error = QString::fromUtf8(e.what());
        }
        QVERIFY2(error.contains(QStringLiteral("stopped early")), qPrintable(error));
        auto g = m_backend->chat().continueReply(sent.user.id);
        bool threw = false;
        try {
            g.result();
        } catch (const std::exception &) {
            threw = true;
        }
        QVERIFY(threw);
    }
};

QTEST_GUILESS_MAIN(TestContinueReply)
#include "tst_continuereply.moc"
