import QtQuick
import QtQuick.Controls
import Arbor
import Arbor.Ui

/**
 * @brief Asks before deleting a conversation; App.deleteConversation() runs only on "Delete".
 */
Dialog {
    id: dialog

    property string conversationId
    property string conversationTitle

    /// Opens the dialog for one conversation.
    function ask(id: string, title: string) {
        conversationId = id;
        conversationTitle = title;
        open();
    }

    objectName: "deleteConversationDialog"
    parent: Overlay.overlay
    anchors.centerIn: parent
    // A fixed text width: binding it to the text's own size loops when the title changes.
    contentWidth: Theme.dialogContentWidth
    modal: true
    title: qsTr("Delete conversation?")

    onOpened: deleteButton.forceActiveFocus(Qt.PopupFocusReason)
    onAccepted: App.deleteConversation(conversationId)

    Label {
        width: dialog.contentWidth
        wrapMode: Text.Wrap
        textFormat: Text.PlainText
        text: qsTr("“%1” and all of its branches will be deleted from your conversations. This cannot be undone.")
                  .arg(dialog.conversationTitle.length > 0 ? dialog.conversationTitle : qsTr("New conversation"))
    }

    footer: DialogButtonBox {
        Button {
            id: deleteButton

            objectName: "confirmDeleteButton"
            text: qsTr("Delete")
            // HACK: the Qt 6.4 linter cannot see these enums (declared on QPlatformDialogHelper).
            DialogButtonBox.buttonRole: DialogButtonBox.AcceptRole // qmllint disable type
            // Buttons react to Space only; in a dialog Enter should press the focused one too.
            Keys.onReturnPressed: clicked()
            Keys.onEnterPressed: clicked()
        }

        Button {
            text: qsTr("Cancel")
            DialogButtonBox.buttonRole: DialogButtonBox.RejectRole // qmllint disable type
            Keys.onReturnPressed: clicked()
            Keys.onEnterPressed: clicked()
        }
    }
}
