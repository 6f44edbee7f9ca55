#include "app.h"

#include "chatcontroller.h"
#include "colorscheme.h"
#include "conversationcontroller.h"
#include "conversationlistmodel.h"
#include "desktopnotifier.h"
#include "errorcontroller.h"
#include "modelcontroller.h"
#include "notifications.h"
#include "pricelist.h"
#include "searchcontroller.h"
#include "threadmodel.h"
#include "uistate.h"
#include "undocontroller.h"
#include "updatecheck.h"

#include "chat/chatevents.h"
#include "core/backend.h"

#include <QJSEngine>
#include <QLoggingCategory>
#include <QQmlEngine>
#include <QThread>

Q_LOGGING_CATEGORY(lcApp, "arbor.app", QtInfoMsg)

namespace arbor::app {

namespace {

AppConfig g_config;
App *g_instance = nullptr;

} // namespace

void App::setConfig(const AppConfig &config)
{
    g_config = config;
}

App *App::create(QQmlEngine *qmlEngine, QJSEngine *jsEngine)
{
    Q_ASSERT(QThread::currentThread() == qmlEngine->thread());
    Q_ASSERT(jsEngine == qmlEngine);
    Q_ASSERT(!g_instance);
    // The engine owns the singleton and deletes it (stopping the backend) when it goes.
    return new App(g_config);
}

App *App::instance()
{
    return g_instance;
}

App *App::forEngine(QQmlEngine *qmlEngine, QJSEngine *jsEngine)
{
    Q_ASSERT(QThread::currentThread() == qmlEngine->thread());
    Q_ASSERT(jsEngine == qmlEngine);
    static const int typeId = qmlTypeId("Arbor", 1, 0, "App");
    App *app = qmlEngine->singletonInstance<App *>(typeId);
    Q_ASSERT(app && app == g_instance);
    return app;
}

App::App(const AppConfig &config, QObject *parent)
    : QObject(parent)
    , m_backend(std::make_unique<core::Backend>(
          // Enough at once for a compare of six models (each provider's own limits still
          // apply); this process runs replies with tools and asks for their approval.
          core::BackendOptions{config.dbPath, config.demoRate, true, 8, config.demoChars, true}))
    , m_storePath(m_backend->storePath())
    , m_errors(new ErrorController(this))
{
    g_instance = this;
    try {
        m_backend->open();
        m_ready = true;
    } catch (const std::exception &e) {
        m_errors->show(tr("Arbor cannot open its store at %1: %2")
                           .arg(m_storePath, QString::fromUtf8(e.what())));
        qCWarning(lcApp) << m_errors->text();
    }
    core::Backend *backend = m_ready ? m_backend.get() : nullptr;
    m_uiState = new UiState(config.uiStatePath, this);
    m_colorScheme = new ColorScheme(m_uiState, this);
    m_models = new ModelController(*m_backend, m_uiState, this);
    m_undo = new UndoController(backend, m_errors, this);
    m_jobs = new JobsDashboard(backend, this);
    m_batchRuns = new BatchRuns(backend, m_errors, this);
    m_usage = new UsageController(backend, this);
    m_prices = new PriceList(backend, this);
    m_exports = new ExportController(backend, this);
    m_imports = new ImportController(backend, this);
    m_tools = new ToolSettings(backend, this);
    m_providerSettings = new ProviderSettings(backend, this);
    auto *thread = new ThreadModel(*m_backend, this);
    auto *list = new ConversationListModel(this);
    m_sync = new SyncController(backend, list, this);
    m_conversationController =
        new ConversationController(backend, list, thread, m_uiState, m_errors, m_undo, this);
    m_chat = new ChatController(backend, thread, m_conversationController, m_models, m_sync,
                                m_errors, m_undo, this);
    m_compare = new CompareController(backend, m_conversationController, m_models, m_errors, this);
    m_search = new SearchController(backend, m_conversationController, m_chat, m_errors, this);
    m_notifications = new Notifications(backend, list, m_uiState, new DesktopNotifier(this), this);
    m_updateCheck =
        new UpdateCheck(m_uiState, UpdateCheck::defaultFeed(), QStringLiteral(ARBOR_VERSION), this);

    connect(m_undo, &UndoController::showConversation, m_conversationController,
            &ConversationController::select);
    connect(m_conversationController, &ConversationController::currentChanged, this,
            &App::currentConversationChanged);
    connect(m_notifications, &Notifications::openRequested, m_conversationController,
            &ConversationController::select);
    // A batch row opened as a conversation: the list learns of it, the window shows it.
    connect(m_batchRuns, &BatchRuns::openConversation, m_conversationController,
            [this](const QString &id) {
                m_conversationController->refresh();
                m_conversationController->select(id);
            });
    connect(m_conversationController, &ConversationController::currentChanged, m_usage,
            [this] { m_usage->setConversation(m_conversationController->currentId()); });
    setUpSync();
}

void App::setUpSync()
{
    ConversationController *conversations = m_conversationController;
    connect(conversations, &ConversationController::listRefreshed, m_sync,
            &SyncController::conversationsRefreshed);
    connect(conversations, &ConversationController::currentChanged, m_sync,
            [this, conversations] { m_sync->setCurrentConversation(conversations->currentId()); });
    // Teammates' rows are in the store: the list and the open thread read them again. The thread
    // keeps its rows and changes only what differs (a teammate's reply grows in place).
    connect(
        m_sync, &SyncController::remoteChanges, this,
        [this, conversations](const QStringList &conversationIds, const QStringList &messageIds) {
            // A teammate's reply streaming here is not ours to stop.
            thread()->noteRemote(messageIds);
            conversations->refresh();
            if (conversationIds.contains(conversations->currentId()))
                thread()->reload();
        });
    connect(m_sync, &SyncController::conversationsMoved, conversations,
            &ConversationController::refresh);
    connect(m_sync, &SyncController::moveFinished, this, [this](bool ok, const QString &error) {
        if (!ok)
            m_errors->show(error);
    });
    connect(m_sync, &SyncController::currentWorkspaceChanged, this, [this, conversations] {
        const QString workspace = m_sync->currentWorkspace();
        conversations->list()->setWorkspaceFilter(workspace);
        const QString current = conversations->currentId();
        const domain::Conversation *open = conversations->list()->find(current);
        if (!current.isEmpty() && (!open || open->workspaceId != workspace))
            conversations->select({});
    });
    if (m_ready)
        m_sync->start();
}

App::~App()
{
    if (g_instance == this)
        g_instance = nullptr;
    m_sync->shutdown();    // the sync thread uses the store: stop it first
    m_exports->shutdown(); // so does a running export
    // The thread model holds a reference to the backend: disconnect it before it goes.
    m_backend->events().disconnect(thread());
    m_backend->events().disconnect(m_notifications);
    m_backend->events().disconnect(m_compare);
    m_backend->close();
}

ThreadModel *App::thread() const
{
    return m_chat->thread();
}

ConversationListModel *App::conversations() const
{
    return m_conversationController->list();
}

QString App::currentConversationId() const
{
    return m_conversationController->currentId();
}

QString App::currentTitle() const
{
    return m_conversationController->currentTitle();
}

bool App::busy() const
{
    return m_chat->busy();
}

QString App::errorText() const
{
    return m_errors->text();
}

void App::dismissError()
{
    m_errors->dismiss();
}

void App::newConversation()
{
    m_conversationController->newConversation();
}

void App::selectConversation(const QString &id)
{
    m_conversationController->select(id);
}

void App::deleteConversation(const QString &id)
{
    m_conversationController->remove(id);
}

bool App::send(const QString &text)
{
    return m_chat->send(text);
}

} // namespace arbor::app
