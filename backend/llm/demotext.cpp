#include "demotext.h"

#include <QCryptographicHash>

#include <array>

namespace arbor::llm {

namespace {

// SplitMix64: tiny, well-distributed and fully specified, so a seed means the same text everywhere.
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
    template<class C>
    const auto &pick(const C &c)
    {
        return c[size_t(below(int(std::size(c))))];
    }
};

constexpr std::array kOpenings = {
    "Here is a short overview, written by Arbor's offline demo model.",
    "Good question. This answer comes from the demo model, which runs entirely on your machine.",
    "Let me sketch an answer. (This is the offline demo model: no network, no key needed.)",
    "Happy to help. The demo model answers every prompt with a small tour of what Arbor can show.",
};
constexpr std::array kSentences = {
    "Conversations in Arbor are trees, so editing a message makes a new branch instead of "
    "overwriting the old one.",
    "Every reply is produced by a durable job, which means a crash or a closed window never loses "
    "the text already received.",
    "Tokens arrive as a stream and the view is updated at most once per frame, however fast they "
    "come.",
    "The local store is a single SQLite file in WAL mode, written by one thread and read by "
    "others.",
    "When you add a real provider, the same pipeline carries its tokens from the network to the "
    "screen.",
    "Stopping a reply keeps the partial text, and you can regenerate it later as a sibling branch.",
    "Long answers stay smooth because the cost of each new token does not grow with the message.",
    "Search covers every branch of every conversation, not only the path you are looking at.",
    "Each message remembers which model wrote it, how many tokens it used and why it finished.",
    "Nothing here needs a network connection, which makes the demo handy for trying the interface.",
};
constexpr std::array kBullets = {
    "**Branches**: edit or regenerate without losing anything",
    "**Durable jobs**: retries, rate limits and recovery after a crash",
    "**Streaming**: coalesced updates, one repaint per frame",
    "**Local-first**: your data lives in a SQLite file you own",
    "**Many vendors**: OpenAI-compatible servers, Anthropic, Gemini and Ollama",
    "**Keyboard first**: Enter sends, Shift+Enter adds a line, Esc stops",
    "**Search**: full-text search over every branch",
};
struct CodeSample
{
    const char *lang;
    const char *code;
};
constexpr std::array kCode = {
    CodeSample{"cpp",
               "#include <iostream>\n\nint main()\n{\n    for (int i = 1; i <= 3; ++i)\n        "
               "std::cout << \"branch \" << i << '\\n';\n    return 0;\n}"},
    CodeSample{"python",
               "def path_to(node):\n    \"\"\"Walk from a leaf up to the root.\"\"\"\n    path = "
               "[]\n    while node is not None:\n        path.append(node)\n        node = "
               "node.parent\n    return list(reversed(path))"},
    CodeSample{"sql",
               "WITH RECURSIVE path(id, parent_id) AS (\n    SELECT id, parent_id FROM messages "
               "WHERE id = :leaf\n    UNION ALL\n    SELECT m.id, m.parent_id FROM messages m JOIN "
               "path p ON m.id = p.parent_id\n)\nSELECT id FROM path;"},
    CodeSample{"json",
               "{\n  \"role\": \"assistant\",\n  \"status\": \"streaming\",\n  \"branch\": 2\n}"},
};
constexpr std::array kRows = {
    "| Open a long chat | visible path only | under 30 ms |",
    "| Switch a branch | rows below the fork | under 10 ms |",
    "| Stream a token | one frame at most | constant |",
    "| Search | every branch | under 50 ms |",
    "| Recover a crash | partial text kept | on start |",
};

/** @brief One more section of a long answer: a heading, prose, a nested list, code, a table, a
 *  numbered list and a quote. */
void appendSection(QString &out, Rng &rng, int part)
{
    out += QStringLiteral("\n\n## Part %1\n\n").arg(part);
    for (int i = 0; i < 3; ++i)
        out += QString::fromUtf8(rng.pick(kSentences)) + QLatin1Char(' ');
    out += QStringLiteral("\n\n");
    for (int i = 0; i < 4; ++i) {
        out += QStringLiteral("- %1\n").arg(QString::fromUtf8(rng.pick(kBullets)));
        if (i == 1)
            out += QStringLiteral("  - nested: `step %1` keeps its *emphasis*\n").arg(part);
    }
    const CodeSample &code = rng.pick(kCode);
    out += QStringLiteral("\n```%1\n%2\n```\n\n")
               .arg(QString::fromUtf8(code.lang), QString::fromUtf8(code.code));
    out += QStringLiteral("| Action | What is read | Target |\n|:---|---|---:|\n");
    for (int i = 0; i < 3; ++i)
        out += QString::fromUtf8(rng.pick(kRows)) + QLatin1Char('\n');
    out += QStringLiteral("\n1. Open the conversation\n2. Pick a branch\n3. Continue from it\n\n"
                          "> %1\n\n")
               .arg(QString::fromUtf8(rng.pick(kSentences)));
    out += QString::fromUtf8(rng.pick(kSentences));
}

} // namespace

quint64 DemoText::seedFor(const QString &prompt)
{
    const QByteArray h = QCryptographicHash::hash(prompt.toUtf8(), QCryptographicHash::Sha1);
    quint64 s = 0;
    for (int i = 0; i < 8; ++i)
        s = (s << 8) | quint8(h.at(i));
    return s;
}

QString DemoText::answer(const QString &prompt, quint64 seed, qsizetype minChars)
{
    Rng rng{seed};
    QString out;
    out += QString::fromUtf8(rng.pick(kOpenings));
    QString topic = prompt.simplified();
    if (topic.size() > 60) {
        topic.truncate(60);
        if (const qsizetype space = topic.lastIndexOf(QLatin1Char(' ')); space > 30)
            topic.truncate(space);
        topic += QChar(0x2026);
    }
    if (!topic.isEmpty())
        out += QStringLiteral(" You asked about “%1”.").arg(topic);
    out += QStringLiteral("\n\n");

    for (int p = 0; p < 2; ++p) {
        const int n = 2 + rng.below(2);
        for (int i = 0; i < n; ++i) {
            if (i)
                out += QLatin1Char(' ');
            out += QString::fromUtf8(rng.pick(kSentences));
        }
        out += QStringLiteral("\n\n");
    }

    out += QStringLiteral("A few things to notice:\n\n");
    const int bullets = 3 + rng.below(3);
    const int start = rng.below(int(kBullets.size()));
    for (int i = 0; i < bullets; ++i)
        out += QStringLiteral("- %1\n").arg(
            QString::fromUtf8(kBullets[size_t((start + i) % int(kBullets.size()))]));
    out += QStringLiteral("\nA small example:\n\n");

    const CodeSample &code = rng.pick(kCode);
    out += QStringLiteral("```%1\n%2\n```\n\n")
               .arg(QString::fromUtf8(code.lang), QString::fromUtf8(code.code));

    out += QStringLiteral("| Action | What is read | Target |\n|---|---|---|\n");
    const int rows = 3;
    const int first = rng.below(int(kRows.size()));
    for (int i = 0; i < rows; ++i)
        out +=
            QString::fromUtf8(kRows[size_t((first + i) % int(kRows.size()))]) + QLatin1Char('\n');
    out += QStringLiteral("\n");
    out += QString::fromUtf8(rng.pick(kSentences));
    for (int part = 1; out.size() < minChars; ++part)
        appendSection(out, rng, part);
    return out;
}

QStringList DemoText::tokenize(const QString &text, qsizetype limit)
{
    // Tokens are a run of whitespace followed by up to four other characters, like the pieces
    // a real model streams. Surrogate pairs are never split.
    QStringList tokens;
    qsizetype i = 0;
    const qsizetype n = text.size();
    while (i < n && (limit < 0 || tokens.size() < limit)) {
        const qsizetype begin = i;
        while (i < n && text.at(i).isSpace())
            ++i;
        int taken = 0;
        while (i < n && !text.at(i).isSpace() && taken < 4) {
            i += text.at(i).isHighSurrogate() && i + 1 < n ? 2 : 1;
            ++taken;
        }
        tokens.append(text.mid(begin, i - begin));
    }
    return tokens;
}

} // namespace arbor::llm
