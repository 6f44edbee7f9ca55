// What the window keeps for the user (issue 15): the size that fits the screen, the last
// conversation, a new conversation's parameters set before its first message, a deleted
// conversation brought back, forks that can be told apart.
#include "app.h"
#include "uistate.h"

#include "chat/chatservice.h"
#include "core/backend.h"

#include <QGuiApplication>
#include <QJsonObject>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using arbor::app::App;
using arbor::app::AppConfig;
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
        if (!app.send(text))
            return {};
        if (!QTest::qWaitFor([&] { return !app.currentConversationId().isEmpty() && !app.busy(); },
                             10000))
            return {};
        return app.currentConversationId();
    }

    static QString titleOf(App &app, const QString &id)
    {
        const auto *c = app.conversations()->find(id);
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
        QTRY_COMPARE_WITH_TIMEOUT(app->currentConversationId(), id, 10000);
        QCOMPARE(app->uiState()->sidebarOpen(), false);
        QCOMPARE(app->currentModelKey(), QStringLiteral("demo/demo"));
    }

    void parametersBeforeTheFirstMessage()
    {
        auto app = makeApp(QStringLiteral("params.db"));
        QVERIFY(app->currentConversationId().isEmpty());
        QVERIFY2(app->saveConversationSettings(QStringLiteral("Answer in French."), 0.5, 300),
                 qPrintable(app->errorText()));
        QCOMPARE(app->conversationSettings().value(QStringLiteral("systemPrompt")).toString(),
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
        app->newConversation();
        QCOMPARE(app->conversationSettings().value(QStringLiteral("systemPrompt")).toString(),
                 QString());
        const QString other = send(*app, QStringLiteral("Hello"));
        auto plain = app->backend()->chat().conversationSettings(other);
        plain.waitForFinished();
        QVERIFY(plain.result().value(u"system_prompt").toString().isEmpty());
    }

    void deletedConversationCanBeUndone()
    {
        auto app = makeApp(QStringLiteral("undo.db"));
        const QString id = send(*app, QStringLiteral("Keep me safe"));
        QVERIFY(!id.isEmpty());
        QTRY_VERIFY(app->conversations()->find(id));
        app->deleteConversation(id);
        QTRY_VERIFY_WITH_TIMEOUT(!app->conversations()->find(id), 5000);
        QTRY_VERIFY(app->undoText().contains(QStringLiteral("Keep me safe")));
        QVERIFY(app->currentConversationId().isEmpty());
        app->undo();
        QTRY_VERIFY_WITH_TIMEOUT(app->conversations()->find(id), 5000);
        QTRY_COMPARE(app->currentConversationId(), id);
        QCOMPARE(app->undoText(), QString());
    }

    void forksCanBeToldApart()
    {
        auto app = makeApp(QStringLiteral("fork.db"));
        const QString id = send(*app, QStringLiteral("Oak trees"));
        QVERIFY(!id.isEmpty());
        QTRY_VERIFY(app->thread()->rowCount() == 2);
        const QString messageId = app->thread()->messageAt(0).id;
        const QString title = titleOf(*app, id);

        app->fork(messageId);
        QTRY_VERIFY_WITH_TIMEOUT(
            app->currentConversationId() != id && !app->currentConversationId().isEmpty(), 5000);
        const QString first = app->currentConversationId();
        QTRY_VERIFY(!titleOf(*app, first).isEmpty());
        app->selectConversation(id);
        app->fork(messageId);
        QTRY_VERIFY_WITH_TIMEOUT(
            app->currentConversationId() != id && app->currentConversationId() != first, 5000);
        const QString second = app->currentConversationId();
        QTRY_VERIFY(!titleOf(*app, second).isEmpty());

        const QStringList titles{title, titleOf(*app, first), titleOf(*app, second)};
        QCOMPARE(QSet<QString>(titles.cbegin(), titles.cend()).size(), 3);
        QVERIFY(titleOf(*app, first).startsWith(title));
    }
};

QTEST_MAIN(TestAppSession)
#include "tst_appsession.moc"
