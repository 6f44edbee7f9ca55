import QtQuick
import Arbor.Ui

/**
 * @brief What every block of a message has (MessageBody's rows): its place in the message,
 * the space above it, and whether it is near the screen. An item far off screen keeps its
 * size (the blocks below stay in place) but draws nothing.
 */
Item {
    id: block

    required property int index
    required property bool continued

    /// The part of the message on screen, in the coordinates of the column of blocks.
    property real viewTop: -1e9
    property real viewBottom: 1e9
    /// Widest the block may be.
    property real availableWidth: 0

    /// Near enough to the screen to be drawn.
    readonly property bool nearView: y + height >= viewTop - Theme.offscreenMargin
                                     && y <= viewBottom + Theme.offscreenMargin
    /// Space above the block: none above the first one or above a later part of a long block.
    readonly property real gap: index > 0 && !continued ? Theme.spacing : 0
}
