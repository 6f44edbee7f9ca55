// CompareColumnsModel (app/): the columns of the compare view: replies kept in the view's order,
// live text taken once per delta and shown once a frame, moves, a fused reply's sources
// numbered by column, the figures ("—" when unknown).
#include "comparecolumnsmodel.h"
#include "statetypes.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using arbor::app::CompareColumnsModel;
using arbor::domain::Message;
using arbor::domain::MessageStatus;

namespace {

Message reply(const QString &id, MessageStatus status = MessageStatus::Streaming)
{
    Message m;
    m.id = id;
    m.role = QStringLiteral("assistant");
    m.provider = QStringLiteral("demo");
    m.model = QStringLiteral("demo");
    m.author = QStringLiteral("Demo");
    m.status = status;
    m.createdAt = 1'000;
    return m;
}

QVariant roleOf(const CompareColumnsModel &model, int row, CompareColumnsModel::Role role)
{
    return model.data(model.index(row), role);
}

} // namespace

class TestCompareColumnsModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void columnsKeepTheirOrderAndTakeLiveText()
    {
        CompareColumnsModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setReplies(
            {reply(QStringLiteral("a")), reply(QStringLiteral("b")), reply(QStringLiteral("c"))},
            {{QStringLiteral("b"), QStringLiteral("Demo · t=0.5")}});
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(roleOf(model, 0, CompareColumnsModel::LabelRole).toString(),
                 QStringLiteral("Demo"));
        QCOMPARE(roleOf(model, 1, CompareColumnsModel::LabelRole).toString(),
                 QStringLiteral("Demo · t=0.5"));

        // Deltas: each piece once, a gap waits for the store; shown once a frame.
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.appendText(QStringLiteral("b"), 0, QStringLiteral("Hel"));
        model.appendText(QStringLiteral("b"), 3, QStringLiteral("lo"));
        model.appendText(QStringLiteral("b"), 3, QStringLiteral("lo"));  // again: ignored
        model.appendText(QStringLiteral("b"), 9, QStringLiteral("gap")); // ahead: ignored
        model.appendText(QStringLiteral("x"), 0, QStringLiteral("not a column"));
        QCOMPARE(changed.size(), 0);
        QTRY_COMPARE(changed.size(), 1);
        QCOMPARE(roleOf(model, 1, CompareColumnsModel::ContentRole).toString(),
                 QStringLiteral("Hello"));
        QCOMPARE(roleOf(model, 0, CompareColumnsModel::ContentRole).toString(), QString());

        // The view moved a column; a new reading of the store keeps that order, a new reply
        // goes last, and text ahead of the store is kept while the reply is live.
        model.moveColumn(2, 0);
        QCOMPARE(model.ids(),
                 (QStringList{QStringLiteral("c"), QStringLiteral("a"), QStringLiteral("b")}));
        Message fused = reply(QStringLiteral("f"), MessageStatus::Complete);
        fused.fusedFrom = QStringLiteral(R"(["a","b"])");
        Message a = reply(QStringLiteral("a"), MessageStatus::Complete);
        a.content = QStringLiteral("Done.");
        a.firstTokenAt = 1'250;
        a.finishedAt = 3'250;
        a.completionTokens = 100;
        model.setReplies({a, reply(QStringLiteral("b")), reply(QStringLiteral("c")), fused}, {});
        QCOMPARE(model.ids(),
                 (QStringList{QStringLiteral("c"), QStringLiteral("a"), QStringLiteral("b"),
                              QStringLiteral("f")}));
        QCOMPARE(roleOf(model, 2, CompareColumnsModel::ContentRole).toString(),
                 QStringLiteral("Hello"));
        QCOMPARE(roleOf(model, 1, CompareColumnsModel::MessageStatusRole).toInt(),
                 int(arbor::app::MessageStatus::Complete));
        QCOMPARE(roleOf(model, 1, CompareColumnsModel::TtftRole).toString(),
                 QStringLiteral("250 ms"));
        QCOMPARE(roleOf(model, 1, CompareColumnsModel::RateRole).toString(),
                 QStringLiteral("50.0 tok/s"));
        QCOMPARE(roleOf(model, 1, CompareColumnsModel::TokensRole).toString(),
                 QStringLiteral("100"));
        QCOMPARE(roleOf(model, 1, CompareColumnsModel::CostRole).toString(),
                 QStringLiteral("—")); // no price: unknown, never 0
        QCOMPARE(roleOf(model, 0, CompareColumnsModel::TtftRole).toString(), QStringLiteral("—"));

        // The fused reply names its sources by their column numbers, which follow moves.
        auto sources = [&] {
            QList<int> numbers;
            for (const QVariant &v : roleOf(model, 3, CompareColumnsModel::SourcesRole).toList())
                numbers.append(v.toMap().value(QStringLiteral("number")).toInt());
            return numbers;
        };
        QCOMPARE(sources(), (QList<int>{2, 3}));
        model.moveColumn(0, 2);
        QCOMPARE(sources(), (QList<int>{1, 2}));

        model.setCurrent(QStringLiteral("f"));
        QVERIFY(roleOf(model, 3, CompareColumnsModel::IsCurrentRole).toBool());
        QVERIFY(!roleOf(model, 0, CompareColumnsModel::IsCurrentRole).toBool());
        model.clear();
        QCOMPARE(model.rowCount(), 0);
    }
};

QTEST_MAIN(TestCompareColumnsModel)
#include "tst_comparecolumnsmodel.moc"
