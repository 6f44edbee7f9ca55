#pragma once

#include "render/block.h"

#include <QList>
#include <QStringList>
#include <QStringView>

namespace arbor::render {

/** @brief One top-level block as md4c parsed it. */
struct ParsedBlock
{
    Block::Kind kind = Block::Kind::Paragraph;
    int level = 0;
    bool ordered = false;
    QString language;
    QList<QStringList> rows; ///< Table: the cells' plain text (entities as written)
};

/** @brief The md4c dialect of the splitter: GitHub (tables, strikethrough, task lists,
 *  permissive autolinks) without raw HTML, i.e. Qt's MarkdownDialectGitHub | MarkdownNoHTML. */
unsigned md4cFlags();

/** @brief The top-level blocks md4c finds in @p markdown, in order (a paragraph made only of
 *  link reference definitions is no block). O(length of @p markdown). */
QList<ParsedBlock> parseTopLevel(QStringView markdown);

} // namespace arbor::render
