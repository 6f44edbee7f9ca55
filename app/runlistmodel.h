#pragma once

#include "keyedlistmodel.h"

#include "batch/batchrun.h"

#include <QtQml/qqml.h>

namespace arbor::app {

/**
 * @brief Batch runs for the Runs page, newest first, refreshed in place from BatchMonitor's
 * readings. Which actions a run allows are roles computed here (QML compares no states).
 */
class RunListModel : public KeyedListModel<batch::Run, qint64>
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("RunListModel belongs to BatchRuns")
    Q_PROPERTY(int count READ count NOTIFY countChanged)

public:
    enum Roles {
        RunIdRole = Qt::UserRole + 1, ///< the run's id
        NameRole,                     ///< its name
        StateTextRole,                ///< "running", "paused", ... for people
        ProgressRole,                 ///< finished results / all, 0..1
        SummaryRole,                  ///< "1,200 of 3,000 done · 4 failed · 12 bad rows"
        RateTextRole,                 ///< "85.2 rows/s · ETA 3 min" ("" when not running)
        ModelsTextRole,               ///< "demo/demo, openai/gpt-4.1"
        CanStartRole,                 ///< a draft
        CanPauseRole,                 ///< running
        CanResumeRole,                ///< paused
        CanCancelRole,                ///< not completed or cancelled
        CanRetryRole,                 ///< started, with failed results
        SelectedRole,                 ///< the run whose results show
    };
    Q_ENUM(Roles)

    explicit RunListModel(QObject *parent = nullptr);

    void setRuns(const QList<batch::Run> &runs, qint64 now);
    int count() const { return int(m_items.size()); }
    /** @brief Marks run @p id as the selected one (0: none). */
    void setSelectedId(qint64 id);
    /** @brief The run @p id as last read (nullptr when unknown). */
    const batch::Run *find(qint64 id) const;

    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

Q_SIGNALS:
    void countChanged();

protected:
    qint64 keyOf(const batch::Run &run) const override { return run.id; }
    QList<int> changedRoles(const batch::Run &a, const batch::Run &b) const override;

private:
    qint64 m_now = 0;
    qint64 m_selected = 0;
};

} // namespace arbor::app
