#pragma once

#include <QAbstractListModel>
#include <QList>

#include <algorithm>

namespace arbor::app {

/**
 * @brief A list model of items with a stable key, refreshed incrementally: replaceItems() turns
 * a new snapshot into row removals, inserts, moves and dataChanged of the changed roles only,
 * never a reset, so views keep their delegates and scroll position. Subclasses say how to key an
 * item and which roles differ between two versions of one. GUI thread only.
 */
template<class Item, class Key>
class KeyedListModel : public QAbstractListModel
{
public:
    using QAbstractListModel::QAbstractListModel;

    int rowCount(const QModelIndex &parent = {}) const override
    {
        return parent.isValid() ? 0 : int(m_items.size());
    }

    /** @brief The row of the item keyed @p key, or -1. */
    int rowOf(const Key &key) const
    {
        for (qsizetype i = 0; i < m_items.size(); ++i)
            if (keyOf(m_items.at(i)) == key)
                return int(i);
        return -1;
    }

protected:
    virtual Key keyOf(const Item &item) const = 0;
    /** @brief The roles whose values differ between @p a and @p b (same key). */
    virtual QList<int> changedRoles(const Item &a, const Item &b) const = 0;

    /** @brief Makes the rows equal @p next, in its order. Returns true when the count changed. */
    bool replaceItems(const QList<Item> &next)
    {
        const qsizetype oldCount = m_items.size();
        // Rows that are gone: one removal each (a refresh usually drops a few at the end).
        for (qsizetype i = m_items.size() - 1; i >= 0; --i) {
            const Key key = keyOf(m_items.at(i));
            const bool kept = std::any_of(next.cbegin(), next.cend(),
                                          [&](const Item &item) { return keyOf(item) == key; });
            if (!kept) {
                beginRemoveRows({}, int(i), int(i));
                m_items.removeAt(i);
                endRemoveRows();
            }
        }
        // The rest into the new order: new items are inserted, moved ones moved.
        for (qsizetype target = 0; target < next.size(); ++target) {
            const Item &item = next.at(target);
            const int row = rowOf(keyOf(item));
            if (row < 0) {
                beginInsertRows({}, int(target), int(target));
                m_items.insert(target, item);
                endInsertRows();
                continue;
            }
            if (row != target) {
                beginMoveRows({}, row, row, {}, int(target));
                m_items.move(row, target);
                endMoveRows();
            }
            const QList<int> roles = changedRoles(m_items.at(target), item);
            if (!roles.isEmpty()) {
                m_items[target] = item;
                const QModelIndex i = index(int(target));
                Q_EMIT dataChanged(i, i, roles);
            }
        }
        return oldCount != m_items.size();
    }

    QList<Item> m_items;
};

} // namespace arbor::app
