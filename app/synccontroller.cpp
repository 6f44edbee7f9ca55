#include "synccontroller.h"

#include "async.h"
#include "conversationlistmodel.h"

#include "core/backend.h"
#include "sync/syncservice.h"

namespace arbor::app {

SyncController::SyncController(core::Backend *backend, ConversationListModel *conversations,
                               QObject *parent)
    : QObject(parent)
    , m_backend(backend)
    , m_service(backend ? &backend->sync() : nullptr)
    , m_conversations(conversations)
    , m_workspaces(new WorkspaceListModel(this))
    , m_server(new TeamServerSettings(m_service, this))
    , m_presence(new Presence(m_service, this))
{
    if (!m_service)
        return;
    connect(m_service, &sync::SyncService::workspacesChanged, this, [this] {
        m_workspaces->setWorkspaces(m_service->workspaces());
        if (m_workspaces->indexOf(m_currentWorkspace) < 0)
            setCurrentWorkspace({});
    });
    connect(m_service, &sync::SyncService::unreadChanged, this, &SyncController::applyUnread);
    connect(m_service, &sync::SyncService::remoteChanges, this, &SyncController::remoteChanges);
    connect(m_service, &sync::SyncService::conversationsMoved, this,
            &SyncController::conversationsMoved);
}

SyncController::~SyncController()
{
    shutdown();
}

void SyncController::start()
{
    if (m_backend)
        m_backend->startSync();
}

void SyncController::shutdown()
{
    if (m_service)
        m_service->disconnect(this);
    m_service = nullptr;
    m_backend = nullptr;
}

void SyncController::setEngineOptions(const sync::SyncEngine::Options &options)
{
    if (m_service)
        m_service->setEngineOptions(options);
}

void SyncController::setCurrentWorkspace(const QString &id)
{
    if (id == m_currentWorkspace || m_workspaces->indexOf(id) < 0)
        return;
    m_currentWorkspace = id;
    m_presence->setWorkspaceShown(id);
    Q_EMIT currentWorkspaceChanged();
}

QVariantList SyncController::shareTargets() const
{
    QVariantList out;
    if (!m_service)
        return out;
    for (const sync::Workspace &w : m_service->shareTargets())
        out.append(QVariantMap{{QStringLiteral("id"), w.id}, {QStringLiteral("name"), w.name}});
    return out;
}

void SyncController::moveToWorkspace(const QString &conversationId, const QString &workspaceId)
{
    if (!m_service || conversationId.isEmpty())
        return;
    whenDone(
        this, m_service->moveToWorkspace(conversationId, workspaceId),
        [this, conversationId] { Q_EMIT moveFinished(true, {}, conversationId); },
        [this, conversationId](const QString &error) {
            Q_EMIT moveFinished(false, tr("Cannot move the conversation: %1").arg(error),
                                conversationId);
        });
}

void SyncController::setCurrentConversation(const QString &id)
{
    if (m_service)
        m_service->setCurrentConversation(id);
}

void SyncController::conversationsRefreshed()
{
    applyUnread();
}

bool SyncController::isShared(const QString &conversationId) const
{
    return m_service && m_service->isShared(conversationId);
}

void SyncController::applyUnread()
{
    if (!m_service)
        return;
    m_conversations->setUnreadCounts(m_service->unread());
    m_workspaces->setUnread(m_service->unreadByWorkspace());
}

} // namespace arbor::app
