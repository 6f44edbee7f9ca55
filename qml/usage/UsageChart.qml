import QtQuick
import QtQuick.Controls
import Arbor.Ui

/**
 * @brief Cost or tokens per day as bars stacked by model, drawn with Canvas (as the jobs charts;
 * Qt Charts' QML types would need a QApplication). `days` is UsageController.days, `key` picks
 * "costs" or "tokens" from each day, the n-th value of a day belongs to the n-th model and gets
 * the n-th colour.
 */
Item {
    id: chart

    property string title
    property var days: []
    property string key: "costs"
    property var colors: []
    /// The values are money: the peak shows with decimals, else as a whole number.
    property bool money: false

    readonly property real maximum: {
        let m = 0;
        for (const d of days) {
            let sum = 0;
            for (const v of d[key])
                sum += v;
            m = Math.max(m, sum);
        }
        return m;
    }

    function formatted(value: real): string {
        if (!money)
            return Math.round(value).toString();
        return value < 1 ? value.toFixed(4) : value.toFixed(2);
    }

    implicitHeight: Theme.chartHeight

    Label {
        id: heading
        text: chart.title + "  ·  " + qsTr("peak %1 a day").arg(chart.formatted(chart.maximum))
        font.pointSize: Theme.fontSizeSmall
        color: Theme.mutedText
    }

    Canvas {
        id: canvas
        objectName: "usageCanvas"
        anchors.top: heading.bottom
        anchors.topMargin: Theme.spacingSmall
        anchors.left: parent.left
        anchors.right: parent.right
        anchors.bottom: parent.bottom

        onPaint: {
            const ctx = getContext("2d");
            ctx.reset();
            ctx.fillStyle = Theme.base;
            ctx.fillRect(0, 0, width, height);
            const n = chart.days.length;
            if (n > 0) {
                const top = chart.maximum > 0 ? chart.maximum : 1;
                const barWidth = width / n;
                for (let i = 0; i < n; ++i) {
                    const values = chart.days[i][chart.key];
                    let y = height;
                    for (let k = 0; k < values.length; ++k) {
                        const h = values[k] / top * (height - 2);
                        if (h <= 0)
                            continue;
                        ctx.fillStyle = chart.colors[k % chart.colors.length];
                        ctx.fillRect(i * barWidth + 1, y - h, Math.max(1, barWidth - 2), h);
                        y -= h;
                    }
                }
            }
            ctx.strokeStyle = Theme.separator;
            ctx.beginPath();
            ctx.moveTo(0, height - 0.5);
            ctx.lineTo(width, height - 0.5);
            ctx.stroke();
        }
    }

    onDaysChanged: canvas.requestPaint()
    onKeyChanged: canvas.requestPaint()
    onWidthChanged: canvas.requestPaint()
    onHeightChanged: canvas.requestPaint()
}
