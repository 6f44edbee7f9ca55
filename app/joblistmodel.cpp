#include "joblistmodel.h"

#include <algorithm>

namespace arbor::app {

namespace {

/** @brief The roles whose values differ between @p a and @p b (same job id). */
QList<int> changedRoles(const JobEntry &a, const JobEntry &b)
{
    QList<int> roles;
    if (a.job.kind != b.job.kind)
        roles.append(JobListModel::KindRole);
    if (a.job.queue != b.job.queue)
        roles.append(JobListModel::QueueNameRole);
    if (a.job.state != b.job.state)
        roles.append(JobListModel::JobStateRole);
    if (a.job.attempts != b.job.attempts)
        roles.append(JobListModel::AttemptsRole);
    if (a.job.maxAttempts != b.job.maxAttempts)
        roles.append(JobListModel::MaxAttemptsRole);
    if (a.job.lastError != b.job.lastError)
        roles.append(JobListModel::LastErrorRole);
    if (a.errors != b.errors)
        roles.append(JobListModel::AttemptErrorsRole);
    if (a.job.runAt != b.job.runAt)
        roles.append(JobListModel::RunAtRole);
    if (a.job.createdAt != b.job.createdAt)
        roles.append(JobListModel::CreatedAtRole);
    if (a.job.finishedAt != b.job.finishedAt)
        roles.append(JobListModel::FinishedAtRole);
    return roles;
}

} // namespace

JobListModel::JobListModel(QObject *parent)
    : QAbstractListModel(parent)
{
}

int JobListModel::rowOf(qint64 jobId) const
{
    for (qsizetype i = 0; i < m_items.size(); ++i)
        if (m_items.at(i).job.id == jobId)
            return int(i);
    return -1;
}

void JobListModel::setJobs(const QList<JobEntry> &jobs)
{
    const qsizetype oldCount = m_items.size();
    // Rows that are gone: one removal each (a refresh usually drops a few at the end).
    for (qsizetype i = m_items.size() - 1; i >= 0; --i) {
        const qint64 id = m_items.at(i).job.id;
        const bool kept = std::any_of(jobs.cbegin(), jobs.cend(), [id](const JobEntry &e) { return e.job.id == id; });
        if (!kept) {
            beginRemoveRows({}, int(i), int(i));
            m_items.removeAt(i);
            endRemoveRows();
        }
    }
    // The rest into the new order: new jobs are inserted (usually at the top), moved ones moved.
    for (qsizetype target = 0; target < jobs.size(); ++target) {
        const JobEntry &e = jobs.at(target);
        const int row = rowOf(e.job.id);
        if (row < 0) {
            beginInsertRows({}, int(target), int(target));
            m_items.insert(target, e);
            endInsertRows();
            continue;
        }
        if (row != target) {
            beginMoveRows({}, row, row, {}, int(target));
            m_items.move(row, target);
            endMoveRows();
        }
        const QList<int> roles = changedRoles(m_items.at(target), e);
        if (!roles.isEmpty()) {
            m_items[target] = e;
            const QModelIndex i = index(int(target));
            Q_EMIT dataChanged(i, i, roles);
        }
    }
    if (oldCount != m_items.size())
        Q_EMIT countChanged();
}

int JobListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_items.size());
}

QVariant JobListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const JobEntry &e = m_items.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case KindRole:
        return e.job.kind;
    case JobIdRole:
        return e.job.id;
    case QueueNameRole:
        return e.job.queue;
    case JobStateRole:
        return jobs::toString(e.job.state);
    case AttemptsRole:
        return e.job.attempts;
    case MaxAttemptsRole:
        return e.job.maxAttempts;
    case LastErrorRole:
        return e.job.lastError;
    case AttemptErrorsRole:
        return e.errors;
    case RunAtRole:
        return e.job.runAt;
    case CreatedAtRole:
        return e.job.createdAt;
    case FinishedAtRole:
        return e.job.finishedAt;
    default:
        return {};
    }
}

QHash<int, QByteArray> JobListModel::roleNames() const
{
    return {{JobIdRole, "jobId"},
            {KindRole, "kind"},
            {QueueNameRole, "queueName"},
            {JobStateRole, "jobState"},
            {AttemptsRole, "attempts"},
            {MaxAttemptsRole, "maxAttempts"},
            {LastErrorRole, "lastError"},
            {AttemptErrorsRole, "attemptErrors"},
            {RunAtRole, "runAt"},
            {CreatedAtRole, "createdAt"},
            {FinishedAtRole, "finishedAt"}};
}

} // namespace arbor::app
