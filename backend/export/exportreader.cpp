#include "exportreader.h"

#include "outputsink.h"

#include "store/conversationqueries.h"
#include "store/exportqueries.h"
#include "store/messagequeries.h"
#include "store/sql.h"

#include <algorithm>

namespace arbor::exports {

ExportReader::ExportReader(store::StoreReader reader, const std::atomic_bool *cancel)
    : m_reader(reader)
    , m_cancel(cancel)
{
}

void ExportReader::checkCancel() const
{
    if (m_cancel && m_cancel->load())
        throw ExportError(QStringLiteral("the export was cancelled"), ExportError::Kind::Cancelled);
}

QStringList ExportReader::allConversationIds()
{
    return m_reader.read([](QSqlDatabase &db) { return store::exports::conversationIds(db); })
        .result();
}

QStringList ExportReader::unknownIds(const QStringList &ids)
{
    return m_reader
        .read([ids](QSqlDatabase &db) {
            QStringList unknown;
            for (const QString &id : ids)
                if (!store::conversations::get(db, id))
                    unknown.append(id);
            return unknown;
        })
        .result();
}

std::optional<Outline> ExportReader::outline(const QString &conversationId)
{
    checkCancel();
    return m_reader
        .read([conversationId](QSqlDatabase &db) {
            return store::inReadTransaction(
                db, [&](const QSqlDatabase &tx) -> std::optional<Outline> {
                    auto conversation = store::conversations::get(tx, conversationId);
                    if (!conversation)
                        return std::nullopt;
                    Outline o;
                    o.conversation = std::move(*conversation);
                    const QList<store::exports::NodeLink> nodes =
                        store::exports::liveNodes(tx, conversationId);
                    o.parent.reserve(nodes.size());
                    for (const store::exports::NodeLink &n : nodes) {
                        o.parent.insert(n.id, n.parentId);
                        o.children[n.parentId].append(n.id);
                    }
                    // Depth first from the roots; a node under a missing or deleted parent is not
                    // reached, so a tombstoned subtree stays out whole.
                    o.order.reserve(nodes.size());
                    QStringList stack = o.children.value(QString());
                    std::reverse(stack.begin(), stack.end());
                    while (!stack.isEmpty()) {
                        const QString id = stack.takeLast();
                        o.order.append(id);
                        const QStringList kids = o.children.value(id);
                        for (auto it = kids.crbegin(); it != kids.crend(); ++it)
                            stack.append(*it);
                    }
                    if (o.order.size() != o.parent.size()) {
                        QHash<QString, QString> reached;
                        reached.reserve(o.order.size());
                        for (const QString &id : std::as_const(o.order))
                            reached.insert(id, o.parent.value(id));
                        o.parent = std::move(reached);
                    }
                    QString leaf = store::messages::visibleLeaf(tx, conversationId);
                    if (o.parent.contains(leaf)) {
                        o.currentLeaf = leaf;
                        for (QString at = leaf; !at.isEmpty(); at = o.parent.value(at))
                            o.currentPath.prepend(at);
                    }
                    return o;
                });
        })
        .result();
}

void ExportReader::forEach(const QStringList &ids,
                           const std::function<void(const domain::Message &)> &each)
{
    const auto readSlice = [this, &ids](qsizetype from) {
        const QStringList slice = ids.mid(from, SliceSize);
        return m_reader.read(
            [slice](QSqlDatabase &db) { return store::messages::getMany(db, slice); });
    };
    if (ids.isEmpty())
        return;
    auto pending = readSlice(0);
    for (qsizetype from = 0; from < ids.size(); from += SliceSize) {
        checkCancel();
        const QList<domain::Message> messages = pending.result();
        if (from + SliceSize < ids.size())
            pending = readSlice(from + SliceSize);
        for (const domain::Message &m : messages)
            each(m);
    }
}

} // namespace arbor::exports
