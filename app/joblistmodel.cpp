#include "joblistmodel.h"

#include "jobpolicy.h"

#include "jobs/pinned.h"

#include <QVariantMap>

namespace arbor::app {

QList<int> JobListModel::changedRoles(const JobEntry &a, const JobEntry &b) const
{
    QList<int> roles;
    if (a.job.kind != b.job.kind)
        roles.append(JobListModel::KindRole);
    if (a.job.queue != b.job.queue)
        roles.append(JobListModel::QueueNameRole);
    if (a.job.state != b.job.state) {
        roles << JobListModel::StateRole << JobListModel::JobStateRole << JobListModel::CanRetryRole
              << JobListModel::CanDiscardRole << JobListModel::CanCancelRole;
    }
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
    if (a.job.payload != b.job.payload || a.job.queue != b.job.queue)
        roles.append(JobListModel::TagsRole);
    return roles;
}

JobListModel::JobListModel(QObject *parent)
    : KeyedListModel(parent)
{
}

void JobListModel::setJobs(const QList<JobEntry> &jobs)
{
    if (replaceItems(jobs))
        Q_EMIT countChanged();
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
        return jobs::queueForPeople(e.job.queue);
    case JobStateRole:
        return jobs::toString(e.job.state);
    case StateRole:
        return int(JobState::from(e.job.state));
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
    case CanRetryRole:
        return JobPolicy::allows(e.job.state, JobAction::Retry);
    case CanDiscardRole:
        return JobPolicy::allows(e.job.state, JobAction::Discard);
    case CanCancelRole:
        return JobPolicy::allows(e.job.state, JobAction::Cancel);
    case TagsRole: {
        QVariantList tags;
        const QMap<QString, QString> all = jobs::tagsOf(e.job);
        for (auto it = all.cbegin(); it != all.cend(); ++it)
            tags.append(QVariantMap{{QStringLiteral("tag"), it.key()},
                                    {QStringLiteral("value"), it.value()}});
        return tags;
    }
    default:
        return {};
    }
}

QHash<int, QByteArray> JobListModel::roleNames() const
{
    return {{JobIdRole, "jobId"},
            {KindRole, "kind"},
            {QueueNameRole, "queueName"},
            {StateRole, "jobState"},
            {AttemptsRole, "attempts"},
            {MaxAttemptsRole, "maxAttempts"},
            {LastErrorRole, "lastError"},
            {AttemptErrorsRole, "attemptErrors"},
            {RunAtRole, "runAt"},
            {CreatedAtRole, "createdAt"},
            {FinishedAtRole, "finishedAt"},
            {CanRetryRole, "canRetry"},
            {CanDiscardRole, "canDiscard"},
            {CanCancelRole, "canCancel"},
            {TagsRole, "tags"}};
}

} // namespace arbor::app
