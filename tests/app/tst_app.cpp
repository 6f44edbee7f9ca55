// App (app/): the root that owns the backend and one controller per feature. QML reaches each
// feature through its own singleton (Conversations, Chat, Search, Undo, Models, Errors,
// UiState); each must be the controller App owns, and the engine must not delete them.
#include "app.h"
#include "chatcontroller.h"
#include "clipboard.h"
#include "colorscheme.h"
#include "conversationcontroller.h"
#include "errorcontroller.h"
#include "modelcontroller.h"
#include "searchcontroller.h"
#include "uistate.h"
#include "undocontroller.h"

#include <QPointer>
#include <QQmlComponent>
#include <QQmlEngine>
#include <QTemporaryDir>
#include <QTest>
#include <QtQml/qqmlextensionplugin.h>

#include <memory>
#include <type_traits>

Q_IMPORT_QML_PLUGIN(ArborPlugin)

using arbor::app::App;
using arbor::app::AppConfig;

// Qt 6.4 builds a default-constructible QML_SINGLETON with its constructor and never calls its
// create(): every singleton of the module must not be default-constructible.
template<class... Singletons>
constexpr bool noneDefaultConstructible = (!std::is_default_constructible_v<Singletons> && ...);
static_assert(
    noneDefaultConstructible<App, arbor::app::ErrorController, arbor::app::ChatController,
                             arbor::app::ConversationController, arbor::app::SearchController,
                             arbor::app::UndoController, arbor::app::ModelController,
                             arbor::app::UiState, arbor::app::Clipboard, arbor::app::ColorScheme>);

class TestApp : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { qputenv("ARBOR_DISCOVERY_PORTS", ""); }

    void featureSingletonsAreTheControllersAppOwns()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        App::setConfig(AppConfig{dir.filePath(QStringLiteral("a.db")), 0,
                                 dir.filePath(QStringLiteral("ui.ini"))});
        QPointer<App> app;
        QPointer<QObject> chat;
        {
            QQmlEngine engine;
            engine.addImportPath(QStringLiteral("qrc:/qt/qml"));
            QQmlComponent component(&engine);
            // The features first: the first one used makes App.
            component.setData(R"(
                import QtQml
                import Arbor
                QtObject {
                    property QtObject errors: Errors
                    property QtObject chat: Chat
                    property QtObject conversations: Conversations
                    property QtObject search: Search
                    property QtObject undo: Undo
                    property QtObject models: Models
                    property QtObject uiState: UiState
                    property QtObject colorScheme: ColorScheme
                    property QtObject root: App
                    property QtObject thread: Chat.thread
                    property QtObject list: Conversations.list
                })",
                              QUrl());
            std::unique_ptr<QObject> object(component.create());
            QVERIFY2(object, qPrintable(component.errorString()));
            app = App::instance();
            QVERIFY(app);
            const auto is = [&](const char *name, QObject *expected) {
                return object->property(name).value<QObject *>() == expected;
            };
            QVERIFY(is("root", app));
            // A singleton that QML built by itself would be another object: its errors would
            // never show and its actions would reach no backend.
            QVERIFY(is("errors", app->errors()));
            QVERIFY(is("chat", app->chat()));
            QVERIFY(is("conversations", app->conversationController()));
            QVERIFY(is("search", app->search()));
            QVERIFY(is("undo", app->undo()));
            QVERIFY(is("models", app->models()));
            QVERIFY(is("uiState", app->uiState()));
            QVERIFY(is("colorScheme", app->colorScheme()));
            QVERIFY(is("thread", app->chat()->thread()));
            QVERIFY(is("list", app->conversationController()->list()));
            chat = app->chat();
        }
        // The engine deleted App, and App its controllers, each once.
        QVERIFY(app.isNull());
        QVERIFY(chat.isNull());
        QCOMPARE(App::instance(), nullptr);
    }
};

QTEST_MAIN(TestApp)
#include "tst_app.moc"
