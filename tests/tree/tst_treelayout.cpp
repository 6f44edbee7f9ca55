#include "tree/treelayout.h"

#include <QRandomGenerator>
#include <QSet>
#include <QTest>

using arbor::domain::TreeNode;
using arbor::tree::TreeLayout;

namespace {

TreeNode node(const QString &id, const QString &parent,
              const QString &role = QStringLiteral("user"))
{
    TreeNode n;
    n.id = id;
    n.parentId = parent;
    n.role = role;
    return n;
}

} // namespace

class TestTreeLayout : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void aPathIsOneColumnAndForksOpenNewOnes()
    {
        //  a
        //  ├ b ─ d
        //  └ c
        const auto layout = TreeLayout::compute({node("a", {}), node("b", "a", "assistant"),
                                                 node("c", "a", "assistant"), node("d", "b")});
        const auto &n = layout.nodes();
        QCOMPARE(layout.columns(), 2);
        QCOMPARE(layout.depth(), 3);
        QCOMPARE(n.at(0).column, 0);
        QCOMPARE(n.at(1).column, 0); // first child continues the column
        QCOMPARE(n.at(3).column, 0);
        QCOMPARE(n.at(2).column, 1); // the second branch opens a column
        QCOMPARE(n.at(2).depth, 1);
        QCOMPARE(n.at(1).role, 'a');
        QCOMPARE(layout.visible(QRectF(0.5, 0, 1, 3)), QList<int>{2});
        QCOMPARE(layout.visible(QRectF(0, 2, 0.1, 0.1)), QList<int>{3});
    }

    void randomTreesNeverOverlap()
    {
        QRandomGenerator rng(7);
        for (int round = 0; round < 20; ++round) {
            QList<TreeNode> nodes;
            const int count = 1 + int(rng.bounded(2000));
            for (int i = 0; i < count; ++i) {
                const QString parent =
                    i == 0 || rng.bounded(50) == 0 ? QString() : nodes.at(rng.bounded(i)).id;
                nodes.append(node(QString::number(i), parent));
            }
            const auto layout = TreeLayout::compute(nodes);
            QSet<qint64> cells;
            for (int i = 0; i < count; ++i) {
                const auto &n = layout.nodes().at(i);
                QVERIFY(!cells.contains(qint64(n.column) << 32 | n.depth));
                cells.insert(qint64(n.column) << 32 | n.depth);
                if (n.parent >= 0) {
                    const auto &p = layout.nodes().at(n.parent);
                    QCOMPARE(n.depth, p.depth + 1);
                    QVERIFY(n.column >= p.column);
                } else {
                    QCOMPARE(n.depth, 0);
                }
            }
            // visible() of the whole area returns every node exactly once.
            auto all = layout.visible(QRectF(0, 0, layout.columns(), layout.depth()));
            std::sort(all.begin(), all.end());
            QCOMPARE(all.size(), qsizetype(count));
            QCOMPARE(all.constLast(), count - 1);
        }
    }

    void aDeepPathDoesNotRecurse()
    {
        QList<TreeNode> nodes;
        for (int i = 0; i < 200000; ++i)
            nodes.append(node(QString::number(i), i == 0 ? QString() : QString::number(i - 1)));
        const auto layout = TreeLayout::compute(nodes);
        QCOMPARE(layout.depth(), 200000);
        QCOMPARE(layout.columns(), 1);
    }
};

QTEST_GUILESS_MAIN(TestTreeLayout)
#include "tst_treelayout.moc"
