#pragma once

#include "domain/message.h"

#include <QAbstractListModel>
#include <QHash>
#include <QtQml/qqml.h>

namespace arbor::app {

/**
 * @brief Conversations of one workspace (or the personal ones), most recently updated first,
 * with the number of unread teammates' messages. Changes only on the GUI thread.
 */
class ConversationListModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Use Conversations.list")
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)

public:
    enum Roles {
        IdRole = Qt::UserRole + 1, ///< the conversation's UUID
        TitleRole,                 ///< its title
        UpdatedAtRole,             ///< last change, ms since the epoch
        IsCurrentRole,             ///< true for the conversation shown in the thread
        UnreadRole,                ///< teammates' messages not read yet (0 for personal ones)
        WorkspaceIdRole,           ///< the team workspace it is shared in; "" = personal
    };
    Q_ENUM(Roles)

    explicit ConversationListModel(QObject *parent = nullptr);

    /** @brief Replaces the list. Keeps rows (and the view's position) when only data changed;
     *  inserts or removes single rows for the common cases (new, deleted, moved to the top). */
    void setConversations(const QList<domain::Conversation> &list);
    void setCurrentId(const QString &id);
    /** @brief Shows only the conversations of @p workspaceId ("" = the personal ones). */
    void setWorkspaceFilter(const QString &workspaceId);
    QString workspaceFilter() const { return m_workspace; }
    /** @brief Unread counts by conversation id (absent = 0). */
    void setUnreadCounts(const QHash<QString, int> &counts);
    /** @brief The rows shown (those of the workspace filter). */
    const QList<domain::Conversation> &conversations() const { return m_items; }
    /** @brief Any stored conversation, shown or not; nullptr when unknown. */
    const domain::Conversation *find(const QString &id) const;
    int rowOf(const QString &id) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

Q_SIGNALS:
    void countChanged();

private:
    void applyVisible(const QList<domain::Conversation> &list);

    QList<domain::Conversation> m_all; ///< every conversation, whatever the filter
    QList<domain::Conversation> m_items;
    QHash<QString, int> m_unread;
    QString m_currentId;
    QString m_workspace;
};

} // namespace arbor::app
