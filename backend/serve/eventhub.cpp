#include "eventhub.h"

#include "chat/chatevents.h"
#include "core/backend.h"
#include "jobs/jobengine.h"
#include "store/servequeries.h"
#include "store/store.h"
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
    , m_backend(backend)
    , m_epoch(QString::number(QDateTime::currentMSecsSinceEpoch()))
{
    // Whose each conversation is, as stored (new ones are told through own(), those of other
    // processes are read when first needed: ownerOf()).
    try {
        m_owners = backend.store()
                       .read([](QSqlDatabase &db) { return store::serve::conversationOwners(db); })
                       .result();
    } catch (const std::exception &e) {
        qWarning("arbord serve: reading whose conversations are whose failed: %s", e.what());
    }
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
    // Deltas once committed (one signal per group commit): what an events client saw is in the
    // store even if this server is killed the next moment.
    connect(events, &chat::ChatEvents::textsCommitted, this,
            [this](const QList<chat::CommittedText> &pieces) {
                for (const chat::CommittedText &p : pieces)
                    if (!p.text.isEmpty())
                        publish({{str("type"), str("message.delta")},
                                 {str("conversation_id"), p.conversationId},
                                 {str("message_id"), p.messageId},
                                 {str("offset"), qint64(p.offset)},
                                 {str("delta"), p.text}});
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

void EventHub::own(const QString &conversationId, const QString &tokenId)
{
    m_owners.insert(conversationId, tokenId);
    m_misses.remove(conversationId);
}

bool EventHub::visible(const Kept &event, const Viewer &viewer)
{
    if (viewer.admin)
        return true;
    if (event.adminOnly)
        return false;
    return event.conversationId.isEmpty() || ownerOf(event.conversationId) == viewer.tokenId;
}

QString EventHub::ownerOf(const QString &conversationId)
{
    if (const auto it = m_owners.constFind(conversationId); it != m_owners.cend())
        return *it;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (const auto miss = m_misses.constFind(conversationId);
        miss != m_misses.cend() && now - *miss < MissRetryMs)
        return {};
    // A conversation another process made (its reply runs here now): one short read, after
    // which its owner is known for good (a conversation never changes hands).
    QString owner;
    try {
        owner = m_backend.store()
                    .read([conversationId](QSqlDatabase &db) {
                        return store::serve::conversationOwner(db, conversationId);
                    })
                    .result();
    } catch (const std::exception &e) {
        qWarning("arbord serve: reading whose a conversation is failed: %s", e.what());
    }
    if (owner.isEmpty()) {
        m_misses.insert(conversationId, now);
        return {};
    }
    m_misses.remove(conversationId);
    m_owners.insert(conversationId, owner);
    return owner;
}

void EventHub::publish(QJsonObject event)
{
    const qint64 n = m_next++;
    event.insert(str("id"), m_epoch + QLatin1Char('-') + QString::number(n));
    const QString type = event.value(str("type")).toString();
    Kept kept{n, event.value(str("conversation_id")).toString(),
              type == u"job.changed" || type == u"presence.changed",
              QJsonDocument(event).toJson(QJsonDocument::Compact)};
    // Serialised once; each subscriber costs a check and a send.
    const QString text = QString::fromUtf8(kept.text);
    for (const Subscriber &s : std::as_const(m_subscribers))
        if (visible(kept, s.viewer))
            s.socket->sendTextMessage(text);
    m_ring.push_back(std::move(kept));
    if (qsizetype(m_ring.size()) > RingSize)
        m_ring.pop_front();
}

void EventHub::subscribe(QWebSocket *socket, const QString &lastEventId, const Viewer &viewer)
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
                if (k.n > n && visible(k, viewer))
                    socket->sendTextMessage(QString::fromUtf8(k.text));
        }
    }
    m_subscribers.append({socket, viewer});
    connect(socket, &QWebSocket::disconnected, this, [this, socket] {
        m_subscribers.removeIf([socket](const Subscriber &s) { return s.socket == socket; });
        socket->deleteLater();
    });
}

} // namespace arbor::serve
