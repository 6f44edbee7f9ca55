import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Arbor.Ui

/**
 * @brief The dashboard's tiles (as Laravel Horizon shows them): jobs per minute, jobs in the past
 * hour, failures in the past 7 days, and the queue whose oldest due job has waited longest.
 * `overview` is JobsDashboard.overview.
 */
RowLayout {
    id: tiles

    property var overview: ({})

    function waitText(ms) {
        if (ms < 1000)
            return qsTr("%1 ms").arg(Math.round(ms))
        if (ms < 120000)
            return qsTr("%1 s").arg(Math.round(ms / 1000))
        return qsTr("%1 min").arg(Math.round(ms / 60000))
    }

    spacing: Theme.spacing

    Repeater {
        model: [
            { name: "jobsPerMinuteTile", label: qsTr("Jobs per minute"),
              value: (tiles.overview.jobsPerMinute || 0).toFixed(1) },
            { name: "jobsPastHourTile", label: qsTr("Jobs past hour"),
              value: String(tiles.overview.jobsPastHour || 0) },
            { name: "failuresTile", label: qsTr("Failures past 7 days"),
              value: String(tiles.overview.failuresPast7Days || 0) },
            { name: "longestWaitTile", label: qsTr("Longest wait"),
              value: tiles.overview.longestWaitQueue
                     ? qsTr("%1 · %2").arg(tiles.overview.longestWaitQueue)
                                      .arg(tiles.waitText(tiles.overview.longestWaitMs || 0))
                     : qsTr("none waiting") }
        ]
        delegate: Rectangle {
            id: tile

            required property var modelData

            objectName: modelData.name
            Layout.fillWidth: true
            implicitHeight: tileColumn.implicitHeight + 2 * Theme.spacing
            radius: Theme.radius
            color: Theme.base
            border.color: Theme.separator

            ColumnLayout {
                id: tileColumn
                anchors.fill: parent
                anchors.margins: Theme.spacing
                spacing: Theme.spacingTiny
                Label {
                    text: tile.modelData.label
                    font.pointSize: Theme.fontSizeSmall
                    color: Theme.mutedText
                }
                Label {
                    objectName: "tileValue"
                    text: tile.modelData.value
                    font.bold: true
                    font.pointSize: Theme.fontSizeTitle
                    elide: Text.ElideRight
                    Layout.fillWidth: true
                }
            }
        }
    }
}
