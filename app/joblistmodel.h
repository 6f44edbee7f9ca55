#pragma once

#include "keyedlistmodel.h"
#include "statetypes.h"

#include "jobs/job.h"

#include <QStringList>
#include <QtQml/qqml.h>

namespace arbor::app {

/** @brief One row of a job list: the job and, for the dead-letter list, every attempt's error. */
struct JobEntry
{
    jobs::Job job;
    QStringList errors; ///< "attempt n (outcome): error", oldest first
};

/**
 * @brief A list of jobs for the dashboard (recent jobs, or the dead-letter list), keyed by job
 * id. setJobs() turns each refresh into row inserts, removals, moves and dataChanged for the
 * rows whose fields changed, never a reset, so the view keeps its delegates and position.
 * GUI thread only.
 */
class JobListModel : public KeyedListModel<JobEntry, qint64>
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Use App.jobs.recentJobs or App.jobs.failedJobs")
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)

public:
    enum Roles {
        JobIdRole = Qt::UserRole + 1, ///< the job's row id
        KindRole,                     ///< its kind ("chat.reply", ...)
        QueueNameRole,                ///< its queue (a provider id, "default", ...)
        /** @brief The stored state word ("failed", ...), for C++ callers only: not a QML role.
         *  HACK: kept for tst_jobsdashboard until it reads StateRole; QML gets the enum. */
        JobStateRole,
        AttemptsRole,      ///< attempts made so far
        MaxAttemptsRole,   ///< attempts allowed
        LastErrorRole,     ///< the last attempt's error ("" if none)
        AttemptErrorsRole, ///< every failed attempt, "attempt n (outcome): error"
        RunAtRole,         ///< when it is due, ms since the epoch
        CreatedAtRole,     ///< when it was added, ms since the epoch
        FinishedAtRole,    ///< when it ended, ms since the epoch (0 = not yet)
        CanRetryRole,      ///< JobAction::Retry (JobPolicy)
        CanDiscardRole,    ///< JobAction::Discard
        CanCancelRole,     ///< JobAction::Cancel
        StateRole,         ///< its state, a JobState value (JobState.Failed, ...)
        TagsRole, ///< its tags, [{tag, value}] (jobs::tagsOf: provider, run, conversation, model)
    };
    Q_ENUM(Roles)

    explicit JobListModel(QObject *parent = nullptr);

    /** @brief Replaces the list with @p jobs (in the order to show), incrementally. */
    void setJobs(const QList<JobEntry> &jobs);
    const QList<JobEntry> &jobs() const { return m_items; }

    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

Q_SIGNALS:
    void countChanged();

protected:
    qint64 keyOf(const JobEntry &e) const override { return e.job.id; }
    QList<int> changedRoles(const JobEntry &a, const JobEntry &b) const override;
};

} // namespace arbor::app
