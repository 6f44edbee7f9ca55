#include "treemapitem.h"

#include "app.h"
#include "async.h"
#include "chatcontroller.h"

#include "chat/chatevents.h"
#include "chat/chatservice.h"
#include "core/backend.h"

#include <QPainter>
#include <QtConcurrent/QtConcurrentRun>

namespace arbor::app {

TreeMapItem::TreeMapItem(QQuickItem *parent)
    : QQuickPaintedItem(parent)
{
    setAcceptedMouseButtons(Qt::LeftButton);
    setAntialiasing(true);
    setOpaquePainting(false);
    m_reloadTimer.setSingleShot(true);
    m_reloadTimer.setInterval(300); // a stream of new messages costs one reload
    connect(&m_reloadTimer, &QTimer::timeout, this, &TreeMapItem::reload);
    if (App *app = App::instance(); app && app->backend()) {
        auto &events = app->backend()->events();
        connect(&events, &chat::ChatEvents::messageCreated, this, [this](const domain::Message &m) {
            if (m.conversationId == m_conversationId)
                m_reloadTimer.start();
        });
        connect(&events, &chat::ChatEvents::pathChanged, this, [this](const QString &id) {
            if (id == m_conversationId)
                m_reloadTimer.start();
        });
        connect(app->chat()->thread(), &ThreadModel::loaded, this, &TreeMapItem::updatePath);
        connect(app->chat()->thread(), &ThreadModel::countChanged, this, &TreeMapItem::updatePath);
    }
}

void TreeMapItem::setConversationId(const QString &id)
{
    if (id == m_conversationId)
        return;
    m_conversationId = id;
    Q_EMIT conversationIdChanged();
    m_origin = QPointF(24, 24);
    reload();
}

void TreeMapItem::setZoom(qreal zoom)
{
    zoom = std::clamp(zoom, 0.05, 4.0);
    if (qFuzzyCompare(zoom, m_zoom))
        return;
    m_zoom = zoom;
    Q_EMIT viewChanged();
    update();
}

void TreeMapItem::reload()
{
    App *app = App::instance();
    const quint64 generation = ++m_generation;
    if (!app || !app->ready() || m_conversationId.isEmpty()) {
        apply({});
        return;
    }
    if (!m_loading) {
        m_loading = true;
        Q_EMIT loadingChanged();
    }
    auto failed = [this, generation](const QString &) {
        if (generation == m_generation)
            apply({});
    };
    whenDone(
        this, app->backend()->chat().tree(m_conversationId, false),
        [this, generation, failed](QList<domain::TreeNode> nodes) {
            if (generation != m_generation)
                return;
            // then() on a future made ready here, on this thread (no other thread finishes it,
            // so Qt 6.4's race with a finishing thread cannot happen): the layout is computed
            // off the GUI thread.
            auto laidOut = QtFuture::makeReadyFuture(std::move(nodes))
                               .then(QtFuture::Launch::Async, [](QList<domain::TreeNode> all) {
                                   Loaded loaded;
                                   loaded.layout = tree::TreeLayout::compute(all);
                                   loaded.nodes = std::move(all);
                                   return loaded;
                               });
            whenDone(
                this, std::move(laidOut),
                [this, generation](Loaded loaded) {
                    if (generation == m_generation)
                        apply(std::move(loaded));
                },
                failed);
        },
        failed);
}

void TreeMapItem::apply(Loaded loaded)
{
    m_layout = std::move(loaded.layout);
    m_ids.clear();
    m_indexOf.clear();
    m_ids.reserve(loaded.nodes.size());
    for (const auto &n : std::as_const(loaded.nodes)) {
        m_indexOf.insert(n.id, int(m_ids.size()));
        m_ids.append(n.id);
    }
    if (m_loading) {
        m_loading = false;
        Q_EMIT loadingChanged();
    }
    updatePath();
    Q_EMIT layoutChanged();
    if (!m_centerAfterLoad.isEmpty())
        centerOn(std::exchange(m_centerAfterLoad, QString()));
    update();
}

void TreeMapItem::updatePath()
{
    m_path.clear();
    if (App *app = App::instance();
        app && app->chat()->thread()->conversationId() == m_conversationId) {
        ThreadModel *thread = app->chat()->thread();
        for (int row = 0; row < thread->rowCount(); ++row) {
            if (const auto it = m_indexOf.constFind(thread->messageAt(row).id);
                it != m_indexOf.cend())
                m_path.insert(*it);
        }
    }
    update();
}

QPointF TreeMapItem::cellToItem(int column, int depth) const
{
    return m_origin + QPointF(column * cellWidth(), depth * cellHeight());
}

void TreeMapItem::centerOn(const QString &messageId)
{
    const auto it = m_indexOf.constFind(messageId);
    if (it == m_indexOf.cend()) {
        m_centerAfterLoad = messageId;
        return;
    }
    const auto &node = m_layout.nodes().at(*it);
    m_origin =
        QPointF(width() / 2 - node.column * cellWidth(), height() / 2 - node.depth * cellHeight());
    Q_EMIT viewChanged();
    update();
}

QString TreeMapItem::nodeAt(qreal x, qreal y) const
{
    const QPointF cell((x - m_origin.x()) / cellWidth(), (y - m_origin.y()) / cellHeight());
    const QRectF around(cell.x() - 0.5, cell.y() - 0.5, 1.0, 1.0);
    for (int i : m_layout.visible(around)) {
        const auto &n = m_layout.nodes().at(i);
        if (std::abs(n.column - cell.x()) <= 0.5 && std::abs(n.depth - cell.y()) <= 0.5)
            return m_ids.at(i);
    }
    return {};
}

void TreeMapItem::paint(QPainter *painter)
{
    if (m_layout.nodes().isEmpty())
        return;
    // Only the cells in view (plus a margin for edges) are looked at.
    const QRectF cells((-m_origin.x()) / cellWidth() - 1, (-m_origin.y()) / cellHeight() - 1,
                       width() / cellWidth() + 2, height() / cellHeight() + 2);
    const QList<int> shown = m_layout.visible(cells);
    const auto &nodes = m_layout.nodes();
    const qreal radius = std::max(1.5, 4.0 * m_zoom);

    painter->setRenderHint(QPainter::Antialiasing, shown.size() < 5000);
    QPen edge(m_edgeColor, std::max(0.5, m_zoom));
    painter->setPen(edge);
    for (int i : shown) {
        const auto &n = nodes.at(i);
        if (n.parent < 0)
            continue;
        const auto &p = nodes.at(n.parent);
        const bool onPath = m_path.contains(i) && m_path.contains(n.parent);
        if (onPath)
            painter->setPen(QPen(m_pathColor, std::max(1.5, 2.5 * m_zoom)));
        const QPointF from = cellToItem(p.column, p.depth);
        const QPointF to = cellToItem(n.column, n.depth);
        if (p.column == n.column)
            painter->drawLine(from, to);
        else
            painter->drawPolyline(
                QList<QPointF>{from, QPointF(to.x(), from.y() + cellHeight() / 2), to});
        if (onPath)
            painter->setPen(edge);
    }
    painter->setPen(Qt::NoPen);
    for (int i : shown) {
        const auto &n = nodes.at(i);
        const bool onPath = m_path.contains(i);
        painter->setBrush(n.role == 'u' ? m_userColor : m_assistantColor);
        const qreal r = onPath ? radius * 1.4 : radius;
        if (onPath) {
            painter->setPen(QPen(m_pathColor, std::max(1.0, 1.5 * m_zoom)));
            painter->drawEllipse(cellToItem(n.column, n.depth), r, r);
            painter->setPen(Qt::NoPen);
        } else {
            painter->drawEllipse(cellToItem(n.column, n.depth), r, r);
        }
    }
}

void TreeMapItem::mousePressEvent(QMouseEvent *event)
{
    m_pressAt = m_lastMouse = event->position();
    m_dragged = false;
    event->accept();
}

void TreeMapItem::mouseMoveEvent(QMouseEvent *event)
{
    const QPointF delta = event->position() - m_lastMouse;
    m_lastMouse = event->position();
    if ((event->position() - m_pressAt).manhattanLength() > 4)
        m_dragged = true;
    m_origin += delta;
    Q_EMIT viewChanged();
    update();
}

void TreeMapItem::mouseReleaseEvent(QMouseEvent *event)
{
    if (!m_dragged) {
        if (const QString id = nodeAt(event->position().x(), event->position().y()); !id.isEmpty())
            Q_EMIT nodeClicked(id);
    }
    event->accept();
}

void TreeMapItem::wheelEvent(QWheelEvent *event)
{
    // Zoom around the pointer: the cell under it stays under it.
    const QPointF at = event->position();
    const QPointF cell((at.x() - m_origin.x()) / cellWidth(),
                       (at.y() - m_origin.y()) / cellHeight());
    setZoom(m_zoom * std::pow(1.0015, event->angleDelta().y()));
    m_origin = at - QPointF(cell.x() * cellWidth(), cell.y() * cellHeight());
    update();
    event->accept();
}

} // namespace arbor::app
