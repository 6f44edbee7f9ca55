#pragma once

#include "domain/message.h"

#include <QAbstractListModel>
#include <QHash>
#include <QSet>
#include <QtQml/qqml.h>

namespace arbor::app {

/**
 * @brief The columns of the compare view: the assistant replies to one user message, each with
 * its live text, status and figures (time to first token, tokens/s, tokens, cost). Deltas are
 * taken as they come and shown together, once a frame for one live column and less often the
 * more stream at once (16 ms per live column), so six columns cost the view about what one
 * reply does. The order is the view's (columns can be moved); a
 * new reply to the message (regenerate, fuse) is a new column at the end. GUI thread only.
 */
class CompareColumnsModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("CompareColumnsModel belongs to App.compare")
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)
    /** @brief How many columns are still queued or streaming (for "Stop all"). */
    Q_PROPERTY(int liveCount READ liveCount NOTIFY liveCountChanged)

public:
    enum Role {
        MessageIdRole = Qt::UserRole + 1,
        LabelRole,         ///< the model's name, with the column's own parameters
        ModelKeyRole,      ///< "provider/model"
        StatusRole,        ///< its state in words for people ("streaming", "complete", ...)
        MessageStatusRole, ///< its state as a MessageStatus value (statetypes.h)
        IsLiveRole,
        ContentRole, ///< the text ("messageContent", as MessageBlocksModel reads a source)
        HasTextRole,
        ErrorRole,
        TtftRole,      ///< "1.2 s", "—"
        RateRole,      ///< "48.2 tok/s", "—"
        TokensRole,    ///< output tokens, "—"
        CostRole,      ///< "$0.0042", "—"
        SourcesRole,   ///< a fused reply's sources: [{messageId, number}] (1-based column numbers)
        IsCurrentRole, ///< the reply on the conversation's visible path
    };
    Q_ENUM(Role)

    explicit CompareColumnsModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int liveCount() const { return m_liveCount; }
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    /** @brief Replaces the replies (kept in the current order where known, new ones last). */
    void setReplies(const QList<domain::Message> &replies, const QHash<QString, QString> &labels);
    void clear();
    /** @brief Text for @p messageId arrived at @p offset (ignored when not one of the columns or
     *  already taken). */
    void appendText(const QString &messageId, qsizetype offset, const QString &text);
    void setStatus(const QString &messageId, const QString &status, const QString &error);
    void setCurrent(const QString &messageId);
    bool contains(const QString &messageId) const { return m_rows.contains(messageId); }
    QStringList ids() const;
    const domain::Message *find(const QString &messageId) const;

    /** @brief Moves the column at @p from to @p to. */
    Q_INVOKABLE void moveColumn(int from, int to);
    Q_INVOKABLE int rowOf(const QString &messageId) const;
    /** @brief The text of the column at @p row (copy, tests); the view reads it in C++. */
    Q_INVOKABLE QString textOf(int row) const;

Q_SIGNALS:
    void countChanged();
    void liveCountChanged();

private:
    void flush();
    void reindex();
    void updateLiveCount();

    struct Column
    {
        domain::Message message;
        QString label;
    };
    QList<Column> m_columns;
    QHash<QString, int> m_rows;
    QSet<QString> m_dirty;
    QString m_current;
    bool m_flushQueued = false;
    int m_liveCount = 0;
};

} // namespace arbor::app
