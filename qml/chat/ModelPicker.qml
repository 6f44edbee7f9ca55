import QtQuick
import QtQuick.Controls
import Arbor
import Arbor.Ui

/**
 * @brief Chooses the model that answers the next message in this conversation (Ctrl+K).
 */
ComboBox {
    id: picker

    objectName: "modelPicker"
    model: Models.list
    textRole: "displayName"
    valueRole: "modelKey"
    // count is in the binding so that it re-evaluates when the list of models changes.
    currentIndex: Models.list.count > 0 ? Models.list.indexOfKey(Models.currentKey) : -1
    implicitContentWidthPolicy: ComboBox.WidestText
    Accessible.name: qsTr("Model")
    ToolTip.visible: hovered && !popup.visible
    ToolTip.delay: Theme.toolTipDelayMs
    ToolTip.text: qsTr("Model (Ctrl+K)")

    onActivated: index => Models.currentKey = valueAt(index)

    Shortcut {
        sequence: "Ctrl+K"
        onActivated: picker.forceActiveFocus(Qt.ShortcutFocusReason)
    }
}
