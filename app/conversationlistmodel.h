#pragma once

#include "domain/message.h"

#include <QAbstractListModel>
#include <QtQml/qqml.h>

namespace arbor::app {

/** @brief Conversations, most recently updated first. Changes only on the GUI thread. */
class ConversationListModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Use App.conversations")
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)

public:
    enum Roles {
        IdRole = Qt::UserRole + 1, ///< the conversation's UUID
        TitleRole,                 ///< its title
        UpdatedAtRole,             ///< last change, ms since the epoch
        IsCurrentRole,             ///< true for the conversation shown in the thread
    };
    Q_ENUM(Roles)

    explicit ConversationListModel(QObject *parent = nullptr);

    /** @brief Replaces the list. Keeps rows (and the view's position) when only data changed;
     *  inserts or removes single rows for the common cases (new, deleted, moved to the top). */
    void setConversations(const QList<domain::Conversation> &list);
    void setCurrentId(const QString &id);
    const QList<domain::Conversation> &conversations() const { return m_items; }
    int rowOf(const QString &id) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

Q_SIGNALS:
    void countChanged();

private:
    QList<domain::Conversation> m_items;
    QString m_currentId;
};

} // namespace arbor::app
