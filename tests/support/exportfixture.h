#pragma once

#include <QString>

namespace arbor::testsupport {

/**
 * @brief The store the export tests read, built through the store's own API (the queries the
 * chat service uses): conversation "Trees" forks at the root and in the middle, its current leaf
 * is on the older branch, with reasoning, a tool call, usage with a cost, a label, a deleted
 * subtree, a reply still streaming, a failed one, non-ASCII and control characters; "Empty" has
 * no message; a third conversation is deleted. Times and ids are fixed, so an export of it is
 * the same bytes on every run.
 */
struct ExportFixture
{
    static constexpr const char *Trees = "0193a000-0000-7000-8000-00000000c001";
    static constexpr const char *Empty = "0193a000-0000-7000-8000-00000000c002";
    static constexpr const char *Deleted = "0193a000-0000-7000-8000-00000000c003";

    /** @brief Node ids of "Trees" (see exportfixture.cpp for the shape). */
    static QString node(int n);

    /** @brief Writes the store at @p path (a new file). */
    static void build(const QString &path);
};

} // namespace arbor::testsupport
