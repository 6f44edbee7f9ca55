import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Arbor.Ui

/** @brief One job on the dashboard: kind, queue, state, attempts, next run or error, actions. */
Rectangle {
    id: row

    // One per JobListModel role it shows.
    required property real jobId
    required property string kind
    required property string queueName
    required property string jobState
    required property int attempts
    required property int maxAttempts
    required property string lastError
    required property var attemptErrors
    required property real runAt
    required property real finishedAt
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
                text: "#" + row.jobId + "  " + row.kind
                font.bold: true
            }
            Label {
                text: row.queueName
                color: Theme.mutedText
            }
            Label {
                text: row.jobState
                color: row.jobState === "failed" ? Theme.error : Theme.text
            }
            Label {
                text: qsTr("attempt %1 of %2").arg(row.attempts).arg(row.maxAttempts)
                color: Theme.mutedText
            }
            Label {
                text: row.jobState === "queued" ? qsTr("runs at %1").arg(row.when(row.runAt))
                                                 : qsTr("ended %1").arg(row.when(row.finishedAt))
                color: Theme.mutedText
                Layout.fillWidth: true
                elide: Text.ElideRight
            }
            Button {
                visible: row.jobState === "failed" || row.jobState === "cancelled"
                text: qsTr("Retry")
                onClicked: row.retryRequested(row.jobId)
            }
            Button {
                visible: row.jobState === "failed" || row.jobState === "cancelled" || row.jobState === "done"
                text: qsTr("Discard")
                onClicked: row.discardRequested(row.jobId)
            }
            Button {
                visible: row.jobState === "queued" || row.jobState === "running"
                text: qsTr("Cancel")
                onClicked: row.cancelRequested(row.jobId)
            }
        }
        Label {
            visible: !row.showErrors && row.lastError !== ""
            text: row.lastError
            color: Theme.mutedText
            elide: Text.ElideRight
            Layout.fillWidth: true
        }
        Repeater {
            model: row.showErrors ? row.attemptErrors : []
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
