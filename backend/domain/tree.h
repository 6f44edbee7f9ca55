#pragma once

#include <QString>

namespace arbor::domain {

/** @brief One node of a conversation tree, as the tree map and `arbord show --tree` need it. */
struct TreeNode
{
    QString id;
    QString parentId;
    QString role;
    QString author;
    QString status;
    QString label;
    QString preview; ///< the first line of the content, at most 80 characters
    qint64 createdAt = 0;
};

/** @brief A full-text search hit. */
struct SearchHit
{
    QString messageId;
    QString conversationId;
    QString conversationTitle;
    QString role;
    QString snippet; ///< with U+0002 before and U+0003 after each matched term
};

} // namespace arbor::domain
