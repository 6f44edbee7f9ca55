#pragma once

#include "keyedlistmodel.h"

#include <QString>
#include <QtQml/qqml.h>

namespace arbor::app {

/** @brief One queue on the dashboard: jobs per state, limits, and the limiter's live state. */
struct QueueEntry
{
    QString name;
    bool paused = false;
    int queued = 0;
    int running = 0;
    int done = 0;
    int failed = 0;
    int cancelled = 0;
    int concurrency = 0;           ///< 0 = only the engine's limit
    qint64 requestsPerMinute = 0;  ///< 0 = unlimited
    double requestsAvailable = -1; ///< -1 = unlimited
    qint64 tokensPerMinute = 0;    ///< 0 = unlimited
    double tokensAvailable = -1;   ///< -1 = unlimited
    qint64 refillMs = 0;
    qint64 blockedMs = 0;
};

/**
 * @brief The dashboard's queues, keyed by name, in the order given. setQueues() applies a
 * refresh as inserts, removals, moves and dataChanged of the changed roles, never a reset.
 * GUI thread only.
 */
class QueueListModel : public KeyedListModel<QueueEntry, QString>
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Use App.jobs.queues")
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)

public:
    enum Roles {
        QueueNameRole = Qt::UserRole + 1, ///< the queue's name (a provider id, "default", ...)
        PausedRole,                       ///< true while no new job starts
        QueuedRole,                       ///< jobs waiting
        RunningRole,                      ///< jobs running
        DoneRole,                         ///< jobs done
        FailedRole,                       ///< jobs in the dead-letter list
        CancelledRole,                    ///< jobs cancelled
        ConcurrencyRole,                  ///< at most this many at once (0 = engine's limit)
        RequestsPerMinuteRole,            ///< requests/minute budget (0 = unlimited)
        RequestsAvailableRole,            ///< requests left in the bucket (-1 = unlimited)
        TokensPerMinuteRole,              ///< tokens/minute budget (0 = unlimited)
        TokensAvailableRole,              ///< tokens left in the bucket (-1 = unlimited)
        RefillMsRole,                     ///< ms until both buckets are full again
        BlockedMsRole,                    ///< ms the provider still holds the queue (Retry-After)
    };
    Q_ENUM(Roles)

    explicit QueueListModel(QObject *parent = nullptr);

    /** @brief Replaces the list with @p queues, incrementally. */
    void setQueues(const QList<QueueEntry> &queues);
    const QList<QueueEntry> &queues() const { return m_items; }

    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

Q_SIGNALS:
    void countChanged();

protected:
    QString keyOf(const QueueEntry &q) const override { return q.name; }
    QList<int> changedRoles(const QueueEntry &a, const QueueEntry &b) const override;
};

} // namespace arbor::app
