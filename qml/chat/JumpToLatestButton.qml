import QtQuick
import QtQuick.Controls
import Arbor.Ui

/**
 * @brief "Jump to latest", at the foot of the thread while the reader is above its end; Ctrl+End
 * does the same while it shows. A text field keeps Ctrl+End for itself (the composer passes it on
 * when its cursor is already at the end: Composer.endRequested).
 */
IconButton {
    id: button

    objectName: "jumpToLatestButton"
    anchors.horizontalCenter: parent.horizontalCenter
    anchors.bottom: parent.bottom
    anchors.bottomMargin: Theme.spacing
    iconName: "arrow-down-to-line"
    text: qsTr("Jump to latest")
    shortcut: "Ctrl+End"
    display: AbstractButton.TextBesideIcon
    padding: Theme.spacing
    leftPadding: Theme.spacingLarge
    rightPadding: Theme.spacingLarge
    // The pointer's: the keyboard has Ctrl+End, and Tab stays on the messages' own stops.
    focusPolicy: Qt.NoFocus

    background: Rectangle {
        radius: height / 2
        color: button.hovered ? Theme.hover : Theme.base
        border.width: Theme.hairline
        border.color: Theme.separator
    }

    Shortcut {
        sequence: "Ctrl+End"
        enabled: button.visible
        onActivated: button.clicked()
    }
}
