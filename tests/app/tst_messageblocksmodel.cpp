// MessageBlocksModel: a message as a list of blocks from the streaming splitter, made a step at a
// time (issue 15, items 8 and 9; issue 17, item 3).
#include "blockkind.h"
#include "markdownrenderer.h"
#include "messageblocksmodel.h"

#include "render/blocksplitter.h"

#include <QAbstractItemModelTester>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QStandardItemModel>
#include <QTest>
#include <QTextDocument>

using arbor::app::BlockRow;
using arbor::app::MarkdownRenderer;
using arbor::app::MessageBlocksModel;
using arbor::render::Block;
using arbor::render::BlockSplitter;
namespace BlockRows = arbor::app::BlockRows;
using Kind = Block::Kind;

namespace {

using Model = MessageBlocksModel;

QVariant roleAt(const Model &m, int row, int role)
{
    return m.data(m.index(row), role);
}

/** @brief The kind of @p row, as the backend names it. */
Kind kindAt(const Model &m, int row)
{
    const int kind = roleAt(m, row, Model::KindRole).toInt();
    for (int k = 0; k <= int(Kind::ToolCall); ++k) {
        if (int(arbor::app::BlockKind::from(Kind(k))) == kind)
            return Kind(k);
    }
    return Kind(-1);
}

QString textAt(const Model &m, int row)
{
    return roleAt(m, row, Model::BlockTextRole).toString();
}

QString markdownAt(const Model &m, int row)
{
    return roleAt(m, row, Model::MarkdownRole).toString();
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

/** @brief A reply with every kind of block, a link reference, and some long blocks. */
QString reply(int sections)
{
    QString out = QStringLiteral("See [the docs][docs] first.\n\n");
    for (int s = 1; s <= sections; ++s) {
        out += QStringLiteral("## Section %1\n\nSome **bold** prose, `code` and *emphasis*.\nA "
                              "second line of it.\n\n")
                   .arg(s);
        out += QStringLiteral("- one\n- two\n  - nested\n\n1. first\n2. second\n\n> quoted\n"
                              "> text\n\n---\n\n");
        out += QStringLiteral("| A | B |\n|:--|--:|\n| 1 | 2 |\n| 3 | 4 |\n\n");
        out +=
            QStringLiteral("```python\nprint(%1)\n\nprint(2)\n```\n\n    indented code\n\n").arg(s);
    }
    out += QStringLiteral("```\n") + logText(9'000) + QStringLiteral("\n```\n\n");
    out += logText(9'000).replace(QStringLiteral("    at"), QStringLiteral("at")) + u'\n';
    out += QStringLiteral("\n[docs]: https://example.com/docs\n\nThe end, with *emphasis*.");
    return out;
}

arbor::domain::ToolCall call(const QString &name, qsizetype at)
{
    arbor::domain::ToolCall c;
    c.id = QStringLiteral("id-") + name;
    c.name = name;
    c.arguments = QStringLiteral(R"({"q":"%1"})").arg(name);
    c.at = at;
    return c;
}

/** @brief Each row: "thinking", "tool NAME" or its Markdown. */
QStringList describe(const Model &m)
{
    QStringList out;
    for (int row = 0; row < m.rowCount(); ++row) {
        const Kind kind = kindAt(m, row);
        if (kind == Kind::Thinking)
            out.append(QStringLiteral("thinking"));
        else if (kind == Kind::ToolCall)
            out.append(QStringLiteral("tool ") + roleAt(m, row, Model::ToolNameRole).toString());
        else
            out.append(markdownAt(m, row));
    }
    return out;
}

/** @brief Shows every row (expands, then waits for the steps). */
void showAll(Model &m)
{
    m.setExpanded(true);
    QTRY_VERIFY_WITH_TIMEOUT(m.complete(), 30000);
}

/** @brief The rows of the blocks of @p text, split whole: what the model must end with. */
QList<BlockRow> expectedRows(const QString &text)
{
    QList<BlockRow> rows;
    for (const Block &b : BlockSplitter::split(text))
        rows += BlockRows::rows(b);
    return rows;
}

} // namespace

class TestMessageBlocksModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void userTextIsShownAsTyped()
    {
        Model m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        m.setMessageRole(QStringLiteral("user"));
        const QString typed =
            QStringLiteral("2*3*4\n# x\n    at foo(Bar.java:1)\n\t<b>bold?</b>\n");
        m.setText(typed);
        QCOMPARE(m.rowCount(), 1);
        QVERIFY(roleAt(m, 0, Model::AsTypedRole).toBool());
        QCOMPARE(textAt(m, 0), typed);
        QVERIFY(!m.collapsible());
    }

    void longUserTextIsCutAtLineEndsAndCollapses()
    {
        Model m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        m.setMessageRole(QStringLiteral("user"));
        const QString text = logText(50'000);
        m.setText(text);
        QVERIFY(m.collapsible());
        QCOMPARE(m.rowCount(), 1); // collapsed: only the first part is made
        QVERIFY(m.total() > 10);
        showAll(m);
        QStringList parts;
        for (int row = 0; row < m.rowCount(); ++row) {
            QVERIFY(textAt(m, row).size() <= BlockRows::PartChars);
            QVERIFY(roleAt(m, row, Model::AsTypedRole).toBool());
            QCOMPARE(roleAt(m, row, Model::ContinuedRole).toBool(), row > 0);
            parts << textAt(m, row);
        }
        QCOMPARE(parts.join(u'\n'), text); // every line, every space kept

        m.setExpanded(false);
        QCOMPARE(m.rowCount(), 1);
    }

    void shortUserTextDoesNotCollapse()
    {
        Model m;
        m.setMessageRole(QStringLiteral("user"));
        m.setText(QStringLiteral("one\ntwo\nthree"));
        QVERIFY(!m.collapsible());
        QCOMPARE(m.rowCount(), 1);
    }

    void replyIsARowPerBlock()
    {
        Model m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        m.setMessageRole(QStringLiteral("assistant"));
        m.setText(QStringLiteral("# Title\n\nA *paragraph*.\n\n```cpp\nint a;\n\nint b;\n```\n\n1. "
                                 "one\n\n2. two\n   more\n\n| h | i |\n|---|:-:|\n| x | y |\n\n"
                                 "***\n\nEnd."));
        QCOMPARE(m.rowCount(), 7);
        QCOMPARE(kindAt(m, 0), Kind::Heading);
        QCOMPARE(roleAt(m, 0, Model::LevelRole).toInt(), 1);
        QCOMPARE(markdownAt(m, 0), QStringLiteral("# Title\n"));
        QCOMPARE(kindAt(m, 1), Kind::Paragraph);
        QCOMPARE(markdownAt(m, 1), QStringLiteral("A *paragraph*.\n"));
        QCOMPARE(kindAt(m, 2), Kind::Code);
        QCOMPARE(textAt(m, 2), QStringLiteral("int a;\n\nint b;")); // no fences
        QCOMPARE(roleAt(m, 2, Model::LanguageRole).toString(), QStringLiteral("cpp"));
        QCOMPARE(m.codeOf(2), QStringLiteral("int a;\n\nint b;"));
        QCOMPARE(kindAt(m, 3), Kind::List); // a list stays whole
        QVERIFY(roleAt(m, 3, Model::OrderedRole).toBool());
        QCOMPARE(kindAt(m, 4), Kind::Table);
        const QVariantList rows = roleAt(m, 4, Model::RowsRole).toList();
        QCOMPARE(rows.size(), 2);
        QCOMPARE(rows.at(0).toStringList(), QStringList({"h", "i"}));
        QCOMPARE(rows.at(1).toStringList(), QStringList({"x", "y"}));
        QCOMPARE(roleAt(m, 4, Model::AlignmentsRole).toList(),
                 QVariantList({int(Qt::AlignLeft), int(Qt::AlignHCenter)}));
        QCOMPARE(kindAt(m, 5), Kind::ThematicBreak);
        QCOMPARE(markdownAt(m, 6), QStringLiteral("End."));
        for (int row = 0; row < m.rowCount(); ++row)
            QVERIFY(roleAt(m, row, Model::ClosedRole).toBool());
    }

    void longBlocksAreCutIntoParts()
    {
        Model m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        m.setMessageRole(QStringLiteral("assistant"));
        const QString line = QString(QStringLiteral("word ")).repeated(5'000);
        QString code = logText(30'000);
        code.truncate(code.lastIndexOf(u'\n') + 1); // whole lines, so the fence closes
        const QString paragraph =
            logText(20'000).replace(QStringLiteral("    at"), QStringLiteral("at"));
        QString list;
        for (int i = 0; list.size() < 20'000; ++i)
            list += QStringLiteral("- item %1\n  continued\n").arg(i);
        m.setText(line + QStringLiteral("\n\n```\n") + code + QStringLiteral("```\n\n") + paragraph
                  + QStringLiteral("\n\n") + list);
        showAll(m);
        QVERIFY(m.rowCount() > 20);
        int codeRows = 0;
        for (int row = 0; row < m.rowCount(); ++row) {
            const int size = int(std::max(textAt(m, row).size(), markdownAt(m, row).size()));
            QVERIFY2(size <= BlockRows::PartChars, qPrintable(QString::number(row)));
            if (kindAt(m, row) == Kind::Code) {
                if (codeRows++ == 0)
                    QCOMPARE(m.codeOf(row) + u'\n', code); // the whole block, every part
            }
            // A list is cut before its items, never inside one.
            if (kindAt(m, row) == Kind::List)
                QVERIFY2(markdownAt(m, row).startsWith(QLatin1String("- item")),
                         qPrintable(markdownAt(m, row).left(40)));
        }
        QVERIFY(codeRows > 5);
        QCOMPARE(m.codeOf(0), QString()); // not code
    }

    void firstStepIsBoundedThenEverythingFollows()
    {
        // 300 KB: the first step makes at most a step's worth of rows, the rest come later.
        Model m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        m.setMessageRole(QStringLiteral("assistant"));
        QString text;
        for (int i = 0; text.size() < 300'000; ++i)
            text += QStringLiteral("Paragraph %1 with **bold** text and 2*3*4.\n\n").arg(i);
        m.setText(text);
        qsizetype made = 0;
        for (int row = 0; row < m.rowCount(); ++row)
            made += m.rowAt(row).cost();
        QVERIFY2(made <= Model::StepChars, qPrintable(QString::number(made)));
        QVERIFY(!m.complete());
        QTRY_VERIFY_WITH_TIMEOUT(m.complete(), 60000);
        QCOMPARE(m.rowCount(), m.total());
        QVERIFY(m.rowCount() > 5000);
    }

    void streamingChangesOnlyOpenRows_data()
    {
        QTest::addColumn<quint32>("seed");
        for (quint32 seed : {1u, 2u, 3u, 42u})
            QTest::addRow("seed %u", seed) << seed;
    }

    void streamingChangesOnlyOpenRows()
    {
        QFETCH(quint32, seed);
        QRandomGenerator rng(seed);
        Model m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        m.setMessageRole(QStringLiteral("assistant"));
        m.setLive(true);
        const QString full = reply(6);
        QSignalSpy resets(&m, &QAbstractItemModel::modelReset);
        QList<bool> closed; // rows that said they were closed
        const auto neverClosed = [&](int from, int to) {
            for (int row = from; row <= to; ++row)
                QVERIFY2(row >= closed.size() || !closed.at(row),
                         qPrintable(QStringLiteral("closed row %1 changed").arg(row)));
        };
        connect(&m, &QAbstractItemModel::dataChanged, this,
                [&](const QModelIndex &from, const QModelIndex &to) {
                    neverClosed(from.row(), to.row());
                });
        // An open row whose kind changes (a paragraph becomes a table) goes and comes back.
        int removed = 0;
        connect(&m, &QAbstractItemModel::rowsAboutToBeRemoved, this,
                [&](const QModelIndex &, int from, int to) {
                    neverClosed(from, to);
                    removed += to - from + 1;
                });
        for (qsizetype at = 0; at < full.size();) {
            at = std::min(full.size(), at + 1 + rng.bounded(40));
            m.setText(full.left(at));
            // What arrives shows at once.
            QVERIFY(m.complete());
            closed.resize(m.rowCount());
            for (int row = 0; row < m.rowCount(); ++row)
                closed[row] = roleAt(m, row, Model::ClosedRole).toBool();
            // The open tail is Markdown too, not plain text.
            if (m.rowCount() > 0)
                QVERIFY(!roleAt(m, m.rowCount() - 1, Model::AsTypedRole).toBool());
        }
        QCOMPARE(resets.count(), 0);
        QVERIFY(removed > 0); // the tables were paragraphs until their second line

        // At the end, finish() changes only rows whose block it changed (link definitions).
        closed.fill(false);
        QSignalSpy changed(&m, &QAbstractItemModel::dataChanged);
        m.setLive(false);
        QTRY_VERIFY(m.complete());
        QSet<int> changedRows;
        for (const QList<QVariant> &args : std::as_const(changed)) {
            for (int r = args.at(0).toModelIndex().row(); r <= args.at(1).toModelIndex().row(); ++r)
                changedRows.insert(r);
        }
        QVERIFY(changedRows.contains(0)); // "See [the docs][docs]" got the definition
        QVERIFY2(changedRows.size() <= 3, qPrintable(QString::number(changedRows.size())));
        QVERIFY(markdownAt(m, 0).contains(QLatin1String("[docs]: https://example.com/docs")));

        const QList<BlockRow> expected = expectedRows(full);
        QCOMPARE(m.rowCount(), expected.size());
        for (int row = 0; row < m.rowCount(); ++row)
            QVERIFY2(m.rowAt(row) == expected.at(row), qPrintable(QString::number(row)));
        // A row per block of the whole text, parts of a long block following it.
        const QList<Block> blocks = BlockSplitter::split(full);
        int row = 0;
        for (const Block &b : blocks) {
            QCOMPARE(kindAt(m, row), b.kind);
            QVERIFY(!roleAt(m, row, Model::ContinuedRole).toBool());
            QString source = markdownAt(m, row);
            for (++row; row < m.rowCount() && roleAt(m, row, Model::ContinuedRole).toBool(); ++row)
                source += markdownAt(m, row);
            if (b.kind != Kind::Code && b.kind != Kind::ThematicBreak)
                QCOMPARE(source, b.markdown());
        }
        QCOMPARE(row, m.rowCount());
    }

    void finishWaitsForTheLastWords()
    {
        // The view may hear that the reply ended before it hears its last words.
        Model m;
        m.setMessageRole(QStringLiteral("assistant"));
        m.setLive(true);
        m.setText(QStringLiteral("Some **text**"));
        QCOMPARE(m.rowCount(), 1);
        QVERIFY(!roleAt(m, 0, Model::ClosedRole).toBool());
        m.setLive(false);
        m.setText(QStringLiteral("Some **text** and more."));
        QTRY_VERIFY(m.complete());
        QCOMPARE(m.rowCount(), 1);
        QCOMPARE(markdownAt(m, 0), QStringLiteral("Some **text** and more."));
        QVERIFY(roleAt(m, 0, Model::ClosedRole).toBool());
    }

    void textComesFromTheSourceRow()
    {
        // The view's model gives the text in C++ (no JS string of a growing reply).
        QStandardItemModel thread(2, 1);
        thread.setItemRoleNames({{Qt::UserRole, "messageContent"}});
        thread.setData(thread.index(1, 0), QStringLiteral("# Hi\n\nThere"), Qt::UserRole);
        Model m;
        m.setMessageRole(QStringLiteral("assistant"));
        m.setLive(true);
        m.setSource(&thread);
        m.setSourceRow(1);
        QCOMPARE(m.rowCount(), 2);
        thread.setData(thread.index(1, 0), QStringLiteral("# Hi\n\nThere you are"), Qt::UserRole);
        QCOMPARE(markdownAt(m, 1), QStringLiteral("There you are"));
        thread.setData(thread.index(0, 0), QStringLiteral("other row"), Qt::UserRole);
        QCOMPARE(m.text(), QStringLiteral("# Hi\n\nThere you are"));
    }

    void reasoningIsTheFirstRow()
    {
        Model m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        m.setMessageRole(QStringLiteral("assistant"));
        m.setLive(true);
        m.setReasoning(QStringLiteral("Let me think"));
        QCOMPARE(m.rowCount(), 1);
        QCOMPARE(kindAt(m, 0), Kind::Thinking);
        QVERIFY(!roleAt(m, 0, Model::ClosedRole).toBool()); // still thinking
        m.setReasoning(QStringLiteral("Let me think about it"));
        QCOMPARE(markdownAt(m, 0), QStringLiteral("Let me think about it"));
        m.setText(QStringLiteral("# Answer\n\nHere."));
        QVERIFY(roleAt(m, 0, Model::ClosedRole).toBool()); // the answer began
        QCOMPARE(m.rowCount(), 3);
        QCOMPARE(kindAt(m, 1), Kind::Heading);
        m.setLive(false);
        QTRY_VERIFY(m.complete());
        QCOMPARE(m.rowCount(), 3);
        m.setReasoning(QString());
        QCOMPARE(m.rowCount(), 2);
        QCOMPARE(kindAt(m, 0), Kind::Heading);
    }

    void toolCallsAreRowsWhereTheyWereMade()
    {
        // A finished reply: calls before all text, between blocks, inside a block (shown after
        // it) and after all text; the reasoning stays first.
        const QString text = QStringLiteral("Intro.\n\n# Heading\n\nMiddle para.\n\nEnd.");
        const qsizetype heading = text.indexOf(u'#');
        const qsizetype middle = text.indexOf(QStringLiteral("para"));
        const QList<arbor::domain::ToolCall> calls{
            call(QStringLiteral("first"), 0), call(QStringLiteral("second"), heading),
            call(QStringLiteral("third"), middle), call(QStringLiteral("last"), text.size())};
        Model m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        m.setMessageRole(QStringLiteral("assistant"));
        m.setReasoning(QStringLiteral("Hmm."));
        m.setText(text);
        m.setToolCalls(arbor::domain::toolcalls::toText(calls));
        QTRY_VERIFY(m.complete());
        QCOMPARE(describe(m),
                 (QStringList{"thinking", "tool first", "Intro.\n", "tool second", "# Heading\n",
                              "Middle para.\n", "tool third", "End.", "tool last"}));
        // The card's roles.
        const int row = 1;
        QCOMPARE(kindAt(m, row), Kind::ToolCall);
        QCOMPARE(roleAt(m, row, Model::ToolNameRole).toString(), QStringLiteral("first"));
        QCOMPARE(textAt(m, row), QStringLiteral(R"({"q":"first"})"));
        QCOMPARE(roleAt(m, row, Model::ToolIdRole).toString(), QStringLiteral("id-first"));
        QCOMPARE(roleAt(m, row, Model::ToolStatusRole).toString(), QStringLiteral("requested"));
        QCOMPARE(roleAt(m, row, Model::ToolResultRole).toString(), QString());
        QVERIFY(roleAt(m, row, Model::ClosedRole).toBool());

        // The same rows however the calls and the text arrive.
        Model other;
        other.setMessageRole(QStringLiteral("assistant"));
        other.setToolCalls(arbor::domain::toolcalls::toText(calls));
        other.setReasoning(QStringLiteral("Hmm."));
        other.setText(text);
        QTRY_VERIFY(other.complete());
        QCOMPARE(describe(other), describe(m));

        // A result arrives for the third call (the tools issue): only its row changes.
        QList<arbor::domain::ToolCall> done = calls;
        done[2].status = QStringLiteral("done");
        done[2].result = QStringLiteral("42");
        QSignalSpy changed(&m, &QAbstractItemModel::dataChanged);
        QSignalSpy removed(&m, &QAbstractItemModel::rowsRemoved);
        m.setToolCalls(arbor::domain::toolcalls::toText(done));
        QTRY_VERIFY(m.complete());
        QCOMPARE(removed.count(), 0);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.first().at(0).toModelIndex().row(), 6);
        QCOMPARE(changed.first().at(1).toModelIndex().row(), 6);
        QCOMPARE(roleAt(m, 6, Model::ToolResultRole).toString(), QStringLiteral("42"));
        QCOMPARE(roleAt(m, 6, Model::ToolStatusRole).toString(), QStringLiteral("done"));
    }

    void toolCallsShowWhileTheReplyStreams()
    {
        // Text, a call made while a paragraph is open (shown after it), more text after the
        // call (the call stays between), a second call at the end: closed rows never change
        // and the end is what a finished reply shows.
        Model m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        m.setMessageRole(QStringLiteral("assistant"));
        m.setLive(true);
        QList<bool> closed;
        connect(&m, &QAbstractItemModel::dataChanged, this,
                [&](const QModelIndex &from, const QModelIndex &to) {
                    for (int row = from.row(); row <= to.row(); ++row)
                        QVERIFY2(row >= closed.size() || !closed.at(row),
                                 qPrintable(QStringLiteral("closed row %1 changed").arg(row)));
                });
        const auto step = [&](const QString &text, const QList<arbor::domain::ToolCall> &calls) {
            m.setToolCalls(arbor::domain::toolcalls::toText(calls));
            m.setText(text);
            QVERIFY(m.complete());
            closed.resize(m.rowCount());
            for (int row = 0; row < m.rowCount(); ++row)
                closed[row] = roleAt(m, row, Model::ClosedRole).toBool();
        };
        const QString before = QStringLiteral("Let me look");
        step(before, {});
        QCOMPARE(describe(m), QStringList{"Let me look"});
        const QList<arbor::domain::ToolCall> one{call(QStringLiteral("search"), before.size())};
        step(before, one);
        QCOMPARE(describe(m), (QStringList{"Let me look", "tool search"}));
        const QString more = before + QStringLiteral(" it up.\n\nFound it.");
        step(more, one);
        QCOMPARE(describe(m), (QStringList{"Let me look it up.\n", "tool search", "Found it."}));
        const QList<arbor::domain::ToolCall> two{one.first(),
                                                 call(QStringLiteral("open"), more.size())};
        step(more, two);
        QCOMPARE(describe(m),
                 (QStringList{"Let me look it up.\n", "tool search", "Found it.", "tool open"}));
        m.setLive(false);
        QTRY_VERIFY(m.complete());
        QCOMPARE(describe(m),
                 (QStringList{"Let me look it up.\n", "tool search", "Found it.", "tool open"}));
    }

    void toolCallsComeFromTheSourceRow()
    {
        QStandardItemModel thread(1, 1);
        thread.setItemRoleNames(
            {{Qt::UserRole, "messageContent"}, {Qt::UserRole + 1, "toolCalls"}});
        thread.setData(thread.index(0, 0), QStringLiteral("Checking."), Qt::UserRole);
        Model m;
        m.setMessageRole(QStringLiteral("assistant"));
        m.setLive(true);
        m.setSource(&thread);
        m.setSourceRow(0);
        QCOMPARE(describe(m), QStringList{"Checking."});
        thread.setData(thread.index(0, 0),
                       arbor::domain::toolcalls::toText({call(QStringLiteral("get_weather"), 9)}),
                       Qt::UserRole + 1);
        QCOMPARE(describe(m), (QStringList{"Checking.", "tool get_weather"}));
        QCOMPARE(m.toolCalls(), thread.data(thread.index(0, 0), Qt::UserRole + 1).toString());
    }

    void markdownRendersWithoutHtml()
    {
        QTextDocument document;
        MarkdownRenderer::render(&document,
                                 QStringLiteral("**bold** <b>raw</b>\n\n| a | b |\n|---|---|\n"));
        QCOMPARE(document.toPlainText().left(15), QStringLiteral("bold <b>raw</b>"));
    }

    void plainTextDropsTheMarkup()
    {
        const QString plain = MarkdownRenderer::plainText(
            QStringLiteral("# Title\n\n**bold** and `code` and [a link](https://x.org)\n\n- a\n- "
                           "b\n\n1. one\n2. two\n\n| h1 | h2 |\n|---|---|\n| x | y |\n\n```\nint "
                           "a;\nint b;\n```\n"));
        QCOMPARE(plain,
                 QStringLiteral("Title\n\nbold and code and a link\n\n• a\n• b\n\n1. one\n"
                                "2. two\n\nh1\th2\nx\ty\n\nint a;\nint b;"));
    }
};

QTEST_MAIN(TestMessageBlocksModel)
#include "tst_messageblocksmodel.moc"
