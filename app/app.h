#pragma once

#include "conversationlistmodel.h"
#include "jobsdashboard.h"
#include "modellistmodel.h"
#include "providersettings.h"
#include "searchmodel.h"
#include "synccontroller.h"
#include "threadmodel.h"
#include "uistate.h"

#include "chat/chatservice.h"

#include <QJsonObject>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QtQml/qqml.h>

#include <memory>
#include <optional>

class QQmlEngine;
class QJSEngine;

namespace arbor::core {
class Backend;
}

namespace arbor::app {

/** @brief Start-up settings for the window, set by main() before QML creates App. */
struct AppConfig
{
    QString dbPath;         ///< empty: $ARBOR_DB, else the platform data folder
    double demoRate = 50.0; ///< demo model speed, tokens per second
    QString uiStatePath =
        {}; ///< where the window remembers its state (INI file); empty: QSettings()
};

/**
 * @brief The controller QML binds to: the conversation list, the thread of the current
 * conversation, the model picker, and the chat commands. Owns the backend for the window.
 * GUI thread only.
 */
class App : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_SINGLETON
    Q_PROPERTY(arbor::app::ConversationListModel *conversations READ conversations CONSTANT)
    Q_PROPERTY(arbor::app::ThreadModel *thread READ thread CONSTANT)
    Q_PROPERTY(arbor::app::ModelListModel *models READ models CONSTANT)
    Q_PROPERTY(bool busy READ busy NOTIFY busyChanged)
    Q_PROPERTY(bool ready READ ready CONSTANT)
    Q_PROPERTY(QString errorText READ errorText NOTIFY errorTextChanged)
    Q_PROPERTY(
        QString currentConversationId READ currentConversationId NOTIFY currentConversationChanged)
    Q_PROPERTY(QString currentTitle READ currentTitle NOTIFY currentTitleChanged)
    Q_PROPERTY(QString currentModelKey READ currentModelKey WRITE setCurrentModelKey NOTIFY
                   currentModelKeyChanged)
    Q_PROPERTY(QString currentModelName READ currentModelName NOTIFY currentModelKeyChanged)
    Q_PROPERTY(arbor::app::SearchModel *searchResults READ searchResults CONSTANT)
    Q_PROPERTY(QString undoText READ undoText NOTIFY undoChanged)
    Q_PROPERTY(QVariantList labels READ labels NOTIFY labelsChanged)
    /** @brief The current conversation's model parameters: {systemPrompt, temperature (-1 = the
     *  model's default), maxTokens (0 = the model's default)}. */
    Q_PROPERTY(QVariantMap conversationSettings READ conversationSettings NOTIFY
                   conversationSettingsChanged)
    Q_PROPERTY(QString storePath READ storePath CONSTANT)
    Q_PROPERTY(QString version READ version CONSTANT)
    /** @brief The job dashboard (queues, charts, failed jobs, limits). */
    Q_PROPERTY(arbor::app::JobsDashboard *jobs READ jobs CONSTANT)
    /** @brief Providers, API keys, default model and local servers (the Settings dialog). */
    Q_PROPERTY(arbor::app::ProviderSettings *providerSettings READ providerSettings CONSTANT)
    /** @brief Team sync: the team server, connection state, workspaces, presence. */
    Q_PROPERTY(arbor::app::SyncController *sync READ sync CONSTANT)
    /** @brief What the window remembers between runs (size, sidebar, last conversation and model).
     */
    Q_PROPERTY(arbor::app::UiState *uiState READ uiState CONSTANT)
    /** @brief The message opened from a search hit, whose matches are marked ("" = none). */
    Q_PROPERTY(QString highlightMessageId READ highlightMessageId NOTIFY highlightChanged)
    /** @brief The words of that search, to mark in it. */
    Q_PROPERTY(QStringList highlightTerms READ highlightTerms NOTIFY highlightChanged)

public:
    /** @brief Must be called before the QML engine first uses App. */
    static void setConfig(const AppConfig &config);
    static App *create(QQmlEngine *qmlEngine, QJSEngine *jsEngine);
    /** @brief The instance QML created, or nullptr (for main()'s --send). */
    static App *instance();

    explicit App(const AppConfig &config, QObject *parent = nullptr);
    ~App() override;

    ConversationListModel *conversations() const { return m_conversations; }
    ThreadModel *thread() const { return m_thread; }
    ModelListModel *models() const { return m_models; }
    bool busy() const;
    /** @brief False when the store could not be opened (errorText says why). */
    bool ready() const { return m_ready; }
    QString errorText() const { return m_errorText; }
    QString currentConversationId() const { return m_currentId; }
    QString currentTitle() const;
    QString currentModelKey() const { return m_modelKey; }
    void setCurrentModelKey(const QString &key);
    QString currentModelName() const;
    SearchModel *searchResults() const { return m_search; }
    /** @brief What undo() would undo ("" when nothing). */
    QString undoText() const;
    /** @brief Bookmarks of the current conversation: [{messageId, label, preview, messageRole}]. */
    QVariantList labels() const { return m_labels; }
    QVariantMap conversationSettings() const { return m_conversationSettings; }
    QString storePath() const { return m_storePath; }
    core::Backend *backend() const { return m_backend.get(); }
    QString version() const { return QStringLiteral(ARBOR_VERSION); }
    JobsDashboard *jobs() const { return m_jobs; }
    ProviderSettings *providerSettings() const { return m_providerSettings; }
    SyncController *sync() const { return m_sync; }
    UiState *uiState() const { return m_uiState; }
    QString highlightMessageId() const { return m_highlightMessageId; }
    QStringList highlightTerms() const { return m_highlightTerms; }
    /** @brief The words of a search query to mark in a hit (quotes and operators dropped). */
    static QStringList termsOf(const QString &query);

    /** @brief Starts a new, empty conversation (stored when the first message is sent). */
    Q_INVOKABLE void newConversation();
    Q_INVOKABLE void selectConversation(const QString &id);
    Q_INVOKABLE void renameConversation(const QString &id, const QString &title);
    /** @brief Deletes a conversation; undo() brings it back. */
    Q_INVOKABLE void deleteConversation(const QString &id);
    /** @brief Sends @p text with the current model; false (and errorText) if it cannot be sent. */
    Q_INVOKABLE bool send(const QString &text);
    /** @brief Stops the live reply of the current conversation; its text is kept. */
    Q_INVOKABLE void stop();
    Q_INVOKABLE void dismissError();

    /** @brief Shows the sibling @p delta steps from @p messageId (‹ / ›). */
    Q_INVOKABLE void switchSibling(const QString &messageId, int delta);
    /** @brief A new reply beside @p messageId, with @p modelKey ("" = the same model). */
    Q_INVOKABLE void regenerate(const QString &messageId, const QString &modelKey = {});
    /** @brief Continues a reply that stopped early, as a new sibling starting with its text. */
    Q_INVOKABLE void continueReply(const QString &messageId);
    /** @brief Saves an edit of a user message as a new sibling; @p reply also asks for a reply. */
    Q_INVOKABLE bool editMessage(const QString &messageId, const QString &text, bool reply);
    /** @brief Makes the path through @p messageId visible, then asks the view to scroll to it. */
    Q_INVOKABLE void showMessage(const QString &messageId);
    /** @brief Deletes @p messageId and its subtree; undo() brings them back. */
    Q_INVOKABLE void deleteSubtree(const QString &messageId);
    Q_INVOKABLE void undo();
    Q_INVOKABLE void setLabel(const QString &messageId, const QString &label);
    /** @brief Copies the path to @p messageId into a new conversation and opens it. */
    Q_INVOKABLE void fork(const QString &messageId);
    /** @brief Searches every branch of every conversation; results land in searchResults. */
    Q_INVOKABLE void search(const QString &text);
    /** @brief Opens a search hit: its conversation, the branch that holds it, scrolled to it. */
    Q_INVOKABLE void openMessage(const QString &conversationId, const QString &messageId);
    /** @brief Reads the current conversation's parameters into conversationSettings. */
    Q_INVOKABLE void loadConversationSettings();
    /** @brief Saves the current conversation's parameters (temperature -1 and maxTokens 0 mean the
     *  model's default, an empty prompt none). A new conversation keeps them until its first
     *  message stores it with them. False (and errorText) for invalid values. */
    Q_INVOKABLE bool saveConversationSettings(const QString &systemPrompt, double temperature,
                                              int maxTokens);

Q_SIGNALS:
    void busyChanged();
    void errorTextChanged();
    void currentConversationChanged();
    void currentTitleChanged();
    void currentModelKeyChanged();
    /** @brief A send failed after the composer was cleared: QML puts @p text back. */
    void sendFailed(const QString &text);
    void undoChanged();
    void labelsChanged();
    void conversationSettingsChanged();
    /** @brief The view should bring @p messageId into sight (after a jump). */
    void scrollToMessage(const QString &messageId);
    void highlightChanged();

private:
    void refreshConversations();
    void setUpSync();
    void setCurrent(const QString &id);
    void setError(const QString &text);

    std::unique_ptr<core::Backend> m_backend;
    ConversationListModel *m_conversations;
    ThreadModel *m_thread;
    ModelListModel *m_models;
    QString m_currentId;
    QString m_modelKey;
    QString m_errorText;
    QString m_storePath;
    SearchModel *m_search;
    QVariantList m_labels;
    QVariantMap m_conversationSettings;
    void setConversationSettings(const QVariantMap &settings);
    void refreshLabels();
    /** @brief What undo() brings back: a deleted branch, or a deleted conversation. */
    struct UndoEntry
    {
        std::optional<chat::RemovedSubtree> subtree;
        QString conversationId;
        QString title;
    };
    std::optional<UndoEntry> m_undo;
    QJsonObject
        m_pendingSettings; ///< parameters of the new conversation, stored with its first message
    UiState *m_uiState = nullptr;
    QString m_lastSearch;
    QString m_highlightMessageId;
    QStringList m_highlightTerms;
    bool m_restoredSession = false; ///< the last conversation was reopened (or there was none)
    void setHighlight(const QString &messageId, const QStringList &terms);
    QString m_pendingScroll; ///< scroll here once the thread has loaded the new path
    quint64 m_searchGeneration = 0;
    bool m_refreshQueued = false;
    bool m_ready = false;
    JobsDashboard *m_jobs = nullptr;
    ProviderSettings *m_providerSettings = nullptr;
    SyncController *m_sync = nullptr;
};

} // namespace arbor::app
