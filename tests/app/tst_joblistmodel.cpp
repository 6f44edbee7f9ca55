// JobListModel (app/): the dashboard's recent and failed jobs, applied row by row.
#include "joblistmodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using arbor::app::JobEntry;
using arbor::app::JobListModel;
using arbor::jobs::JobState;

namespace {

JobEntry entry(qint64 id, JobState state, int attempts = 1, QStringList errors = {})
{
    JobEntry e;
    e.job.id = id;
    e.job.kind = QStringLiteral("chat.reply");
    e.job.queue = QStringLiteral("vendor");
    e.job.state = state;
    e.job.attempts = attempts;
    e.job.maxAttempts = 3;
    e.job.createdAt = 1000 + id;
    e.errors = std::move(errors);
    return e;
}

QList<qint64> ids(const JobListModel &model)
{
    QList<qint64> out;
    for (int i = 0; i < model.rowCount(); ++i)
        out.append(model.data(model.index(i), JobListModel::JobIdRole).toLongLong());
    return out;
}

} // namespace

class TestJobListModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void appliesRefreshesIncrementally()
    {
        JobListModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QSignalSpy count(&model, &JobListModel::countChanged);

        model.setJobs(
            {entry(3, JobState::Running), entry(2, JobState::Queued), entry(1, JobState::Done)});
        QCOMPARE(ids(model), (QList<qint64>{3, 2, 1}));
        QCOMPARE(inserted.size(), 3);
        QCOMPARE(count.size(), 1);

        // The same refresh again: nothing to tell the view.
        model.setJobs(
            {entry(3, JobState::Running), entry(2, JobState::Queued), entry(1, JobState::Done)});
        QCOMPARE(inserted.size(), 3);
        QCOMPARE(changed.size(), 0);

        // A new job on top, job 3 done, job 1 dropped off the end.
        model.setJobs(
            {entry(4, JobState::Queued), entry(3, JobState::Done), entry(2, JobState::Queued)});
        QCOMPARE(ids(model), (QList<qint64>{4, 3, 2}));
        QCOMPARE(inserted.size(), 4);
        QCOMPARE(removed.size(), 1);
        QCOMPARE(changed.size(), 1);
        // The state and what it allows, nothing else.
        const QList<int> roles = changed.last().at(2).value<QList<int>>();
        QCOMPARE(roles,
                 (QList<int>{JobListModel::StateRole, JobListModel::JobStateRole,
                             JobListModel::CanRetryRole, JobListModel::CanDiscardRole,
                             JobListModel::CanCancelRole}));
        QCOMPARE(changed.last().at(0).value<QModelIndex>().row(), 1);
        QCOMPARE(model.data(model.index(1), JobListModel::StateRole).toInt(),
                 int(arbor::app::JobState::Done));

        // A retry adds an attempt and its error.
        model.setJobs(
            {entry(4, JobState::Queued), entry(3, JobState::Done),
             entry(2, JobState::Failed, 2, {QStringLiteral("attempt 1 (retry): HTTP 503")})});
        QCOMPARE(model.data(model.index(2), JobListModel::AttemptErrorsRole).toStringList().size(),
                 1);
        QCOMPARE(model.data(model.index(2), JobListModel::AttemptsRole).toInt(), 2);

        // Reordered (a retried job comes back to the top).
        model.setJobs(
            {entry(2, JobState::Queued), entry(4, JobState::Queued), entry(3, JobState::Done)});
        QCOMPARE(ids(model), (QList<qint64>{2, 4, 3}));

        model.setJobs({});
        QCOMPARE(model.rowCount(), 0);
        QCOMPARE(resets.size(), 0);
        QCOMPARE(model.property("count").toInt(), 0);
    }

    void actionRolesFollowTheState()
    {
        // What the dashboard's buttons show comes from JobPolicy through these roles.
        JobListModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setJobs({entry(1, JobState::Queued), entry(2, JobState::Running),
                       entry(3, JobState::Done), entry(4, JobState::Failed),
                       entry(5, JobState::Cancelled)});
        const auto can = [&](int row, int role) {
            return model.data(model.index(row), role).toBool();
        };
        // Queued and running: cancel only.
        for (int row : {0, 1}) {
            QVERIFY(can(row, JobListModel::CanCancelRole));
            QVERIFY(!can(row, JobListModel::CanRetryRole));
            QVERIFY(!can(row, JobListModel::CanDiscardRole));
        }
        // Done: discard only.
        QVERIFY(can(2, JobListModel::CanDiscardRole));
        QVERIFY(!can(2, JobListModel::CanRetryRole));
        QVERIFY(!can(2, JobListModel::CanCancelRole));
        // Failed and cancelled: retry or discard.
        for (int row : {3, 4}) {
            QVERIFY(can(row, JobListModel::CanRetryRole));
            QVERIFY(can(row, JobListModel::CanDiscardRole));
            QVERIFY(!can(row, JobListModel::CanCancelRole));
        }
        QCOMPARE(model.data(model.index(3), JobListModel::StateRole).toInt(),
                 int(arbor::app::JobState::Failed));
        const auto names = model.roleNames();
        QCOMPARE(names.value(JobListModel::CanRetryRole), QByteArray("canRetry"));
        QCOMPARE(names.value(JobListModel::CanDiscardRole), QByteArray("canDiscard"));
        QCOMPARE(names.value(JobListModel::CanCancelRole), QByteArray("canCancel"));
    }

    void rolesAvoidItemProperties()
    {
        JobListModel model;
        const auto names = model.roleNames();
        QCOMPARE(names.value(JobListModel::JobIdRole), QByteArray("jobId"));
        // QML sees the state as a JobState value; the stored word is for C++ callers only.
        QCOMPARE(names.value(JobListModel::StateRole), QByteArray("jobState"));
        QVERIFY(!names.contains(JobListModel::JobStateRole));
        for (const char *reserved :
             {"id", "state", "text", "color", "width", "height", "visible", "enabled"})
            QVERIFY2(!names.values().contains(QByteArray(reserved)), reserved);
    }
};

QTEST_GUILESS_MAIN(TestJobListModel)
#include "tst_joblistmodel.moc"
