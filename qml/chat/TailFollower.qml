import QtQuick
import Arbor.Ui

/**
 * @brief Keeps a ListView on its end while new content comes in (a reply streaming, new rows),
 * until the user scrolls away from it; coming back to the end follows again.
 *
 * Growth of the last row scrolls smoothly (a short animation towards the new end); a long way,
 * or an end whose row is not made yet, is a jump (positionViewAtEnd, which makes the rows). The
 * view tells it about the user's scrolling: release() when the user lets go of the view.
 */
Item {
    id: follower

    required property ListView view
    /// New content keeps the view on the end.
    property bool following: true
    /// The user holds the view (dragging, flicking, wheeling or on the scroll bar): the view is
    /// left alone until release().
    property bool userScrolling: false
    /// Within this distance of the end the user counts as "at the end".
    readonly property real slack: Theme.spacingLarge * 3
    readonly property bool atEnd: view.contentHeight + view.topMargin + view.bottomMargin <= view.height
                                  || view.contentY + view.height >= view.originY + view.contentHeight + view.bottomMargin - slack

    /// Go to the end now (a jump, not an animation) and follow it from there.
    function follow() {
        following = true;
        smoothly = false;
        timer.restart();
    }

    /// Stop following (the reader stays where the view is).
    function stop() {
        timer.stop();
        animation.stop();
        following = false;
    }

    /// The content changed: go to its new end, if following.
    function keep() {
        if (following && !userScrolling) {
            smoothly = true;
            timer.restart();
        }
    }

    /// The user let go of the view: follow again if it was left at the end.
    function release() {
        following = atEnd;
    }

    /// The content's end, as a contentY (bottom margin included, which positionViewAtEnd()
    /// leaves out).
    function endY(): real {
        return Math.max(view.originY - view.topMargin, view.originY + view.contentHeight + view.bottomMargin - view.height);
    }

    /// The next move may animate (content growth), else it jumps.
    property bool smoothly: false

    onUserScrollingChanged: {
        if (userScrolling)
            animation.stop();
    }

    // Moves once per event-loop pass, after the view has laid out the rows that changed, however
    // many size changes a pass brings.
    Timer {
        id: timer

        interval: 0
        onTriggered: {
            const view = follower.view;
            const distance = follower.endY() - view.contentY;
            const endMade = view.count === 0 || view.itemAtIndex(view.count - 1) !== null;
            if (follower.smoothly && endMade && distance > 0 && distance < view.height) {
                animation.to = follower.endY();
                animation.restart();
                return;
            }
            animation.stop();
            // First let the view make and measure the last rows, then add the bottom margin.
            view.positionViewAtEnd();
            view.contentY = follower.endY();
        }
    }

    NumberAnimation {
        id: animation

        target: follower.view
        property: "contentY"
        duration: Theme.followAnimationMs
        easing.type: Easing.OutCubic
    }
}
