import QtQuick
import QtQuick.Controls
import QtQuick.Dialogs
import QtQuick.Layouts
import Arbor
import Arbor.Ui

/**
 * @brief The Usage page (Ctrl+U): cost and tokens per day for a range of days, stacked by model,
 * the costliest conversations and models, and a CSV export. Everything comes from the totals the
 * store keeps (UsageController), so it opens at once whatever the size of the store. A cost of
 * "—" means no price was known for those replies (Settings has none yet: see arbord prices).
 */
Rectangle {
    id: page

    signal closeRequested()

    readonly property UsageController usage: App.usage
    /// Days shown up to today: 7, 30 or 90; 0: the custom range below.
    property int rangeDays: 30
    /// The custom range, local days "YYYY-MM-DD", both included.
    property string customSince: ""
    property string customUntil: ""
    /// Why the custom range cannot be shown ("" when it can).
    readonly property string rangeError: rangeDays > 0 ? "" : checkRange(customSince, customUntil)
    /// One colour per model, apart from each other and readable on the light and dark palettes.
    readonly property var palette: ["#3b82f6", "#f59e0b", "#10b981", "#ef4444", "#8b5cf6", "#06b6d4",
        "#ec4899", "#84cc16", "#6b7280"]

    function isoDay(date: date): string {
        return Qt.formatDate(date, "yyyy-MM-dd");
    }
    /// Each model of the report with its colour in the charts.
    function legend(): var {
        let out = [];
        const names = usage ? usage.models : [];
        for (let i = 0; i < names.length; ++i)
            out.push({
                name: names[i],
                color: palette[i % palette.length]
            });
        return out;
    }
    /// A real calendar day written "YYYY-MM-DD" (not "2026-02-30").
    function isDay(text: string): bool {
        if (!/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(text))
            return false;
        const d = new Date(text + "T12:00:00");
        return !isNaN(d.getTime()) && isoDay(d) === text;
    }
    function checkRange(since: string, until: string): string {
        if (!isDay(since) || !isDay(until))
            return qsTr("Write both days as YYYY-MM-DD.");
        if (since > until)
            return qsTr("The first day comes after the last.");
        return "";
    }
    function reload() {
        if (!usage)
            return;
        if (rangeDays === 0) {
            if (rangeError === "")
                usage.loadReport(customSince, customUntil);
            return;
        }
        const until = new Date();
        const since = new Date();
        since.setDate(until.getDate() - (rangeDays - 1));
        usage.loadReport(isoDay(since), isoDay(until));
    }

    color: Theme.window
    onVisibleChanged: if (visible) reload()
    onRangeDaysChanged: reload()

    Keys.onEscapePressed: page.closeRequested()
    // Tab stays on the page's controls (the chat under it cannot be seen, so neither may its
    // focus be): from the page into its first control, and round from the last to the first.
    Keys.onTabPressed: rangeBox.forceActiveFocus(Qt.TabFocusReason)
    Keys.onBacktabPressed: closeButton.forceActiveFocus(Qt.BacktabFocusReason)

    // An overlay: clicks, the wheel and hovering stop here and never reach the chat under it.
    MouseArea {
        anchors.fill: parent
        acceptedButtons: Qt.AllButtons
        hoverEnabled: true
        onWheel: wheel => wheel.accepted = true
    }

    FileDialog {
        id: exportDialog
        fileMode: FileDialog.SaveFile
        defaultSuffix: "csv"
        nameFilters: [qsTr("CSV files (*.csv)")]
        onAccepted: notice.text = page.usage.exportCsv(selectedFile) ? qsTr("Exported.") : qsTr("Could not write the file.")
    }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: Theme.spacingLarge
        spacing: Theme.spacing

        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.spacing
            Label {
                text: qsTr("Usage")
                font.pointSize: Theme.fontSizeTitle
                font.bold: true
            }
            Label {
                objectName: "usageTotal"
                text: page.usage ? page.usage.totalText : ""
                color: Theme.mutedText
                Layout.fillWidth: true
                elide: Text.ElideRight
            }
            Label {
                id: notice
                color: Theme.mutedText
            }
            Label {
                objectName: "usageRangeError"
                visible: page.rangeError !== ""
                text: page.rangeError
                color: Theme.error
            }
            ComboBox {
                id: rangeBox
                objectName: "usageRange"
                KeyNavigation.tab: sinceField
                KeyNavigation.backtab: closeButton
                model: [qsTr("Last 7 days"), qsTr("Last 30 days"), qsTr("Last 90 days"), qsTr("Custom range")]
                currentIndex: 1
                onActivated: index => {
                    if (index === 3 && page.customSince === "") {
                        // Start from the range shown until now.
                        const until = new Date();
                        const since = new Date();
                        since.setDate(until.getDate() - (page.rangeDays - 1));
                        page.customSince = page.isoDay(since);
                        page.customUntil = page.isoDay(until);
                    }
                    page.rangeDays = [7, 30, 90, 0][index];
                }
                Accessible.name: qsTr("Date range")
            }
            TextField {
                id: sinceField
                objectName: "usageSince"
                KeyNavigation.tab: untilField
                visible: page.rangeDays === 0
                text: page.customSince
                placeholderText: "YYYY-MM-DD"
                inputMethodHints: Qt.ImhDate
                implicitWidth: 110
                onEditingFinished: {
                    page.customSince = text;
                    page.reload();
                }
                Accessible.name: qsTr("First day")
                ToolTip.visible: hovered
                ToolTip.text: qsTr("First day (included)")
            }
            TextField {
                id: untilField
                objectName: "usageUntil"
                KeyNavigation.tab: exportButton
                visible: page.rangeDays === 0
                text: page.customUntil
                placeholderText: "YYYY-MM-DD"
                inputMethodHints: Qt.ImhDate
                implicitWidth: 110
                onEditingFinished: {
                    page.customUntil = text;
                    page.reload();
                }
                Accessible.name: qsTr("Last day")
                ToolTip.visible: hovered
                ToolTip.text: qsTr("Last day (included)")
            }
            IconButton {
                id: exportButton
                objectName: "exportUsageButton"
                KeyNavigation.tab: closeButton
                iconName: "download"
                text: qsTr("Export as CSV")
                onClicked: exportDialog.open()
            }
            IconButton {
                id: closeButton
                objectName: "closeUsageButton"
                KeyNavigation.tab: rangeBox
                iconName: "x"
                text: qsTr("Close the usage")
                shortcut: "Ctrl+U"
                onClicked: page.closeRequested()
            }
        }

        Flickable {
            Layout.fillWidth: true
            Layout.fillHeight: true
            contentHeight: content.implicitHeight
            clip: true
            ScrollBar.vertical: ScrollBar {}

            ColumnLayout {
                id: content
                width: parent.width
                spacing: Theme.spacingLarge

                UsageChart {
                    objectName: "costChart"
                    Layout.fillWidth: true
                    Layout.preferredHeight: Theme.chartHeight
                    // In one currency; costs in others are in the total and the tables.
                    title: page.usage && page.usage.chartCurrency !== "" ? qsTr("Cost per day, by model, in %1").arg(page.usage.chartCurrency) : qsTr("Cost per day, by model")
                    days: page.usage ? page.usage.days : []
                    key: "costs"
                    colors: page.palette
                    money: true
                }
                UsageChart {
                    objectName: "tokenChart"
                    Layout.fillWidth: true
                    Layout.preferredHeight: Theme.chartHeight
                    title: qsTr("Tokens per day, by model")
                    days: page.usage ? page.usage.days : []
                    key: "tokens"
                    colors: page.palette
                }

                Flow {
                    // The legend: one swatch per model, in the charts' colours.
                    Layout.fillWidth: true
                    spacing: Theme.spacing
                    Repeater {
                        // Each model with its colour, so the delegate needs nothing from outside.
                        model: page.legend()
                        delegate: Row {
                            id: swatch
                            required property var modelData
                            spacing: Theme.spacingSmall
                            Rectangle {
                                width: Theme.legendSwatchSize
                                height: Theme.legendSwatchSize
                                anchors.verticalCenter: parent.verticalCenter
                                color: swatch.modelData.color
                            }
                            Label {
                                text: swatch.modelData.name
                                font.pointSize: Theme.fontSizeSmall
                            }
                        }
                    }
                }

                Label {
                    visible: !page.usage || page.usage.models.length === 0
                    text: qsTr("No replies with usage in these days.")
                    color: Theme.mutedText
                }

                RowLayout {
                    Layout.fillWidth: true
                    spacing: Theme.spacingLarge

                    UsageTable {
                        objectName: "topConversations"
                        Layout.fillWidth: true
                        Layout.alignment: Qt.AlignTop
                        title: qsTr("Top conversations")
                        rows: page.usage ? page.usage.topConversations : []
                        nameKey: "title"
                    }
                    UsageTable {
                        objectName: "topModels"
                        Layout.fillWidth: true
                        Layout.alignment: Qt.AlignTop
                        title: qsTr("Top models")
                        rows: page.usage ? page.usage.topModels : []
                        nameKey: "model"
                    }
                }
            }
        }
    }
}
