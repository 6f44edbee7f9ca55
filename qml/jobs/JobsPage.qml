import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Arbor
import Arbor.Ui

/**
 * @brief The job dashboard (Ctrl+J): tiles, queues with their counts and live rate-limit state,
 * throughput and wait-time charts per queue over an hour, two days or 90 days, failed jobs with
 * every attempt's error (bulk retry and discard of the selected or filtered ones), recent jobs
 * with their tags (a click filters by one), and a job's attempts on a timeline. The engine's
 * job signals push its updates while shown. Ctrl+J or Close hides it again.
 */
Rectangle {
    id: page

    signal closeRequested()

    readonly property JobsDashboard dashboard: App.jobs
    /// The failed jobs ticked for a bulk action: {id: true}.
    property var selection: ({})
    readonly property var selectedIds: Object.keys(selection).map(Number)

    function toggle(id, on) {
        const s = Object.assign({}, selection)
        if (on)
            s[id] = true
        else
            delete s[id]
        selection = s
    }

    color: Theme.window

    Binding {
        target: page.dashboard
        property: "active"
        value: page.visible
        when: page.dashboard !== null
    }

    Keys.onEscapePressed: page.closeRequested()

    // An overlay: clicks, the wheel and hovering stop here and never reach the chat under it.
    MouseArea {
        objectName: "jobsPageBlocker"
        anchors.fill: parent
        acceptedButtons: Qt.AllButtons
        hoverEnabled: true
        onWheel: wheel => wheel.accepted = true
    }

    Connections {
        target: page.dashboard
        function onActionFailed(message) {
            notice.text = message
        }
        function onBulkDone(message) {
            notice.text = message
            page.selection = ({})
        }
    }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: Theme.spacingLarge
        spacing: Theme.spacing

        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.spacing
            TabBar {
                id: tabs
                objectName: "jobsTabs"
                TabButton {
                    FocusRing {}
                    text: qsTr("Jobs")
                    width: implicitWidth
                }
                TabButton {
                    FocusRing {}
                    objectName: "runsTab"
                    text: qsTr("Batch runs")
                    width: implicitWidth
                }
            }
            Item {
                Layout.fillWidth: true
            }
            Label {
                id: notice
                color: Theme.error
            }
            IconButton {
                objectName: "closeJobsButton"
                iconName: "x"
                text: qsTr("Close the jobs")
                shortcut: "Ctrl+J"
                onClicked: page.closeRequested()
            }
        }

        StackLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            currentIndex: tabs.currentIndex

            Flickable {
                contentHeight: content.implicitHeight
                clip: true
                ScrollBar.vertical: ScrollBar {}

                ColumnLayout {
                    id: content
                    width: parent.width
                    spacing: Theme.spacingLarge

                    OverviewTiles {
                        Layout.fillWidth: true
                        overview: page.dashboard ? page.dashboard.overview : ({})
                    }

                    Flow {
                        Layout.fillWidth: true
                        spacing: Theme.spacing
                        Repeater {
                            model: page.dashboard ? page.dashboard.queues : null
                            delegate: QueueCard {
                                onPauseToggled: (name, paused) => page.dashboard.setPaused(name, paused)
                            }
                        }
                        Label {
                            visible: !page.dashboard || page.dashboard.queues.count === 0
                            text: qsTr("No jobs yet.")
                            color: Theme.mutedText
                        }
                    }

                    RowLayout {
                        Layout.fillWidth: true
                        Label {
                            text: qsTr("History")
                            font.bold: true
                            Layout.fillWidth: true
                        }
                        TabBar {
                            id: rangeTabs
                            objectName: "rangeTabs"
                            currentIndex: page.dashboard ? page.dashboard.range : 0
                            onCurrentIndexChanged: if (page.dashboard) page.dashboard.range = currentIndex
                            TabButton {
                                FocusRing {}
                                text: qsTr("Hour")
                                width: implicitWidth
                            }
                            TabButton {
                                FocusRing {}
                                text: qsTr("2 days")
                                width: implicitWidth
                            }
                            TabButton {
                                FocusRing {}
                                text: qsTr("90 days")
                                width: implicitWidth
                            }
                        }
                    }
                    QueueCharts {
                        Layout.fillWidth: true
                        series: page.dashboard ? page.dashboard.queueSeries : []
                        range: page.dashboard ? page.dashboard.range : 0
                    }

                    RowLayout {
                        objectName: "filterBar"
                        Layout.fillWidth: true
                        visible: page.dashboard !== null && page.dashboard.filterTag !== ""
                        Label {
                            objectName: "filterLabel"
                            text: page.dashboard ? qsTr("Only jobs with %1: %2").arg(page.dashboard.filterTag).arg(page.dashboard.filterValue) : ""
                            Layout.fillWidth: true
                            elide: Text.ElideRight
                        }
                        Button {
                            objectName: "clearFilterButton"
                            text: qsTr("Show all")
                            onClicked: page.dashboard.setFilter("", "")

                            FocusRing {}
                        }
                    }

                    RowLayout {
                        Layout.fillWidth: true
                        spacing: Theme.spacing
                        Label {
                            text: qsTr("Failed jobs")
                            font.bold: true
                            Layout.fillWidth: true
                        }
                        Button {
                            objectName: "retrySelectedButton"
                            enabled: page.selectedIds.length > 0
                            text: qsTr("Retry selected (%1)").arg(page.selectedIds.length)
                            onClicked: page.dashboard.retryJobs(page.selectedIds)

                            FocusRing {}
                        }
                        Button {
                            objectName: "discardSelectedButton"
                            enabled: page.selectedIds.length > 0
                            text: qsTr("Discard selected")
                            onClicked: page.dashboard.discardJobs(page.selectedIds)

                            FocusRing {}
                        }
                        Button {
                            objectName: "retryAllFailedButton"
                            enabled: page.dashboard !== null && page.dashboard.failedJobs.count > 0
                            text: page.dashboard && page.dashboard.filterTag !== "" ? qsTr("Retry all shown") : qsTr("Retry all")
                            onClicked: page.dashboard.retryFiltered()

                            FocusRing {}
                        }
                        Button {
                            objectName: "discardAllFailedButton"
                            enabled: page.dashboard !== null && page.dashboard.failedJobs.count > 0
                            text: page.dashboard && page.dashboard.filterTag !== "" ? qsTr("Discard all shown") : qsTr("Discard all")
                            onClicked: page.dashboard.discardFiltered()

                            FocusRing {}
                        }
                    }
                    Label {
                        visible: !page.dashboard || page.dashboard.failedJobs.count === 0
                        text: qsTr("No failed jobs.")
                        color: Theme.mutedText
                    }
                    Repeater {
                        model: page.dashboard ? page.dashboard.failedJobs : null
                        delegate: JobRow {
                            Layout.fillWidth: true
                            showErrors: true
                            selectable: true
                            onSelectionToggled: (id, on) => page.toggle(id, on)
                            onTagClicked: (tag, value) => page.dashboard.setFilter(tag, value)
                            onDetailRequested: id => page.dashboard.showJob(id)
                            onRetryRequested: id => page.dashboard.retry(id)
                            onDiscardRequested: id => page.dashboard.discard(id)
                            onCancelRequested: id => page.dashboard.cancel(id)
                        }
                    }

                    Label {
                        text: qsTr("Recent jobs")
                        font.bold: true
                    }
                    Repeater {
                        model: page.dashboard ? page.dashboard.recentJobs : null
                        delegate: JobRow {
                            Layout.fillWidth: true
                            onTagClicked: (tag, value) => page.dashboard.setFilter(tag, value)
                            onDetailRequested: id => page.dashboard.showJob(id)
                            onRetryRequested: id => page.dashboard.retry(id)
                            onDiscardRequested: id => page.dashboard.discard(id)
                            onCancelRequested: id => page.dashboard.cancel(id)
                        }
                    }
                }
            }

            RunsView {
            }
        }
    }

    JobDetailPanel {
        id: detailPanel
        detail: page.dashboard ? page.dashboard.jobDetail : ({})
        onClosed: if (page.dashboard) page.dashboard.showJob(0)
    }
}
