// The order of the checks below is md4c's (md_analyze_line and md_process_line in md4c 0.4.8,
// MIT): where it differs from CommonMark (a table row before a heading or a fence; a closing
// fence that also ends the list or quote around it), Arbor follows md4c, because Qt renders the
// blocks with it and a block must be the same block for the splitter and for the renderer.
#include "linescanner.h"

#include <utility>

namespace arbor::render {

namespace {

/** @brief Indentation at which a line is indented code (md4c's code_indent_offset). */
constexpr int CodeIndent = 4;

bool isBlankChar(QChar c)
{
    return c == u' ' || c == u'\t';
}

bool isWhitespace(QChar c)
{
    return c == u' ' || c == u'\t' || c == u'\v' || c == u'\f';
}

/** @brief Skips spaces and tabs from @p off (tabs stop every 4 columns, counted from column
 *  @p total); returns the columns skipped. */
int indentation(QStringView s, int total, qsizetype &off)
{
    int indent = total;
    while (off < s.size() && isBlankChar(s[off])) {
        if (s[off] == u'\t')
            indent = (indent + 4) & ~3;
        else
            ++indent;
        ++off;
    }
    return indent - total;
}

/** @brief "***", "- - -", "___": three or more of one of - * _, with spaces between. */
bool isThematicBreak(QStringView s, qsizetype beg, qsizetype *killer)
{
    qsizetype off = beg + 1;
    int n = 1;
    while (off < s.size() && (s[off] == s[beg] || isBlankChar(s[off]))) {
        if (s[off] == s[beg])
            ++n;
        ++off;
    }
    if (n < 3 || off < s.size()) {
        *killer = off;
        return false;
    }
    return true;
}

bool isAtxHeading(QStringView s, qsizetype beg, int *level)
{
    qsizetype off = beg + 1;
    while (off < s.size() && s[off] == u'#' && off - beg < 7)
        ++off;
    const qsizetype n = off - beg;
    if (n > 6)
        return false;
    if (off < s.size() && !isBlankChar(s[off]))
        return false;
    *level = int(n);
    return true;
}

bool isSetextUnderline(QStringView s, qsizetype beg, int *level)
{
    qsizetype off = beg + 1;
    while (off < s.size() && s[off] == s[beg])
        ++off;
    while (off < s.size() && s[off] == u' ')
        ++off;
    if (off < s.size())
        return false;
    *level = s[beg] == u'=' ? 1 : 2;
    return true;
}

/** @brief "|---|:--:|": a table's delimiter row (at least one pipe, cells of 3+ characters). */
bool isTableUnderline(QStringView s, qsizetype off)
{
    const qsizetype n = s.size();
    bool foundPipe = false;
    if (off < n && s[off] == u'|') {
        foundPipe = true;
        ++off;
        while (off < n && isWhitespace(s[off]))
            ++off;
    }
    for (;;) {
        const qsizetype cellBeg = off;
        if (off < n && s[off] == u':')
            ++off;
        while (off < n && s[off] == u'-')
            ++off;
        if (off < n && s[off] == u':')
            ++off;
        if (off - cellBeg < 3)
            return false;
        bool delimited = false;
        while (off < n && isWhitespace(s[off]))
            ++off;
        if (off < n && s[off] == u'|') {
            delimited = foundPipe = true;
            ++off;
            while (off < n && isWhitespace(s[off]))
                ++off;
        }
        if (off >= n)
            break;
        if (!delimited)
            return false;
    }
    return foundPipe;
}

} // namespace

bool LineScanner::isContainerMark(QStringView s, int indent, qsizetype off, qsizetype *end,
                                  Container *c) const
{
    if (off >= s.size() || indent >= CodeIndent)
        return false;
    const QChar ch = s[off];
    if (ch == u'>') {
        *c = {u'>', indent, indent + 1, 0};
        *end = off + 1;
        return true;
    }
    const auto markEnds = [&](qsizetype at) { return at >= s.size() || isBlankChar(s[at]); };
    if ((ch == u'-' || ch == u'+' || ch == u'*') && markEnds(off + 1)) {
        *c = {ch.unicode(), indent, indent + 1, 0};
        *end = off + 1;
        return true;
    }
    const qsizetype maxEnd = std::min(off + 9, s.size());
    qsizetype p = off;
    unsigned start = 0;
    while (p < maxEnd && s[p] >= u'0' && s[p] <= u'9') {
        start = start * 10 + unsigned(s[p].unicode() - u'0');
        ++p;
    }
    if (p > off && p < s.size() && (s[p] == u'.' || s[p] == u')') && markEnds(p + 1)) {
        *c = {s[p].unicode(), indent, indent + int(p - off) + 1, start};
        *end = p + 1;
        return true;
    }
    return false;
}

bool LineScanner::isOpeningFence(QStringView s, qsizetype off, LineInfo *info)
{
    const qsizetype beg = off;
    while (off < s.size() && s[off] == s[beg])
        ++off;
    if (off - beg < 3)
        return false;
    const qsizetype length = off - beg;
    while (off < s.size() && s[off] == u' ')
        ++off;
    const QStringView infoString = s.sliced(off);
    if (s[beg] == u'`' && infoString.contains(u'`'))
        return false;
    m_fenceChar = s[beg].unicode();
    m_fenceLength = length;
    qsizetype word = 0;
    while (word < infoString.size() && !infoString[word].isSpace())
        ++word;
    info->language = infoString.first(word).toString();
    return true;
}

bool LineScanner::isClosingFence(QStringView s, qsizetype &off) const
{
    // Like md4c, this moves @p off past the fence characters even when they are no closing
    // fence: the checks after it then start there (a short fence after a list that held longer
    // fenced code is text, or a blank line).
    const qsizetype beg = off;
    while (off < s.size() && s[off] == QChar(m_fenceChar))
        ++off;
    if (off - beg < m_fenceLength)
        return false;
    while (off < s.size() && s[off] == u' ')
        ++off;
    return off == s.size();
}

void LineScanner::leaveContainers(int keep)
{
    if (keep >= containerCount())
        return;
    m_containers.resize(keep);
    endLeaf();
}

LineInfo LineScanner::scan(QStringView s)
{
    const qsizetype n = s.size();
    LineInfo info;
    int total = 0;
    qsizetype off = 0;
    qsizetype hrKiller = 0;
    LineType pivot = m_pivot;
    int &parents = info.parents;
    int &brothers = info.brothers;
    int &children = info.children;

    int indent = indentation(s, total, off);
    total += indent;

    // Which open containers does the line continue: a '>' for a quote, enough indentation for a
    // list item.
    while (parents < containerCount()) {
        const Container &c = m_containers.at(parents);
        if (c.ch == u'>' && indent < CodeIndent && off < n && s[off] == u'>') {
            ++off;
            ++total;
            indent = indentation(s, total, off);
            total += indent;
            if (indent > 0) // the optional space after '>' belongs to the mark
                --indent;
        } else if (c.ch != u'>' && indent >= c.contentsIndent) {
            indent -= c.contentsIndent;
        } else {
            break;
        }
        ++parents;
    }
    // A blank line needs no indentation to stay in a list (but a quote needs its '>').
    if (off >= n) {
        while (parents < containerCount() && m_containers.at(parents).ch != u'>')
            ++parents;
    }

    // Mirrors how md4c sets the width of a new item's content from the spaces after its mark.
    const auto takeMark = [&](Container &c, qsizetype markEnd) {
        off = markEnd;
        total += c.contentsIndent - c.markIndent;
        indent = indentation(s, total, off);
        total += indent;
        if (off >= n) {
            ++c.contentsIndent;
        } else if (indent <= CodeIndent) {
            c.contentsIndent += indent;
            indent = 0;
        } else {
            c.contentsIndent += 1;
            --indent;
        }
    };

    for (;;) {
        if (pivot == LineType::FencedCode) {
            if (indent < CodeIndent && isClosingFence(s, off)) {
                info.type = LineType::FenceClose;
                break;
            }
            if (parents == containerCount()) {
                info.type = LineType::FencedCode;
                break;
            }
        }
        // "A list item can begin with at most one blank line": after an empty item's first line
        // and a blank line, a line that would go into the item ends the list instead.
        const bool emptyItem = parents > 0 && m_containers.at(parents - 1).ch != u'>'
            && brothers + children == 0 && !m_inLeaf && m_itemOpenerOnTop;
        if (off >= n) {
            if (pivot == LineType::IndentedCode && parents == containerCount()) {
                info.type = LineType::IndentedCode;
            } else {
                info.type = LineType::Blank;
                if (emptyItem)
                    m_emptyItemThenBlank = true;
            }
            break;
        }
        if (std::exchange(m_emptyItemThenBlank, false) && emptyItem)
            --parents; // (md4c keeps the indentation the item took)
        const QChar ch = s[off];
        if (indent < CodeIndent && pivot == LineType::Text && (ch == u'=' || ch == u'-')
            && parents == containerCount() && isSetextUnderline(s, off, &info.level)) {
            info.type = LineType::SetextUnderline;
            break;
        }
        if (indent < CodeIndent && off >= hrKiller && (ch == u'-' || ch == u'_' || ch == u'*')
            && isThematicBreak(s, off, &hrKiller)) {
            info.type = LineType::ThematicBreak;
            break;
        }
        Container c;
        qsizetype markEnd = 0;
        // Another item of an open list.
        if (parents < containerCount() && brothers + children == 0
            && isContainerMark(s, indent, off, &markEnd, &c) && c.ch != u'>'
            && c.ch == m_containers.at(parents).ch
            && c.markIndent <= m_containers.at(parents).contentsIndent) {
            pivot = LineType::Blank;
            takeMark(c, markEnd);
            m_containers[parents].markIndent = c.markIndent;
            m_containers[parents].contentsIndent = c.contentsIndent;
            ++brothers;
            continue;
        }
        // Indented code cannot interrupt a paragraph.
        if (indent >= CodeIndent && (pivot == LineType::Blank || pivot == LineType::IndentedCode)) {
            info.type = LineType::IndentedCode;
            break;
        }
        // A new quote or list.
        if (indent < CodeIndent && isContainerMark(s, indent, off, &markEnd, &c)) {
            const bool sameLevelText = pivot == LineType::Text && parents == containerCount();
            if (sameLevelText && c.ch != u'>' && markEnd >= n) {
                // An empty list item cannot interrupt a paragraph.
                info.type = LineType::Text;
                break;
            }
            if (sameLevelText && (c.ch == u'.' || c.ch == u')') && c.start != 1) {
                // Nor can an ordered list that does not start at 1.
                info.type = LineType::Text;
                break;
            }
            takeMark(c, markEnd);
            if (brothers + children == 0)
                pivot = LineType::Blank;
            if (children == 0)
                leaveContainers(parents + brothers);
            ++children;
            m_containers.append(c);
            continue;
        }
        if (pivot == LineType::Table && parents == containerCount()) {
            info.type = LineType::Table;
            break;
        }
        if (indent < CodeIndent && ch == u'#' && isAtxHeading(s, off, &info.level)) {
            info.type = LineType::AtxHeading;
            break;
        }
        if ((ch == u'`' || ch == u'~') && isOpeningFence(s, off, &info)) {
            info.type = LineType::FencedCode;
            info.opensFence = true;
            break;
        }
        if (pivot == LineType::Text && (ch == u'|' || ch == u'-' || ch == u':')
            && parents == containerCount() && m_inLeaf && m_leafLines == 1
            && isTableUnderline(s, off)) {
            info.type = LineType::TableUnderline;
            break;
        }
        info.type = LineType::Text;
        if (pivot == LineType::Text && brothers + children == 0)
            parents = containerCount(); // a lazy continuation line
        break;
    }

    const bool leaves = children == 0 && parents + brothers < containerCount();
    if (children == 0)
        leaveContainers(parents + brothers);
    if (brothers + children > 0)
        endLeaf(); // a new list item or container starts after the open leaf
    process(info);
    // md4c's last block record: a list item's opening, unless something came after it (it
    // records leaving containers before entering new ones).
    if (info.type != LineType::Blank)
        m_itemOpenerOnTop = false;
    else if (children > 0)
        m_itemOpenerOnTop = m_containers.constLast().ch != u'>';
    else if (brothers > 0)
        m_itemOpenerOnTop = true;
    else if (leaves)
        m_itemOpenerOnTop = false;
    return info;
}

void LineScanner::takeUnderlineAsText()
{
    m_inLeaf = true;
    m_leafLines = 1;
    m_pivot = LineType::Text;
}

/** md_process_line: what the line does to the open leaf block. */
void LineScanner::process(LineInfo &info)
{
    switch (info.type) {
    case LineType::Blank:
    case LineType::FenceClose:
        endLeaf();
        m_pivot = LineType::Blank;
        return;
    case LineType::ThematicBreak:
    case LineType::AtxHeading:
        endLeaf();
        info.startsLeaf = true;
        m_pivot = LineType::Blank;
        return;
    case LineType::SetextUnderline:
        endLeaf();
        m_pivot = LineType::Blank;
        return;
    case LineType::TableUnderline:
        m_pivot = LineType::Table;
        ++m_leafLines;
        return;
    default:
        break;
    }
    if (info.type != m_pivot)
        endLeaf();
    if (!m_inLeaf) {
        m_inLeaf = true;
        m_leafLines = 0;
        m_pivot = info.type;
        info.startsLeaf = true;
    }
    ++m_leafLines;
}

} // namespace arbor::render
