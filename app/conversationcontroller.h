#pragma once

#include "conversationlistmodel.h"

#include <QJsonObject>
#include <QObject>
#include <QString>
#include <QVariantList>
#include <QVariantMap>
#include <QtQml/qqml.h>

class QQmlEngine;
class QJSEngine;

namespace arbor::core {
class Backend;
}

namespace arbor::app {

class ErrorController;
class ThreadModel;
class UiState;
class UndoController;

/**
 * @brief The conversations: the list, the one that is open, and what is done to them (new,
 * open, rename, delete, parameters), plus the open one's bookmarks. Opening one points the
 * thread at it; the last one opened is reopened at the next start. GUI thread only.
 */
class ConversationController : public QObject
{
    Q_OBJECT
    QML_NAMED_ELEMENT(Conversations)
    QML_SINGLETON
    /** @brief The conversations of the shown workspace, newest first. */
    Q_PROPERTY(arbor::app::ConversationListModel *list READ list CONSTANT)
    /** @brief The open conversation; "" for a new one that is not stored yet. */
    Q_PROPERTY(QString currentId READ currentId NOTIFY currentChanged)
    Q_PROPERTY(QString currentTitle READ currentTitle NOTIFY currentTitleChanged)
    /** @brief The open conversation's model parameters: {systemPrompt, temperature (-1 = the
     *  model's default), maxTokens (0 = the model's default), thinkingBudget (tokens the model
     *  may reason with first; 0 = thinking off)}. */
    Q_PROPERTY(QVariantMap settings READ settings NOTIFY settingsChanged)
    /** @brief Bookmarks of the open conversation: [{messageId, label, preview, messageRole}]. */
    Q_PROPERTY(QVariantList labels READ labels NOTIFY labelsChanged)

public:
    static ConversationController *create(QQmlEngine *qmlEngine, QJSEngine *jsEngine);

    /** @brief @p backend: nullptr when the store did not open. */
    ConversationController(core::Backend *backend, ConversationListModel *list, ThreadModel *thread,
                           UiState *uiState, ErrorController *errors, UndoController *undo,
                           QObject *parent = nullptr);

    ConversationListModel *list() const { return m_list; }
    QString currentId() const { return m_currentId; }
    QString currentTitle() const;
    QVariantMap settings() const { return m_settings; }
    QVariantList labels() const { return m_labels; }

    /** @brief Starts a new, empty conversation (stored when the first message is sent). */
    Q_INVOKABLE void newConversation();
    /** @brief Opens @p id ("" = a new conversation). */
    Q_INVOKABLE void select(const QString &id);
    Q_INVOKABLE void rename(const QString &id, const QString &title);
    /** @brief Deletes a conversation; Undo brings it back. */
    Q_INVOKABLE void remove(const QString &id);
    /** @brief Reads the open conversation's parameters into settings. */
    Q_INVOKABLE void loadSettings();
    /** @brief Saves the open conversation's parameters (temperature -1 and maxTokens 0 mean the
     *  model's default, an empty prompt none, thinkingBudget 0 thinking off: stored as
     *  "thinking_budget", or without it). A new conversation keeps them until its first
     *  message stores it with them. False (and Errors.text) for invalid values. */
    Q_INVOKABLE bool saveSettings(const QString &systemPrompt, double temperature, int maxTokens,
                                  int thinkingBudget);

    /** @brief Reads the list again (several calls in a row cost one read). */
    void refresh();
    /** @brief The parameters set for the new conversation, to store with its first message. */
    QJsonObject pendingSettings() const { return m_pendingSettings; }
    /** @brief The first message stored the new conversation as @p id: open it, unless the user
     *  moved on meanwhile. */
    void adoptNew(const QString &id);

Q_SIGNALS:
    void currentChanged();
    void currentTitleChanged();
    void settingsChanged();
    void labelsChanged();
    /** @brief The list was read again from the store. */
    void listRefreshed();

private:
    void setSettings(const QVariantMap &settings);
    void refreshLabels();

    core::Backend *m_backend;
    ConversationListModel *m_list;
    ThreadModel *m_thread;
    UiState *m_uiState;
    ErrorController *m_errors;
    UndoController *m_undo;
    QString m_currentId;
    QVariantMap m_settings;
    QVariantList m_labels;
    QJsonObject m_pendingSettings;  ///< of the new conversation, stored with its first message
    bool m_restoredSession = false; ///< the last conversation was reopened (or there was none)
    bool m_refreshQueued = false;
    quint64 m_listGeneration = 0;     ///< of the latest read of the list
    quint64 m_settingsGeneration = 0; ///< of the latest read of the current settings
    quint64 m_labelsGeneration = 0;   ///< of the latest read of the current labels
};

} // namespace arbor::app
