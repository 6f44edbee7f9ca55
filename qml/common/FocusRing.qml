import QtQuick
import QtQuick.Templates as T
import Arbor.Ui

/**
 * @brief The ring that shows which control has the keyboard: put one inside a control
 * (`FocusRing {}`); it shows while the control has visual focus (Tab, not a click). Drawn
 * inside the control's bounds, so a clipping list or pane never cuts it off.
 */
Rectangle {
    // The template type: a style's Button is no style's Control.qml.
    readonly property T.Control control: parent as T.Control

    objectName: "focusRing"
    anchors.fill: parent
    visible: control !== null && control.visualFocus
    color: "transparent"
    radius: Theme.radiusSmall
    border.width: Theme.focusRingWidth
    border.color: Theme.focusRing
}
