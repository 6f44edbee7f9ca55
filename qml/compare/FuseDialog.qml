import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Arbor
import Arbor.Ui

/**
 * @brief Fuse: a chosen model writes one answer from the chosen replies. The prompt is shown and
 * can be edited; {{question}} and {{answers}} are filled in when it runs. The result is a new
 * reply beside them that links to them.
 */
Dialog {
    id: dialog

    property var sourceIds: []

    function openFor(ids: var) {
        sourceIds = ids;
        prompt.text = App.compare.defaultFusePrompt;
        model.currentIndex = Math.max(0, Models.list.indexOfKey(Models.currentKey));
        open();
    }

    objectName: "fuseDialog"
    title: qsTr("Fuse %1 replies").arg(sourceIds.length)
    modal: true
    anchors.centerIn: parent
    width: Math.min(parent ? parent.width - 2 * Theme.spacingLarge : 600, Theme.readableWidth)

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.spacing

        Label {
            Layout.fillWidth: true
            text: qsTr("Replies: %1").arg(dialog.sourceIds.map(id => App.compare.columns.rowOf(id) + 1).join(", "))
            color: Theme.mutedText
        }

        RowLayout {
            Layout.fillWidth: true
            Label {
                text: qsTr("Model")
            }
            ComboBox {
                id: model

                objectName: "fuseModel"
                Layout.fillWidth: true
                model: Models.list
                textRole: "displayName"
                valueRole: "modelKey"
            }
        }

        Label {
            text: qsTr("Prompt")
        }
        ScrollView {
            Layout.fillWidth: true
            Layout.preferredHeight: Math.round(200 * Theme.fontScale)
            TextArea {
                id: prompt

                objectName: "fusePrompt"
                wrapMode: TextEdit.Wrap
                textFormat: TextEdit.PlainText
                Accessible.name: qsTr("Fuse prompt")
            }
        }
    }

    footer: DialogButtonBox {
        Button {
            objectName: "runFuse"
            text: qsTr("Fuse")
            highlighted: true
            DialogButtonBox.buttonRole: DialogButtonBox.AcceptRole // qmllint disable type
        }
        Button {
            text: qsTr("Cancel")
            DialogButtonBox.buttonRole: DialogButtonBox.RejectRole // qmllint disable type
        }
    }

    onAccepted: App.compare.fuse(sourceIds, model.currentValue, prompt.text)
}
