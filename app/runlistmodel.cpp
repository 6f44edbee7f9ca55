#include "runlistmodel.h"

#include "usage/usageservice.h"

namespace arbor::app {

namespace {

QString summaryOf(const batch::Run &r)
{
    QString s = RunListModel::tr("%1 of %2 done")
                    .arg(usage::countText(r.done), usage::countText(r.total()));
    if (r.failed > 0)
        s += RunListModel::tr(" · %1 failed").arg(usage::countText(r.failed));
    if (r.badRows > 0)
        s += RunListModel::tr(" · %1 bad rows skipped").arg(usage::countText(r.badRows));
    if (!r.currency.isEmpty())
        s += QStringLiteral(" · ") + usage::costText(r.costNanos, r.currency);
    return s;
}

QString rateOf(const batch::Run &r, qint64 now)
{
    if (r.state != batch::RunState::Running)
        return {};
    const double rate = r.rowsPerSecond(now);
    const qint64 eta = r.etaSeconds(now);
    QString s = RunListModel::tr("%1 rows/s").arg(rate, 0, 'f', rate < 10 ? 1 : 0);
    if (eta > 0)
        s += eta < 90 ? RunListModel::tr(" · ETA %1 s").arg(eta)
                      : RunListModel::tr(" · ETA %1 min").arg((eta + 59) / 60);
    return s;
}

QString modelsOf(const batch::Run &r)
{
    QStringList keys;
    for (const auto &m : r.models)
        keys.append(m.key());
    return keys.join(QStringLiteral(", "));
}

} // namespace

RunListModel::RunListModel(QObject *parent)
    : KeyedListModel(parent)
{
}

void RunListModel::setRuns(const QList<batch::Run> &runs, qint64 now)
{
    m_now = now;
    if (replaceItems(runs))
        Q_EMIT countChanged();
}

void RunListModel::setSelectedId(qint64 id)
{
    const qint64 before = std::exchange(m_selected, id);
    for (qint64 changed : {before, id}) {
        const int row = rowOf(changed);
        if (row >= 0)
            Q_EMIT dataChanged(index(row), index(row), {SelectedRole});
    }
}

const batch::Run *RunListModel::find(qint64 id) const
{
    const int row = rowOf(id);
    return row < 0 ? nullptr : &m_items.at(row);
}

QList<int> RunListModel::changedRoles(const batch::Run &a, const batch::Run &b) const
{
    QList<int> roles;
    if (a.state != b.state)
        roles << StateTextRole << CanStartRole << CanPauseRole << CanResumeRole << CanCancelRole
              << CanRetryRole << RateTextRole;
    if (a.done != b.done || a.failed != b.failed || a.costNanos != b.costNanos
        || a.badRows != b.badRows || a.rowCount != b.rowCount)
        roles << ProgressRole << SummaryRole << RateTextRole << CanRetryRole;
    else if (b.state == batch::RunState::Running)
        roles << RateTextRole;
    if (a.name != b.name)
        roles << NameRole;
    return roles;
}

QVariant RunListModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_items.size())
        return {};
    const batch::Run &r = m_items.at(index.row());
    using batch::RunState;
    switch (role) {
    case RunIdRole:
        return int(r.id);
    case NameRole:
        return r.name;
    case StateTextRole:
        return batch::toString(r.state);
    case ProgressRole:
        return r.total() > 0 ? double(r.done + r.failed) / double(r.total()) : 0.0;
    case SummaryRole:
        return summaryOf(r);
    case RateTextRole:
        return rateOf(r, m_now);
    case ModelsTextRole:
        return modelsOf(r);
    case CanStartRole:
        return r.state == RunState::Draft;
    case CanPauseRole:
        return r.state == RunState::Running;
    case CanResumeRole:
        return r.state == RunState::Paused;
    case CanCancelRole:
        return r.state != RunState::Completed && r.state != RunState::Cancelled;
    case CanRetryRole:
        return r.state != RunState::Draft && r.failed > 0;
    case SelectedRole:
        return r.id == m_selected;
    }
    return {};
}

QHash<int, QByteArray> RunListModel::roleNames() const
{
    return {
        {RunIdRole, "runId"},           {NameRole, "name"},           {StateTextRole, "stateText"},
        {ProgressRole, "progress"},     {SummaryRole, "summary"},     {RateTextRole, "rateText"},
        {ModelsTextRole, "modelsText"}, {CanStartRole, "canStart"},   {CanPauseRole, "canPause"},
        {CanResumeRole, "canResume"},   {CanCancelRole, "canCancel"}, {CanRetryRole, "canRetry"}};
}

} // namespace arbor::app
