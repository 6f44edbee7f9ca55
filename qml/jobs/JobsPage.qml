import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Arbor
import Arbor.Ui

/**
 * @brief The job dashboard (Ctrl+J): queues with their counts and rate-limit state, throughput
 * and wait-time charts over the last hour, failed jobs with every attempt's error, recent jobs.
 * It refreshes every 1.5 s while shown. Ctrl+J or Close hides it again.
 */
Rectangle {
    id: page

    signal closeRequested()

    readonly property JobsDashboard dashboard: App.jobs

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
            Label {
                text: page.dashboard && tabs.currentIndex === 0 ? qsTr("%1 jobs/min over the last 5 minutes").arg(page.dashboard.throughputPerMinute.toFixed(1)) : ""
                color: Theme.mutedText
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
                        spacing: Theme.spacingLarge
                        MinuteChart {
                            Layout.fillWidth: true
                            Layout.preferredHeight: Theme.chartHeight
                            title: qsTr("Jobs finished per minute (done, failed)")
                            series: page.dashboard ? page.dashboard.series : []
                            keys: ["done", "failed"]
                            colors: [Theme.assistantNode, Theme.error]
                        }
                        MinuteChart {
                            Layout.fillWidth: true
                            Layout.preferredHeight: Theme.chartHeight
                            title: qsTr("Average wait from due to start")
                            series: page.dashboard ? page.dashboard.series : []
                            keys: ["avgWaitMs"]
                            colors: [Theme.highlight]
                            unit: qsTr(" ms")
                        }
                    }

                    Label {
                        text: qsTr("Failed jobs")
                        font.bold: true
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
}
