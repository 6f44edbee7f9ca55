import QtQuick
import QtQml.Models
import QtQuick.Controls
import Arbor
import Arbor.Ui

/**
 * @brief The labelled messages of the visible path; a click shows the message.
 *
 * App.thread holds the visible path only, so labels on other branches are not listed here: a
 * list over the whole tree needs a labels model from C++. The rows are filtered with a
 * DelegateModel group (no delegate for unlabelled rows); the filter is refreshed after rows
 * change or a label changes, never for streamed text.
 */
ListView {
    id: list

    function refresh() {
        const items = filter.items;
        for (let i = 0; i < items.count; ++i) {
            const entry = items.get(i);
            entry.inLabelled = (entry.model.messageLabel ?? "").length > 0;
        }
    }

    objectName: "labelsList"
    clip: true
    boundsBehavior: Flickable.StopAtBounds
    Accessible.name: qsTr("Labels")

    model: DelegateModel {
        id: filter

        model: App.thread
        filterOnGroup: "labelled"
        groups: [
            DelegateModelGroup {
                name: "labelled"
            }
        ]

        delegate: ItemDelegate {
            id: row

            required property string messageId
            required property string messageLabel
            required property string messageRole

            width: ListView.view.width
            focusPolicy: Qt.NoFocus
            text: messageLabel
            Accessible.name: messageLabel
            ToolTip.visible: hovered
            ToolTip.delay: 600
            ToolTip.text: messageRole === "user" ? qsTr("Your message") : qsTr("A reply")
            onClicked: App.showMessage(row.messageId)
        }
    }

    ScrollBar.vertical: ScrollBar {}

    Component.onCompleted: refresh()

    Timer {
        id: refreshTimer

        interval: 50
        onTriggered: list.refresh()
    }

    Connections {
        target: App.thread // qmllint disable type

        function onCountChanged() {
            refreshTimer.restart();
        }

        function onLoaded() {
            refreshTimer.restart();
        }

        function onDataChanged(topLeft, bottomRight, roles) {
            // Streamed text names its roles; a label change comes with a whole row's change.
            if (roles.length === 0 || roles.indexOf(ThreadModel.LabelRole) >= 0)
                refreshTimer.restart();
        }
    }

    Label {
        parent: list
        anchors.fill: parent
        anchors.margins: Theme.spacing
        visible: list.count === 0
        text: qsTr("No labels on this path. Press L on a message to add one.")
        color: Theme.mutedText
        font.pointSize: Theme.fontSizeSmall
        wrapMode: Text.Wrap
    }
}
