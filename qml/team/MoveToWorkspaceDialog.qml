import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Arbor
import Arbor.Ui

/**
 * @brief Asks before moving a personal conversation into a team workspace, where every member
 * sees all of it; App.sync.moveToWorkspace() runs only on "Move".
 */
Dialog {
    id: dialog

    property string conversationId
    property string conversationTitle
    property var targets: []

    /// Opens the dialog for one conversation.
    function ask(id: string, title: string) {
        conversationId = id;
        conversationTitle = title;
        targets = App.sync.shareTargets();
        open();
    }

    objectName: "moveToWorkspaceDialog"
    parent: Overlay.overlay
    anchors.centerIn: parent
    contentWidth: Theme.dialogContentWidth
    modal: true
    title: qsTr("Move to a workspace?")

    onOpened: moveButton.forceActiveFocus(Qt.PopupFocusReason)
    onAccepted: App.sync.moveToWorkspace(conversationId, workspaceBox.currentValue)

    ColumnLayout {
        width: dialog.contentWidth
        spacing: Theme.spacing

        ComboBox {
            id: workspaceBox

            objectName: "moveTargetBox"
            Layout.fillWidth: true
            model: dialog.targets
            textRole: "name"
            valueRole: "id"
            Accessible.name: qsTr("Workspace")
        }

        Label {
            Layout.fillWidth: true
            wrapMode: Text.Wrap
            textFormat: Text.PlainText
            text: qsTr("Everyone in “%1” will see “%2” with its whole tree: every branch and every message, "
                       + "also the earlier ones, and can continue it. Moving it back is not possible.")
                      .arg(workspaceBox.currentText)
                      .arg(dialog.conversationTitle.length > 0 ? dialog.conversationTitle : qsTr("New conversation"))
        }
    }

    footer: DialogButtonBox {
        Button {
            id: moveButton

            objectName: "confirmMoveButton"
            text: qsTr("Move")
            enabled: dialog.targets.length > 0
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
