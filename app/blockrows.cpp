#include "blockrows.h"

#include "render/md4cparse.h"

#include <QJsonArray>
#include <QJsonObject>

namespace arbor::app {

using Kind = render::Block::Kind;

namespace {

/** @brief Making any item (a delegate with its bindings) costs about this many characters. */
constexpr qsizetype ItemCost = 300;
/** @brief A character of Markdown costs this many of plain text (parsing, formats). */
constexpr qsizetype MarkdownCost = 2;
/** @brief A character in a table cell: one text item per cell. */
constexpr qsizetype CellCost = 4;

/** @brief The opening fence of fenced code: its character, length and indentation. */
struct Fence
{
    QChar ch;
    qsizetype length = 0;
    qsizetype indent = 0;
};

QStringView firstLine(QStringView s)
{
    const qsizetype nl = s.indexOf(u'\n');
    return nl < 0 ? s : s.first(nl);
}

QStringView chopBreak(QStringView line)
{
    if (line.endsWith(u'\n'))
        line.chop(1);
    if (line.endsWith(u'\r'))
        line.chop(1);
    return line;
}

/** @brief The fence that @p line opens, or a Fence of length 0 (indented code). */
Fence fenceOf(QStringView line)
{
    Fence f;
    qsizetype i = 0;
    while (i < line.size() && i < 3 && line.at(i) == u' ')
        ++i;
    if (i >= line.size() || (line.at(i) != u'`' && line.at(i) != u'~'))
        return f;
    qsizetype j = i;
    while (j < line.size() && line.at(j) == line.at(i))
        ++j;
    if (j - i < 3)
        return f;
    f.ch = line.at(i);
    f.length = j - i;
    f.indent = i;
    return f;
}

bool closesFence(QStringView line, const Fence &f)
{
    line = chopBreak(line);
    qsizetype i = 0;
    while (i < line.size() && i < 3 && line.at(i) == u' ')
        ++i;
    qsizetype j = i;
    while (j < line.size() && line.at(j) == f.ch)
        ++j;
    if (j - i < f.length)
        return false;
    return line.sliced(j).trimmed().isEmpty();
}

/** @brief The code in @p lines (whole lines of a code block's source). */
QString codeIn(QStringView lines, const Fence &fence, bool dropFirst, bool dropClosing)
{
    QString out;
    out.reserve(lines.size());
    qsizetype at = 0;
    bool first = true;
    while (at < lines.size()) {
        qsizetype nl = lines.indexOf(u'\n', at);
        const qsizetype end = nl < 0 ? lines.size() : nl + 1;
        QStringView line = lines.sliced(at, end - at);
        at = end;
        if (first && dropFirst) {
            first = false;
            continue;
        }
        first = false;
        if (dropClosing && at >= lines.size() && closesFence(line, fence))
            break;
        line = chopBreak(line);
        qsizetype strip = 0;
        if (fence.length > 0) {
            while (strip < fence.indent && strip < line.size() && line.at(strip) == u' ')
                ++strip;
        } else if (line.startsWith(u'\t')) {
            strip = 1;
        } else {
            while (strip < 4 && strip < line.size() && line.at(strip) == u' ')
                ++strip;
        }
        out += line.sliced(strip);
        out += u'\n';
    }
    if (out.endsWith(u'\n'))
        out.chop(1);
    return out;
}

/** @brief A Qt::AlignmentFlag per column of a table's delimiter row ("|:--|:-:|--:|"). */
QList<int> alignmentsOf(QStringView delimiter)
{
    QStringView row = chopBreak(delimiter).trimmed();
    if (row.startsWith(u'|'))
        row = row.sliced(1);
    if (row.endsWith(u'|'))
        row.chop(1);
    QList<int> out;
    for (const QStringView cell : row.split(u'|')) {
        const QStringView c = cell.trimmed();
        const bool left = c.startsWith(u':');
        const bool right = c.endsWith(u':');
        out.append(left && right ? int(Qt::AlignHCenter)
                       : right   ? int(Qt::AlignRight)
                                 : int(Qt::AlignLeft));
    }
    return out;
}

/** @brief A good place to start a part of a @p kind block at @p at (the start of a line). */
bool goodStart(QStringView source, qsizetype at, Kind kind)
{
    if (at >= source.size())
        return false;
    const QChar c = source.at(at);
    switch (kind) {
    case Kind::List:
        return c != u' ' && c != u'\t' && c != u'\n' && c != u'\r'; // a top-level item
    case Kind::Quote:
        return c == u'>';
    default:
        return true;
    }
}

/** @brief Where the part that starts at @p from ends (the next one starts). */
qsizetype cutAfter(QStringView source, qsizetype from, Kind kind)
{
    const qsizetype limit = from + BlockRows::PartChars;
    const qsizetype half = from + BlockRows::PartChars / 2;
    // A line start in (half, limit], best one that suits the kind.
    // Searched only in that window: a long line must not make every cut scan all of it.
    const QStringView window = source.sliced(half, limit - half);
    qsizetype fallback = -1;
    for (qsizetype nl = window.lastIndexOf(u'\n'); nl >= 0;
         nl = nl > 0 ? window.lastIndexOf(u'\n', nl - 1) : -1) {
        if (goodStart(source, half + nl + 1, kind))
            return half + nl + 1;
        if (fallback < 0)
            fallback = half + nl + 1;
        if (kind != Kind::List && kind != Kind::Quote)
            break;
    }
    if (fallback > 0)
        return fallback;
    // One very long line: anywhere, but not inside a surrogate pair.
    qsizetype cut = limit;
    if (source.at(cut - 1).isHighSurrogate())
        --cut;
    return cut;
}

} // namespace

qsizetype BlockRow::cost() const
{
    qsizetype cellChars = 0;
    for (const QStringList &row : cells) {
        for (const QString &cell : row)
            cellChars += cell.size() + 1;
    }
    return ItemCost + markdown.size() * MarkdownCost + text.size() + cellChars * CellCost;
}

namespace BlockRows {

void cut(QStringView source, Kind kind, QList<qsizetype> &starts)
{
    if (starts.isEmpty())
        starts.append(0);
    // Headings and breaks are one line; link definitions draw nothing.
    if (kind == Kind::Heading || kind == Kind::ThematicBreak || kind == Kind::References)
        return;
    // A cut needs the text up to PartChars past it: only text that will not change decides it.
    for (qsizetype from = starts.last(); source.size() - from > PartChars;) {
        from = cutAfter(source, from, kind);
        starts.append(from);
    }
}

BlockRow part(const render::Block &block, const QList<qsizetype> &starts, qsizetype part)
{
    const QStringView source(block.source);
    const qsizetype begin = starts.at(part);
    const bool last = part + 1 >= starts.size();
    const qsizetype end = last ? source.size() : starts.at(part + 1);
    const QStringView slice = source.sliced(begin, end - begin);

    BlockRow row;
    row.kind = block.kind;
    row.level = block.level;
    row.ordered = block.ordered;
    row.language = block.language;
    row.toolName = block.toolName;
    row.closed = block.closed;
    row.continued = part > 0;
    row.lastPart = last;
    switch (block.kind) {
    case Kind::Code: {
        const Fence fence = fenceOf(firstLine(source));
        row.text = codeIn(slice, fence, part == 0 && fence.length > 0,
                          last && block.closed && fence.length > 0);
        break;
    }
    case Kind::Table: {
        row.markdown = slice.toString();
        // A later part is parsed under the table's header and delimiter rows, which it drops.
        const qsizetype headerEnd = source.indexOf(u'\n');
        const qsizetype delimiterEnd = headerEnd < 0 ? -1 : source.indexOf(u'\n', headerEnd + 1);
        if (delimiterEnd > 0) {
            const QStringView delimiter = source.sliced(headerEnd + 1, delimiterEnd - headerEnd);
            row.alignments = alignmentsOf(delimiter);
            const QString table =
                part == 0 ? row.markdown : source.first(delimiterEnd + 1).toString() + row.markdown;
            const QList<render::ParsedBlock> parsed = render::parseTopLevel(table);
            if (!parsed.isEmpty() && parsed.first().kind == Kind::Table) {
                row.cells = parsed.first().rows;
                if (part > 0 && !row.cells.isEmpty())
                    row.cells.removeFirst();
            }
        }
        break;
    }
    case Kind::ToolCall:
        row.text = slice.toString();
        break;
    case Kind::ThematicBreak:
        break;
    default:
        row.markdown = slice.toString();
        if (!block.linkDefinitions.isEmpty())
            row.markdown +=
                (row.markdown.endsWith(u'\n') ? QStringLiteral("\n") : QStringLiteral("\n\n"))
                + block.linkDefinitions;
        break;
    }
    return row;
}

QList<BlockRow> rows(const render::Block &block)
{
    QList<qsizetype> starts{0};
    cut(block.source, block.kind, starts);
    QList<BlockRow> out;
    out.reserve(starts.size());
    for (qsizetype i = 0; i < starts.size(); ++i)
        out.append(part(block, starts, i));
    return out;
}

BlockRow toolCall(const domain::ToolCall &call, int index)
{
    BlockRow row;
    row.kind = Kind::ToolCall;
    row.toolName = call.name;
    row.toolId = call.id;
    row.text = call.arguments;
    row.toolStatus = call.status;
    row.toolResult = call.result;
    row.toolError = call.isError;
    row.toolIndex = index;
    if (call.startedAt > 0 && call.finishedAt >= call.startedAt)
        row.toolMs = call.finishedAt - call.startedAt;
    row.toolServer = call.other.value(QLatin1String("server")).toString();
    // MCP image content of the result (chat/toolturns.h ContentKey), shown on the card.
    for (const QJsonValue &v : call.other.value(QLatin1String("content")).toArray()) {
        const QJsonObject block = v.toObject();
        if (block.value(QLatin1String("type")).toString() == u"image")
            row.toolImages.append(QStringLiteral("data:%1;base64,%2")
                                      .arg(block.value(QLatin1String("mimeType")).toString(),
                                           block.value(QLatin1String("data")).toString()));
    }
    row.closed = true; // a call is shown once it is whole
    return row;
}

QList<BlockRow> plain(const QString &text)
{
    QList<BlockRow> out;
    const qsizetype n = text.size();
    qsizetype pos = 0;
    do {
        qsizetype end = n;
        qsizetype next = n;
        if (n - pos > PartChars) {
            // At a line end in the second half of the part if there is one, else anywhere.
            const qsizetype limit = pos + PartChars;
            const qsizetype half = pos + PartChars / 2;
            const qsizetype found = QStringView(text).sliced(half, limit - half).lastIndexOf(u'\n');
            const qsizetype nl = found < 0 ? -1 : half + found;
            if (nl >= half) {
                end = nl;
                next = nl + 1;
            } else {
                end = next = text.at(limit - 1).isHighSurrogate() ? limit - 1 : limit;
            }
        }
        BlockRow row;
        row.text = text.sliced(pos, end - pos);
        row.asTyped = true;
        row.closed = true;
        row.continued = !out.isEmpty();
        row.lastPart = next >= n;
        out.append(row);
        pos = next;
    } while (pos < n);
    return out;
}

QString codeOf(QStringView source, bool closed)
{
    const Fence fence = fenceOf(firstLine(source));
    return codeIn(source, fence, fence.length > 0, closed && fence.length > 0);
}

} // namespace BlockRows

} // namespace arbor::app
