import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Arbor.Ui

/**
 * @brief Throughput and wait-time charts per queue ("" = all queues first), from the history the
 * engine keeps as jobs end (JobsDashboard.queueSeries). `range`: 0 an hour by minute, 1 two days
 * by half hour, 2 ninety days by day.
 */
ColumnLayout {
    id: charts

    property var series: []
    property int range: 0

    readonly property string bucketName: range === 0 ? qsTr("minute")
                                         : range === 1 ? qsTr("half hour") : qsTr("day")

    spacing: Theme.spacing

    Repeater {
        // Each chart's title travels with its data: a delegate reads only its own row.
        model: charts.series.map(s => Object.assign({ title: qsTr("Jobs finished per %1 (done, failed)").arg(charts.bucketName) }, s))
        delegate: ColumnLayout {
            id: queueCharts

            required property var modelData

            objectName: "queueCharts"
            Layout.fillWidth: true
            spacing: Theme.spacingSmall

            Label {
                text: queueCharts.modelData.queue === "" ? qsTr("All queues")
                                                         : queueCharts.modelData.queue
                font.bold: true
            }
            RowLayout {
                Layout.fillWidth: true
                spacing: Theme.spacingLarge
                MinuteChart {
                    Layout.fillWidth: true
                    Layout.preferredHeight: Theme.chartHeight
                    title: queueCharts.modelData.title
                    series: queueCharts.modelData.buckets
                    keys: ["done", "failed"]
                    colors: [Theme.assistantNode, Theme.error]
                }
                MinuteChart {
                    Layout.fillWidth: true
                    Layout.preferredHeight: Theme.chartHeight
                    title: qsTr("Average wait from due to start")
                    series: queueCharts.modelData.buckets
                    keys: ["avgWaitMs"]
                    colors: [Theme.highlight]
                    unit: qsTr(" ms")
                }
            }
        }
    }
}
