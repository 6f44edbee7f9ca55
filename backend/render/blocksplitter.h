#pragma once

#include "render/block.h"
#include "render/linescanner.h"

#include <QList>
#include <QString>
#include <QStringView>

#include <optional>

namespace arbor::render {

/**
 * @brief Splits an assistant reply into top-level Markdown blocks while it streams.
 *
 * Block boundaries come from LineScanner (md4c's block rules, one complete line at a time);
 * md4c itself parses each block once, when it closes (its kind, heading level, code language,
 * table cells; a paragraph of link definitions only becomes References). Blank lines between
 * blocks belong to no block: every other character of the text is in exactly one block's
 * source, in order.
 *
 * Incremental: a line is scanned once, when its line break arrives, and a block is parsed once,
 * when it closes. The splitter keeps only the open block and the unfinished line, so appending a
 * token costs the same after 100 characters and after 100,000. Closed blocks never change while
 * the text streams; finish() may add link definitions to them (and marks those changed).
 *
 * A block closes as soon as a line proves it complete: a paragraph at a blank line or at a line
 * that interrupts it, a heading or break at once, fenced code at its closing fence, a list or an
 * indented code block only at the first line after it that is not part of it (a blank line
 * does not end a list).
 *
 * Not modelled: HTML blocks (off in the dialect), link definitions inside a paragraph with
 * other text or inside containers (finish() only collects References blocks), a lone CR as a
 * line break (LF and CRLF are line breaks), and one md4c quirk (see LineScanner).
 */
class BlockSplitter
{
public:
    /** @brief Appends streamed text; closes the blocks its complete lines end. */
    void append(QStringView chunk);
    /** @brief The text is complete: its last line counts, the open block closes, and blocks
     *  whose links may use link definitions get them (Block::linkDefinitions). Every block's
     *  Block::changed tells whether it differs from what closedBlocks() reported before. */
    void finish();

    /** @brief The closed blocks, in order. */
    const QList<Block> &closedBlocks() const { return m_closed; }
    /** @brief The open block and the unfinished line after it (one block, of the open block's
     *  kind), or nullopt when nothing but blank lines follows the closed blocks (and after
     *  finish()). O(1): its source shares the splitter's buffer, so drop it before the next
     *  append() or that append copies the buffer. */
    std::optional<Block> openTail() const;
    /** @brief Characters appended so far. */
    qsizetype size() const { return m_size; }
    bool isFinished() const { return m_finished; }

    /** @brief The blocks of a whole text: the same as streaming it and calling finish(). */
    static QList<Block> split(QStringView text);

private:
    void takeLine(qsizetype begin, qsizetype end);
    void openBlock(qsizetype at, const LineInfo &line);
    /** @brief Opens the block that @p line starts; a one-line block closes at once. */
    void startBlock(qsizetype begin, qsizetype end, const LineInfo &line);
    void close(qsizetype at);
    /** @brief Where the open block ends if the line at @p lineStart is not part of it. */
    qsizetype endBefore(qsizetype lineStart) const
    {
        return m_pendingBlank >= 0 ? m_pendingBlank : lineStart;
    }
    void compact();
    void resolveLinkDefinitions();
    /** @brief A block (source not set) of what @p line starts, given @p scanner after it. */
    static Block blockStartedBy(const LineInfo &line, const LineScanner &scanner);

    LineScanner m_scanner;
    QList<Block> m_closed;
    /** @brief The text after the closed blocks (and after dropped blank lines): the open block
     *  and the unfinished line. It starts at m_tailStart in the whole text. */
    QString m_tail;
    qsizetype m_tailStart = 0;
    qsizetype m_base = 0;     ///< in m_tail: start of the open block, or of the unscanned text
    qsizetype m_scanPos = 0;  ///< in m_tail: start of the unfinished line
    qsizetype m_searched = 0; ///< in m_tail: searched for a line break up to here
    /** @brief In m_tail: the first of the blank lines that end the open block so far, or -1;
     *  they are part of it only if a line of it follows (lists, indented code). */
    qsizetype m_pendingBlank = -1;
    bool m_open = false;
    Block m_openBlock; ///< the open block's kind and details (its source is m_tail from m_base)
    qsizetype m_size = 0;
    bool m_finished = false;
};

} // namespace arbor::render
