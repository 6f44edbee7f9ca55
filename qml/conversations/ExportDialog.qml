import QtQuick
import QtQuick.Controls
import QtQuick.Dialogs
import QtQuick.Layouts
import Arbor
import Arbor.Ui

/**
 * @brief Export of one conversation (its menu's "Export…") or of every one ("Export all…"): a
 * format, then the file. App.exports writes it on a worker thread; the dialog shows how far it
 * is and how it ended, and can stop it (no file is written then).
 */
Dialog {
    id: dialog

    /// The conversation to export; empty: every one.
    property string conversationId
    property string conversationTitle
    /// An export was started since the dialog opened (its outcome is shown).
    property bool started: false
    readonly property ExportController exporter: App.exports

    function exportOne(id: string, title: string) {
        conversationId = id;
        conversationTitle = title;
        open();
    }
    function exportAll() {
        conversationId = "";
        conversationTitle = "";
        open();
    }

    objectName: "exportDialog"
    parent: Overlay.overlay
    anchors.centerIn: parent
    contentWidth: Theme.dialogContentWidth
    modal: true
    closePolicy: exporter.busy ? Popup.NoAutoClose : Popup.CloseOnEscape
    title: conversationId.length > 0
           ? qsTr("Export “%1”").arg(conversationTitle.length > 0 ? conversationTitle : qsTr("New conversation"))
           : qsTr("Export all conversations")

    onAboutToShow: started = false
    onOpened: formatBox.forceActiveFocus(Qt.PopupFocusReason)

    FileDialog {
        id: fileDialog

        fileMode: FileDialog.SaveFile
        acceptLabel: qsTr("Export")
        defaultSuffix: dialog.exporter.suffix(formatBox.currentIndex)
        nameFilters: [dialog.exporter.nameFilter(formatBox.currentIndex)]
        onAccepted: {
            dialog.started = true;
            if (dialog.conversationId.length > 0)
                dialog.exporter.exportConversation(dialog.conversationId, selectedFile, formatBox.currentIndex);
            else
                dialog.exporter.exportAll(selectedFile, formatBox.currentIndex);
        }
    }

    ColumnLayout {
        width: dialog.contentWidth
        spacing: Theme.spacing

        ComboBox {
            id: formatBox

            objectName: "exportFormatBox"
            Layout.fillWidth: true
            model: dialog.exporter.formatNames
            enabled: !dialog.exporter.busy
            Accessible.name: qsTr("Format")
        }

        Label {
            Layout.fillWidth: true
            wrapMode: Text.Wrap
            color: Theme.mutedText
            text: [qsTr("Every branch with its ids, reasoning, tool calls and usage: Arbor imports it again as it was."),
                qsTr("The branch you see, for reading: a heading per message, reasoning folded, tool calls as JSON."),
                qsTr("Every branch, depth first, with a heading where the conversation forks."),
                qsTr("Every branch, as Open WebUI's own export: import it there with Import Chats.")][formatBox.currentIndex]
        }

        ProgressBar {
            objectName: "exportProgress"
            Layout.fillWidth: true
            visible: dialog.exporter.busy
            value: dialog.exporter.progress
            indeterminate: dialog.conversationId.length > 0
        }

        Label {
            objectName: "exportMessage"
            Layout.fillWidth: true
            visible: dialog.started && !dialog.exporter.busy && text.length > 0
            wrapMode: Text.Wrap
            textFormat: Text.PlainText
            text: dialog.exporter.message
            color: dialog.exporter.failed ? Theme.error : Theme.text
        }
    }

    footer: DialogButtonBox {
        Button {
            objectName: "exportButton"
            text: dialog.exporter.busy ? qsTr("Stop") : qsTr("Export…")
            Keys.onReturnPressed: clicked()
            Keys.onEnterPressed: clicked()
            onClicked: {
                if (dialog.exporter.busy) {
                    dialog.exporter.cancel();
                    return;
                }
                const name = dialog.conversationId.length === 0 ? ""
                           : dialog.conversationTitle.length > 0 ? dialog.conversationTitle : qsTr("conversation");
                const file = dialog.exporter.suggestedFile(name, formatBox.currentIndex).toString();
                fileDialog.currentFolder = file.substring(0, file.lastIndexOf("/"));
                fileDialog.selectedFile = file;
                fileDialog.open();
            }

            FocusRing {}
        }

        Button {
            text: qsTr("Close")
            enabled: !dialog.exporter.busy
            DialogButtonBox.buttonRole: DialogButtonBox.RejectRole // qmllint disable type
            Keys.onReturnPressed: clicked()
            Keys.onEnterPressed: clicked()

            FocusRing {}
        }
    }
}
