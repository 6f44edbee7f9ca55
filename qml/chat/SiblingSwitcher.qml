import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Arbor.Ui

/**
 * @brief "‹ 2 / 3 ›": which branch of its parent a message is, with buttons to the neighbours.
 *
 * Only reports the request; the delegate's owner calls Chat.switchSibling() (Alt+Left/Right do
 * the same from the keyboard).
 */
RowLayout {
    id: switcher

    required property int siblingIndex
    required property int siblingCount
    /// Tab reaches the buttons (the message is the keyboard's one).
    property bool keyboardReachable: false

    /// -1 for the previous branch, +1 for the next.
    signal switchRequested(int delta)

    spacing: 0

    IconButton {
        objectName: "siblingPrevious"
        iconName: "chevron-left"
        text: qsTr("Previous branch")
        shortcut: "Alt+Left"
        enabled: switcher.siblingIndex > 0
        focusPolicy: switcher.keyboardReachable ? Qt.TabFocus : Qt.NoFocus
        padding: Theme.spacingTiny
        icon.width: Theme.iconSizeSmall
        icon.height: Theme.iconSizeSmall
        onClicked: switcher.switchRequested(-1)
    }

    Label {
        objectName: "siblingIndicator"
        text: "%1 / %2".arg(switcher.siblingIndex + 1).arg(switcher.siblingCount)
        color: Theme.mutedText
        font.pointSize: Theme.fontSizeSmall
        Accessible.name: qsTr("Branch %1 of %2").arg(switcher.siblingIndex + 1).arg(switcher.siblingCount)
    }

    IconButton {
        objectName: "siblingNext"
        iconName: "chevron-right"
        text: qsTr("Next branch")
        shortcut: "Alt+Right"
        enabled: switcher.siblingIndex + 1 < switcher.siblingCount
        focusPolicy: switcher.keyboardReachable ? Qt.TabFocus : Qt.NoFocus
        padding: Theme.spacingTiny
        icon.width: Theme.iconSizeSmall
        icon.height: Theme.iconSizeSmall
        onClicked: switcher.switchRequested(1)
    }
}
