#pragma once

#include <QString>
#include <QStringList>

namespace arbor::llm {

/**
 * @brief The demo model's answers: Markdown with paragraphs, a list, a fenced code block and
 * a table, the same for the same seed on every platform (own PRNG, no std distributions).
 */
class DemoText
{
public:
    /** @brief The whole answer to @p prompt for @p seed; with @p minChars, more sections
     *  (headings, prose, nested and numbered lists, code, tables, quotes) follow until the
     *  answer is at least that long (a long reply for benchmarks). */
    static QString answer(const QString &prompt, quint64 seed, qsizetype minChars = 0);
    /** @brief Splits text into stream tokens of about four characters, keeping whitespace; at
     *  most @p limit of them when @p limit >= 0 (a reply cut at max tokens is not split whole
     *  first). */
    static QStringList tokenize(const QString &text, qsizetype limit = -1);
    /** @brief A seed derived from the prompt, used when none is given. */
    static quint64 seedFor(const QString &prompt);
};

} // namespace arbor::llm
