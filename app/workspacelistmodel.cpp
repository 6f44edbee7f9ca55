#include "workspacelistmodel.h"

#include <algorithm>
#include <utility>

namespace arbor::app {

WorkspaceListModel::WorkspaceListModel(QObject *parent)
    : QAbstractListModel(parent)
{
}

int WorkspaceListModel::indexOf(const QString &id) const
{
    if (id.isEmpty())
        return 0;
    for (qsizetype i = 0; i < m_items.size(); ++i) {
        if (m_items.at(i).id == id)
            return int(i) + 1;
    }
    return -1;
}

QString WorkspaceListModel::nameOf(const QString &id) const
{
    const int row = indexOf(id);
    if (row < 0)
        return {};
    return row == 0 ? tr("Personal") : m_items.at(row - 1).name;
}

void WorkspaceListModel::setWorkspaces(const QList<sync::Workspace> &list)
{
    const qsizetype oldCount = m_items.size();
    for (qsizetype i = m_items.size() - 1; i >= 0; --i) {
        const QString &id = m_items.at(i).id;
        if (std::none_of(list.cbegin(), list.cend(),
                         [&](const sync::Workspace &w) { return w.id == id; })) {
            beginRemoveRows({}, int(i) + 1, int(i) + 1);
            m_items.removeAt(i);
            endRemoveRows();
        }
    }
    for (qsizetype target = 0; target < list.size(); ++target) {
        const sync::Workspace &w = list.at(target);
        const int row = indexOf(w.id) - 1;
        if (row < 0) {
            beginInsertRows({}, int(target) + 1, int(target) + 1);
            m_items.insert(target, w);
            endInsertRows();
            continue;
        }
        if (row != target) {
            beginMoveRows({}, row + 1, row + 1, {}, int(target) + 1);
            m_items.move(row, target);
            endMoveRows();
        }
        if (m_items.at(target) != w) {
            m_items[target] = w;
            const QModelIndex i = index(int(target) + 1);
            Q_EMIT dataChanged(i, i, {NameRole, MemberRoleRole, CanShareRole});
        }
    }
    if (oldCount != m_items.size())
        Q_EMIT countChanged();
}

void WorkspaceListModel::setUnread(const QHash<QString, int> &unread)
{
    const QHash<QString, int> before = std::exchange(m_unread, unread);
    for (qsizetype i = 0; i < m_items.size(); ++i) {
        const QString &id = m_items.at(i).id;
        if (before.value(id) != m_unread.value(id))
            Q_EMIT dataChanged(index(int(i) + 1), index(int(i) + 1), {UnreadRole});
    }
}

int WorkspaceListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_items.size()) + 1;
}

QVariant WorkspaceListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    if (index.row() == 0) {
        switch (role) {
        case Qt::DisplayRole:
        case NameRole:
            return tr("Personal");
        case IdRole:
        case MemberRoleRole:
            return QString();
        case UnreadRole:
            return 0;
        case CanShareRole:
            return false;
        default:
            return {};
        }
    }
    const sync::Workspace &w = m_items.at(index.row() - 1);
    switch (role) {
    case Qt::DisplayRole:
    case NameRole:
        return w.name;
    case IdRole:
        return w.id;
    case MemberRoleRole:
        return w.role;
    case UnreadRole:
        return m_unread.value(w.id);
    case CanShareRole:
        return w.role != u"viewer";
    default:
        return {};
    }
}

QHash<int, QByteArray> WorkspaceListModel::roleNames() const
{
    return {{IdRole, "workspaceId"},
            {NameRole, "workspaceName"},
            {MemberRoleRole, "memberRole"},
            {UnreadRole, "unreadCount"},
            {CanShareRole, "canShare"}};
}

} // namespace arbor::app
