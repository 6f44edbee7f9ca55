#pragma once

#include "domain/tree.h"

#include <QAbstractListModel>
#include <QtQml/qqml.h>

namespace arbor::app {

/** @brief Full-text search hits over every branch, best first. */
class SearchModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Use Search.results")
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)

public:
    enum Roles {
        MessageIdRole = Qt::UserRole + 1, ///< the message that matched
        ConversationIdRole,               ///< its conversation
        ConversationTitleRole,            ///< that conversation's title
        SnippetRole,                      ///< matched text, terms in [brackets]
        MessageRoleRole,                  ///< "user" or "assistant"
    };
    Q_ENUM(Roles)

    explicit SearchModel(QObject *parent = nullptr);
    void setHits(const QList<domain::SearchHit> &hits);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

Q_SIGNALS:
    void countChanged();

private:
    QList<domain::SearchHit> m_hits;
};

} // namespace arbor::app
