// The Runs page's controller and model (issue 21): a run created from a CSV file and started,
// its progress pushed by the backend's run monitor, results read, a row opened as a
// conversation; RunListModel under QAbstractItemModelTester.
#include "batchruns.h"
#include "runlistmodel.h"

#include "core/backend.h"

#include <QAbstractItemModelTester>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace arbor;

class TestBatchRuns : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void createRunAndOpenARow()
    {
        QTemporaryDir dir;
        core::BackendOptions o;
        o.dbPath = dir.filePath(QStringLiteral("arbor.db"));
        o.demoRate = 0;
        core::Backend backend(o);
        backend.open();
        QFile input(dir.filePath(QStringLiteral("tickets.csv")));
        input.open(QIODevice::WriteOnly);
        input.write("id,text\n1,\"late, again\"\n2,broken\nbad\n3,\"two\nlines\"\n");
        input.close();

        app::BatchRuns runs(&backend, nullptr);
        QAbstractItemModelTester tester(runs.runs(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy created(&runs, &app::BatchRuns::created);
        QSignalSpy failed(&runs, &app::BatchRuns::actionFailed);
        runs.create(QStringLiteral("tickets"), QStringLiteral("Classify: {{text}}"),
                    QUrl::fromLocalFile(input.fileName()).toString(), QStringLiteral("nope/x"), {});
        QTRY_COMPARE(failed.size(), 1);
        QVERIFY(failed.first().first().toString().contains(QStringLiteral("nope")));

        runs.create(QStringLiteral("tickets"), QStringLiteral("Classify: {{text}}"),
                    QUrl::fromLocalFile(input.fileName()).toString(), QStringLiteral("demo/demo"),
                    QStringLiteral("Be brief."));
        QTRY_COMPARE_WITH_TIMEOUT(created.size(), 1, 10000);
        const qint64 id = created.first().first().toLongLong();
        QCOMPARE(runs.selectedRun(), id);
        // Progress reaches the model without anyone asking: the monitor reads and pushes.
        QTRY_COMPARE_WITH_TIMEOUT(runs.runs()->count(), 1, 10000);
        const QModelIndex row = runs.runs()->index(0);
        QTRY_COMPARE_WITH_TIMEOUT(row.data(app::RunListModel::StateTextRole).toString(),
                                  QStringLiteral("completed"), 20000);
        QCOMPARE(row.data(app::RunListModel::ProgressRole).toDouble(), 1.0);
        QVERIFY(row.data(app::RunListModel::SummaryRole)
                    .toString()
                    .contains(QStringLiteral("1 bad rows skipped")));
        QCOMPARE(row.data(app::RunListModel::CanPauseRole).toBool(), false);
        QCOMPARE(row.data(app::RunListModel::CanCancelRole).toBool(), false);
        QCOMPARE(runs.models(), QStringList{QStringLiteral("demo/demo")});

        // The rows follow the results: the last reading after the run completed is pushed too.
        auto statusOfThird = [&runs] {
            const QVariantList rows = runs.rows();
            return rows.size() < 3 ? QString()
                                   : rows.at(2)
                                         .toMap()
                                         .value(QStringLiteral("results"))
                                         .toList()
                                         .first()
                                         .toMap()
                                         .value(QStringLiteral("status"))
                                         .toString();
        };
        QTRY_COMPARE_WITH_TIMEOUT(statusOfThird(), QStringLiteral("done"), 10000);
        QCOMPARE(runs.rows().size(), 3);
        const QVariantMap third = runs.rows().at(2).toMap();
        QCOMPARE(third.value(QStringLiteral("line")).toLongLong(), 5);
        QCOMPARE(third.value(QStringLiteral("input")).toList().at(1).toString(),
                 QStringLiteral("two\nlines"));
        const QVariantMap result = third.value(QStringLiteral("results")).toList().first().toMap();
        QCOMPARE(result.value(QStringLiteral("status")).toString(), QStringLiteral("done"));
        QVERIFY(result.value(QStringLiteral("canOpen")).toBool());

        runs.setSearch(QStringLiteral("BROKEN"));
        QTRY_COMPARE(runs.rows().size(), 1);
        runs.setSearch({});
        runs.setFilter(1);
        QTRY_COMPARE(runs.rows().size(), 0);

        QSignalSpy opened(&runs, &app::BatchRuns::openConversation);
        runs.openRow(2, 0);
        QTRY_COMPARE(opened.size(), 1);
        QVERIFY(!opened.first().first().toString().isEmpty());
        QCOMPARE(failed.size(), 1);
    }
};

QTEST_MAIN(TestBatchRuns)
#include "tst_batchruns.moc"
