// ChatController (app/): send, stop and the actions on one message, each checked against
// MessagePolicy before it reaches the backend (issue 16), and a failed send giving its text
// back. Against a real backend with a slow demo model, through App, which wires it.
#include "app.h"
#include "chatcontroller.h"
#include "conversationcontroller.h"
#include "errorcontroller.h"
#include "statetypes.h"
#include "threadmodel.h"

#include "chat/chatservice.h"
#include "core/backend.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using arbor::app::App;
using arbor::app::AppConfig;
using arbor::app::ChatController;
using arbor::app::ConversationController;
using arbor::app::ThreadModel;
namespace MessageStatus = arbor::app::MessageStatus;

class TestChatController : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    static int status(const ThreadModel *thread, int row)
    {
        return thread->data(thread->index(row), ThreadModel::MessageStatusRole).toInt();
    }

private Q_SLOTS:
    void initTestCase()
    {
        qputenv("ARBOR_DISCOVERY_PORTS", "");
        QVERIFY(m_dir.isValid());
    }

    void actionsFollowThePolicy()
    {
        // 2 tokens a second: the reply stays live for as long as the test needs.
        App app(AppConfig{m_dir.filePath(QStringLiteral("policy.db")), 2,
                          m_dir.filePath(QStringLiteral("policy.ini"))});
        ChatController *chat = app.chat();
        ThreadModel *thread = chat->thread();
        QVERIFY(chat->send(QStringLiteral("Tell me about oaks")));
        QTRY_COMPARE_WITH_TIMEOUT(thread->rowCount(), 2, 10000);
        const QString questionId = thread->messageAt(0).id;
        const QString replyId = thread->messageAt(1).id;
        QTRY_VERIFY_WITH_TIMEOUT(!thread->messageAt(1).content.isEmpty(), 10000);
        QVERIFY(chat->busy());

        // While the reply is written nothing makes a branch beside it, and a reply is no edit.
        QVERIFY(!chat->regenerate(replyId));
        QVERIFY(!chat->continueReply(replyId));
        QVERIFY(!chat->retry(replyId));
        QVERIFY(!chat->edit(replyId, QStringLiteral("Other words"), false));
        QVERIFY(!chat->regenerate(QStringLiteral("not-on-the-visible-path")));
        QCOMPARE(thread->messageAt(1).siblingCount, 1);

        // Stopped with some text: it can be continued, but it did not fail, so no retry.
        chat->stop();
        QTRY_COMPARE_WITH_TIMEOUT(status(thread, 1), int(MessageStatus::Cancelled), 10000);
        QVERIFY(!chat->busy());
        QVERIFY(!chat->retry(replyId));
        QVERIFY(chat->continueReply(replyId));
        QTRY_VERIFY_WITH_TIMEOUT(thread->rowCount() == 2 && thread->messageAt(1).id != replyId,
                                 10000);
        QCOMPARE(thread->messageAt(1).siblingCount, 2);
        QCOMPARE(thread->messageAt(0).id, questionId);
        chat->stop();
        QTRY_VERIFY_WITH_TIMEOUT(!chat->busy(), 10000);
        // The user's question can always be edited (as a new branch).
        QVERIFY(chat->edit(questionId, QStringLiteral("Tell me about pines"), false));
        QTRY_VERIFY_WITH_TIMEOUT(thread->rowCount() == 1 && thread->messageAt(0).id != questionId,
                                 10000);
        QCOMPARE(app.errorText(), QString());
    }

    void aFailedSendGivesItsTextBack()
    {
        App app(AppConfig{m_dir.filePath(QStringLiteral("failed.db")), 0,
                          m_dir.filePath(QStringLiteral("failed.ini"))});
        ChatController *chat = app.chat();
        QSignalSpy failed(chat, &ChatController::sendFailed);
        ConversationController *conversations = app.conversationController();
        QVERIFY(chat->send(QStringLiteral("Hello")));
        QTRY_VERIFY_WITH_TIMEOUT(!conversations->currentId().isEmpty() && !chat->busy(), 10000);
        // Deleted elsewhere (another window, arbord) while it is open: the send is accepted, then
        // the store refuses it.
        app.backend()->chat().remove(conversations->currentId()).waitForFinished();
        QVERIFY(chat->send(QStringLiteral("Words worth keeping")));
        QCOMPARE(failed.size(), 0); // never inside send(): the composer clears first
        QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 10000);
        QCOMPARE(failed.first().first().toString(), QStringLiteral("Words worth keeping"));
        QVERIFY2(app.errors()->text().startsWith(QLatin1String("Could not send")),
                 qPrintable(app.errors()->text()));
        // Nothing to send is refused at once, with a sentence, and never sent.
        QVERIFY(!chat->send(QStringLiteral("   ")));
        QCOMPARE(app.errors()->text(), QStringLiteral("Type a message first."));
        QCOMPARE(failed.size(), 1);
    }
};

QTEST_MAIN(TestChatController)
#include "tst_chatcontroller.moc"
