#include "treelayout.h"

#include <QHash>

#include <algorithm>
#include <cmath>
#include <vector>

namespace arbor::tree {

TreeLayout TreeLayout::compute(const QList<store::tree::TreeNode> &input)
{
    TreeLayout layout;
    const int n = int(input.size());
    layout.m_nodes.resize(n);
    QHash<QString, int> indexOf;
    indexOf.reserve(n);
    for (int i = 0; i < n; ++i)
        indexOf.insert(input.at(i).id, i);

    // Children lists as index arrays (CSR) to keep 100k nodes cheap.
    std::vector<int> childCount(static_cast<size_t>(n), 0);
    QList<int> roots;
    for (int i = 0; i < n; ++i) {
        Node &node = layout.m_nodes[i];
        const QString &role = input.at(i).role;
        node.role = role.isEmpty() ? 'u' : char(role.at(0).toLatin1());
        const auto parent = indexOf.constFind(input.at(i).parentId);
        if (input.at(i).parentId.isEmpty() || parent == indexOf.cend()) {
            roots.append(i);
        } else {
            node.parent = *parent;
            ++childCount[*parent];
        }
    }
    std::vector<int> start(static_cast<size_t>(n) + 1, 0);
    for (int i = 0; i < n; ++i)
        start[i + 1] = start[i] + childCount[i];
    std::vector<int> children(static_cast<size_t>(start[size_t(n)]));
    std::vector<int> fill = start;
    for (int i = 0; i < n; ++i) {
        if (const int p = layout.m_nodes[i].parent; p >= 0)
            children[size_t(fill[size_t(p)]++)] = i;
    }

    // Iterative pre-order walk: a node takes the column of its first child, a leaf a new column.
    int nextColumn = 0;
    std::vector<int> stack;
    stack.reserve(64);
    for (auto it = roots.crbegin(); it != roots.crend(); ++it)
        stack.push_back(*it);
    while (!stack.empty()) {
        const int i = stack.back();
        stack.pop_back();
        Node &node = layout.m_nodes[i];
        node.depth = node.parent < 0 ? 0 : layout.m_nodes[node.parent].depth + 1;
        // The first child of a parent continues its column; later children open new ones.
        const bool firstChild = node.parent >= 0 && children[start[node.parent]] == i;
        node.column = firstChild ? layout.m_nodes[node.parent].column : nextColumn++;
        layout.m_depth = std::max(layout.m_depth, node.depth + 1);
        for (int c = start[i + 1] - 1; c >= start[i]; --c)
            stack.push_back(children[size_t(c)]);
    }
    layout.m_columns = nextColumn;

    layout.m_byDepth.resize(layout.m_depth);
    for (int i = 0; i < n; ++i)
        layout.m_byDepth[layout.m_nodes[i].depth].append(i);
    for (QList<int> &row : layout.m_byDepth) {
        std::sort(row.begin(), row.end(), [&](int a, int b) {
            return layout.m_nodes[a].column < layout.m_nodes[b].column;
        });
    }
    return layout;
}

QList<int> TreeLayout::visible(const QRectF &cells) const
{
    QList<int> out;
    const int top = std::max(0, int(std::floor(cells.top())));
    const int bottom = std::min(m_depth - 1, int(std::ceil(cells.bottom())));
    for (int d = top; d <= bottom; ++d) {
        const QList<int> &row = m_byDepth.at(d);
        auto first = std::lower_bound(row.cbegin(), row.cend(), cells.left(),
                                      [&](int i, double x) { return m_nodes.at(i).column < x; });
        for (auto it = first; it != row.cend() && m_nodes.at(*it).column <= cells.right(); ++it)
            out.append(*it);
    }
    return out;
}

} // namespace arbor::tree
