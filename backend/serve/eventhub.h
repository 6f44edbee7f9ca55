#pragma once

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>

#include <deque>

class QWebSocket;

namespace arbor::core {
class Backend;
}

namespace arbor::serve {

/**
 * @brief The live events of `GET /v1/events`: conversations and messages created or changed,
 * token deltas of replies in progress, job state changes, team presence. Each event has an id
 * "EPOCH-N" (EPOCH: when this server started, N counting from 1). The last RingSize events are
 * kept in memory; a client that reconnects with `?last_event_id=` (or a Last-Event-ID header)
 * gets every kept event after it, then the live ones. When the id is older than the ring or
 * from an earlier server process, the client first gets one `resync` event: what it missed is
 * in the store (GET /v1/responses/{id}, the conversation), not in the stream.
 *
 * A token sees only the events of its own conversations (those its requests made or continued)
 * and the bare "conversations.changed"; an admin token (`arbord serve --admin-token NAME`) sees
 * every event, also job and presence changes, which name no conversation. Ids are counted over
 * all events, so a token sees rising ids with gaps; resuming after one of them misses nothing
 * it may see. Whose a conversation is comes from this server's requests (own()) and, for one
 * another process on the store made (a reply its engine took over), from the store when an
 * event of it first reaches a token's stream.
 */
class EventHub : public QObject
{
    Q_OBJECT

public:
    static constexpr qsizetype RingSize = 100'000;

    explicit EventHub(core::Backend &backend, QObject *parent = nullptr);

    /** @brief Who receives: a token, and whether it sees everything. */
    struct Viewer
    {
        QString tokenId;
        bool admin = false;
    };
    /** @brief Sends @p socket the events after @p lastEventId ("" = none) that @p viewer may
     *  see, then live ones. */
    void subscribe(QWebSocket *socket, const QString &lastEventId, const Viewer &viewer);
    /** @brief The conversation @p conversationId is @p tokenId's (a request of it placed its
     *  messages there); said before the request's messages are made. */
    void own(const QString &conversationId, const QString &tokenId);
    /** @brief Records and sends one event (a JSON object with its "type"). */
    void publish(QJsonObject event);
    const QString &epoch() const { return m_epoch; }
    int subscribers() const { return int(m_subscribers.size()); }

private:
    struct Kept
    {
        qint64 n = 0;
        QString conversationId; ///< "" for an event that names none
        bool adminOnly = false;
        QByteArray text; ///< the event as sent
    };
    struct Subscriber
    {
        QWebSocket *socket = nullptr;
        Viewer viewer;
    };
    bool visible(const Kept &event, const Viewer &viewer);
    /** @brief The token whose @p conversationId is: known, else read from the store (at most
     *  every MissRetryMs for a conversation no token has, such as the app's own). */
    QString ownerOf(const QString &conversationId);
    static constexpr qint64 MissRetryMs = 250;

    core::Backend &m_backend;

    QString m_epoch;
    qint64 m_next = 1;
    std::deque<Kept> m_ring;
    QList<Subscriber> m_subscribers;
    QHash<QString, QString> m_owners; ///< conversation id -> the token whose it is
    QHash<QString, qint64> m_misses;  ///< conversation id -> when the store said no token's
};

} // namespace arbor::serve
