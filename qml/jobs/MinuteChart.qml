import QtQuick
import QtQuick.Controls
import Arbor.Ui

/**
 * @brief A per-minute bar chart over the last hour, drawn with Canvas. `series` is the
 * dashboard's list of buckets; `keys` names the values stacked in each bar, `colors` their colours.
 */
Item {
    id: chart

    property string title
    property var series: []
    property var keys: ["done"]
    property var colors: [Theme.highlight]
    property string unit: ""

    readonly property real maximum: {
        let m = 0
        for (const b of series) {
            let sum = 0
            for (const k of keys)
                sum += b[k] || 0
            m = Math.max(m, sum)
        }
        return m
    }

    implicitHeight: Theme.chartHeight

    Label {
        id: heading
        text: chart.title + "  ·  " + qsTr("peak %1%2").arg(Math.round(chart.maximum)).arg(chart.unit)
        font.pointSize: Theme.fontSizeSmall
        color: Theme.mutedText
    }

    Canvas {
        id: canvas
        anchors.top: heading.bottom
        anchors.topMargin: Theme.spacingSmall
        anchors.left: parent.left
        anchors.right: parent.right
        anchors.bottom: parent.bottom

        onPaint: {
            const ctx = getContext("2d")
            ctx.reset()
            ctx.fillStyle = Theme.base
            ctx.fillRect(0, 0, width, height)
            const n = chart.series.length
            if (n === 0)
                return
            const top = Math.max(1, chart.maximum)
            const barWidth = width / n
            for (let i = 0; i < n; ++i) {
                let y = height
                for (let k = 0; k < chart.keys.length; ++k) {
                    const v = chart.series[i][chart.keys[k]] || 0
                    const h = v / top * (height - 2)
                    ctx.fillStyle = chart.colors[k % chart.colors.length]
                    ctx.fillRect(i * barWidth + 1, y - h, Math.max(1, barWidth - 2), h)
                    y -= h
                }
            }
            ctx.strokeStyle = Theme.separator
            ctx.beginPath()
            ctx.moveTo(0, height - 0.5)
            ctx.lineTo(width, height - 0.5)
            ctx.stroke()
        }
    }

    onSeriesChanged: canvas.requestPaint()
    onWidthChanged: canvas.requestPaint()
    onHeightChanged: canvas.requestPaint()
}
