#include "queuelistmodel.h"

namespace arbor::app {

QList<int> QueueListModel::changedRoles(const QueueEntry &a, const QueueEntry &b) const
{
    QList<int> roles;
    auto note = [&roles](bool differs, int role) {
        if (differs)
            roles.append(role);
    };
    note(a.paused != b.paused, QueueListModel::PausedRole);
    note(a.queued != b.queued, QueueListModel::QueuedRole);
    note(a.running != b.running, QueueListModel::RunningRole);
    note(a.done != b.done, QueueListModel::DoneRole);
    note(a.failed != b.failed, QueueListModel::FailedRole);
    note(a.cancelled != b.cancelled, QueueListModel::CancelledRole);
    note(a.concurrency != b.concurrency, QueueListModel::ConcurrencyRole);
    note(a.requestsPerMinute != b.requestsPerMinute, QueueListModel::RequestsPerMinuteRole);
    note(a.requestsAvailable != b.requestsAvailable, QueueListModel::RequestsAvailableRole);
    note(a.tokensPerMinute != b.tokensPerMinute, QueueListModel::TokensPerMinuteRole);
    note(a.tokensAvailable != b.tokensAvailable, QueueListModel::TokensAvailableRole);
    note(a.refillMs != b.refillMs, QueueListModel::RefillMsRole);
    note(a.blockedMs != b.blockedMs, QueueListModel::BlockedMsRole);
    return roles;
}

QueueListModel::QueueListModel(QObject *parent)
    : KeyedListModel(parent)
{
}

void QueueListModel::setQueues(const QList<QueueEntry> &queues)
{
    if (replaceItems(queues))
        Q_EMIT countChanged();
}

QVariant QueueListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const QueueEntry &q = m_items.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case QueueNameRole:
        return q.name;
    case PausedRole:
        return q.paused;
    case QueuedRole:
        return q.queued;
    case RunningRole:
        return q.running;
    case DoneRole:
        return q.done;
    case FailedRole:
        return q.failed;
    case CancelledRole:
        return q.cancelled;
    case ConcurrencyRole:
        return q.concurrency;
    case RequestsPerMinuteRole:
        return q.requestsPerMinute;
    case RequestsAvailableRole:
        return q.requestsAvailable;
    case TokensPerMinuteRole:
        return q.tokensPerMinute;
    case TokensAvailableRole:
        return q.tokensAvailable;
    case RefillMsRole:
        return q.refillMs;
    case BlockedMsRole:
        return q.blockedMs;
    default:
        return {};
    }
}

QHash<int, QByteArray> QueueListModel::roleNames() const
{
    return {{QueueNameRole, "queueName"},
            {PausedRole, "paused"},
            {QueuedRole, "queued"},
            {RunningRole, "running"},
            {DoneRole, "done"},
            {FailedRole, "failed"},
            {CancelledRole, "cancelled"},
            {ConcurrencyRole, "concurrency"},
            {RequestsPerMinuteRole, "requestsPerMinute"},
            {RequestsAvailableRole, "requestsAvailable"},
            {TokensPerMinuteRole, "tokensPerMinute"},
            {TokensAvailableRole, "tokensAvailable"},
            {RefillMsRole, "refillMs"},
            {BlockedMsRole, "blockedMs"}};
}

} // namespace arbor::app
