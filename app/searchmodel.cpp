#include "searchmodel.h"

namespace arbor::app {

SearchModel::SearchModel(QObject *parent)
    : QAbstractListModel(parent)
{
}

void SearchModel::setHits(const QList<domain::SearchHit> &hits)
{
    // Every search replaces the whole list: a reset is the honest signal here.
    beginResetModel();
    m_hits = hits;
    endResetModel();
    Q_EMIT countChanged();
}

int SearchModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_hits.size());
}

QVariant SearchModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const auto &hit = m_hits.at(index.row());
    switch (role) {
    case MessageIdRole:
        return hit.messageId;
    case ConversationIdRole:
        return hit.conversationId;
    case ConversationTitleRole:
        return hit.conversationTitle;
    case Qt::DisplayRole:
    case SnippetRole:
        return hit.snippet;
    case MessageRoleRole:
        return hit.role;
    default:
        return {};
    }
}

QHash<int, QByteArray> SearchModel::roleNames() const
{
    return {{MessageIdRole, "messageId"},
            {ConversationIdRole, "conversationId"},
            {ConversationTitleRole, "conversationTitle"},
            {SnippetRole, "snippet"},
            {MessageRoleRole, "messageRole"}};
}

} // namespace arbor::app
