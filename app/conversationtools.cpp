#include "conversationtools.h"

#include "async.h"

#include "core/backend.h"
#include "tools/toolservice.h"

#include <QVariantMap>

namespace arbor::app {

ConversationTools::ConversationTools(core::Backend *backend, QObject *parent)
    : QObject(parent)
    , m_backend(backend)
{
    if (!m_backend)
        return;
    tools::ToolService &service = m_backend->tools();
    connect(&service, &tools::ToolService::serversChanged, this, &ConversationTools::refresh);
    connect(&service, &tools::ToolService::conversationServersChanged, this,
            [this](const QString &id) {
                if (id == m_conversationId)
                    refresh();
            });
    refresh();
}

void ConversationTools::setConversation(const QString &conversationId)
{
    if (conversationId == m_conversationId)
        return;
    m_conversationId = conversationId;
    if (!conversationId.isEmpty())
        m_pending.clear();
    refresh();
}

void ConversationTools::refresh()
{
    if (!m_backend)
        return;
    const int generation = ++m_generation;
    whenDone(
        this, m_backend->tools().forConversation(m_conversationId),
        [this, generation](QList<tools::ConversationServer> servers) {
            if (generation != m_generation)
                return;
            for (tools::ConversationServer &s : servers) {
                const auto pending = m_pending.constFind(s.name);
                if (m_conversationId.isEmpty() && pending != m_pending.cend()) {
                    s.enabled = *pending;
                    s.overridden = true;
                }
            }
            m_rows.clear();
            for (const tools::ConversationServer &s : std::as_const(servers))
                m_rows.append(QVariantMap{{QStringLiteral("name"), s.name},
                                          {QStringLiteral("enabled"), s.enabled},
                                          {QStringLiteral("global"), s.global},
                                          {QStringLiteral("overridden"), s.overridden}});
            m_enabled = tools::ToolService::enabledNames(servers);
            Q_EMIT serversChanged();
        },
        [](const QString &) {}); // no servers then: messages go without tools
}

void ConversationTools::setEnabled(const QString &server, bool enabled)
{
    if (!m_backend)
        return;
    if (m_conversationId.isEmpty()) {
        m_pending.insert(server, enabled);
        refresh();
        return;
    }
    m_backend->tools().setForConversation(m_conversationId, server, enabled);
}

void ConversationTools::useGlobal(const QString &server)
{
    if (!m_backend)
        return;
    if (m_conversationId.isEmpty()) {
        m_pending.remove(server);
        refresh();
        return;
    }
    m_backend->tools().setForConversation(m_conversationId, server, std::nullopt);
}

void ConversationTools::adopt(const QString &conversationId)
{
    if (!m_backend)
        return;
    const QHash<QString, bool> pending = std::exchange(m_pending, {});
    for (auto it = pending.cbegin(); it != pending.cend(); ++it)
        m_backend->tools().setForConversation(conversationId, it.key(), it.value());
}

} // namespace arbor::app
