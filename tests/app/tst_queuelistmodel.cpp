// QueueListModel (app/): the dashboard's queues, applied row by row.
#include "queuelistmodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using arbor::app::QueueEntry;
using arbor::app::QueueListModel;

namespace {

QueueEntry queue(const QString &name, int queued, int done = 0)
{
    QueueEntry q;
    q.name = name;
    q.queued = queued;
    q.done = done;
    return q;
}

QStringList names(const QueueListModel &model)
{
    QStringList out;
    for (int i = 0; i < model.rowCount(); ++i)
        out.append(model.data(model.index(i), QueueListModel::QueueNameRole).toString());
    return out;
}

} // namespace

class TestQueueListModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void appliesRefreshesIncrementally()
    {
        QueueListModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

        model.setQueues({queue("anthropic", 2), queue("default", 0), queue("openai", 5)});
        QCOMPARE(names(model), (QStringList{"anthropic", "default", "openai"}));

        // Counts move: one dataChanged per changed row, naming only the changed roles.
        QueueEntry busy = queue("openai", 3, 2);
        busy.requestsPerMinute = 60;
        busy.requestsAvailable = 12.5;
        model.setQueues({queue("anthropic", 2), queue("default", 0), busy});
        QCOMPARE(changed.size(), 1);
        QCOMPARE(changed.last().at(0).value<QModelIndex>().row(), 2);
        const QList<int> roles = changed.last().at(2).value<QList<int>>();
        QVERIFY(roles.contains(QueueListModel::QueuedRole));
        QVERIFY(roles.contains(QueueListModel::DoneRole));
        QVERIFY(roles.contains(QueueListModel::RequestsAvailableRole));
        QVERIFY(!roles.contains(QueueListModel::PausedRole));
        QCOMPARE(model.data(model.index(2), QueueListModel::RequestsAvailableRole).toDouble(),
                 12.5);

        // A queue appears in the middle, one goes away.
        model.setQueues({queue("anthropic", 2), queue("gemini", 1), busy});
        QCOMPARE(names(model), (QStringList{"anthropic", "gemini", "openai"}));
        QCOMPARE(inserted.size(), 4);
        QCOMPARE(removed.size(), 1);

        QueueEntry paused = queue("anthropic", 2);
        paused.paused = true;
        model.setQueues({paused, queue("gemini", 1), busy});
        QVERIFY(model.data(model.index(0), QueueListModel::PausedRole).toBool());
        QCOMPARE(resets.size(), 0);
        QCOMPARE(model.property("count").toInt(), 3);
        QCOMPARE(model.roleNames().value(QueueListModel::QueueNameRole), QByteArray("queueName"));
    }
};

QTEST_GUILESS_MAIN(TestQueueListModel)
#include "tst_queuelistmodel.moc"
