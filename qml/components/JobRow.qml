import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Arbor.Ui

/** @brief One job on the dashboard: kind, queue, state, attempts, next run or error, actions. */
Rectangle {
    id: row

    required property var job
    property bool showErrors: false
    signal retryRequested(var id)
    signal discardRequested(var id)
    signal cancelRequested(var id)

    function when(ms) {
        return ms > 0 ? new Date(ms).toLocaleTimeString(Qt.locale(), "HH:mm:ss") : "–"
    }

    implicitHeight: layout.implicitHeight + 2 * Theme.spacingSmall
    color: "transparent"

    Rectangle {
        anchors.bottom: parent.bottom
        width: parent.width
        height: 1
        color: Theme.separator
    }

    ColumnLayout {
        id: layout
        anchors.left: parent.left
        anchors.right: parent.right
        anchors.verticalCenter: parent.verticalCenter
        spacing: 2

        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.spacing
            Label {
                text: "#" + row.job.id + "  " + row.job.kind
                font.bold: true
            }
            Label {
                text: row.job.queue
                color: Theme.mutedText
            }
            Label {
                text: row.job.state
                color: row.job.state === "failed" ? Theme.error : Theme.text
            }
            Label {
                text: qsTr("attempt %1 of %2").arg(row.job.attempts).arg(row.job.maxAttempts)
                color: Theme.mutedText
            }
            Label {
                text: row.job.state === "queued" ? qsTr("runs at %1").arg(row.when(row.job.runAt))
                                                 : qsTr("ended %1").arg(row.when(row.job.finishedAt))
                color: Theme.mutedText
                Layout.fillWidth: true
                elide: Text.ElideRight
            }
            Button {
                visible: row.job.state === "failed" || row.job.state === "cancelled"
                text: qsTr("Retry")
                onClicked: row.retryRequested(row.job.id)
            }
            Button {
                visible: row.job.state === "failed" || row.job.state === "cancelled" || row.job.state === "done"
                text: qsTr("Discard")
                onClicked: row.discardRequested(row.job.id)
            }
            Button {
                visible: row.job.state === "queued" || row.job.state === "running"
                text: qsTr("Cancel")
                onClicked: row.cancelRequested(row.job.id)
            }
        }
        Label {
            visible: !row.showErrors && row.job.error !== ""
            text: row.job.error
            color: Theme.mutedText
            elide: Text.ElideRight
            Layout.fillWidth: true
        }
        Repeater {
            model: row.showErrors ? (row.job.errors || []) : []
            delegate: Label {
                required property string modelData
                text: modelData
                color: Theme.error
                wrapMode: Text.Wrap
                Layout.fillWidth: true
            }
        }
    }
}
