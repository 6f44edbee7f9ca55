import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Arbor.Ui

/**
 * @brief One job with every attempt on a timeline (JobsDashboard.jobDetail): a bar per attempt
 * from its start to its end, placed on the span from the job's creation to its last end, with
 * the attempt's outcome and error beside it.
 */
Popup {
    id: panel

    property var detail: ({})

    readonly property var attempts: detail.attempts || []
    readonly property real spanStart: {
        let t = detail.createdAt || 0
        for (const a of attempts)
            if (a.startedAt > 0 && (t === 0 || a.startedAt < t))
                t = a.startedAt
        return t
    }
    readonly property real spanEnd: {
        let t = Math.max(detail.finishedAt || 0, spanStart + 1)
        for (const a of attempts)
            t = Math.max(t, a.finishedAt || 0, a.startedAt || 0)
        return t
    }

    /// The attempts with where each ran within the job's life (fractions of the span) and colour.
    readonly property var bars: {
        const span = Math.max(1, spanEnd - spanStart)
        return attempts.map(a => {
            const from = Math.max(0, (a.startedAt || spanStart) - spanStart) / span
            const to = Math.max(from * span, (a.finishedAt || spanEnd) - spanStart) / span
            return Object.assign({ from: from, to: to, barColor: colorOf(a.outcome),
                                   heading: qsTr("attempt %1 · %2 · %3 → %4").arg(a.attempt).arg(a.outcome)
                                                .arg(when(a.startedAt)).arg(when(a.finishedAt)) }, a)
        })
    }

    function when(ms) {
        return ms > 0 ? new Date(ms).toLocaleTimeString(Qt.locale(), "HH:mm:ss.zzz") : "–"
    }
    function colorOf(outcome) {
        if (outcome === "done")
            return Theme.assistantNode
        if (outcome === "running")
            return Theme.highlight
        if (outcome === "cancelled")
            return Theme.mutedText
        return Theme.error
    }

    // Opens when a job is asked for (JobsDashboard.showJob); closing asks for none.
    onDetailChanged: if (detail.found === true) open()

    objectName: "jobDetailPanel"
    modal: true
    anchors.centerIn: Overlay.overlay
    width: Math.min(parent ? parent.width - 2 * Theme.spacingLarge : 600, Theme.queueCardWidth * 3)
    padding: Theme.spacingLarge

    ColumnLayout {
        width: parent.width
        spacing: Theme.spacing

        RowLayout {
            Layout.fillWidth: true
            Label {
                text: qsTr("Job #%1 · %2 · %3").arg(panel.detail.jobId || 0)
                          .arg(panel.detail.kind || "").arg(panel.detail.state || "")
                font.bold: true
                Layout.fillWidth: true
                elide: Text.ElideRight
            }
            IconButton {
                iconName: "x"
                text: qsTr("Close")
                onClicked: panel.close()
            }
        }
        Label {
            text: (panel.detail.tags || []).map(t => t.tag + ": " + t.value).join(" · ")
            color: Theme.mutedText
            wrapMode: Text.Wrap
            Layout.fillWidth: true
        }
        Label {
            text: qsTr("added %1 · due %2 · ended %3").arg(panel.when(panel.detail.createdAt || 0))
                      .arg(panel.when(panel.detail.runAt || 0)).arg(panel.when(panel.detail.finishedAt || 0))
            font.pointSize: Theme.fontSizeSmall
            color: Theme.mutedText
        }
        Label {
            visible: panel.attempts.length === 0
            text: qsTr("No attempt yet.")
            color: Theme.mutedText
        }
        Repeater {
            model: panel.bars
            delegate: ColumnLayout {
                id: attemptRow

                required property var modelData

                objectName: "attemptRow"
                Layout.fillWidth: true
                spacing: Theme.spacingTiny

                Label {
                    text: attemptRow.modelData.heading
                    font.pointSize: Theme.fontSizeSmall
                }
                // The timeline: where this attempt ran within the job's life.
                Rectangle {
                    id: track
                    Layout.fillWidth: true
                    implicitHeight: Theme.spacing
                    radius: Theme.radiusSmall
                    color: Theme.base
                    border.color: Theme.separator
                    Rectangle {
                        objectName: "attemptBar"
                        x: track.width * attemptRow.modelData.from
                        width: Math.max(Theme.spacingSmall, track.width * (attemptRow.modelData.to - attemptRow.modelData.from))
                        height: parent.height
                        radius: Theme.radiusSmall
                        color: attemptRow.modelData.barColor
                    }
                }
                Label {
                    visible: attemptRow.modelData.error !== ""
                    text: attemptRow.modelData.error
                    color: Theme.error
                    wrapMode: Text.Wrap
                    Layout.fillWidth: true
                }
            }
        }
    }
}
