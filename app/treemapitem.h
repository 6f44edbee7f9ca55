#pragma once

#include "domain/tree.h"
#include "tree/treelayout.h"

#include <QColor>
#include <QQuickPaintedItem>
#include <QSet>
#include <QTimer>
#include <QtQml/qqml.h>

namespace arbor::app {

/**
 * @brief The map of a whole conversation tree: one dot per message, coloured by author, the
 * visible path highlighted. Layout runs on a worker thread; painting touches only the nodes in
 * view (a per-depth index), so 100,000 nodes pan and zoom smoothly. Drag pans, the wheel
 * zooms around the pointer, a click emits nodeClicked.
 */
class TreeMapItem : public QQuickPaintedItem
{
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(QString conversationId READ conversationId WRITE setConversationId NOTIFY
                   conversationIdChanged)
    Q_PROPERTY(qreal zoom READ zoom WRITE setZoom NOTIFY viewChanged)
    Q_PROPERTY(int nodeCount READ nodeCount NOTIFY layoutChanged)
    Q_PROPERTY(bool loading READ loading NOTIFY loadingChanged)
    Q_PROPERTY(QColor userColor MEMBER m_userColor NOTIFY colorsChanged)
    Q_PROPERTY(QColor assistantColor MEMBER m_assistantColor NOTIFY colorsChanged)
    Q_PROPERTY(QColor pathColor MEMBER m_pathColor NOTIFY colorsChanged)
    Q_PROPERTY(QColor edgeColor MEMBER m_edgeColor NOTIFY colorsChanged)

public:
    explicit TreeMapItem(QQuickItem *parent = nullptr);

    QString conversationId() const { return m_conversationId; }
    void setConversationId(const QString &id);
    qreal zoom() const { return m_zoom; }
    void setZoom(qreal zoom);
    int nodeCount() const { return int(m_layout.nodes().size()); }
    bool loading() const { return m_loading; }

    /** @brief Scrolls so that @p messageId is in the middle. */
    Q_INVOKABLE void centerOn(const QString &messageId);
    /** @brief The message under the point @p x, @p y (item coordinates), or "". */
    Q_INVOKABLE QString nodeAt(qreal x, qreal y) const;
    Q_INVOKABLE void reload();

    void paint(QPainter *painter) override;

Q_SIGNALS:
    void conversationIdChanged();
    void viewChanged();
    void layoutChanged();
    void loadingChanged();
    void colorsChanged();
    void nodeClicked(const QString &messageId);

protected:
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;

private:
    struct Loaded
    {
        QList<domain::TreeNode> nodes;
        tree::TreeLayout layout;
    };
    void apply(Loaded loaded);
    void updatePath();
    QPointF cellToItem(int column, int depth) const;
    qreal cellWidth() const { return 14.0 * m_zoom; }
    qreal cellHeight() const { return 16.0 * m_zoom; }

    QString m_conversationId;
    QStringList m_ids; ///< node index → message id
    QHash<QString, int> m_indexOf;
    tree::TreeLayout m_layout;
    QSet<int> m_path; ///< nodes on the visible path
    QPointF m_origin; ///< item position of cell (0, 0)
    qreal m_zoom = 1.0;
    bool m_loading = false;
    quint64 m_generation = 0;
    QPointF m_pressAt;
    QPointF m_lastMouse;
    bool m_dragged = false;
    QTimer m_reloadTimer;
    QString m_centerAfterLoad;
    QColor m_userColor{0x3d, 0x7e, 0xd6};
    QColor m_assistantColor{0x4c, 0xa8, 0x6a};
    QColor m_pathColor{0xe8, 0xa3, 0x17};
    QColor m_edgeColor{0x99, 0x99, 0x99};
};

} // namespace arbor::app
