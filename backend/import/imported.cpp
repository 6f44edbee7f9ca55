#include "imported.h"

#include <QHash>
#include <QSet>

#include <algorithm>
#include <limits>

namespace arbor::imports {

QString toString(Format format)
{
    switch (format) {
    case Format::Auto:
        return QStringLiteral("auto");
    case Format::ChatGpt:
        return QStringLiteral("chatgpt");
    case Format::Claude:
        return QStringLiteral("claude");
    case Format::OpenWebUi:
        return QStringLiteral("openwebui");
    case Format::LibreChat:
        return QStringLiteral("librechat");
    case Format::Arbor:
        return QStringLiteral("arbor");
    }
    return {};
}

Format formatFromString(const QString &text, bool *ok)
{
    for (Format f : {Format::Auto, Format::ChatGpt, Format::Claude, Format::OpenWebUi,
                     Format::LibreChat, Format::Arbor}) {
        if (text == toString(f)) {
            if (ok)
                *ok = true;
            return f;
        }
    }
    if (ok)
        *ok = false;
    return Format::Auto;
}

void normalize(ImportedConversation &c)
{
    const qsizetype n = c.nodes.size();
    QHash<QString, qsizetype> index;
    index.reserve(n);
    for (qsizetype i = 0; i < n; ++i) {
        const QString &id = c.nodes.at(i).sourceId;
        if (id.isEmpty())
            throw ImportError(QStringLiteral("message %1 has no id").arg(i));
        if (index.contains(id))
            throw ImportError(QStringLiteral("message id “%1” appears twice").arg(id));
        index.insert(id, i);
    }
    // children[i]: the nodes under node i; roots under n.
    std::vector<std::vector<qsizetype>> children(size_t(n) + 1);
    for (qsizetype i = 0; i < n; ++i) {
        const ImportedNode &node = c.nodes.at(i);
        if (node.parentSourceId.isEmpty()) {
            children[size_t(n)].push_back(i);
            continue;
        }
        const auto parent = index.constFind(node.parentSourceId);
        if (parent == index.cend())
            throw ImportError(QStringLiteral("message “%1” points at a parent “%2” that is not "
                                             "in the conversation")
                                  .arg(node.sourceId, node.parentSourceId));
        if (*parent == i)
            throw ImportError(
                QStringLiteral("message “%1” is its own parent (a cycle)").arg(node.sourceId));
        children[size_t(*parent)].push_back(i);
    }
    // Breadth first from the roots: parents before children, siblings by time. A node never
    // reached hangs on a cycle of parent links.
    QList<ImportedNode> ordered;
    ordered.reserve(n);
    std::vector<qsizetype> queue{qsizetype(n)};
    std::vector<bool> seen(size_t(n), false);
    for (size_t q = 0; q < queue.size(); ++q) {
        auto &kids = children[size_t(queue[q])];
        std::stable_sort(kids.begin(), kids.end(), [&](qsizetype a, qsizetype b) {
            return c.nodes.at(a).createdAt < c.nodes.at(b).createdAt;
        });
        for (qsizetype k : kids) {
            seen[size_t(k)] = true;
            queue.push_back(k);
            ordered.append(std::move(c.nodes[k]));
        }
    }
    if (ordered.size() != n) {
        for (qsizetype i = 0; i < n; ++i) {
            if (!seen[size_t(i)])
                throw ImportError(QStringLiteral("the parent links of message “%1” form a cycle")
                                      .arg(c.nodes.at(i).sourceId));
        }
    }
    c.nodes = std::move(ordered);
    if (!c.currentSourceNode.isEmpty() && !index.contains(c.currentSourceNode))
        c.currentSourceNode.clear();
    if (c.currentSourceNode.isEmpty()) {
        // No current node in the file: the latest-created leaf ends the visible path.
        QSet<QString> parents;
        for (const ImportedNode &node : std::as_const(c.nodes))
            parents.insert(node.parentSourceId);
        qint64 latest = std::numeric_limits<qint64>::min();
        for (const ImportedNode &node : std::as_const(c.nodes)) {
            if (!parents.contains(node.sourceId) && node.createdAt >= latest) {
                latest = node.createdAt;
                c.currentSourceNode = node.sourceId;
            }
        }
    }
}

} // namespace arbor::imports
