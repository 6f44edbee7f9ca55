#include "chatcontroller.h"

#include "app.h"
#include "async.h"
#include "conversationcontroller.h"
#include "conversationtools.h"
#include "errorcontroller.h"
#include "modelcontroller.h"
#include "synccontroller.h"
#include "undocontroller.h"

#include "chat/chatservice.h"
#include "core/backend.h"
#include "tools/toolhost.h"
#include "tools/toolservice.h"

#include <QJsonArray>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcChat, "arbor.app.chat", QtInfoMsg)

namespace arbor::app {

namespace {

/** @brief An error handler for whenDone() that shows "@p what: the error". */
auto reportTo(ErrorController *errors, const QString &what)
{
    return [errors, what](const QString &error) { errors->show(what.arg(error)); };
}

} // namespace

ChatController *ChatController::create(QQmlEngine *qmlEngine, QJSEngine *jsEngine)
{
    return App::singleton(qmlEngine, jsEngine, &App::chat);
}

ChatController::ChatController(core::Backend *backend, ThreadModel *thread,
                               ConversationController *conversations, ModelController *models,
                               SyncController *sync, ErrorController *errors, UndoController *undo,
                               QObject *parent)
    : QObject(parent)
    , m_backend(backend)
    , m_thread(thread)
    , m_conversations(conversations)
    , m_models(models)
    , m_sync(sync)
    , m_errors(errors)
    , m_undo(undo)
{
    connect(m_thread, &ThreadModel::hasLiveChanged, this, &ChatController::busyChanged);
    m_conversationTools = new ConversationTools(backend, this);
    connect(m_conversations, &ConversationController::currentChanged, this,
            [this] { m_conversationTools->setConversation(m_conversations->currentId()); });
    m_conversationTools->setConversation(m_conversations->currentId());
    connect(m_thread, &ThreadModel::loaded, this, [this] {
        if (!m_pendingScroll.isEmpty() && m_thread->rowOfId(m_pendingScroll) >= 0)
            Q_EMIT scrollToMessage(std::exchange(m_pendingScroll, QString()));
    });
}

bool ChatController::may(const QString &messageId, MessageAction::Action action) const
{
    if (!m_backend)
        return false;
    if (m_thread->allows(messageId, action))
        return true;
    qCInfo(lcChat) << "ignored" << action << "on" << messageId << "(not allowed in its state)";
    return false;
}

void ChatController::decideToolCall(const QString &messageId, int index, bool allow, bool always)
{
    tools::ToolHost *host = m_backend ? m_backend->toolHost() : nullptr;
    if (!host)
        return;
    // The host lives on the job engine's thread, with the calls.
    QMetaObject::invokeMethod(host, [host, messageId, index, allow, always] {
        host->decide(messageId, index, allow, always);
    });
}

bool ChatController::send(const QString &text)
{
    if (!m_backend)
        return false;
    if (const QString error = chat::ChatService::validate(text); !error.isEmpty()) {
        m_errors->show(error);
        return false;
    }
    const QString current = m_conversations->currentId();
    chat::SendRequest request;
    request.conversationId = current;
    request.text = text;
    request.modelKey = m_models->currentKey();
    // The servers this conversation uses (its own choice, else the global one).
    if (const QStringList servers = m_conversationTools->enabled(); !servers.isEmpty())
        request.options.insert(QStringLiteral("tools"), QJsonArray::fromStringList(servers));
    if (current.isEmpty())
        request.settings = m_conversations->pendingSettings(); // stored with the first message
    // In a shared conversation the stored leaf may lag what teammates added (or be unset for a
    // conversation that came from them): the reply goes under what the person sees.
    if (m_sync->isShared(current) && m_thread->rowCount() > 0) {
        const domain::Message &last = m_thread->messageAt(m_thread->rowCount() - 1);
        if (last.conversationId == current)
            request.parentId = last.id;
    }
    // A new conversation started while a workspace is shown goes into it once stored.
    const QString workspace = current.isEmpty() ? m_sync->currentWorkspace() : QString();
    m_errors->dismiss();
    whenDone(
        this, m_backend->chat().send(request),
        [this, workspace, wasNew = current.isEmpty()](const chat::SendResult &result) {
            if (!workspace.isEmpty())
                m_sync->moveToWorkspace(result.conversationId, workspace);
            if (wasNew) {
                m_conversationTools->adopt(result.conversationId);
                m_conversations->adoptNew(result.conversationId);
            }
        },
        [this, text](const QString &error) {
            m_errors->show(tr("Could not send: %1").arg(error));
            Q_EMIT sendFailed(text);
        });
    return true;
}

void ChatController::stop()
{
    const QString id = m_thread->liveMessageId();
    if (!m_backend || id.isEmpty())
        return;
    whenDone(
        this, m_backend->chat().stop(id),
        [](bool stopped) {
            if (!stopped)
                qCInfo(lcChat) << "nothing to stop: the reply had already ended or runs in "
                                  "another process";
        },
        reportTo(m_errors, tr("Could not stop the reply: %1")));
}

bool ChatController::edit(const QString &messageId, const QString &text, bool reply)
{
    if (!may(messageId, MessageAction::Edit))
        return false;
    if (const QString error = chat::ChatService::validate(text); !error.isEmpty()) {
        m_errors->show(error);
        return false;
    }
    whenDone(
        this,
        m_backend->chat().edit(messageId, text, reply, reply ? m_models->currentKey() : QString()),
        [this](const chat::SendResult &result) { scrollWhenShown(result.user.id); },
        reportTo(m_errors, tr("Cannot save the edit: %1")));
    return true;
}

bool ChatController::regenerate(const QString &messageId, const QString &modelKey)
{
    if (!may(messageId, MessageAction::Regenerate))
        return false;
    whenDone(
        this, m_backend->chat().regenerate(messageId, modelKey),
        [this](const chat::SendResult &result) { scrollWhenShown(result.assistant.id); },
        reportTo(m_errors, tr("Cannot regenerate: %1")));
    return true;
}

bool ChatController::retry(const QString &messageId)
{
    return may(messageId, MessageAction::Retry) && regenerate(messageId);
}

bool ChatController::continueReply(const QString &messageId)
{
    if (!may(messageId, MessageAction::Continue))
        return false;
    whenDone(
        this, m_backend->chat().continueReply(messageId),
        [this](const chat::SendResult &result) { scrollWhenShown(result.assistant.id); },
        reportTo(m_errors, tr("Cannot continue: %1")));
    return true;
}

void ChatController::switchSibling(const QString &messageId, int delta)
{
    if (!m_backend)
        return;
    whenFailed(this, m_backend->chat().switchSibling(messageId, delta),
               reportTo(m_errors, tr("Cannot switch branch: %1")));
}

bool ChatController::setLabel(const QString &messageId, const QString &label)
{
    if (!may(messageId, MessageAction::Label))
        return false;
    whenFailed(this, m_backend->chat().setLabel(messageId, label),
               reportTo(m_errors, tr("Cannot set the label: %1")));
    return true;
}

bool ChatController::fork(const QString &messageId)
{
    if (!may(messageId, MessageAction::Fork))
        return false;
    whenDone(
        this, m_backend->chat().fork(messageId),
        [this](const QString &conversationId) { m_conversations->select(conversationId); },
        reportTo(m_errors, tr("Cannot fork: %1")));
    return true;
}

bool ChatController::deleteBranch(const QString &messageId)
{
    if (!may(messageId, MessageAction::Delete))
        return false;
    whenDone(
        this, m_backend->chat().removeSubtree(messageId),
        [this](const chat::RemovedSubtree &removed) { m_undo->rememberSubtree(removed); },
        reportTo(m_errors, tr("Cannot delete: %1")));
    return true;
}

void ChatController::showMessage(const QString &messageId)
{
    if (!m_backend)
        return;
    if (m_thread->rowOfId(messageId) >= 0) {
        Q_EMIT scrollToMessage(messageId);
        return;
    }
    scrollWhenShown(messageId);
    whenFailed(this, m_backend->chat().switchTo(messageId),
               reportTo(m_errors, tr("Cannot show that message: %1")));
}

} // namespace arbor::app
