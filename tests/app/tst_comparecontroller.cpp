// CompareController (app/, issue 20) against a real backend with a slow demo model, through App,
// which wires it: each column's header names its own parameters, read back from its reply (so
// the view opened again later, or after a restart, says the same), and "Stop all" stops every
// column still written.
#include "app.h"
#include "comparecolumnsmodel.h"
#include "comparecontroller.h"
#include "statetypes.h"

#include <QAbstractItemModelTester>
#include <QTemporaryDir>
#include <QTest>

using arbor::app::App;
using arbor::app::AppConfig;
using arbor::app::CompareColumnsModel;
using arbor::app::CompareController;
namespace MessageStatus = arbor::app::MessageStatus;

class TestCompareController : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    static QStringList labels(const CompareColumnsModel *columns)
    {
        QStringList out;
        for (int i = 0; i < columns->rowCount(); ++i)
            out.append(columns->data(columns->index(i), CompareColumnsModel::LabelRole).toString());
        return out;
    }

    static QList<int> statuses(const CompareColumnsModel *columns)
    {
        QList<int> out;
        for (int i = 0; i < columns->rowCount(); ++i)
            out.append(
                columns->data(columns->index(i), CompareColumnsModel::MessageStatusRole).toInt());
        return out;
    }

private Q_SLOTS:
    void initTestCase()
    {
        qputenv("ARBOR_DISCOVERY_PORTS", "");
        QVERIFY(m_dir.isValid());
    }

    void headersNameEachColumnsParametersAndStopAllStopsThem()
    {
        const QString db = m_dir.filePath(QStringLiteral("compare.db"));
        const QString ini = m_dir.filePath(QStringLiteral("compare.ini"));
        const QStringList want{QStringLiteral("Demo (offline)"),
                               QStringLiteral("Demo (offline) · t=0.5"),
                               QStringLiteral("Demo (offline) · t=1.5 · ≤300 tok")};
        QString userMessageId;
        {
            // 2 tokens a second: the columns stay live for as long as the test needs.
            App app(AppConfig{db, 2, ini});
            CompareController *compare = app.compare();
            CompareColumnsModel *columns = compare->columns();
            QAbstractItemModelTester tester(columns);
            compare->setSelection({QStringLiteral("demo/demo"),
                                   QStringLiteral("demo/demo:temperature=0.5"),
                                   QStringLiteral("demo/demo:temperature=1.5:max_tokens=300")});
            QVERIFY(compare->send(QStringLiteral("Tell me about oaks")));
            QTRY_COMPARE_WITH_TIMEOUT(columns->rowCount(), 3, 10000);
            QCOMPARE(labels(columns), want);
            QCOMPARE(columns->liveCount(), 3);
            userMessageId = compare->userMessageId();

            QCOMPARE(compare->stopAll(), 3);
            QTRY_COMPARE_WITH_TIMEOUT(columns->liveCount(), 0, 10000);
            QCOMPARE(statuses(columns), (QList<int>(3, int(MessageStatus::Cancelled))));
            QCOMPARE(compare->stopAll(), 0); // nothing left to stop

            // Opened again from the question: the same headers, from the stored replies.
            compare->close();
            QCOMPARE(columns->rowCount(), 0);
            compare->open(userMessageId);
            QTRY_COMPARE_WITH_TIMEOUT(columns->rowCount(), 3, 10000);
            QCOMPARE(labels(columns), want);
        }
        // And after a restart.
        App app(AppConfig{db, 2, ini});
        CompareController *compare = app.compare();
        compare->open(userMessageId);
        QTRY_COMPARE_WITH_TIMEOUT(compare->columns()->rowCount(), 3, 10000);
        QCOMPARE(labels(compare->columns()), want);
    }
};

QTEST_MAIN(TestCompareController)
#include "tst_comparecontroller.moc"
