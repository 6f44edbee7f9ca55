// JobPolicy (app/): which actions a job on the dashboard allows in each state, the table behind
// JobListModel's canRetry, canDiscard and canCancel roles (STYLE rule 16).
#include "jobpolicy.h"

#include <QTest>

using arbor::app::JobPolicy;
using arbor::jobs::JobState;
namespace JobAction = arbor::app::JobAction;

Q_DECLARE_METATYPE(JobState)

class TestJobPolicy : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void actions_data()
    {
        QTest::addColumn<JobState>("state");
        QTest::addColumn<int>("expected");
        using namespace JobAction;
        // Still to run, or running: it can only be stopped.
        QTest::newRow("queued") << JobState::Queued << int(Cancel);
        QTest::newRow("running") << JobState::Running << int(Cancel);
        // Ended without a result: again, or away.
        QTest::newRow("failed") << JobState::Failed << int(Retry | Discard);
        QTest::newRow("cancelled") << JobState::Cancelled << int(Retry | Discard);
        QTest::newRow("done") << JobState::Done << int(Discard);
    }

    void actions()
    {
        QFETCH(JobState, state);
        QFETCH(int, expected);
        QCOMPARE(int(JobPolicy::allowed(state)), expected);
        for (auto action : {JobAction::Retry, JobAction::Discard, JobAction::Cancel})
            QCOMPARE(JobPolicy::allows(state, action), (expected & action) != 0);
    }
};

QTEST_GUILESS_MAIN(TestJobPolicy)
#include "tst_jobpolicy.moc"
