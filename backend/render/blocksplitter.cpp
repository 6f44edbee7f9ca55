#include "blocksplitter.h"

#include "render/md4cparse.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcRender, "arbor.render", QtInfoMsg)

namespace arbor::render {

namespace {

/** @brief Only spaces and tabs: md4c's blank line. */
bool isBlankLine(QStringView line)
{
    for (const QChar c : line) {
        if (c != u' ' && c != u'\t')
            return false;
    }
    return true;
}

/** @brief The line without its line break (LF or CRLF). */
QStringView withoutBreak(QStringView line)
{
    if (line.endsWith(u'\n'))
        line.chop(1);
    if (line.endsWith(u'\r'))
        line.chop(1);
    return line;
}

/** @brief md4c's reading of a closed block: the details the scanner does not know (table cells,
 *  a code language with escapes), and whether a paragraph was only link definitions. A block
 *  md4c reads otherwise alone than in its document keeps the scanner's kind (md4c 0.4.8 lets a
 *  fence indented 4+ columns interrupt a paragraph: alone, that block is indented code). */
void describe(Block &b)
{
    const QList<ParsedBlock> parsed = parseTopLevel(b.source);
    if (parsed.isEmpty()) {
        if (b.kind == Block::Kind::Paragraph)
            b.kind = Block::Kind::References;
        else
            qCDebug(lcRender) << "md4c finds no block in a" << b.kind << "block";
        return;
    }
    const ParsedBlock &p = parsed.first();
    if (parsed.size() != 1 || p.kind != b.kind) {
        qCDebug(lcRender) << "md4c reads a" << b.kind << "block as" << parsed.size()
                          << "blocks, the first a" << p.kind;
        return;
    }
    b.level = p.level;
    b.ordered = p.ordered;
    b.language = p.language;
    b.rows = p.rows;
}

/** @brief A paragraph made of link reference definitions only (md4c reads no block in it). */
bool onlyLinkDefinitions(QStringView paragraph)
{
    return paragraph.trimmed().startsWith(u'[') && parseTopLevel(paragraph).isEmpty();
}

} // namespace

Block BlockSplitter::blockStartedBy(const LineInfo &line, const LineScanner &scanner)
{
    Block b;
    if (scanner.containerCount() > 0) {
        const QChar mark = scanner.containerMark(0);
        b.kind = mark == u'>' ? Block::Kind::Quote : Block::Kind::List;
        b.ordered = mark == u'.' || mark == u')';
        return b;
    }
    switch (line.type) {
    case LineType::AtxHeading:
        b.kind = Block::Kind::Heading;
        b.level = line.level;
        break;
    case LineType::ThematicBreak:
        b.kind = Block::Kind::ThematicBreak;
        break;
    case LineType::FencedCode:
        b.kind = Block::Kind::Code;
        b.language = line.language;
        break;
    case LineType::IndentedCode:
        b.kind = Block::Kind::Code;
        break;
    default:
        b.kind = Block::Kind::Paragraph;
        break;
    }
    return b;
}

void BlockSplitter::append(QStringView chunk)
{
    if (m_finished || chunk.isEmpty())
        return;
    m_tail.append(chunk);
    m_size += chunk.size();
    for (;;) {
        const qsizetype lf = m_tail.indexOf(u'\n', m_searched);
        if (lf < 0)
            break;
        takeLine(m_scanPos, lf + 1);
        m_scanPos = m_searched = lf + 1;
    }
    m_searched = m_tail.size();
    compact();
}

void BlockSplitter::finish()
{
    if (m_finished)
        return;
    const qsizetype reported = m_closed.size();
    if (m_scanPos < m_tail.size())
        takeLine(m_scanPos, m_tail.size());
    if (m_open)
        close(endBefore(m_tail.size()));
    m_finished = true;
    m_tail = QString();
    m_tailStart = m_size;
    m_base = m_scanPos = m_searched = 0;
    resolveLinkDefinitions();
    for (qsizetype i = 0; i < m_closed.size(); ++i) {
        Block &b = m_closed[i];
        b.changed = i >= reported || !b.linkDefinitions.isEmpty();
    }
}

std::optional<Block> BlockSplitter::openTail() const
{
    if (m_finished)
        return std::nullopt;
    if (m_open) {
        Block b = m_openBlock;
        b.source = m_base == 0 ? m_tail : m_tail.sliced(m_base);
        return b;
    }
    const QStringView partial = QStringView(m_tail).sliced(m_scanPos);
    if (isBlankLine(partial))
        return std::nullopt;
    // What the unfinished line would start, were it complete (the scanner is a few words).
    LineScanner probe = m_scanner;
    const LineInfo line = probe.scan(withoutBreak(partial));
    Block b = blockStartedBy(line, probe);
    b.source = partial.toString();
    b.start = m_tailStart + m_scanPos;
    return b;
}

QList<Block> BlockSplitter::split(QStringView text)
{
    BlockSplitter splitter;
    splitter.append(text);
    splitter.finish();
    return splitter.m_closed;
}

void BlockSplitter::takeLine(qsizetype begin, qsizetype end)
{
    const QStringView text = withoutBreak(QStringView(m_tail).sliced(begin, end - begin));
    const bool blank = isBlankLine(text);
    const int containersBefore = m_scanner.containerCount();
    const LineInfo line = m_scanner.scan(text);

    if (containersBefore > 0) {
        // A top-level list or quote is open.
        if (line.parents > 0 || line.brothers > 0) {
            if (blank) {
                if (m_pendingBlank < 0)
                    m_pendingBlank = begin;
            } else {
                m_pendingBlank = -1;
            }
        } else if (line.children == 0
                   && (line.type == LineType::FenceClose
                       || (line.type == LineType::Blank && !blank))) {
            // md4c: the fence closes the code inside the container, and the container ends. (A
            // shorter fence that does not close it counts as a blank line: it ends the
            // container too, and stays with it.)
            close(end);
        } else {
            close(endBefore(begin));
            if (!blank)
                startBlock(begin, end, line);
        }
    } else if (line.children > 0) {
        if (m_open)
            close(endBefore(begin));
        openBlock(begin, line);
    } else {
        switch (line.type) {
        case LineType::Blank:
            if (m_open)
                close(endBefore(begin));
            break;
        case LineType::SetextUnderline:
            if (m_openBlock.kind == Block::Kind::Paragraph
                && onlyLinkDefinitions(QStringView(m_tail).sliced(m_base, begin - m_base))) {
                // md4c: the definitions leave no heading text, so the underline starts a
                // paragraph.
                close(begin);
                m_scanner.takeUnderlineAsText();
                openBlock(begin, LineInfo{});
                break;
            }
            m_openBlock.kind = Block::Kind::Heading;
            m_openBlock.level = line.level;
            close(end);
            break;
        case LineType::FenceClose:
            close(end);
            break;
        case LineType::TableUnderline:
            m_openBlock.kind = Block::Kind::Table;
            break;
        default:
            if (blank && line.type == LineType::IndentedCode) {
                // A blank line inside indented code: part of it only if more code follows.
                if (m_pendingBlank < 0)
                    m_pendingBlank = begin;
            } else if (line.startsLeaf || !m_open) {
                if (m_open)
                    close(endBefore(begin));
                startBlock(begin, end, line);
            } else {
                m_pendingBlank = -1;
            }
            break;
        }
    }
    if (!m_open)
        m_base = end; // blank lines between blocks belong to none
}

void BlockSplitter::openBlock(qsizetype at, const LineInfo &line)
{
    m_openBlock = blockStartedBy(line, m_scanner);
    m_openBlock.start = m_tailStart + at;
    m_open = true;
    m_base = at;
    m_pendingBlank = -1;
}

void BlockSplitter::startBlock(qsizetype begin, qsizetype end, const LineInfo &line)
{
    openBlock(begin, line);
    if (m_scanner.containerCount() == 0
        && (line.type == LineType::AtxHeading || line.type == LineType::ThematicBreak))
        close(end);
}

void BlockSplitter::close(qsizetype at)
{
    Block b = m_openBlock;
    b.source = m_tail.sliced(m_base, at - m_base);
    b.closed = true;
    describe(b);
    m_closed.append(std::move(b));
    m_open = false;
    m_base = at;
    m_pendingBlank = -1;
}

void BlockSplitter::compact()
{
    if (m_base == 0)
        return;
    m_tail.remove(0, m_base);
    m_tailStart += m_base;
    m_scanPos -= m_base;
    m_searched -= m_base;
    if (m_pendingBlank >= 0)
        m_pendingBlank -= m_base;
    m_base = 0;
}

void BlockSplitter::resolveLinkDefinitions()
{
    QString definitions;
    for (const Block &b : std::as_const(m_closed)) {
        if (b.kind != Block::Kind::References)
            continue;
        definitions += b.source;
        if (!definitions.endsWith(u'\n'))
            definitions += u'\n';
    }
    if (definitions.isEmpty())
        return;
    for (Block &b : m_closed) {
        switch (b.kind) {
        case Block::Kind::Paragraph:
        case Block::Kind::Heading:
        case Block::Kind::List:
        case Block::Kind::Quote:
        case Block::Kind::Table:
            if (b.source.contains(u'['))
                b.linkDefinitions = definitions;
            break;
        default:
            break;
        }
    }
}

} // namespace arbor::render
