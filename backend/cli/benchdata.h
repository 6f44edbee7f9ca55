#pragma once

// The generators of the benchmarks that need a big store of conversation trees (bench tree,
// bench export): word soup with a skewed vocabulary, and conversations whose branches hang off
// random nodes.

#include <QSqlDatabase>
#include <QString>
#include <QStringList>

namespace arbor::cli::benchdata {

/** @brief splitmix64: the same numbers on every run for a seed. */
struct Rng
{
    quint64 state;
    quint64 next()
    {
        quint64 z = (state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    int below(int n) { return int(next() % quint64(n)); }
};

/** @brief Word soup with a Zipf-ish vocabulary; "needle" words are rare, for search. */
class TextMaker
{
public:
    explicit TextMaker(Rng &rng)
        : m_rng(rng)
    {
        static const char *const syllables[] = {
            "ar", "bo", "ce", "da", "el", "fi", "go", "ha", "in", "jo", "ka", "lu", "me",
            "no", "or", "pa", "qu", "ri", "so", "tu", "ul", "ve", "wo", "xi", "ya", "ze"};
        for (int i = 0; i < 3000; ++i) {
            QString w;
            for (int k = 0, len = 2 + i % 3; k < len; ++k)
                w += QLatin1String(syllables[(i * 7 + k * 13 + i / 26) % 26]);
            m_words.append(w);
        }
    }
    QString make(bool needle)
    {
        QString text;
        const int n = 20 + m_rng.below(40);
        for (int i = 0; i < n; ++i) {
            // Squaring skews towards frequent words, like real text.
            const int r = m_rng.below(int(m_words.size()));
            text += m_words.at(int(qint64(r) * r / m_words.size())) + QLatin1Char(' ');
        }
        if (needle)
            text += QStringLiteral("zephyrine quokka");
        return text;
    }

private:
    Rng &m_rng;
    QStringList m_words;
};

/** @brief Inserts one conversation of @p count messages whose deepest path is @p depth;
 *  branches hang off random nodes with random lengths. Returns the current leaf. */
QString makeConversation(const QSqlDatabase &db, Rng &rng, TextMaker &text, int count, int depth,
                         qint64 &clock, QString *conversationId);

} // namespace arbor::cli::benchdata
