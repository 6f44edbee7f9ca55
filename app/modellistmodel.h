#pragma once

#include "llm/providerregistry.h"

#include <QAbstractListModel>
#include <QtQml/qqml.h>

namespace arbor::app {

/** @brief The models the user can pick, "provider/model" keys with display names. */
class ModelListModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Use Models.list")
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)

public:
    enum Roles {
        KeyRole = Qt::UserRole + 1, ///< "provider/model", what Models.currentKey holds
        DisplayNameRole,            ///< what the picker shows, e.g. "Demo (offline)"
        ProviderNameRole,           ///< the provider's display name
        IsDemoRole,                 ///< true for the offline demo model
    };
    Q_ENUM(Roles)

    explicit ModelListModel(QObject *parent = nullptr);

    /** @brief Replaces the list (after providers change). */
    void setModels(const QList<llm::ModelEntry> &models);
    const QList<llm::ModelEntry> &models() const { return m_models; }

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    /** @brief Row of @p key, or -1. */
    Q_INVOKABLE int indexOfKey(const QString &key) const;
    /** @brief Display name of @p key, or the key itself when unknown. */
    Q_INVOKABLE QString displayNameOf(const QString &key) const;

Q_SIGNALS:
    void countChanged();

private:
    QList<llm::ModelEntry> m_models;
};

} // namespace arbor::app
