import QtQuick
import QtQuick.Controls
import Arbor.Ui

/**
 * @brief The sentence a view shows while it has nothing to show ("No matches."), centred over
 * it. Give it the view as parent, not the view's scrolling content, so that it stays in place.
 */
Label {
    anchors.centerIn: parent
    width: Math.min(parent.width - 2 * Theme.spacingLarge, Theme.readableWidth)
    color: Theme.mutedText
    horizontalAlignment: Text.AlignHCenter
    wrapMode: Text.Wrap
}
