import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Arbor
import Arbor.Ui

/**
 * @brief One job on the dashboard: kind, queue, state, attempts, next run or error, actions.
 * Which actions a job allows comes from its row (canRetry, canDiscard, canCancel: JobPolicy).
 */
Rectangle {
    id: row

    // One per JobListModel role it shows.
    required property real jobId
    required property string kind
    required property string queueName
    /// A JobState value.
    required property int jobState
    required property int attempts
    required property int maxAttempts
    required property string lastError
    required property var attemptErrors
    required property real runAt
    required property real finishedAt
    required property bool canRetry
    required property bool canDiscard
    required property bool canCancel
    /// [{tag, value}]: provider, run, conversation, model.
    required property var tags
    property bool showErrors: false
    /// A check box for bulk actions (the failed list); the page keeps the ticked ids.
    property bool selectable: false
    /// The state, for people.
    readonly property string stateText: {
        switch (jobState) {
        case JobState.Queued:
            return qsTr("queued");
        case JobState.Running:
            return qsTr("running");
        case JobState.Done:
            return qsTr("done");
        case JobState.Failed:
            return qsTr("failed");
        case JobState.Cancelled:
            return qsTr("cancelled");
        }
        return "";
    }

    signal retryRequested(var id)
    signal discardRequested(var id)
    signal cancelRequested(var id)
    signal detailRequested(var id)
    signal selectionToggled(var id, bool selected)
    signal tagClicked(string tag, string value)

    function when(ms) {
        return ms > 0 ? new Date(ms).toLocaleTimeString(Qt.locale(), "HH:mm:ss") : "–"
    }

    implicitHeight: layout.implicitHeight + 2 * Theme.spacingSmall
    color: "transparent"

    Rectangle {
        anchors.bottom: parent.bottom
        width: parent.width
        height: Theme.hairline
        color: Theme.separator
    }

    ColumnLayout {
        id: layout
        anchors.left: parent.left
        anchors.right: parent.right
        anchors.verticalCenter: parent.verticalCenter
        spacing: Theme.spacingTiny

        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.spacing
            CheckBox {
                objectName: "selectJobBox"
                visible: row.selectable
                onToggled: row.selectionToggled(row.jobId, checked)

                FocusRing {}
            }
            Label {
                text: "#" + row.jobId + "  " + row.kind
                font.bold: true
            }
            Label {
                text: row.queueName
                color: Theme.mutedText
            }
            Label {
                objectName: "jobStateLabel"
                text: row.stateText
                color: row.jobState === JobState.Failed ? Theme.error : Theme.text
            }
            Label {
                text: qsTr("attempt %1 of %2").arg(row.attempts).arg(row.maxAttempts)
                color: Theme.mutedText
            }
            Label {
                text: row.jobState === JobState.Queued ? qsTr("runs at %1").arg(row.when(row.runAt))
                                                       : qsTr("ended %1").arg(row.when(row.finishedAt))
                color: Theme.mutedText
                Layout.fillWidth: true
                elide: Text.ElideRight
            }
            Button {
                objectName: "jobDetailButton"
                text: qsTr("Attempts")
                onClicked: row.detailRequested(row.jobId)

                FocusRing {}
            }
            Button {
                objectName: "retryJobButton"
                visible: row.canRetry
                text: qsTr("Retry")
                onClicked: row.retryRequested(row.jobId)

                FocusRing {}
            }
            Button {
                objectName: "discardJobButton"
                visible: row.canDiscard
                text: qsTr("Discard")
                onClicked: row.discardRequested(row.jobId)

                FocusRing {}
            }
            Button {
                objectName: "cancelJobButton"
                visible: row.canCancel
                text: qsTr("Cancel")
                onClicked: row.cancelRequested(row.jobId)

                FocusRing {}
            }
        }
        Flow {
            Layout.fillWidth: true
            spacing: Theme.spacingSmall
            Repeater {
                model: row.tags
                delegate: Rectangle {
                    id: chip

                    required property var modelData

                    objectName: "jobTag"
                    implicitWidth: chipLabel.implicitWidth + 2 * Theme.spacingSmall
                    implicitHeight: chipLabel.implicitHeight + 2 * Theme.chipVerticalPadding
                    radius: Theme.radiusSmall
                    color: chipArea.containsMouse ? Theme.hover : Theme.chip
                    Label {
                        id: chipLabel
                        anchors.centerIn: parent
                        text: chip.modelData.tag + ": " + chip.modelData.value
                        font.pointSize: Theme.fontSizeSmall
                    }
                    MouseArea {
                        id: chipArea
                        anchors.fill: parent
                        hoverEnabled: true
                        cursorShape: Qt.PointingHandCursor
                        onClicked: () => row.tagClicked(chip.modelData.tag, chip.modelData.value)
                    }
                    ToolTip.visible: chipArea.containsMouse
                    ToolTip.text: qsTr("Show only jobs with this %1").arg(chip.modelData.tag)
                }
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
