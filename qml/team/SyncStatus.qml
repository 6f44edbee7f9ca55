import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Arbor
import Arbor.Ui

/**
 * @brief The team connection at the foot of the sidebar, always visible: connected, offline with
 * the changes that wait, reconnecting. The tooltip holds the last error; a click opens the team
 * server dialog.
 */
ItemDelegate {
    id: status

    readonly property TeamServerSettings sync: App.sync.server
    readonly property color dotColor: {
        switch (sync.state) {
        case TeamSync.Connected:
            return Theme.assistantNode;
        case TeamSync.Reconnecting:
            return Theme.error;
        case TeamSync.Connecting:
        case TeamSync.Offline:
            return Theme.pathNode;
        default:
            return Theme.mutedText;
        }
    }

    signal openRequested

    objectName: "syncStatus"
    focusPolicy: Qt.TabFocus
    text: sync.stateText
    Accessible.name: qsTr("Team server: %1").arg(sync.stateText)
    Accessible.description: sync.errorText
    ToolTip.visible: hovered
    ToolTip.delay: Theme.toolTipDelayMs
    ToolTip.text: (sync.errorText.length > 0 ? qsTr("Last error: %1").arg(sync.errorText) + "\n" : "")
                  + qsTr("Team server settings (Ctrl+Shift+T)")

    onClicked: openRequested()

    FocusRing {}

    contentItem: RowLayout {
        spacing: Theme.spacing

        Rectangle {
            implicitWidth: Theme.spacing
            implicitHeight: Theme.spacing
            radius: Theme.spacing / 2
            color: status.dotColor
        }

        Label {
            objectName: "syncStatusText"
            Layout.fillWidth: true
            text: status.sync.stateText
            textFormat: Text.PlainText
            elide: Text.ElideRight
            font.pointSize: Theme.fontSizeSmall
            color: status.sync.configured ? Theme.text : Theme.mutedText
        }
    }
}
