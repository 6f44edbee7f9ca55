import QtQuick
import Arbor.Ui

/**
 * @brief The background of a list row: on the selected row the accent's soft tone with a bar
 * in the accent at its left edge, under the pointer a faint tone, else nothing. Text on it keeps
 * the ordinary text colours.
 */
Rectangle {
    /// The row is the open or chosen one.
    property bool selected: false
    /// The pointer rests on the row.
    property bool pointed: false

    color: selected ? Theme.selection : (pointed ? Theme.hover : "transparent")

    Rectangle {
        visible: parent.selected
        anchors.left: parent.left
        anchors.top: parent.top
        anchors.bottom: parent.bottom
        anchors.topMargin: Theme.spacingSmall
        anchors.bottomMargin: Theme.spacingSmall
        width: Theme.focusRingWidth + 1
        radius: width / 2
        color: Theme.accent
    }
}
