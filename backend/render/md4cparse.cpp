#include "md4cparse.h"

#include <md4c.h>

namespace arbor::render {

namespace {

/** @brief Depth of a top-level block (the document is depth 1) and of a top-level table's
 *  cells (table, head or body, row, cell). */
constexpr int TopLevel = 2;
constexpr int TableCell = TopLevel + 3;

struct ParseState
{
    QList<ParsedBlock> blocks;
    int depth = 0;
    bool inTable = false; ///< inside a top-level table
    bool inCell = false;
    QByteArray cell;
};

Block::Kind kindOf(MD_BLOCKTYPE type)
{
    switch (type) {
    case MD_BLOCK_QUOTE:
        return Block::Kind::Quote;
    case MD_BLOCK_UL:
    case MD_BLOCK_OL:
        return Block::Kind::List;
    case MD_BLOCK_HR:
        return Block::Kind::ThematicBreak;
    case MD_BLOCK_H:
        return Block::Kind::Heading;
    case MD_BLOCK_CODE:
        return Block::Kind::Code;
    case MD_BLOCK_TABLE:
        return Block::Kind::Table;
    default:
        return Block::Kind::Paragraph;
    }
}

int enterBlock(MD_BLOCKTYPE type, void *detail, void *userdata)
{
    auto *st = static_cast<ParseState *>(userdata);
    ++st->depth;
    if (st->depth == TopLevel) {
        ParsedBlock b;
        b.kind = kindOf(type);
        if (type == MD_BLOCK_H) {
            b.level = int(static_cast<const MD_BLOCK_H_DETAIL *>(detail)->level);
        } else if (type == MD_BLOCK_OL) {
            b.ordered = true;
        } else if (type == MD_BLOCK_CODE) {
            const MD_ATTRIBUTE &lang = static_cast<const MD_BLOCK_CODE_DETAIL *>(detail)->lang;
            b.language = QString::fromUtf8(lang.text, qsizetype(lang.size));
        }
        st->inTable = type == MD_BLOCK_TABLE;
        st->blocks.append(b);
    } else if (st->inTable && type == MD_BLOCK_TR) {
        st->blocks.last().rows.append(QStringList());
    } else if (st->inTable && st->depth == TableCell) {
        st->inCell = true;
        st->cell.clear();
    }
    return 0;
}

int leaveBlock(MD_BLOCKTYPE, void *, void *userdata)
{
    auto *st = static_cast<ParseState *>(userdata);
    if (st->inCell && st->depth == TableCell) {
        st->blocks.last().rows.last().append(QString::fromUtf8(st->cell));
        st->inCell = false;
    }
    if (st->depth == TopLevel)
        st->inTable = false;
    --st->depth;
    return 0;
}

int text(MD_TEXTTYPE type, const MD_CHAR *chars, MD_SIZE size, void *userdata)
{
    auto *st = static_cast<ParseState *>(userdata);
    if (!st->inCell)
        return 0;
    if (type == MD_TEXT_NULLCHAR)
        st->cell.append("\xEF\xBF\xBD");
    else if (type == MD_TEXT_BR || type == MD_TEXT_SOFTBR)
        st->cell.append(' ');
    else
        st->cell.append(chars, qsizetype(size));
    return 0;
}

int noSpan(MD_SPANTYPE, void *, void *)
{
    return 0;
}

} // namespace

unsigned md4cFlags()
{
    return MD_DIALECT_GITHUB | MD_FLAG_NOHTML;
}

QList<ParsedBlock> parseTopLevel(QStringView markdown)
{
    const QByteArray utf8 = markdown.toUtf8();
    MD_PARSER parser{};
    parser.flags = md4cFlags();
    parser.enter_block = enterBlock;
    parser.leave_block = leaveBlock;
    parser.enter_span = noSpan;
    parser.leave_span = noSpan;
    parser.text = text;
    ParseState st;
    md_parse(utf8.constData(), MD_SIZE(utf8.size()), &parser, &st);
    return st.blocks;
}

} // namespace arbor::render
