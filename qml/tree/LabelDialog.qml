import QtQuick
import QtQuick.Controls
import Arbor
import Arbor.Ui

/**
 * @brief Sets the bookmark label of a message (L). Enter saves, an empty label removes it,
 * Esc leaves it alone.
 */
Dialog {
    id: dialog

    property string messageId

    /// Opens the dialog for one message, showing its current label.
    function ask(id: string, label: string) {
        messageId = id;
        field.text = label;
        field.selectAll();
        open();
    }

    objectName: "labelDialog"
    parent: Overlay.overlay
    anchors.centerIn: parent
    contentWidth: Theme.dialogContentWidth
    modal: true
    title: qsTr("Label message")

    onOpened: field.forceActiveFocus(Qt.PopupFocusReason)
    onAccepted: Chat.setLabel(messageId, field.text.trim())

    Column {
        width: dialog.contentWidth
        spacing: Theme.spacing

        Label {
            width: parent.width
            wrapMode: Text.Wrap
            text: qsTr("A label marks the message in the tree map's list, so you can jump back to it.")
            color: Theme.mutedText
        }

        TextField {
            id: field

            objectName: "labelField"
            width: parent.width
            placeholderText: qsTr("Label (empty removes it)")
            maximumLength: 80
            Accessible.name: qsTr("Label")
            onAccepted: dialog.accept()
        }
    }

    footer: DialogButtonBox {
        Button {
            objectName: "saveLabelButton"
            text: qsTr("Save")
            // HACK: the Qt 6.4 linter cannot see these enums (declared on QPlatformDialogHelper).
            DialogButtonBox.buttonRole: DialogButtonBox.AcceptRole // qmllint disable type
            Keys.onReturnPressed: clicked()
            Keys.onEnterPressed: clicked()

            FocusRing {}
        }

        Button {
            text: qsTr("Cancel")
            DialogButtonBox.buttonRole: DialogButtonBox.RejectRole // qmllint disable type
            Keys.onReturnPressed: clicked()
            Keys.onEnterPressed: clicked()

            FocusRing {}
        }
    }
}
