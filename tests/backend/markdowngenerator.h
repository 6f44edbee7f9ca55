#pragma once

#include <QRandomGenerator>
#include <QString>

/**
 * @brief Random Markdown documents for the splitter's property test: prose with inline markup,
 * ATX and setext headings, nested lists (loose, tight, lazy lines, code and quotes inside),
 * tables, fenced code with and without a language (the last one sometimes unterminated), block
 * quotes, thematic breaks, indented code and link definitions. Blocks are joined by one or more
 * blank lines, whitespace-only lines or nothing at all, so blocks also interrupt each other.
 * Deterministic for a seed.
 */
class MarkdownGenerator
{
public:
    explicit MarkdownGenerator(quint32 seed)
        : m_rng(seed)
    {
    }

    QString document();

private:
    int pick(int n) { return int(m_rng.bounded(n)); }
    bool chance(int percent) { return pick(100) < percent; }
    QString words(int min, int max);
    QString paragraph(const QString &indent);
    QString heading();
    QString list(int depth, const QString &indent);
    QString table();
    QString fence(const QString &indent, bool terminated);
    QString quote(int depth);
    QString thematicBreak();
    QString indentedCode();
    QString definitions();

    QRandomGenerator m_rng;
};
