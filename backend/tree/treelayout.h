#pragma once

#include "store/treequeries.h"

#include <QList>
#include <QRectF>

namespace arbor::tree {

/**
 * @brief Positions of a conversation tree for the map: depth down, branches across.
 *
 * Leaves take consecutive columns in branch order; a parent sits above its first child, so a
 * linear path is a straight vertical line and each fork opens a new column. O(n), iterative
 * (paths may be thousands deep), GUI-free so it can run on a worker thread.
 */
class TreeLayout
{
public:
    struct Node
    {
        int parent = -1; ///< index into nodes(), -1 for a root
        int depth = 0;
        int column = 0;
        char role = 'u'; ///< 'u'ser, 'a'ssistant, 's'ystem
    };

    /** @brief Lays out @p nodes (parents before children, siblings in branch order). */
    static TreeLayout compute(const QList<store::tree::TreeNode> &nodes);

    const QList<Node> &nodes() const { return m_nodes; }
    int columns() const { return m_columns; }
    int depth() const { return m_depth; }
    /** @brief Node indexes whose (column, depth) fall inside @p cells (x = column, y = depth),
     *  found through a per-depth index: the map draws only what is in view. */
    QList<int> visible(const QRectF &cells) const;

private:
    QList<Node> m_nodes;
    QList<QList<int>> m_byDepth; ///< node indexes per depth, ordered by column
    int m_columns = 0;
    int m_depth = 0;
};

} // namespace arbor::tree
