#include "eventhub.h"

#include "chat/chatevents.h"
#include "core/backend.h"
#include "jobs/jobengine.h"
#include "sync/syncservice.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QWebSocket>

namespace arbor::serve {

namespace {
QString str(const char *s)
{
    return QString::fromLatin1(s);
}
} // namespace

EventHub::EventHub(core::Backend &backend, QObject *parent)
    : QObject(parent)
    , m_epoch(QString::number(QDateTime::currentMSecsSinceEpoch()))
{
    // ChatEvents are emitted on the threads that made the changes: queued to this one, in order.
    chat::ChatEvents *events = &backend.events();
    connect(events, &chat::ChatEvents::conversationsChanged, this, [this] {
        publish({{str("type"), str("conversations.changed")}});
    });
    connect(events, &chat::ChatEvents::messageCreated, this, [this](const domain::Message &m) {
        publish({{str("type"), str("message.created")},
                 {str("conversation_id"), m.conversationId},
                 {str("message_id"), m.id},
                 {str("parent_id"), m.parentId},
                 {str("role"), m.role},
                 {str("status"), domain::toString(m.status)},
                 {str("model"),
                  m.provider.isEmpty() ? QString() : m.provider + QLatin1Char('/') + m.model}});
    });
    connect(events, &chat::ChatEvents::messageDelta, this,
            [this](const QString &conversationId, const QString &messageId, qsizetype offset,
                   const QString &text) {
                publish({{str("type"), str("message.delta")},
                         {str("conversation_id"), conversationId},
                         {str("message_id"), messageId},
                         {str("offset"), qint64(offset)},
                         {str("delta"), text}});
            });
    connect(events, &chat::ChatEvents::messageStateChanged, this,
            [this](const QString &conversationId, const QString &messageId, const QString &status,
                   const QString &error) {
                publish({{str("type"), str("message.changed")},
                         {str("conversation_id"), conversationId},
                         {str("message_id"), messageId},
                         {str("status"), status},
                         {str("error"), error}});
            });
    connect(events, &chat::ChatEvents::pathChanged, this, [this](const QString &conversationId) {
        publish(
            {{str("type"), str("conversation.changed")}, {str("conversation_id"), conversationId}});
    });
    connect(&backend.engine(), &jobs::JobEngine::jobStarted, this,
            [this](qint64 id, const QString &kind) {
                publish({{str("type"), str("job.changed")},
                         {str("job_id"), id},
                         {str("kind"), kind},
                         {str("state"), str("running")}});
            });
    connect(&backend.engine(), &jobs::JobEngine::jobFinished, this,
            [this](qint64 id, const QString &kind, const QString &state, const QString &error) {
                publish({{str("type"), str("job.changed")},
                         {str("job_id"), id},
                         {str("kind"), kind},
                         {str("state"), state},
                         {str("error"), error}});
            });
    connect(&backend.sync(), &sync::SyncService::presenceChanged, this, [this] {
        publish({{str("type"), str("presence.changed")}});
    });
}

void EventHub::publish(QJsonObject event)
{
    const qint64 n = m_next++;
    event.insert(str("id"), m_epoch + QLatin1Char('-') + QString::number(n));
    QByteArray text = QJsonDocument(event).toJson(QJsonDocument::Compact);
    for (QWebSocket *socket : std::as_const(m_sockets))
        socket->sendTextMessage(QString::fromUtf8(text));
    m_ring.push_back({n, std::move(text)});
    if (qsizetype(m_ring.size()) > RingSize)
        m_ring.pop_front();
}

void EventHub::subscribe(QWebSocket *socket, const QString &lastEventId)
{
    socket->setParent(this);
    if (!lastEventId.isEmpty()) {
        const qsizetype dash = lastEventId.lastIndexOf(QLatin1Char('-'));
        bool ok = false;
        const qint64 n = lastEventId.mid(dash + 1).toLongLong(&ok);
        const bool ours = dash > 0 && ok && lastEventId.left(dash) == m_epoch && n < m_next;
        const bool kept = ours && (m_ring.empty() || n + 1 >= m_ring.front().n);
        if (!kept) {
            socket->sendTextMessage(QString::fromUtf8(
                QJsonDocument(
                    QJsonObject{
                        {str("type"), str("resync")},
                        {str("id"), m_epoch + QStringLiteral("-0")},
                        {str("reason"),
                         ours
                             ? str(
                                 "Events after this id are no longer kept; read the current state.")
                             : str("The server restarted since that id; read the current state.")}})
                    .toJson(QJsonDocument::Compact)));
        } else {
            for (const Kept &k : m_ring)
                if (k.n > n)
                    socket->sendTextMessage(QString::fromUtf8(k.text));
        }
    }
    m_sockets.append(socket);
    connect(socket, &QWebSocket::disconnected, this, [this, socket] {
        m_sockets.removeOne(socket);
        socket->deleteLater();
    });
}

} // namespace arbor::serve
