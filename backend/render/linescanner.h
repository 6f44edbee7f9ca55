#pragma once

#include <QList>
#include <QString>
#include <QStringView>

namespace arbor::render {

/** @brief What one line is to the Markdown parser (md4c's line types, HTML blocks excepted). */
enum class LineType {
    Blank,           ///< empty or whitespace (inside its containers): ends a paragraph
    FenceClose,      ///< the closing fence of the open fenced code
    Text,            ///< paragraph text (also a lazy continuation line)
    SetextUnderline, ///< "===" or "---" under a paragraph: it becomes a heading
    TableUnderline,  ///< "|---|---|" under a one-line paragraph: it becomes a table
    Table,           ///< a row of an open table
    ThematicBreak,
    AtxHeading,
    FencedCode, ///< an opening fence or a line inside fenced code
    IndentedCode,
};

/** @brief One line as LineScanner saw it: its type and what it did to the open containers. */
struct LineInfo
{
    LineType type = LineType::Blank;
    int level = 0;           ///< AtxHeading, SetextUnderline: 1–6
    bool opensFence = false; ///< FencedCode: this line is the opening fence
    QString language;        ///< opening fence: the first word of its info string
    int parents = 0;         ///< open containers the line continues (a lazy line continues all)
    int brothers = 0;        ///< 1 when the line starts another item of an open list
    int children = 0;        ///< containers (quotes, lists) the line opens
    bool startsLeaf = false; ///< the line starts a leaf block (paragraph, code, heading, ...)
};

/**
 * @brief Markdown block structure, one line at a time, with the rules of md4c 0.4.8 (the parser
 * Qt renders Markdown with; dialect GitHub, HTML blocks off).
 *
 * It follows md4c's line analysis: the stack of open containers (block quotes and list items,
 * with their content indentation), the type of the open leaf block, the open code fence. It keeps
 * no text, so a line costs O(its length) however long the document is. It does not parse inline
 * content, nor link reference definitions (md4c drops a paragraph made only of them; the caller
 * learns that by parsing the closed block). One md4c 0.4.8 behaviour is not modelled: after a
 * leaf block and two blank lines inside a list, md4c reads the last line record of that block as
 * if it were a block record, and may end the list on the next line depending on the offset at
 * which that line started.
 */
class LineScanner
{
public:
    /** @brief Scans the next line of the document, given without its line break. */
    LineInfo scan(QStringView line);

    /** @brief The last line was a setext underline under link reference definitions only:
     *  md4c makes it the first line of a paragraph instead (the scanner cannot tell, as it
     *  parses no inline content). */
    void takeUnderlineAsText();

    /** @brief Open containers, outermost first. */
    int containerCount() const { return int(m_containers.size()); }
    /** @brief The mark of open container @p i: '>' for a quote; '-', '+' or '*' for a bullet
     *  list; '.' or ')' for an ordered list. */
    QChar containerMark(int i) const { return QChar(m_containers.at(i).ch); }
    /** @brief A leaf block (paragraph, code, table) is open: the next line may continue it. */
    bool inLeaf() const { return m_inLeaf; }

private:
    struct Container
    {
        char16_t ch = 0;
        int markIndent = 0;
        int contentsIndent = 0;
        unsigned start = 0; ///< an ordered list's first number
    };

    bool isContainerMark(QStringView s, int indent, qsizetype off, qsizetype *end,
                         Container *c) const;
    bool isClosingFence(QStringView s, qsizetype &off) const;
    bool isOpeningFence(QStringView s, qsizetype off, LineInfo *info);
    void leaveContainers(int keep);
    void endLeaf() { m_inLeaf = false; }
    void process(LineInfo &info);

    QList<Container> m_containers;
    LineType m_pivot = LineType::Blank; ///< type of the open leaf's first line (md4c's pivot)
    bool m_inLeaf = false;
    int m_leafLines = 0; ///< lines of the open leaf (a table's header must be its only line)
    bool m_itemOpenerOnTop = false;    ///< an empty list item opened, nothing after it yet
    bool m_emptyItemThenBlank = false; ///< ... and a blank line followed it
    char16_t m_fenceChar = 0;
    qsizetype m_fenceLength = 0;
};

} // namespace arbor::render
