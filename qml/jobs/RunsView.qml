import QtQuick
import QtQuick.Controls
import QtQuick.Dialogs
import QtQuick.Layouts
import Arbor
import Arbor.Ui

/**
 * @brief Batch runs (the jobs page's second tab): a new run from a template and a CSV or JSONL
 * file, every run with its progress, rate, ETA and actions, and the selected run's results.
 * Progress is pushed by the backend's run monitor (every second while a run runs).
 */
Flickable {
    id: runsPage

    readonly property BatchRuns runs: App.batchRuns

    contentHeight: content.implicitHeight
    clip: true

    // The list to run: picked here, or typed into the path field beside the button.
    FileDialog {
        id: inputDialog
        objectName: "runInputDialog"
        title: qsTr("Choose the list to run")
        fileMode: FileDialog.OpenFile
        // Made before the page is in a window: it would not find one itself.
        parentWindow: runsPage.Window.window
        nameFilters: [qsTr("Lists (*.csv *.jsonl *.ndjson)"), qsTr("All files (*)")]
        onAccepted: if (runsPage.runs) inputPath.text = runsPage.runs.localPath(selectedFile)
    }
    ScrollBar.vertical: ScrollBar {}

    Connections {
        target: runsPage.runs
        function onActionFailed(message) {
            notice.text = message
        }
        function onCreated(id) {
            notice.text = ""
        }
    }

    ColumnLayout {
        id: content
        width: runsPage.width
        spacing: Theme.spacingLarge

        // A new run.
        Rectangle {
            Layout.fillWidth: true
            implicitHeight: form.implicitHeight + 2 * Theme.spacing
            radius: Theme.radius
            color: Theme.base
            border.color: Theme.separator

            GridLayout {
                id: form
                anchors.fill: parent
                anchors.margins: Theme.spacing
                columns: 2
                columnSpacing: Theme.spacing
                rowSpacing: Theme.spacingSmall

                Label {
                    Layout.columnSpan: 2
                    text: qsTr("New run: a template with {{column}} variables over a CSV (with a header row) or JSONL list")
                    font.bold: true
                    wrapMode: Text.Wrap
                    Layout.fillWidth: true
                }
                Label { text: qsTr("Name") }
                TextField {
                    id: runName
                    objectName: "runName"
                    Layout.fillWidth: true
                    placeholderText: qsTr("Optional: the file's name")
                }
                Label { text: qsTr("List file") }
                RowLayout {
                    Layout.fillWidth: true
                    TextField {
                        id: inputPath
                        objectName: "runInput"
                        Layout.fillWidth: true
                        placeholderText: qsTr("/path/to/list.csv or .jsonl")
                    }
                    Button {
                        objectName: "chooseInputButton"
                        text: qsTr("Choose…")
                        onClicked: inputDialog.open()

                        FocusRing {}
                    }
                }
                Label { text: qsTr("Models") }
                TextField {
                    id: runModels
                    objectName: "runModels"
                    Layout.fillWidth: true
                    text: "demo/demo"
                    placeholderText: qsTr("provider/model, comma-separated")
                }
                Label { text: qsTr("System") }
                TextField {
                    id: systemPrompt
                    Layout.fillWidth: true
                    placeholderText: qsTr("Optional system prompt")
                }
                Label {
                    text: qsTr("Template")
                    Layout.alignment: Qt.AlignTop
                }
                TextArea {
                    id: templateText
                    objectName: "runTemplate"
                    Layout.fillWidth: true
                    Layout.preferredHeight: Theme.chartHeight / 2
                    wrapMode: TextEdit.Wrap
                    placeholderText: qsTr("Classify this ticket: {{text}}")
                }
                Label {
                    id: notice
                    Layout.fillWidth: true
                    color: Theme.error
                    wrapMode: Text.Wrap
                    text: ""
                }
                RowLayout {
                    Label {
                        text: runsPage.runs ? runsPage.runs.importText : ""
                        color: Theme.mutedText
                    }
                    Button {
                        FocusRing {}
                        objectName: "createRunButton"
                        text: qsTr("Create and start")
                        enabled: runsPage.runs !== null && runsPage.runs.importText === "" && inputPath.text !== "" && templateText.text !== ""
                        onClicked: runsPage.runs.create(runName.text, templateText.text, inputPath.text, runModels.text, systemPrompt.text)
                    }
                }
            }
        }

        Label {
            visible: !runsPage.runs || runsPage.runs.runs.count === 0
            text: qsTr("No batch runs yet.")
            color: Theme.mutedText
        }
        Repeater {
            model: runsPage.runs ? runsPage.runs.runs : null
            delegate: RunCard {
                id: card
                Layout.fillWidth: true
                onSelectRequested: () => runsPage.runs.selectedRun = card.runId
                onActionRequested: action => {
                    if (action === "start")
                        runsPage.runs.start(card.runId)
                    else if (action === "pause")
                        runsPage.runs.pause(card.runId)
                    else if (action === "resume")
                        runsPage.runs.resume(card.runId)
                    else if (action === "retry")
                        runsPage.runs.retryFailed(card.runId)
                    else if (action === "cancel")
                        runsPage.runs.cancel(card.runId)
                }
            }
        }

        RunResults {
            visible: runsPage.runs !== null && runsPage.runs.selectedRun > 0
            Layout.fillWidth: true
            runs: runsPage.runs
        }
    }
}
