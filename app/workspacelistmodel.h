#pragma once

#include "sync/team.h"

#include <QAbstractListModel>
#include <QHash>
#include <QtQml/qqml.h>

namespace arbor::app {

/**
 * @brief The workspace switcher's rows: "Personal" first (id ""), then the team workspaces the
 * person belongs to, in the server's order. Rows are inserted, moved and removed one by one
 * when the list changes (never a reset). GUI thread only.
 */
class WorkspaceListModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Use App.sync.workspaces")
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)

public:
    enum Roles {
        IdRole = Qt::UserRole + 1, ///< the workspace's UUID; "" for Personal
        NameRole,                  ///< its name ("Personal" for the personal conversations)
        MemberRoleRole, ///< the person's role in it: admin, member, viewer ("" for Personal)
        UnreadRole,     ///< unread teammates' messages in its conversations
        CanShareRole,   ///< conversations may be moved into it (not Personal, not as a viewer)
    };
    Q_ENUM(Roles)

    explicit WorkspaceListModel(QObject *parent = nullptr);

    /** @brief Replaces the team workspaces (Personal stays first). */
    void setWorkspaces(const QList<sync::Workspace> &workspaces);
    const QList<sync::Workspace> &workspaces() const { return m_items; }
    /** @brief Unread counts by workspace id. */
    void setUnread(const QHash<QString, int> &unread);
    /** @brief The name of workspace @p id ("Personal" for ""); "" when unknown. */
    Q_INVOKABLE QString nameOf(const QString &id) const;
    /** @brief The row of workspace @p id (0 for Personal), or -1. */
    Q_INVOKABLE int indexOf(const QString &id) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

Q_SIGNALS:
    void countChanged();

private:
    QList<sync::Workspace> m_items; ///< the team workspaces; row = index + 1
    QHash<QString, int> m_unread;
};

} // namespace arbor::app
