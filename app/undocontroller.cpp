#include "undocontroller.h"

#include "app.h"
#include "async.h"
#include "errorcontroller.h"

#include "core/backend.h"

namespace arbor::app {

UndoController *UndoController::create(QQmlEngine *qmlEngine, QJSEngine *jsEngine)
{
    return App::singleton(qmlEngine, jsEngine, &App::undo);
}

UndoController::UndoController(core::Backend *backend, ErrorController *errors, QObject *parent)
    : QObject(parent)
    , m_backend(backend)
    , m_errors(errors)
{
}

QString UndoController::text() const
{
    if (!m_entry)
        return {};
    if (!m_entry->subtree) {
        return tr("Deleted “%1”")
            .arg(m_entry->title.isEmpty() ? tr("New conversation") : m_entry->title);
    }
    return m_entry->subtree->count == 1 ? tr("Deleted 1 message")
                                        : tr("Deleted %1 messages").arg(m_entry->subtree->count);
}

void UndoController::rememberSubtree(const chat::RemovedSubtree &removed)
{
    m_entry = Entry{removed, {}, {}};
    Q_EMIT changed();
}

void UndoController::rememberConversation(const QString &id, const QString &title)
{
    m_entry = Entry{std::nullopt, id, title};
    Q_EMIT changed();
}

void UndoController::undo()
{
    if (!m_backend || !m_entry)
        return;
    const Entry entry = *std::exchange(m_entry, std::nullopt);
    Q_EMIT changed();
    const auto failed = [this](const QString &error) {
        m_errors->show(tr("Cannot undo: %1").arg(error));
    };
    if (!entry.subtree) {
        whenDone(
            this, m_backend->chat().restoreConversation(entry.conversationId),
            [this, id = entry.conversationId] { Q_EMIT showConversation(id); }, failed);
        return;
    }
    // The branch comes back where the user can see it.
    Q_EMIT showConversation(entry.subtree->conversationId);
    whenFailed(this, m_backend->chat().restoreSubtree(*entry.subtree), failed);
}

} // namespace arbor::app
