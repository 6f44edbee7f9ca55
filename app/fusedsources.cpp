#include "fusedsources.h"

#include "app.h"
#include "async.h"

#include "chat/chatservice.h"
#include "core/backend.h"

#include <QTimer>

#include <utility>

namespace arbor::app {

FusedSources::FusedSources(QObject *parent)
    : QObject(parent)
{
}

void FusedSources::setMessageId(const QString &id)
{
    if (id == m_messageId)
        return;
    m_messageId = id;
    Q_EMIT inputChanged();
    scheduleReload();
}

void FusedSources::setFusedFrom(const QStringList &ids)
{
    if (ids == m_fusedFrom)
        return;
    m_fusedFrom = ids;
    Q_EMIT inputChanged();
    scheduleReload();
}

void FusedSources::setSiblingCount(int count)
{
    if (count == m_siblingCount)
        return;
    m_siblingCount = count;
    Q_EMIT inputChanged();
    scheduleReload();
}

void FusedSources::scheduleReload()
{
    // The inputs are set one after the other while a delegate is made: one read for all.
    if (std::exchange(m_reloadQueued, true))
        return;
    QTimer::singleShot(0, this, [this] {
        m_reloadQueued = false;
        reload();
    });
}

void FusedSources::reload()
{
    App *app = App::instance();
    if (!app || !app->backend() || m_messageId.isEmpty() || m_fusedFrom.isEmpty()) {
        if (!m_sources.isEmpty()) {
            m_sources.clear();
            Q_EMIT sourcesChanged();
        }
        return;
    }
    chat::ChatService &chat = app->backend()->chat();
    const int generation = ++m_generation;
    const auto failed = [](const QString &) {}; // the links stay as they were
    whenDone(
        this, chat.message(m_messageId),
        [this, &chat, generation, failed](const std::optional<domain::Message> &fused) {
            if (!fused || generation != m_generation)
                return;
            whenDone(
                this, chat.replies(fused->parentId),
                [this, generation](const QList<domain::Message> &siblings) {
                    if (generation != m_generation)
                        return;
                    QVariantList out;
                    for (const QString &id : std::as_const(m_fusedFrom)) {
                        QVariantMap source{{QStringLiteral("messageId"), id},
                                           {QStringLiteral("number"), 0},
                                           {QStringLiteral("author"), QString()}};
                        for (const domain::Message &m : siblings) {
                            if (m.id == id) {
                                source.insert(QStringLiteral("number"), m.siblingIndex + 1);
                                source.insert(QStringLiteral("author"), m.author);
                            }
                        }
                        out.append(source);
                    }
                    if (out != m_sources) {
                        m_sources = out;
                        Q_EMIT sourcesChanged();
                    }
                },
                failed);
        },
        failed);
}

} // namespace arbor::app
