#pragma once

#include "conversationtools.h"
#include "statetypes.h"
#include "threadmodel.h"

#include <QObject>
#include <QString>
#include <QtQml/qqml.h>

class QQmlEngine;
class QJSEngine;

namespace arbor::core {
class Backend;
}

namespace arbor::app {

class ConversationController;
class ErrorController;
class ModelController;
class SyncController;
class UndoController;

/**
 * @brief The open conversation's thread and everything done to its messages: send and stop,
 * and the actions on one message (edit, regenerate, continue, retry, switch branch, label, fork,
 * delete). Each action on a message is checked against MessagePolicy first, as the view's
 * `can…` roles are: it returns false, and does nothing, when the message (on the visible path)
 * does not allow it. Failures of the backend go to Errors. After an action that makes a new
 * branch the view is asked to scroll to it once the thread shows it. GUI thread only.
 */
class ChatController : public QObject
{
    Q_OBJECT
    QML_NAMED_ELEMENT(Chat)
    QML_SINGLETON
    /** @brief The visible path of the open conversation. */
    Q_PROPERTY(arbor::app::ThreadModel *thread READ thread CONSTANT)
    /** @brief A reply of this window is being written (Stop is offered instead of Send). */
    Q_PROPERTY(bool busy READ busy NOTIFY busyChanged)
    /** @brief The MCP servers the current conversation uses (the composer's Tools menu). */
    Q_PROPERTY(arbor::app::ConversationTools *conversationTools READ conversationTools CONSTANT)

public:
    static ChatController *create(QQmlEngine *qmlEngine, QJSEngine *jsEngine);

    /** @brief @p backend: nullptr when the store did not open. */
    ChatController(core::Backend *backend, ThreadModel *thread,
                   ConversationController *conversations, ModelController *models,
                   SyncController *sync, ErrorController *errors, UndoController *undo,
                   QObject *parent = nullptr);

    ThreadModel *thread() const { return m_thread; }
    bool busy() const { return m_thread->hasLive(); }
    ConversationTools *conversationTools() const { return m_conversationTools; }

    /** @brief Sends @p text with the current model; false (and Errors.text) if it cannot be
     *  sent. A send that fails later emits sendFailed(). */
    Q_INVOKABLE bool send(const QString &text);
    /** @brief Stops the live reply of the open conversation; its text is kept. */
    Q_INVOKABLE void stop();
    /** @brief Saves an edit of a user message as a new sibling; @p reply also asks for a reply.
     *  False (and Errors.text) when the text cannot be sent; the editor stays open then. */
    Q_INVOKABLE bool edit(const QString &messageId, const QString &text, bool reply);
    /** @brief A new reply beside @p messageId, with @p modelKey ("" = the same model). */
    Q_INVOKABLE bool regenerate(const QString &messageId, const QString &modelKey = {});
    /** @brief Asks again for a reply that failed, with the same model (a new branch). */
    Q_INVOKABLE bool retry(const QString &messageId);
    /** @brief Continues a reply that stopped early, as a new sibling starting with its text. */
    Q_INVOKABLE bool continueReply(const QString &messageId);
    /** @brief The user's answer to tool call @p index of @p messageId, which waits for
     *  approval: run it (with @p always, allow that tool from now on) or deny it. */
    Q_INVOKABLE void decideToolCall(const QString &messageId, int index, bool allow, bool always);
    /** @brief Shows the sibling @p delta steps from @p messageId (‹ / ›). */
    Q_INVOKABLE void switchSibling(const QString &messageId, int delta);
    /** @brief Sets the bookmark label of @p messageId ("" removes it). */
    Q_INVOKABLE bool setLabel(const QString &messageId, const QString &label);
    /** @brief Copies the path to @p messageId into a new conversation and opens it. */
    Q_INVOKABLE bool fork(const QString &messageId);
    /** @brief Deletes @p messageId and its subtree; Undo brings them back. */
    Q_INVOKABLE bool deleteBranch(const QString &messageId);
    /** @brief Makes the path through @p messageId visible, then asks the view to scroll to it. */
    Q_INVOKABLE void showMessage(const QString &messageId);

    /** @brief Scroll to @p messageId once a load of the thread shows it. */
    void scrollWhenShown(const QString &messageId) { m_pendingScroll = messageId; }

Q_SIGNALS:
    void busyChanged();
    /** @brief A send failed after the composer was cleared: QML puts @p text back. */
    void sendFailed(const QString &text);
    /** @brief The view should bring @p messageId into sight (after a jump). */
    void scrollToMessage(const QString &messageId);

private:
    /** @brief The backend is there and the message allows @p action (MessagePolicy). */
    bool may(const QString &messageId, MessageAction::Action action) const;
    core::Backend *m_backend;
    ThreadModel *m_thread;
    ConversationController *m_conversations;
    ModelController *m_models;
    SyncController *m_sync;
    ErrorController *m_errors;
    UndoController *m_undo;
    QString m_pendingScroll; ///< scroll here once the thread has loaded the new path
    ConversationTools *m_conversationTools = nullptr;
};

} // namespace arbor::app
