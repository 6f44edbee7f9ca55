#pragma once

#include "batchruns.h"
#include "comparecontroller.h"
#include "exportcontroller.h"
#include "importcontroller.h"
#include "jobsdashboard.h"
#include "pricelist.h"
#include "providersettings.h"
#include "synccontroller.h"
#include "toolsettings.h"
#include "usagecontroller.h"

#include <QJSEngine>
#include <QObject>
#include <QString>
#include <QtQml/qqml.h>

#include <memory>

class QQmlEngine;

namespace arbor::core {
class Backend;
}

namespace arbor::app {

class ChatController;
class ColorScheme;
class ConversationController;
class ConversationListModel;
class ErrorController;
class ModelController;
class Notifications;
class UpdateCheck;
class SearchController;
class ThreadModel;
class UiState;
class UndoController;

/** @brief Start-up settings for the window, set by main() before QML creates App. */
struct AppConfig
{
    QString dbPath;         ///< empty: $ARBOR_DB, else the platform data folder
    double demoRate = 50.0; ///< demo model speed, tokens per second
    QString uiStatePath =
        {}; ///< where the window remembers its state (INI file); empty: QSettings()
    qsizetype demoChars = 0; ///< demo replies are at least this long (0: the short answer)
};

/**
 * @brief The root of the app module: owns the backend for the window and one controller per
 * feature, and wires them together. QML binds to the features themselves (the singletons
 * Conversations, Chat, Search, Undo, Models, Errors, UiState, ColorScheme, each handed out by
 * its create() from here); App itself only says whether the store opened and carries the team,
 * jobs and provider adapters. GUI thread only.
 */
class App : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_SINGLETON
    /** @brief False when the store could not be opened (Errors.text says why). */
    Q_PROPERTY(bool ready READ ready CONSTANT)
    Q_PROPERTY(QString storePath READ storePath CONSTANT)
    Q_PROPERTY(QString version READ version CONSTANT)
    /** @brief The job dashboard (queues, charts, failed jobs, limits). */
    Q_PROPERTY(arbor::app::JobsDashboard *jobs READ jobs CONSTANT)
    /** @brief Batch runs: progress, actions, results (the jobs page's Runs tab). */
    Q_PROPERTY(arbor::app::BatchRuns *batchRuns READ batchRuns CONSTANT)
    /** @brief Providers, API keys, default model and local servers (the Settings dialog). */
    Q_PROPERTY(arbor::app::ProviderSettings *providerSettings READ providerSettings CONSTANT)
    /** @brief Team sync: the team server, connection state, workspaces, presence. */
    Q_PROPERTY(arbor::app::SyncController *sync READ sync CONSTANT)
    /** @brief Tokens and cost: the open conversation's figure, the Usage page's report. */
    Q_PROPERTY(arbor::app::UsageController *usage READ usage CONSTANT)
    /** @brief The price list (Settings). */
    Q_PROPERTY(arbor::app::PriceList *prices READ prices CONSTANT)
    /** @brief Export of one conversation or every one (Arbor JSON, Markdown, Open WebUI). */
    Q_PROPERTY(arbor::app::ExportController *exports READ exports CONSTANT)
    /** @brief Imports of other apps' exports (drag a file on the window, or Import…). */
    Q_PROPERTY(arbor::app::ImportController *imports READ imports CONSTANT)
    /** @brief Asking several models at once: model sets, the compare view, fuse. */
    Q_PROPERTY(arbor::app::CompareController *compare READ compare CONSTANT)
    /** @brief MCP tool servers (Settings → Tools). */
    Q_PROPERTY(arbor::app::ToolSettings *tools READ tools CONSTANT)

public:
    /** @brief Must be called before the QML engine first uses App. */
    static void setConfig(const AppConfig &config);
    static App *create(QQmlEngine *qmlEngine, QJSEngine *jsEngine);
    /** @brief The instance QML created, or nullptr (for main()'s --send). */
    static App *instance();
    /** @brief The App of @p qmlEngine, made now if QML has not used it yet. Asserts the GUI
     *  thread and that there is one engine. */
    static App *forEngine(QQmlEngine *qmlEngine, QJSEngine *jsEngine);
    /** @brief For a feature singleton's create(): the @p controller that App of @p qmlEngine
     *  owns, kept from the engine, which deletes the singletons it owns when it goes. */
    template<class T>
    static T *singleton(QQmlEngine *qmlEngine, QJSEngine *jsEngine, T *(App::*controller)() const)
    {
        T *object = (forEngine(qmlEngine, jsEngine)->*controller)();
        QJSEngine::setObjectOwnership(object, QJSEngine::CppOwnership);
        return object;
    }

    explicit App(const AppConfig &config, QObject *parent = nullptr);
    ~App() override;

    bool ready() const { return m_ready; }
    QString storePath() const { return m_storePath; }
    QString version() const { return QStringLiteral(ARBOR_VERSION); }
    core::Backend *backend() const { return m_backend.get(); }

    ErrorController *errors() const { return m_errors; }
    UiState *uiState() const { return m_uiState; }
    ColorScheme *colorScheme() const { return m_colorScheme; }
    ModelController *models() const { return m_models; }
    UndoController *undo() const { return m_undo; }
    ConversationController *conversationController() const { return m_conversationController; }
    ChatController *chat() const { return m_chat; }
    SearchController *search() const { return m_search; }
    JobsDashboard *jobs() const { return m_jobs; }
    BatchRuns *batchRuns() const { return m_batchRuns; }
    ProviderSettings *providerSettings() const { return m_providerSettings; }
    SyncController *sync() const { return m_sync; }
    Notifications *notifications() const { return m_notifications; }
    UpdateCheck *updateCheck() const { return m_updateCheck; }
    UsageController *usage() const { return m_usage; }
    PriceList *prices() const { return m_prices; }
    ExportController *exports() const { return m_exports; }
    ImportController *imports() const { return m_imports; }
    CompareController *compare() const { return m_compare; }
    ToolSettings *tools() const { return m_tools; }

    // Shortcuts to the controllers for tst_synccontroller, which drives two windows without QML
    // and was written against the old App. HACK: remove with its move to the controllers;
    // QML and main() use the controllers.
    ThreadModel *thread() const;
    ConversationListModel *conversations() const;
    QString currentConversationId() const;
    QString currentTitle() const;
    bool busy() const;
    QString errorText() const;
    void dismissError();
    void newConversation();
    void selectConversation(const QString &id);
    void deleteConversation(const QString &id);
    bool send(const QString &text);

Q_SIGNALS:
    /** @brief The open conversation changed (Conversations.currentId); one of the shortcuts
     *  above. */
    void currentConversationChanged();

private:
    void setUpSync();

    std::unique_ptr<core::Backend> m_backend;
    QString m_storePath;
    bool m_ready = false;
    ErrorController *m_errors = nullptr;
    UiState *m_uiState = nullptr;
    ColorScheme *m_colorScheme = nullptr;
    ModelController *m_models = nullptr;
    UndoController *m_undo = nullptr;
    ConversationController *m_conversationController = nullptr;
    ChatController *m_chat = nullptr;
    SearchController *m_search = nullptr;
    JobsDashboard *m_jobs = nullptr;
    BatchRuns *m_batchRuns = nullptr;
    UsageController *m_usage = nullptr;
    PriceList *m_prices = nullptr;
    ExportController *m_exports = nullptr;
    ImportController *m_imports = nullptr;
    CompareController *m_compare = nullptr;
    ToolSettings *m_tools = nullptr;
    ProviderSettings *m_providerSettings = nullptr;
    SyncController *m_sync = nullptr;
    Notifications *m_notifications = nullptr;
    UpdateCheck *m_updateCheck = nullptr;
};

} // namespace arbor::app
