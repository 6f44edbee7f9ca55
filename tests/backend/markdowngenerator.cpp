#include "markdowngenerator.h"

#include <QStringList>

QString MarkdownGenerator::words(int min, int max)
{
    static const char *const vocabulary[] = {
        "alpha",     "branch",       "*tree*", "`code`", "**bold**", "[link](https://e.org)",
        "[ref][r1]", "grüße",        "世界",   "1.5",    "-dash",    "#tag",
        "a|b",       "~~struck~~",   "node",   "model",  "stream",   "the",
        "of",        "<em>raw</em>", "x_y_z",  "3)",     "é",        "token",
    };
    const int n = min + pick(max - min + 1);
    QStringList out;
    for (int i = 0; i < n; ++i)
        out.append(QString::fromUtf8(vocabulary[pick(int(std::size(vocabulary)))]));
    return out.join(u' ');
}

QString MarkdownGenerator::paragraph(const QString &indent)
{
    QString out = indent + words(1, 8) + u'\n';
    for (int lines = pick(3); lines > 0; --lines)
        out += (chance(70) ? indent : QString()) + words(1, 8) + u'\n';
    return out;
}

QString MarkdownGenerator::heading()
{
    if (chance(25)) // setext
        return words(1, 4) + u'\n' + QString(1 + pick(5), chance(50) ? u'=' : u'-') + u'\n';
    const int level = 1 + pick(6);
    QString out = QString(level, u'#') + u' ' + words(1, 5);
    if (chance(20))
        out += u' ' + QString(1 + pick(3), u'#');
    return out + u'\n';
}

QString MarkdownGenerator::list(int depth, const QString &indent)
{
    const bool ordered = chance(40);
    const QChar bullet = QStringLiteral("-*+").at(pick(3));
    const QChar delimiter = chance(80) ? u'.' : u')';
    const int start = chance(70) ? 1 : pick(12);
    const bool loose = chance(25);
    const int items = 1 + pick(4);
    QString out;
    for (int i = 0; i < items; ++i) {
        const QString marker = ordered ? QString::number(start + i) + delimiter : QString(bullet);
        const QString content = indent + QString(marker.size() + 1, u' ');
        out += indent + marker + u' ' + words(1, 6) + u'\n';
        if (chance(30)) // continuation, indented or lazy
            out += (chance(60) ? content : QString()) + words(1, 6) + u'\n';
        if (chance(15))
            out += (chance(50) ? QStringLiteral("\n") : QString()) + content + words(1, 5) + u'\n';
        if (depth < 3 && chance(30))
            out += list(depth + 1, content);
        if (chance(12))
            out += fence(content, chance(90));
        if (chance(8))
            out += content + QStringLiteral("> ") + words(1, 5) + u'\n';
        if (loose && i + 1 < items)
            out += u'\n';
    }
    return out;
}

QString MarkdownGenerator::table()
{
    const int cols = 2 + pick(3);
    const bool pipes = chance(70);
    const auto row = [&](int cells) {
        QStringList parts;
        for (int c = 0; c < cells; ++c)
            parts.append(words(1, 3));
        const QString inner = parts.join(QStringLiteral(" | "));
        return (pipes ? QStringLiteral("| ") + inner + QStringLiteral(" |") : inner) + u'\n';
    };
    QString out = row(cols);
    QStringList delimiters;
    static const char *const aligns[] = {"---", ":---", "---:", ":---:", "-----"};
    for (int c = 0; c < cols; ++c)
        delimiters.append(QString::fromLatin1(aligns[pick(5)]));
    const QString inner = delimiters.join(u'|');
    out += (pipes || cols == 1 ? u'|' + inner + u'|' : inner) + u'\n';
    for (int rows = pick(5); rows > 0; --rows)
        out += row(chance(85) ? cols : 1 + pick(cols + 1));
    return out;
}

QString MarkdownGenerator::fence(const QString &indent, bool terminated)
{
    const QChar ch = chance(75) ? u'`' : u'~';
    const int length = 3 + (chance(20) ? pick(3) : 0);
    static const char *const languages[] = {"", "", "python", "cpp", "js {.x}", "c++", "json"};
    QString out = indent + QString(length, ch) + QString::fromLatin1(languages[pick(7)]) + u'\n';
    static const char *const code[] = {
        "int x = 1;", "",   "# not a heading", "- not a list", "    indented", "| a | b |",
        "~~~",        "``", "return x;",       "> quote?"};
    for (int lines = pick(6); lines > 0; --lines)
        out += indent + QString::fromLatin1(code[pick(10)]) + u'\n';
    if (terminated)
        out += indent + QString(length + (chance(15) ? 1 : 0), ch) + u'\n';
    return out;
}

QString MarkdownGenerator::quote(int depth)
{
    QString out;
    for (int lines = 1 + pick(4); lines > 0; --lines) {
        const int what = pick(10);
        if (what < 5)
            out += QStringLiteral("> ") + words(1, 6) + u'\n';
        else if (what == 5)
            out += words(1, 4) + u'\n'; // lazy
        else if (what == 6)
            out += QStringLiteral(">\n");
        else if (what == 7)
            out += QStringLiteral("> - ") + words(1, 4) + u'\n';
        else if (what == 8 && depth < 2)
            out += QStringLiteral("> ") + quote(depth + 1).replace(u'\n', QStringLiteral("\n> "))
                + u'\n';
        else
            out += QStringLiteral("> # ") + words(1, 3) + u'\n';
    }
    return out.replace(QStringLiteral("\n> \n"), QStringLiteral("\n>\n"));
}

QString MarkdownGenerator::thematicBreak()
{
    static const char *const breaks[] = {"---", "***", "___", "- - -", " * * *", "_____"};
    return QString::fromLatin1(breaks[pick(6)]) + u'\n';
}

QString MarkdownGenerator::indentedCode()
{
    QString out;
    for (int lines = 1 + pick(3); lines > 0; --lines) {
        out += QStringLiteral("    ") + words(1, 4) + u'\n';
        if (chance(20))
            out += u'\n';
    }
    return out;
}

QString MarkdownGenerator::definitions()
{
    return QStringLiteral("[r1]: https://e.org/r1\n[r2]: <https://e.org/r2> \"Title\"\n");
}

QString MarkdownGenerator::document()
{
    QString out;
    const int blocks = 1 + pick(12);
    for (int b = 0; b < blocks; ++b) {
        const bool last = b + 1 == blocks;
        switch (pick(12)) {
        case 0:
        case 1:
        case 2:
            out += paragraph(QString());
            break;
        case 3:
            out += heading();
            break;
        case 4:
        case 5:
            out += list(0, chance(15) ? QStringLiteral(" ") : QString());
            break;
        case 6:
            out += table();
            break;
        case 7:
        case 8:
            out += fence(QString(), !last || chance(60));
            break;
        case 9:
            out += quote(0);
            break;
        case 10:
            out += thematicBreak();
            break;
        default:
            out += chance(50) ? indentedCode() : definitions();
            break;
        }
        const int gap = pick(10);
        if (gap < 6)
            out += u'\n';
        else if (gap == 6)
            out += QStringLiteral("\n\n");
        else if (gap == 7)
            out += QStringLiteral("  \n");
        // else: the next block follows at once
    }
    if (chance(40))
        out += definitions();
    if (chance(30) && out.endsWith(u'\n'))
        out.chop(1);
    return out;
}
