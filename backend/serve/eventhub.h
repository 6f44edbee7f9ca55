#pragma once

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
 */
class EventHub : public QObject
{
    Q_OBJECT

public:
    static constexpr qsizetype RingSize = 100'000;

    explicit EventHub(core::Backend &backend, QObject *parent = nullptr);

    /** @brief Sends @p socket the events after @p lastEventId ("" = none), then live ones. */
    void subscribe(QWebSocket *socket, const QString &lastEventId);
    /** @brief Records and sends one event (a JSON object with its "type"). */
    void publish(QJsonObject event);
    const QString &epoch() const { return m_epoch; }
    int subscribers() const { return int(m_sockets.size()); }

private:
    struct Kept
    {
        qint64 n = 0;
        QByteArray text; ///< the event as sent
    };

    QString m_epoch;
    qint64 m_next = 1;
    std::deque<Kept> m_ring;
    QList<QWebSocket *> m_sockets;
};

} // namespace arbor::serve
