#include "modellistmodel.h"

namespace arbor::app {

ModelListModel::ModelListModel(QObject *parent)
    : QAbstractListModel(parent)
{
}

void ModelListModel::setModels(const QList<llm::ModelEntry> &models)
{
    beginResetModel();
    m_models = models;
    endResetModel();
    Q_EMIT countChanged();
}

int ModelListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_models.size());
}

QVariant ModelListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const llm::ModelEntry &m = m_models.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case DisplayNameRole:
        return m.displayName;
    case KeyRole:
        return m.key;
    case ProviderNameRole:
        return m.providerName;
    case IsDemoRole:
        return m.isDemo;
    default:
        return {};
    }
}

QHash<int, QByteArray> ModelListModel::roleNames() const
{
    return {{KeyRole, "modelKey"},
            {DisplayNameRole, "displayName"},
            {ProviderNameRole, "providerName"},
            {IsDemoRole, "isDemo"}};
}

int ModelListModel::indexOfKey(const QString &key) const
{
    for (qsizetype i = 0; i < m_models.size(); ++i) {
        if (m_models.at(i).key == key)
            return int(i);
    }
    return -1;
}

QString ModelListModel::displayNameOf(const QString &key) const
{
    const int row = indexOfKey(key);
    return row < 0 ? key : m_models.at(row).displayName;
}

} // namespace arbor::app
