#include "queuelistmodel.h"

#include <algorithm>

namespace arbor::app {

namespace {

QList<int> changedRoles(const QueueEntry &a, const QueueEntry &b)
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

} // namespace

QueueListModel::QueueListModel(QObject *parent)
    : QAbstractListModel(parent)
{
}

int QueueListModel::rowOf(const QString &name) const
{
    for (qsizetype i = 0; i < m_items.size(); ++i)
        if (m_items.at(i).name == name)
            return int(i);
    return -1;
}

void QueueListModel::setQueues(const QList<QueueEntry> &queues)
{
    const qsizetype oldCount = m_items.size();
    for (qsizetype i = m_items.size() - 1; i >= 0; --i) {
        const QString &name = m_items.at(i).name;
        const bool kept = std::any_of(queues.cbegin(), queues.cend(), [&name](const QueueEntry &q) { return q.name == name; });
        if (!kept) {
            beginRemoveRows({}, int(i), int(i));
            m_items.removeAt(i);
            endRemoveRows();
        }
    }
    for (qsizetype target = 0; target < queues.size(); ++target) {
        const QueueEntry &q = queues.at(target);
        const int row = rowOf(q.name);
        if (row < 0) {
            beginInsertRows({}, int(target), int(target));
            m_items.insert(target, q);
            endInsertRows();
            continue;
        }
        if (row != target) {
            beginMoveRows({}, row, row, {}, int(target));
            m_items.move(row, target);
            endMoveRows();
        }
        const QList<int> roles = changedRoles(m_items.at(target), q);
        if (!roles.isEmpty()) {
            m_items[target] = q;
            const QModelIndex i = index(int(target));
            Q_EMIT dataChanged(i, i, roles);
        }
    }
    if (oldCount != m_items.size())
        Q_EMIT countChanged();
}

int QueueListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_items.size());
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
