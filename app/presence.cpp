#include "presence.h"

#include "sync/syncservice.h"

namespace arbor::app {

Presence::Presence(sync::SyncService *service, QObject *parent)
    : QObject(parent)
    , m_service(service)
{
    if (m_service)
        connect(m_service, &sync::SyncService::presenceChanged, this, &Presence::update);
}

QVariantList Presence::here() const
{
    QVariantList out;
    for (const sync::Teammate &t : m_view.here)
        out.append(QVariantMap{{QStringLiteral("user"), t.user},
                               {QStringLiteral("initials"), t.initials},
                               {QStringLiteral("typing"), t.typing}});
    return out;
}

QVariantList Presence::online() const
{
    QVariantList out;
    for (const sync::Teammate &t : m_view.online)
        out.append(QVariantMap{{QStringLiteral("user"), t.user},
                               {QStringLiteral("initials"), t.initials},
                               {QStringLiteral("here"), t.here},
                               {QStringLiteral("typing"), t.typing}});
    return out;
}

void Presence::setWorkspaceShown(const QString &workspaceId)
{
    if (workspaceId == m_workspaceShown)
        return;
    m_workspaceShown = workspaceId;
    update();
}

void Presence::noteTyping(bool hasText)
{
    if (m_service)
        m_service->noteTyping(hasText);
}

void Presence::update()
{
    const sync::PresenceView view =
        m_service ? m_service->presence(m_workspaceShown) : sync::PresenceView{};
    if (view == m_view)
        return;
    m_view = view;
    Q_EMIT changed();
}

} // namespace arbor::app
