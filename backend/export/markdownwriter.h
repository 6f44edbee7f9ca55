#pragma once

#include "formatwriter.h"

#include <QSet>
#include <QString>

namespace arbor::domain {
struct Message;
}

namespace arbor::exports {

class OutputSink;

/**
 * @brief Markdown for people to read: the visible path of each conversation, or every branch.
 *
 * A conversation starts with its title as `# Title` (and its system prompt, quoted). Then each
 * message gets a heading with its role, the model of a reply and its time (UTC), its reasoning
 * folded in a `<details>` block, its text as written, and its tool calls where they were made,
 * as fenced JSON. A reply that did not complete says how it ended.
 *
 * With every branch, the tree is written depth first and each message heading is numbered in
 * the order of the file (`### 3. Assistant · gpt-4o · 2026-12-06 14:03:09 UTC`). Where the tree
 * forks, each branch starts with a heading one level up that says which of the siblings it is
 * and after which message it follows (`## Branch 2 of 3 from message 3`, `from the start` for
 * several first messages); the branch on the visible path is marked `(current)`. A branch is
 * written whole, forks inside it included, before its next sibling, so a reader who follows the
 * numbers can tell where each one picks up.
 */
class MarkdownWriter : public FormatWriter
{
public:
    enum class Branches { Current, All };
    MarkdownWriter(OutputSink &sink, Branches branches);

    qint64 conversation(const Outline &outline, ExportReader &reader) override;

private:
    void block(QStringView text);
    void message(const domain::Message &m, int number);

    OutputSink &m_sink;
    Branches m_branches;
    bool m_first = true;
};

} // namespace arbor::exports
