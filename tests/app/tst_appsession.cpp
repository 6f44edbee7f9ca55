// What the window keeps for the user (issue 15): the size that fits the screen, the last
// conversation, a new conversation's parameters set before its first message, thinking turned
// on and off (issue 17), a deleted conversation brought back, forks that can be told apart.
#include "app.h"
#include "chatcontroller.h"
#include "conversationcontroller.h"
#include "modelcontroller.h"
#include "uistate.h"
#include "undocontroller.h"

#include "chat/chatservice.h"
#include "core/backend.h"

#include <QGuiApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using arbor::app::App;
using arbor::app::AppConfig;
using arbor::app::ConversationController;
using arbor::app::UiState;

class TestAppSession : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    std::unique_ptr<App> makeApp(const QString &db)
    {
        return std::make_unique<App>(
            AppConfig{m_dir.filePath(db), 0, m_dir.filePath(db + QStringLiteral(".ini"))});
    }

    /** @brief Sends @p text and waits for the conversation it makes (or continues). */
    static QString send(App &app, const QString &text)
    {
        ConversationController *conversations = app.conversationController();
        if (!app.chat()->send(text))
            return {};
        if (!QTest::qWaitFor(
                [&] { return !conversations->currentId().isEmpty() && !app.chat()->busy(); },
                10000))
            return {};
        return conversations->currentId();
    }

    static QString titleOf(App &app, const QString &id)
    {
        const auto *c = app.conversationController()->list()->find(id);
        return c ? c->title : QString();
    }

private Q_SLOTS:
    void initTestCase()
    {
        qputenv("ARBOR_DISCOVERY_PORTS", "");
        QVERIFY(m_dir.isValid());
    }

    void sizeFitsTheScreen()
    {
        // Scale 2 on a 1920×1080 screen: 960×540 device-independent pixels.
        const QSize small = UiState::fit(UiState::DefaultSize, QSize(960, 540));
        QVERIFY2(small.width() <= 960 && small.height() <= 540,
                 qPrintable(QStringLiteral("%1x%2").arg(small.width()).arg(small.height())));
        QVERIFY(small.width() >= UiState::MinimumSize.width()
                && small.height() >= UiState::MinimumSize.height());
        QCOMPARE(UiState::fit(UiState::DefaultSize, QSize(1920, 1080)), UiState::DefaultSize);
        // A screen smaller than the minimum: the screen wins.
        const QSize tiny = UiState::fit(UiState::DefaultSize, QSize(600, 400));
        QVERIFY(tiny.width() <= 600 && tiny.height() <= 400);

        // The last size comes back (shrunk if the screen is smaller now).
        UiState state(m_dir.filePath(QStringLiteral("size.ini")));
        QCOMPARE(state.initialWindowSize(QSize(1920, 1080)), UiState::DefaultSize);
        state.saveWindowSize(QSize(900, 650));
        UiState again(m_dir.filePath(QStringLiteral("size.ini")));
        QCOMPARE(again.initialWindowSize(QSize(1920, 1080)), QSize(900, 650));
        QVERIFY(again.initialWindowSize(QSize(800, 600)).width() <= 800);
    }

    void lastConversationAndSidebarComeBack()
    {
        QString id;
        {
            auto app = makeApp(QStringLiteral("session.db"));
            id = send(*app, QStringLiteral("Remember where I was"));
            QVERIFY(!id.isEmpty());
            app->uiState()->setSidebarOpen(false);
        }
        auto app = makeApp(QStringLiteral("session.db"));
        QTRY_COMPARE_WITH_TIMEOUT(app->conversationController()->currentId(), id, 10000);
        QCOMPARE(app->uiState()->sidebarOpen(), false);
        QCOMPARE(app->models()->currentKey(), QStringLiteral("demo/demo"));
    }

    void parametersBeforeTheFirstMessage()
    {
        auto app = makeApp(QStringLiteral("params.db"));
        ConversationController *conversations = app->conversationController();
        QVERIFY(conversations->currentId().isEmpty());
        QVERIFY2(conversations->saveSettings(QStringLiteral("Answer in French."), 0.5, 300, 0),
                 qPrintable(app->errorText()));
        QCOMPARE(conversations->settings().value(QStringLiteral("systemPrompt")).toString(),
                 QStringLiteral("Answer in French."));
        const QString id = send(*app, QStringLiteral("Bonjour"));
        QVERIFY(!id.isEmpty());
        auto stored = app->backend()->chat().conversationSettings(id);
        stored.waitForFinished();
        QCOMPARE(stored.result().value(u"system_prompt").toString(),
                 QStringLiteral("Answer in French."));
        QCOMPARE(stored.result().value(u"temperature").toDouble(), 0.5);
        QCOMPARE(stored.result().value(u"max_tokens").toInt(), 300);

        // The next new conversation starts with none.
        conversations->newConversation();
        QCOMPARE(conversations->settings().value(QStringLiteral("systemPrompt")).toString(),
                 QString());
        const QString other = send(*app, QStringLiteral("Hello"));
        auto plain = app->backend()->chat().conversationSettings(other);
        plain.waitForFinished();
        QVERIFY(plain.result().value(u"system_prompt").toString().isEmpty());
    }

    void thinkingIsSetAndTurnedOff()
    {
        auto app = makeApp(QStringLiteral("thinking.db"));
        ConversationController *conversations = app->conversationController();
        auto stored = [&](const QString &id) {
            auto read = app->backend()->chat().conversationSettings(id);
            read.waitForFinished();
            return read.result();
        };
        auto budget = [&] {
            return conversations->settings().value(QStringLiteral("thinkingBudget")).toInt();
        };

        // Set before the first message: stored with it.
        QVERIFY2(conversations->saveSettings({}, -1, 0, 4096), qPrintable(app->errorText()));
        QCOMPARE(budget(), 4096);
        const QString id = send(*app, QStringLiteral("Think first"));
        QVERIFY(!id.isEmpty());
        QCOMPARE(stored(id).value(u"thinking_budget").toInt(), 4096);
        conversations->loadSettings();
        QTRY_COMPARE(budget(), 4096);

        // Changed on the stored conversation, the other parameters with it.
        QVERIFY(conversations->saveSettings(QStringLiteral("Be brief."), 0.3, 2000, 8192));
        QTRY_COMPARE(budget(), 8192);
        QJsonObject settings = stored(id);
        QCOMPARE(settings.value(u"thinking_budget").toInt(), 8192);
        QCOMPARE(settings.value(u"system_prompt").toString(), QStringLiteral("Be brief."));

        // Off: the key goes, the rest stays.
        QVERIFY(conversations->saveSettings(QStringLiteral("Be brief."), 0.3, 2000, 0));
        QTRY_COMPARE(budget(), 0);
        settings = stored(id);
        QVERIFY2(!settings.contains(u"thinking_budget"),
                 QJsonDocument(settings).toJson().constData());
        QCOMPARE(settings.value(u"max_tokens").toInt(), 2000);

        // Below the smallest budget a vendor takes: refused, nothing changes.
        QVERIFY(!conversations->saveSettings({}, -1, 0, 100));
        QVERIFY(app->errorText().contains(QStringLiteral("thinking budget")));
        QVERIFY(!stored(id).contains(u"thinking_budget"));

        // A new conversation set to off starts without it.
        conversations->newConversation();
        QCOMPARE(budget(), 0);
        QVERIFY(conversations->saveSettings({}, -1, 0, 0));
        const QString other = send(*app, QStringLiteral("No thinking"));
        QVERIFY(!other.isEmpty() && other != id);
        QVERIFY(!stored(other).contains(u"thinking_budget"));
    }

    void deletedConversationCanBeUndone()
    {
        auto app = makeApp(QStringLiteral("undo.db"));
        ConversationController *conversations = app->conversationController();
        const QString id = send(*app, QStringLiteral("Keep me safe"));
        QVERIFY(!id.isEmpty());
        QTRY_VERIFY(conversations->list()->find(id));
        conversations->remove(id);
        QTRY_VERIFY_WITH_TIMEOUT(!conversations->list()->find(id), 5000);
        QTRY_VERIFY(app->undo()->text().contains(QStringLiteral("Keep me safe")));
        QVERIFY(conversations->currentId().isEmpty());
        app->undo()->undo();
        QTRY_VERIFY_WITH_TIMEOUT(conversations->list()->find(id), 5000);
        QTRY_COMPARE(conversations->currentId(), id);
        QCOMPARE(app->undo()->text(), QString());
    }

    void forksCanBeToldApart()
    {
        auto app = makeApp(QStringLiteral("fork.db"));
        ConversationController *conversations = app->conversationController();
        const QString id = send(*app, QStringLiteral("Oak trees"));
        QVERIFY(!id.isEmpty());
        QTRY_VERIFY(app->chat()->thread()->rowCount() == 2);
        const QString messageId = app->chat()->thread()->messageAt(0).id;
        const QString title = titleOf(*app, id);

        app->chat()->fork(messageId);
        QTRY_VERIFY_WITH_TIMEOUT(
            conversations->currentId() != id && !conversations->currentId().isEmpty(), 5000);
        const QString first = conversations->currentId();
        QTRY_VERIFY(!titleOf(*app, first).isEmpty());
        conversations->select(id);
        // The thread shows the first conversation again before its message is forked.
        QTRY_COMPARE(app->chat()->thread()->rowOfId(messageId), 0);
        app->chat()->fork(messageId);
        QTRY_VERIFY_WITH_TIMEOUT(
            conversations->currentId() != id && conversations->currentId() != first, 5000);
        const QString second = conversations->currentId();
        QTRY_VERIFY(!titleOf(*app, second).isEmpty());

        const QStringList titles{title, titleOf(*app, first), titleOf(*app, second)};
        QCOMPARE(QSet<QString>(titles.cbegin(), titles.cend()).size(), 3);
        QVERIFY(titleOf(*app, first).startsWith(title));
    }
};

QTEST_MAIN(TestAppSession)
#include "tst_appsession.moc"
