import QtQuick
import QtQuick.Controls
import Arbor

/**
 * @brief Chooses the model that answers the next message in this conversation (Ctrl+K).
 */
ComboBox {
    id: picker

    objectName: "modelPicker"
    model: App.models
    textRole: "displayName"
    valueRole: "modelKey"
    // count is in the binding so that it re-evaluates when the list of models changes.
    currentIndex: App.models.count > 0 ? App.models.indexOfKey(App.currentModelKey) : -1
    implicitContentWidthPolicy: ComboBox.WidestText
    Accessible.name: qsTr("Model")
    ToolTip.visible: hovered && !popup.visible
    ToolTip.delay: 600
    ToolTip.text: qsTr("Model (Ctrl+K)")

    onActivated: index => App.currentModelKey = valueAt(index)

    Shortcut {
        sequence: "Ctrl+K"
        onActivated: picker.forceActiveFocus(Qt.ShortcutFocusReason)
    }
}
