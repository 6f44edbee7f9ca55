// MessageBlocks: a message as small blocks, made a step at a time (issue 15, items 8 and 9).
#include "messageblocks.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using arbor::app::MessageBlocks;
using Kind = MessageBlocks::Kind;

namespace {

QString textAt(const MessageBlocks &m, int row)
{
    return m.data(m.index(row), MessageBlocks::BlockTextRole).toString();
}

Kind kindAt(const MessageBlocks &m, int row)
{
    return m.data(m.index(row), MessageBlocks::BlockKindRole).value<Kind>();
}

/** @brief Lines like a pasted log: line ends every ~60 characters. */
QString logText(qsizetype size)
{
    QString s;
    for (int i = 0; s.size() < size; ++i)
        s +=
            QStringLiteral("    at module%1.Worker.run(Worker.java:%2) 2*3*4\n").arg(i % 13).arg(i);
    s.truncate(size);
    return s;
}

/** @brief Shows every block (expands, then waits for the steps). */
void showAll(MessageBlocks &m)
{
    m.setExpanded(true);
    QTRY_COMPARE_WITH_TIMEOUT(m.shown(), m.total(), 30000);
}

} // namespace

class TestMessageBlocks : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void userTextIsShownAsTyped()
    {
        MessageBlocks m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        m.setMessageRole(QStringLiteral("user"));
        const QString typed =
            QStringLiteral("2*3*4\n# x\n    at foo(Bar.java:1)\n\t<b>bold?</b>\n");
        m.setText(typed);
        QCOMPARE(m.rowCount(), 1);
        QCOMPARE(kindAt(m, 0), Kind::Plain);
        QCOMPARE(textAt(m, 0), typed);
        QVERIFY(!m.collapsible());
    }

    void longUserTextIsCutAtLineEndsAndCollapses()
    {
        MessageBlocks m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        m.setMessageRole(QStringLiteral("user"));
        const QString text = logText(50'000);
        m.setText(text);
        QVERIFY(m.collapsible());
        QCOMPARE(m.rowCount(), 1); // collapsed: only the first block is made
        QVERIFY(m.total() > 10);
        showAll(m);
        QStringList parts;
        for (int row = 0; row < m.rowCount(); ++row) {
            QVERIFY(textAt(m, row).size() <= MessageBlocks::PlainBlockChars);
            QCOMPARE(kindAt(m, row), Kind::Plain);
            QCOMPARE(m.data(m.index(row), MessageBlocks::JoinsPreviousRole).toBool(), row > 0);
            parts << textAt(m, row);
        }
        QCOMPARE(parts.join(u'\n'), text); // every line, every space kept

        m.setExpanded(false);
        QCOMPARE(m.rowCount(), 1);
    }

    void shortUserTextDoesNotCollapse()
    {
        MessageBlocks m;
        m.setMessageRole(QStringLiteral("user"));
        m.setText(QStringLiteral("one\ntwo\nthree"));
        QVERIFY(!m.collapsible());
        QCOMPARE(m.rowCount(), 1);
    }

    void replySplitsAtBlankLinesOutsideFences()
    {
        MessageBlocks m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        m.setMessageRole(QStringLiteral("assistant"));
        m.setText(QStringLiteral("# Title\n\nA *paragraph*.\n\n```cpp\nint a;\n\nint b;\n```\n\n1. "
                                 "one\n\n2. two\n   more\n\nEnd."));
        QCOMPARE(m.rowCount(), 5);
        QCOMPARE(textAt(m, 0), QStringLiteral("# Title"));
        QCOMPARE(kindAt(m, 0), Kind::Markdown);
        QCOMPARE(textAt(m, 1), QStringLiteral("A *paragraph*."));
        QCOMPARE(textAt(m, 2), QStringLiteral("int a;\n\nint b;"));
        QCOMPARE(kindAt(m, 2), Kind::Code);
        QCOMPARE(m.data(m.index(2), MessageBlocks::LanguageRole).toString(), QStringLiteral("cpp"));
        QCOMPARE(textAt(m, 3), QStringLiteral("1. one\n\n2. two\n   more")); // a list stays whole
        QCOMPARE(textAt(m, 4), QStringLiteral("End."));
    }

    void hugeLinesAndListingsAreCut()
    {
        MessageBlocks m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        m.setMessageRole(QStringLiteral("assistant"));
        const QString line = QString(QStringLiteral("word ")).repeated(20'000);
        const QString code = QStringLiteral("```\n") + logText(30'000) + QStringLiteral("```\n");
        // A long paragraph of short lines (a log in a reply): cut at line ends.
        const QString paragraph =
            logText(20'000).replace(QStringLiteral("    at"), QStringLiteral("at"));
        m.setText(line + QStringLiteral("\n\n") + code + QStringLiteral("\n") + paragraph);
        showAll(m);
        QVERIFY(m.rowCount() > 20);
        int codeRows = 0;
        for (int row = 0; row < m.rowCount(); ++row) {
            QVERIFY2(textAt(m, row).size() <= MessageBlocks::PlainBlockChars,
                     qPrintable(QString::number(row)));
            codeRows += kindAt(m, row) == Kind::Code;
            if (kindAt(m, row) == Kind::Markdown)
                QVERIFY2(textAt(m, row).size() <= MessageBlocks::MarkdownBlockChars,
                         qPrintable(QString::number(row)));
        }
        QVERIFY(codeRows > 5);
    }

    void firstStepIsBoundedThenEverythingFollows()
    {
        // 300 KB: the first step makes at most a step's worth of blocks (Markdown weighing
        // MarkdownCost times plain text), the rest come later.
        MessageBlocks m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        m.setMessageRole(QStringLiteral("assistant"));
        QString text;
        for (int i = 0; text.size() < 300'000; ++i)
            text += QStringLiteral("Paragraph %1 with **bold** text and 2*3*4.\n\n").arg(i);
        m.setText(text);
        qsizetype made = 0;
        for (int row = 0; row < m.rowCount(); ++row)
            made += textAt(m, row).size()
                * (kindAt(m, row) == Kind::Markdown ? MessageBlocks::MarkdownCost : 1);
        QVERIFY2(made <= MessageBlocks::StepChars, qPrintable(QString::number(made)));
        QVERIFY(m.rowCount() < m.total());
        QTRY_COMPARE_WITH_TIMEOUT(m.shown(), m.total(), 60000);
    }

    void streamingChangesOnlyTheTail()
    {
        MessageBlocks m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        m.setMessageRole(QStringLiteral("assistant"));
        m.setLive(true);
        const QString full =
            QStringLiteral("Intro line.\n\n```python\nprint(1)\n\nprint(2)\n```\n\n- a\n- b\n\nThe "
                           "end, with *emphasis*.");
        QSignalSpy resets(&m, &QAbstractItemModel::modelReset);
        QSignalSpy removed(&m, &QAbstractItemModel::rowsRemoved);
        QSignalSpy changed(&m, &QAbstractItemModel::dataChanged);
        for (qsizetype i = 1; i <= full.size(); i += 3) {
            const int rowsBefore = m.rowCount();
            changed.clear();
            m.setText(full.left(i));
            for (const auto &args : std::as_const(changed))
                QVERIFY2(args.at(0).toModelIndex().row() >= rowsBefore - 1,
                         "only the open block changes");
            // The open tail is plain, closed Markdown blocks are Markdown.
            if (m.rowCount() > 1 && textAt(m, 0) == QStringLiteral("Intro line."))
                QCOMPARE(kindAt(m, 0), Kind::Markdown);
        }
        m.setText(full);
        QCOMPARE(resets.count(), 0);
        QCOMPARE(removed.count(), 0);
        QCOMPARE(kindAt(m, m.rowCount() - 1), Kind::Plain);

        m.setLive(false);
        QCOMPARE(kindAt(m, m.rowCount() - 1), Kind::Markdown);
        MessageBlocks fresh;
        fresh.setMessageRole(QStringLiteral("assistant"));
        fresh.setText(full);
        QCOMPARE(m.rowCount(), fresh.rowCount());
        for (int row = 0; row < m.rowCount(); ++row) {
            QCOMPARE(textAt(m, row), textAt(fresh, row));
            QCOMPARE(kindAt(m, row), kindAt(fresh, row));
        }
    }
};

QTEST_GUILESS_MAIN(TestMessageBlocks)
#include "tst_messageblocks.moc"
