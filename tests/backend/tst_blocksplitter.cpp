// render::BlockSplitter: a reply's Markdown as top-level blocks, while it streams. Unit cases per
// kind, and a property test on random documents streamed in random chunks: closed blocks never
// change, streaming ends where a one-shot split does, no text is lost, and the blocks are the
// ones md4c (the parser Qt renders with) sees in the whole document.
#include "markdowngenerator.h"

#include "render/blocksplitter.h"

#include <QTest>

#include <md4c.h>

using arbor::render::Block;
using arbor::render::BlockSplitter;
using Kind = Block::Kind;
using namespace Qt::StringLiterals;

namespace {

Kind kindOf(MD_BLOCKTYPE type)
{
    switch (type) {
    case MD_BLOCK_QUOTE:
        return Kind::Quote;
    case MD_BLOCK_UL:
    case MD_BLOCK_OL:
        return Kind::List;
    case MD_BLOCK_HR:
        return Kind::ThematicBreak;
    case MD_BLOCK_H:
        return Kind::Heading;
    case MD_BLOCK_CODE:
        return Kind::Code;
    case MD_BLOCK_TABLE:
        return Kind::Table;
    default:
        return Kind::Paragraph;
    }
}

/** The kinds of md4c's top-level blocks (the children of MD_BLOCK_DOC) in @p text, parsed in
 *  the dialect Qt's TextEdit uses for MarkdownText (GitHub) with HTML off. */
QList<Kind> md4cTopLevelKinds(const QString &text)
{
    struct State
    {
        int depth = 0;
        QList<Kind> kinds;
    } state;
    MD_PARSER parser{};
    parser.flags = MD_DIALECT_GITHUB | MD_FLAG_NOHTML;
    parser.enter_block = [](MD_BLOCKTYPE type, void *, void *user) {
        auto *s = static_cast<State *>(user);
        if (++s->depth == 2)
            s->kinds.append(kindOf(type));
        return 0;
    };
    parser.leave_block = [](MD_BLOCKTYPE, void *, void *user) {
        --static_cast<State *>(user)->depth;
        return 0;
    };
    parser.enter_span = [](MD_SPANTYPE, void *, void *) { return 0; };
    parser.leave_span = [](MD_SPANTYPE, void *, void *) { return 0; };
    parser.text = [](MD_TEXTTYPE, const MD_CHAR *, MD_SIZE, void *) { return 0; };
    const QByteArray utf8 = text.toUtf8();
    md_parse(utf8.constData(), MD_SIZE(utf8.size()), &parser, &state);
    return state.kinds;
}

/**
 * md4c 0.4.8's reading of @p text that does not depend on byte offsets. Its check that a list
 * item starts with two blank lines looks at the last 8 bytes of its block buffer as if they were
 * a block record; when they are a line record, a list ends where a line happened to start at an
 * offset ≡ 4 (mod 256). Blank lines in front change every offset and nothing else: the reading
 * two of three such offsets agree on is the document's own.
 */
QList<Kind> md4cReading(const QString &text)
{
    const QList<Kind> asIs = md4cTopLevelKinds(text);
    const QList<Kind> shifted = md4cTopLevelKinds(u'\n' + text);
    if (asIs == shifted)
        return asIs;
    return md4cTopLevelKinds(u"\n\n"_s + text) == shifted ? shifted : asIs;
}

QString kindName(Kind kind)
{
    return QString::fromLatin1(QMetaEnum::fromType<Kind>().valueToKey(int(kind)));
}

/** "Heading2 Code:python List(ordered) Paragraph": kinds and their details, for comparisons. */
QString describe(const QList<Block> &blocks)
{
    QStringList out;
    for (const Block &b : blocks) {
        QString s = kindName(b.kind);
        if (b.kind == Kind::Heading)
            s += QString::number(b.level);
        if (b.kind == Kind::Code && !b.language.isEmpty())
            s += u':' + b.language;
        if (b.ordered)
            s += QStringLiteral("(ordered)");
        out.append(s);
    }
    return out.join(u' ');
}

QString visible(QString text)
{
    return text.replace(u'\n', QStringLiteral("⏎\n"));
}

QString firstDifference(const QList<Block> &a, const QList<Block> &b)
{
    for (qsizetype i = 0; i < std::min(a.size(), b.size()); ++i) {
        if (a[i] != b[i])
            return QStringLiteral("block %1: at %2 «%3» / at %4 «%5»")
                .arg(i)
                .arg(a[i].start)
                .arg(visible(a[i].source))
                .arg(b[i].start)
                .arg(visible(b[i].source));
    }
    return QStringLiteral("%1 blocks / %2 blocks").arg(a.size()).arg(b.size());
}

/** Every character outside the blocks is in a blank line; sources are the text at their
 *  start. Returns what is wrong, or "". */
QString coverageError(const QString &text, const QList<Block> &blocks)
{
    qsizetype pos = 0;
    const auto blankGap = [&](qsizetype from, qsizetype to) {
        for (qsizetype i = from; i < to; ++i) {
            if (text[i] != u' ' && text[i] != u'\t' && text[i] != u'\n' && text[i] != u'\r')
                return false;
        }
        return from == to || from == 0 || text[from - 1] == u'\n';
    };
    for (qsizetype i = 0; i < blocks.size(); ++i) {
        const Block &b = blocks[i];
        if (b.start < pos || b.source.isEmpty())
            return QStringLiteral("block %1 starts at %2, before %3 or empty")
                .arg(i)
                .arg(b.start)
                .arg(pos);
        if (!blankGap(pos, b.start))
            return QStringLiteral("text lost before block %1: «%2»")
                .arg(i)
                .arg(text.mid(pos, b.start - pos));
        if (text.mid(b.start, b.source.size()) != b.source)
            return QStringLiteral("block %1 is not the text at %2").arg(i).arg(b.start);
        pos = b.start + b.source.size();
    }
    if (!blankGap(pos, text.size()))
        return QStringLiteral("text lost at the end: «%1»").arg(text.mid(pos));
    return {};
}

/** Streams @p text in chunks of 1 to @p maxChunk characters (random, from @p seed). */
QList<Block> streamed(const QString &text, quint32 seed, int maxChunk, QString *error)
{
    QRandomGenerator rng(seed);
    BlockSplitter splitter;
    QList<Block> seen;
    for (qsizetype at = 0; at < text.size();) {
        const qsizetype n = std::min<qsizetype>(1 + rng.bounded(maxChunk), text.size() - at);
        splitter.append(QStringView(text).sliced(at, n));
        at += n;
        const QList<Block> &closed = splitter.closedBlocks();
        // (a) what was reported closed never changes
        if (closed.size() < seen.size() || closed.first(seen.size()) != seen) {
            *error = QStringLiteral("a closed block changed after %1 characters").arg(at);
            return {};
        }
        seen = closed;
        for (const Block &b : closed) {
            if (!b.closed || b.changed) {
                *error = QStringLiteral("a closed block is not marked closed (or is changed)");
                return {};
            }
        }
        if (const auto tail = splitter.openTail()) {
            const qsizetype end = tail->start + tail->source.size();
            if (tail->closed || end != at
                || text.mid(tail->start, tail->source.size()) != tail->source
                || (!closed.isEmpty()
                    && tail->start < closed.last().start + closed.last().source.size())) {
                *error =
                    QStringLiteral("the open tail is not the text after the closed blocks (%1)")
                        .arg(at);
                return {};
            }
        }
    }
    splitter.finish();
    const QList<Block> &all = splitter.closedBlocks();
    for (qsizetype i = 0; i < seen.size(); ++i) {
        Block before = seen[i];
        before.linkDefinitions = all[i].linkDefinitions;
        before.changed = all[i].changed;
        if (all[i] != before || all[i].changed != !all[i].linkDefinitions.isEmpty()) {
            *error = QStringLiteral("finish() changed block %1 beyond its link definitions").arg(i);
            return {};
        }
    }
    return all;
}

} // namespace

class TestBlockSplitter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void kinds_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected");
        QTest::newRow("paragraph") << "Hello *world*"
                                   << "Paragraph";
        QTest::newRow("atx") << "# Title\n\nText\n"
                             << "Heading1 Paragraph";
        QTest::newRow("atx closing hashes") << "### Three ###\n"
                                            << "Heading3";
        QTest::newRow("setext 1") << "Title\n=====\nText"
                                  << "Heading1 Paragraph";
        QTest::newRow("setext 2") << "Para\ngraph\n---\n"
                                  << "Heading2";
        QTest::newRow("break") << "***\n- - -\n"
                               << "ThematicBreak ThematicBreak";
        QTest::newRow("loose list") << "- a\n- b\n\n- c\n"
                                    << "List";
        QTest::newRow("other bullet") << "- a\n* b\n"
                                      << "List List";
        QTest::newRow("ordered") << "1. a\n2. b\n"
                                 << "List(ordered)";
        QTest::newRow("nested and lazy") << "- a\n  - nested\n    continued\n- b\nlazy\n"
                                         << "List";
        QTest::newRow("list then text") << "- item\n\n\nText\n"
                                        << "List Paragraph";
        QTest::newRow("tabs") << "-\tone\n\t- two\n"
                              << "List";
        QTest::newRow("quotes") << "> quote\nlazy\n\n> another\n"
                                << "Quote Quote";
        QTest::newRow("table") << "| a | b |\n|---|:-:|\n| 1 | 2 |\n\nafter"
                               << "Table Paragraph";
        QTest::newRow("fence") << "```python\ncode\n\nmore\n```\nafter\n"
                               << "Code:python Paragraph";
        QTest::newRow("tilde fence") << "~~~ c++ extra\n```\n~~~\n"
                                     << "Code:c++";
        QTest::newRow("unterminated fence") << "~~~\nunterminated\n\n"
                                            << "Code";
        QTest::newRow("indented code") << "    one\n\n    two\n\ntext\n"
                                       << "Code Paragraph";
        QTest::newRow("no indented code after text") << "text\n    not code\n"
                                                     << "Paragraph";
        QTest::newRow("references") << "[r]: https://e.org\n"
                                    << "References";
        QTest::newRow("fence interrupts") << "para\n```\ncode\n```\n"
                                          << "Paragraph Code";
        QTest::newRow("heading interrupts") << "para\n## h\n"
                                            << "Paragraph Heading2";
        QTest::newRow("ordered from 2 cannot interrupt") << "para\n2. not a list\n"
                                                         << "Paragraph";
        QTest::newRow("ordered from 1 interrupts") << "para\n1. a list\n"
                                                   << "Paragraph List(ordered)";
        // md4c: the fence closes the code in the item and ends the list.
        QTest::newRow("fence closes list") << "- a\n  ```\n  code\n```\nafter\n"
                                           << "List Paragraph";
        // md4c: a table goes on through a line that would be a heading elsewhere.
        QTest::newRow("table swallows heading") << "| a |\n|---|\n# row\n"
                                                << "Table";
        QTest::newRow("crlf") << "Line one\r\nLine two\r\n\r\n# H\r\n"
                              << "Paragraph Heading1";
        QTest::newRow("blank only") << "\n  \n\n"
                                    << "";
    }

    void kinds()
    {
        QFETCH(QString, text);
        QFETCH(QString, expected);
        const QList<Block> blocks = BlockSplitter::split(text);
        QCOMPARE(describe(blocks), expected);
        QCOMPARE(coverageError(text, blocks), QString());
        QList<Kind> kinds;
        for (const Block &b : blocks) {
            if (b.kind != Kind::References)
                kinds.append(b.kind);
        }
        QCOMPARE(kinds, md4cTopLevelKinds(text));
        QString error;
        QCOMPARE(streamed(text, 1, 1, &error), blocks);
        QCOMPARE(error, QString());
    }

    void tableCells()
    {
        const QList<Block> blocks =
            BlockSplitter::split(u"| a | *b* |\n|---|---|\n| 1 | `2` |\n| 3 |\n");
        QCOMPARE(blocks.size(), 1);
        const QList<QStringList> rows{{u"a"_s, u"b"_s}, {u"1"_s, u"2"_s}, {u"3"_s, u""_s}};
        QCOMPARE(blocks[0].rows, rows);
    }

    void paragraphClosesAtBlankLine()
    {
        BlockSplitter s;
        s.append(u"Hello\nworld\n");
        QVERIFY(s.closedBlocks().isEmpty());
        QCOMPARE(s.openTail()->kind, Kind::Paragraph);
        QCOMPARE(s.openTail()->source, u"Hello\nworld\n"_s);
        s.append(u"\n");
        QCOMPARE(s.closedBlocks().size(), 1);
        QCOMPARE(s.closedBlocks()[0].source, u"Hello\nworld\n"_s);
        QVERIFY(s.closedBlocks()[0].closed);
        QVERIFY(!s.openTail());
        s.append(u"## Ti");
        QCOMPARE(s.openTail()->kind, Kind::Heading); // the unfinished line, read ahead
        QCOMPARE(s.openTail()->level, 2);
        QCOMPARE(s.openTail()->start, 13);
        s.append(u"tle\nNext");
        QCOMPARE(s.closedBlocks().size(), 2);
        QCOMPARE(s.closedBlocks()[1].source, u"## Title\n"_s);
        QCOMPARE(s.closedBlocks()[1].start, 13);
        s.finish();
        QCOMPARE(describe(s.closedBlocks()), u"Paragraph Heading2 Paragraph"_s);
        QCOMPARE(s.closedBlocks()[2].source, u"Next"_s);
        QVERIFY(!s.closedBlocks()[0].changed);
        QVERIFY(s.closedBlocks()[2].changed); // it was open until finish()
    }

    void listStaysOpenOverBlankLines()
    {
        BlockSplitter s;
        s.append(u"- a\n\n");
        s.append(u"- b\n\n");
        QVERIFY(s.closedBlocks().isEmpty());
        QCOMPARE(s.openTail()->kind, Kind::List);
        s.append(u"Text\n");
        QCOMPARE(s.closedBlocks().size(), 1);
        QCOMPARE(s.closedBlocks()[0].source, u"- a\n\n- b\n"_s); // not the blank line after it
        QCOMPARE(s.openTail()->source, u"Text\n"_s);
        QCOMPARE(s.openTail()->start, 10);
    }

    void fenceClosesAtItsFence()
    {
        BlockSplitter s;
        s.append(u"```js\nlet a;\n\n");
        QCOMPARE(s.openTail()->kind, Kind::Code);
        QCOMPARE(s.openTail()->language, u"js"_s);
        s.append(u"# not a heading\n``");
        QVERIFY(s.closedBlocks().isEmpty());
        s.append(u"`\n");
        QCOMPARE(s.closedBlocks().size(), 1);
        QCOMPARE(s.closedBlocks()[0].source, u"```js\nlet a;\n\n# not a heading\n```\n"_s);
        QCOMPARE(s.closedBlocks()[0].language, u"js"_s);
    }

    void unterminatedFenceClosesAtFinish()
    {
        BlockSplitter s;
        s.append(u"Intro:\n```\ncode");
        QCOMPARE(s.closedBlocks().size(), 1); // the fence interrupts the paragraph
        s.finish();
        QCOMPARE(describe(s.closedBlocks()), u"Paragraph Code"_s);
        QCOMPARE(s.closedBlocks()[1].source, u"```\ncode"_s);
        QVERIFY(!s.openTail());
    }

    void linkDefinitionsResolveAtFinish()
    {
        BlockSplitter s;
        s.append(u"See [the docs][d].\n\n```\n[d]\n```\n\n[d]: https://e.org\n");
        QCOMPARE(s.closedBlocks().size(), 2);
        s.finish();
        const QList<Block> &b = s.closedBlocks();
        QCOMPARE(describe(b), u"Paragraph Code References"_s);
        QCOMPARE(b[0].linkDefinitions, u"[d]: https://e.org\n"_s);
        QCOMPARE(b[0].markdown(), u"See [the docs][d].\n\n[d]: https://e.org\n"_s);
        QVERIFY(b[0].changed);
        QVERIFY(b[1].linkDefinitions.isEmpty()); // code has no links
        QVERIFY(!b[1].changed);
        QVERIFY(b[2].changed);
    }

    void longLinesAndBlocksStream()
    {
        // One line of 50,000 characters, then a list of 2,000 items: still one block each.
        BlockSplitter s;
        for (int i = 0; i < 10000; ++i)
            s.append(u"word ");
        s.append(u"\n\n");
        for (int i = 0; i < 2000; ++i)
            s.append(u"- item\n");
        QCOMPARE(s.closedBlocks().size(), 1);
        QCOMPARE(s.openTail()->source.size(), 2000 * 7);
        s.finish();
        QCOMPARE(describe(s.closedBlocks()), u"Paragraph List"_s);
        QCOMPARE(s.size(), 50002 + 2000 * 7);
    }

    void thinkingAndToolCalls()
    {
        const Block t = Block::thinking(u"Let me see"_s, false);
        QCOMPARE(t.kind, Kind::Thinking);
        QCOMPARE(t.source, u"Let me see"_s);
        QVERIFY(!t.closed);
        const Block c = Block::toolCall(u"search"_s, u"{\"q\":\"x\"}"_s, true);
        QCOMPARE(c.kind, Kind::ToolCall);
        QCOMPARE(c.toolName, u"search"_s);
        QVERIFY(c.closed);
    }

    /** Random documents, random chunks: (a) closed blocks never change, (b) streaming then
     *  finish() gives split(), (c) the blocks cover the text, (d) they are md4c's top-level
     *  blocks. And (e): a block alone is one md4c block of its kind, so the window can render it
     *  alone. md4c 0.4.8 reads a few lines by what came before them (a fence indented 4+
     *  columns interrupts a paragraph; a short fence after a list holding a longer open fence
     *  is text), so (e) allows 1% of blocks to read otherwise alone. */
    void randomDocuments()
    {
        const quint32 base = qEnvironmentVariableIsSet("ARBOR_SPLITTER_SEED")
            ? quint32(qEnvironmentVariableIntValue("ARBOR_SPLITTER_SEED"))
            : 20261206u;
        const int runs = qEnvironmentVariableIsSet("ARBOR_SPLITTER_RUNS")
            ? qEnvironmentVariableIntValue("ARBOR_SPLITTER_RUNS")
            : 400;
        qsizetype blocks = 0;
        QStringList notAlone;
        for (int run = 0; run < runs; ++run) {
            const quint32 seed = base + quint32(run);
            const QString text = MarkdownGenerator(seed).document();
            const QString problem = randomDocumentProblem(text, seed, &blocks, &notAlone);
            if (!problem.isEmpty()) {
                // QTest cuts long messages: the document goes to the log in full.
                qWarning().noquote() << "--- document of seed" << seed << ":\n"
                                     << visible(text) << "\n---" << problem;
                QFAIL(qPrintable(QStringLiteral("seed %1 (replay with ARBOR_SPLITTER_SEED=%1 "
                                                "ARBOR_SPLITTER_RUNS=1): %2")
                                     .arg(seed)
                                     .arg(problem.left(200))));
            }
        }
        for (const QString &line : std::as_const(notAlone))
            qInfo().noquote() << line;
        QVERIFY2(notAlone.size() * 100 <= blocks,
                 qPrintable(QStringLiteral("%1 of %2 blocks read otherwise alone")
                                .arg(notAlone.size())
                                .arg(blocks)));
    }

private:
    /** What is wrong with the blocks of @p text, or "". Counts the blocks in @p blocks and
     *  notes those md4c reads otherwise alone in @p notAlone. */
    static QString randomDocumentProblem(const QString &text, quint32 seed, qsizetype *blocks,
                                         QStringList *notAlone)
    {
        const QList<Block> whole = BlockSplitter::split(text);
        QString error;
        const QList<Block> streamedBlocks = streamed(text, seed, 1 + int(seed % 3) * 8, &error);
        if (!error.isEmpty())
            return error;            // (a)
        if (streamedBlocks != whole) // (b)
            return u"streamed: "_s + describe(streamedBlocks) + u"\nsplit:    "_s + describe(whole)
                + u'\n' + firstDifference(streamedBlocks, whole);
        if (const QString lost = coverageError(text, whole); !lost.isEmpty())
            return lost; // (c)
        QList<Kind> kinds;
        for (const Block &b : whole) {
            if (!b.closed)
                return u"an open block after finish()"_s;
            *blocks += 1;
            const QList<Kind> alone = md4cTopLevelKinds(b.source);
            const QList<Kind> expected =
                b.kind == Kind::References ? QList<Kind>{} : QList<Kind>{b.kind};
            if (alone != expected) // (e)
                notAlone->append(
                    QStringLiteral("seed %1: this %2 block reads otherwise alone: «%3»")
                        .arg(seed)
                        .arg(kindName(b.kind), visible(b.source)));
            if (b.kind != Kind::References)
                kinds.append(b.kind);
        }
        const QList<Kind> md4c = md4cReading(text); // (d)
        if (kinds != md4c) {
            QStringList names;
            for (const Kind k : md4c)
                names.append(kindName(k));
            return u"splitter: "_s + describe(whole) + u"\nmd4c:     "_s + names.join(u' ');
        }
        return {};
    }
};

QTEST_GUILESS_MAIN(TestBlockSplitter)
#include "tst_blocksplitter.moc"
