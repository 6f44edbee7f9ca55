import QtQuick
import Arbor.Ui

/**
 * @brief What every block of a message has (MessageBody's rows): its place in the message,
 * the space above it, and its drawing, which exists only near the screen.
 *
 * A block that sets `drawing` has it made by a Loader while the block is within
 * Theme.offscreenMargin of the screen, and once when the block is new or its content changed,
 * to measure it. Far off screen the Loader is empty and the block keeps the size its drawing
 * last had (keptWidth, keptHeight): the blocks below stay where they were and the scroll
 * position does not move, while a reply of a million characters holds items only for the few
 * blocks around the view. A drawing counts as measured once two frames have shown it (its
 * layout has settled by then); the `sizer` (the MessageBody) says when. Without a sizer a
 * drawing is never let go.
 *
 * After the message's width changed, a block far off screen keeps its old size until it comes
 * near the screen again and is measured anew; when it is above the view then, it says by how
 * much it changed (MessageBody.resizedAbove) and the thread scrolls by as much, so that the text
 * being read does not move.
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
    /// The block's item, made only near the screen (and to measure it); null: the block draws
    /// its own children (reasoning, tool calls, rules).
    property Component drawing: null
    /// Tells the block when its drawing has been shown: the MessageBody (its measureLater()).
    property var sizer: null
    /// The drawing, while it exists.
    readonly property Item drawn: loader.item as Item
    /// The drawing was measured at its current content: it may go when far off screen.
    property bool measured: false
    /// The drawing whose size is the block's: a new one (or one whose content changed) at once,
    /// as a text's size is known as soon as it is set; one made again near the screen only once
    /// it has been measured (a table's grid, say, is laid out a frame later); the block keeps
    /// its size meanwhile.
    property Item settledItem: null
    /// The drawing's size when it was last measured.
    property real keptWidth: 0
    property real keptHeight: 0

    /// Near enough to the screen to be drawn.
    readonly property bool nearView: y + height >= viewTop - Theme.offscreenMargin
                                     && y <= viewBottom + Theme.offscreenMargin
    /// Space above the block: none above the first one or above a later part of a long block.
    readonly property real gap: index > 0 && !continued ? Theme.spacing : 0

    /// The drawing gives the block its size; never while the Loader lets go of it (its bindings
    /// then lose their context and its size passes through 0). A function, not a property: the
    /// Loader says it is no longer active only once it has let go, so a property bound to that
    /// would still be true while the item's size changes.
    function sized(): bool {
        return loader.active && loader.item !== null && loader.item === settledItem;
    }

    /// The content changed: the drawing is made (or kept) until it has been measured again.
    function remeasure() {
        if (!measured)
            return; // being made, or waiting for its frames already
        measured = false;
        if (loader.item !== null && sizer !== null)
            sizer.measureLater(block);
    }

    objectName: "blockItem"
    width: sized() ? (loader.item as Item).width : keptWidth
    height: sized() ? (loader.item as Item).height : keptHeight

    onWidthChanged: {
        if (sized())
            keptWidth = width;
    }
    onHeightChanged: {
        if (!sized())
            return;
        // A block wholly above the view that changed its size (measured anew after the width
        // changed) would move what is on screen: the view is told, to scroll by as much.
        if (sizer !== null && y + keptHeight <= viewTop && keptHeight > 0)
            sizer.resizedAbove(height - keptHeight);
        keptHeight = height;
    }
    onMeasuredChanged: {
        if (measured)
            settledItem = loader.item;
    }

    Loader {
        id: loader

        active: block.drawing !== null && (block.nearView || !block.measured)
        // A block coming back near the screen is made over the next frames, in the margin before
        // it is seen, at the size it keeps meanwhile. A new block, or one whose content changed,
        // is made at once.
        asynchronous: block.measured
        sourceComponent: block.drawing
        // It stays until two frames have shown it, so that a size it has only until its layout
        // settles is never the one kept.
        onLoaded: {
            if (!block.measured)
                block.settledItem = item; // new, or its content changed
            block.measured = false;
            if (block.sizer !== null)
                block.sizer.measureLater(block);
        }
    }
}
