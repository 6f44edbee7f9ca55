import QtQuick
import QtQuick.Controls

/**
 * @brief The scroll bar of the thread (MessageList).
 *
 * HACK: not attached (ScrollBar.vertical): in Qt 6.4 an attached bar writes each of its
 * position changes back to contentY, also the clamping it does by itself when the content
 * height changes; with rows of varying height that fed the view's layout in a loop (the
 * window froze, creating rows without end). This one only scrolls the view when dragged.
 */
ScrollBar {
    id: bar

    required property ListView view

    parent: view
    anchors.top: parent.top
    anchors.right: parent.right
    anchors.bottom: parent.bottom
    orientation: Qt.Vertical
    size: view.visibleArea.heightRatio
    position: view.visibleArea.yPosition
    active: view.moving || hovered || pressed

    onPositionChanged: {
        if (pressed)
            view.contentY = position * (view.contentHeight + view.topMargin + view.bottomMargin)
                    + view.originY - view.topMargin;
    }
}
