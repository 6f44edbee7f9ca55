import QtQuick
import Arbor.Ui

/**
 * @brief Keeps one row of a ListView where it was on screen while the rows around it change
 * (a branch switch replaces the rows below a message, which are then built a step per frame).
 *
 * hold() notes the row and its place; apply() puts it back, and is called again as the content
 * grows, until the user scrolls (release()) or Theme.anchorHoldMs has passed.
 */
Item {
    id: anchor

    required property ListView view
    /// The row held in place; -1 when none.
    property int row: -1
    /// Its top, this far below the top of the view.
    property real offset: 0

    /// The row was put back in place.
    signal applied(int row)

    function hold(item: Item, index: int) {
        row = index;
        offset = item.y - view.contentY;
        holdTimer.stop();
    }

    /// Puts the row back (once the view has laid out what changed).
    function apply() {
        if (row >= 0)
            applyTimer.restart();
    }

    function release() {
        row = -1;
    }

    Timer {
        id: applyTimer

        interval: 0
        onTriggered: {
            const view = anchor.view;
            const item = view.itemAtIndex(anchor.row);
            if (item !== null)
                view.contentY = Math.max(view.originY - view.topMargin,
                                         Math.min(item.y - anchor.offset,
                                                  view.originY + view.contentHeight + view.bottomMargin - view.height));
            anchor.applied(anchor.row);
            if (!holdTimer.running)
                holdTimer.start();
        }
    }

    Timer {
        id: holdTimer

        interval: Theme.anchorHoldMs
        onTriggered: anchor.row = -1
    }
}
