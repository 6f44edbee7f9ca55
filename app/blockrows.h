#pragma once

#include "domain/toolcall.h"
#include "render/block.h"

#include <QList>
#include <QString>
#include <QStringList>
#include <QStringView>

namespace arbor::app {

/**
 * @brief What one row of MessageBlocksModel shows: a block of a message, or one part of a long
 * one.
 *
 * A text item lays its whole document out at once, so no row holds more than PartChars
 * characters: a longer block is cut into parts at line ends (a list before an item, a quote
 * before a ">" line where possible), each drawn by its own item right below the part before
 * it (continued). The cuts depend only on the text before them, so a block cut while it
 * streams is cut the same once it is complete.
 */
struct BlockRow
{
    render::Block::Kind kind = render::Block::Kind::Paragraph;
    QString markdown; ///< text kinds and tables: the Markdown to render, with its link definitions
    QString text;     ///< code without its fences; the user's text as typed; a tool's arguments
    QString language; ///< Code: the fence's language
    int level = 0;    ///< Heading: 1–6
    bool ordered = false; ///< List: numbered
    QList<QStringList>
        cells;              ///< Table: the cells' text, row by row (header first unless continued)
    QList<int> alignments;  ///< Table: a Qt::AlignmentFlag per column
    QString toolName;       ///< ToolCall: the tool (its arguments are the text)
    QString toolId;         ///< ToolCall: the vendor's id for the call ("" when none)
    QString toolStatus;     ///< ToolCall: domain::ToolCall::status
    QString toolResult;     ///< ToolCall: what the tool returned ("" while nothing)
    bool toolError = false; ///< ToolCall: the result is the tool's error
    int toolIndex = -1;     ///< ToolCall: its index among the message's calls
    qint64 toolMs = -1;     ///< ToolCall: how long it ran (-1: not ended)
    QString toolServer;     ///< ToolCall: the MCP server that ran it ("" when none did)
    QStringList toolImages; ///< ToolCall: the result's images, as data: URLs
    bool closed = false;    ///< the block is complete
    bool asTyped = false;   ///< the user's text: plain, exactly as typed
    bool continued = false; ///< a later part of the block in the row above
    bool lastPart = true;   ///< the block's last part (so far)

    /** @brief What making its item costs, in characters of plain text (Markdown and table
     *  cells weigh more, and every item has a fixed cost). */
    qsizetype cost() const;

    friend bool operator==(const BlockRow &, const BlockRow &) = default;
};

/** @brief Cuts blocks into rows (BlockRow). Pure functions, any thread. */
namespace BlockRows {

/** @brief Longest part, in characters (a Qt Quick text item lays out ~4,000 characters of
 *  Markdown in 1–2 ms once it renders in one edit block; see MarkdownRenderer). */
constexpr qsizetype PartChars = 4000;

/** @brief Extends @p starts (where parts of @p source start; at least {0}) up to the end of
 *  @p source: the last start is taken again, the ones before it are kept. */
void cut(QStringView source, render::Block::Kind kind, QList<qsizetype> &starts);

/** @brief The row of part @p part of block @p block, whose parts start at @p starts. */
BlockRow part(const render::Block &block, const QList<qsizetype> &starts, qsizetype part);

/** @brief Every row of @p block. */
QList<BlockRow> rows(const render::Block &block);

/** @brief The one row of a tool call (its card): the name, the arguments as the text. */
BlockRow toolCall(const domain::ToolCall &call, int index = -1);

/** @brief The user's text as typed, in parts cut at line ends (a line end at a cut is not in
 *  either part). */
QList<BlockRow> plain(const QString &text);

/** @brief The code of a fenced or indented code block's source, without fences or indentation
 *  (@p closed: its last line is the closing fence). */
QString codeOf(QStringView source, bool closed);

} // namespace BlockRows

} // namespace arbor::app
