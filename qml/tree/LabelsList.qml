import QtQuick
import QtQuick.Controls
import Arbor
import Arbor.Ui

/**
 * @brief The labelled messages of the whole conversation tree (Conversations.labels, from the store),
 * on any branch; a click makes that message's branch visible and scrolls to it.
 */
ListView {
    id: list

    objectName: "labelsList"
    clip: true
    boundsBehavior: Flickable.StopAtBounds
    Accessible.name: qsTr("Labels")

    model: Conversations.labels

    delegate: ItemDelegate {
        id: row

        required property var modelData

        width: ListView.view.width
        focusPolicy: Qt.TabFocus
        text: row.modelData.label
        Keys.onReturnPressed: clicked()
        Keys.onEnterPressed: clicked()
        Accessible.name: row.modelData.label
        ToolTip.visible: hovered
        ToolTip.delay: Theme.toolTipDelayMs
        ToolTip.text: row.modelData.preview
        onClicked: Chat.showMessage(row.modelData.messageId)
    }

    ScrollBar.vertical: ScrollBar {}

    Label {
        parent: list
        anchors.fill: parent
        anchors.margins: Theme.spacing
        visible: list.count === 0
        text: qsTr("No labels yet. Press L on a message to add one.")
        color: Theme.mutedText
        font.pointSize: Theme.fontSizeSmall
        wrapMode: Text.Wrap
    }
}
