#include "conversationlistmodel.h"

#include <algorithm>
#include <utility>

namespace arbor::app {

ConversationListModel::ConversationListModel(QObject *parent)
    : QAbstractListModel(parent)
{
}

int ConversationListModel::rowOf(const QString &id) const
{
    for (qsizetype i = 0; i < m_items.size(); ++i) {
        if (m_items.at(i).id == id)
            return int(i);
    }
    return -1;
}

const domain::Conversation *ConversationListModel::find(const QString &id) const
{
    for (const domain::Conversation &c : m_all) {
        if (c.id == id)
            return &c;
    }
    return nullptr;
}

void ConversationListModel::setConversations(const QList<domain::Conversation> &list)
{
    m_all = list;
    QList<domain::Conversation> visible;
    for (const domain::Conversation &c : list) {
        if (c.workspaceId == m_workspace)
            visible.append(c);
    }
    applyVisible(visible);
}

void ConversationListModel::setWorkspaceFilter(const QString &workspaceId)
{
    if (workspaceId == m_workspace)
        return;
    m_workspace = workspaceId;
    setConversations(QList<domain::Conversation>(m_all));
}

void ConversationListModel::setUnreadCounts(const QHash<QString, int> &counts)
{
    const QHash<QString, int> before = std::exchange(m_unread, counts);
    for (qsizetype i = 0; i < m_items.size(); ++i) {
        const QString &id = m_items.at(i).id;
        if (before.value(id) != m_unread.value(id))
            Q_EMIT dataChanged(index(int(i)), index(int(i)), {UnreadRole});
    }
}

void ConversationListModel::applyVisible(const QList<domain::Conversation> &list)
{
    const qsizetype oldCount = m_items.size();
    // Remove rows that are gone, one by one (a delete is usually a single row).
    for (qsizetype i = m_items.size() - 1; i >= 0; --i) {
        const QString &id = m_items.at(i).id;
        const bool kept =
            std::any_of(list.cbegin(), list.cend(), [&](const auto &c) { return c.id == id; });
        if (!kept) {
            beginRemoveRows({}, int(i), int(i));
            m_items.removeAt(i);
            endRemoveRows();
        }
    }
    // Bring the rest into the new order with moves and inserts.
    for (qsizetype target = 0; target < list.size(); ++target) {
        const domain::Conversation &c = list.at(target);
        const int row = rowOf(c.id);
        if (row < 0) {
            beginInsertRows({}, int(target), int(target));
            m_items.insert(target, c);
            endInsertRows();
            continue;
        }
        if (row != target) {
            beginMoveRows({}, row, row, {}, int(target));
            m_items.move(row, target);
            endMoveRows();
        }
        domain::Conversation &mine = m_items[target];
        if (mine.title != c.title || mine.updatedAt != c.updatedAt
            || mine.currentLeafId != c.currentLeafId) {
            mine = c;
            const QModelIndex i = index(int(target));
            Q_EMIT dataChanged(i, i, {TitleRole, UpdatedAtRole});
        }
    }
    if (oldCount != m_items.size())
        Q_EMIT countChanged();
}

void ConversationListModel::setCurrentId(const QString &id)
{
    if (id == m_currentId)
        return;
    const int before = rowOf(m_currentId);
    m_currentId = id;
    const int after = rowOf(id);
    for (int row : {before, after}) {
        if (row >= 0)
            Q_EMIT dataChanged(index(row), index(row), {IsCurrentRole});
    }
}

int ConversationListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_items.size());
}

QVariant ConversationListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const domain::Conversation &c = m_items.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case TitleRole:
        return c.title;
    case IdRole:
        return c.id;
    case UpdatedAtRole:
        return c.updatedAt;
    case IsCurrentRole:
        return c.id == m_currentId;
    case UnreadRole:
        return m_unread.value(c.id);
    case WorkspaceIdRole:
        return c.workspaceId;
    default:
        return {};
    }
}

QHash<int, QByteArray> ConversationListModel::roleNames() const
{
    return {{IdRole, "conversationId"},   {TitleRole, "title"},
            {UpdatedAtRole, "updatedAt"}, {IsCurrentRole, "isCurrent"},
            {UnreadRole, "unreadCount"},  {WorkspaceIdRole, "workspaceId"}};
}

} // namespace arbor::app
