import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Arbor
import Arbor.Ui

/**
 * @brief The selected run's results, rows × models: a filter (all, failed, rows where the
 * models differ), a search, each row's input and every model's result; a row's detail shows
 * the whole texts, and "Open as conversation" makes it an ordinary conversation.
 */
ColumnLayout {
    id: resultsView

    required property BatchRuns runs
    property var detail: null

    spacing: Theme.spacing

    RowLayout {
        Layout.fillWidth: true
        spacing: Theme.spacing
        Label {
            text: qsTr("Results of run #%1").arg(resultsView.runs.selectedRun)
            font.bold: true
        }
        ComboBox {
            objectName: "runFilter"
            model: [qsTr("All rows"), qsTr("Failed"), qsTr("Models differ")]
            currentIndex: resultsView.runs.filter
            onActivated: index => resultsView.runs.filter = index
        }
        TextField {
            objectName: "runSearch"
            Layout.fillWidth: true
            placeholderText: qsTr("Search inputs and results")
            onTextEdited: resultsView.runs.search = text
        }
    }

    Label {
        visible: resultsView.runs.rows.length === 0
        text: qsTr("No rows.")
        color: Theme.mutedText
    }

    Repeater {
        model: resultsView.runs.rows
        delegate: Rectangle {
            id: rowItem
            required property var modelData
            Layout.fillWidth: true
            implicitHeight: rowColumn.implicitHeight + 2 * Theme.spacingSmall
            radius: Theme.radius
            color: Theme.base
            border.color: Theme.separator

            TapHandler {
                onTapped: () => resultsView.detail = rowItem.modelData
            }

            ColumnLayout {
                id: rowColumn
                anchors.fill: parent
                anchors.margins: Theme.spacingSmall
                spacing: Theme.spacingSmall
                Label {
                    Layout.fillWidth: true
                    text: qsTr("Row %1 (line %2): %3").arg(rowItem.modelData.rowNo + 1).arg(rowItem.modelData.line).arg(rowItem.modelData.input.join(" · "))
                    elide: Text.ElideRight
                    maximumLineCount: 1
                }
                Repeater {
                    model: rowItem.modelData.results
                    delegate: RowLayout {
                        id: resultItem
                        required property var modelData
                        required property int index
                        Layout.fillWidth: true
                        spacing: Theme.spacing
                        Label {
                            text: resultItem.modelData.model
                            color: Theme.mutedText
                            Layout.preferredWidth: Theme.queueCardWidth / 2
                            elide: Text.ElideRight
                        }
                        Label {
                            text: resultItem.modelData.failed ? resultItem.modelData.error : resultItem.modelData.text
                            color: resultItem.modelData.failed ? Theme.error : Theme.text
                            Layout.fillWidth: true
                            elide: Text.ElideRight
                            maximumLineCount: 1
                        }
                        Label {
                            text: resultItem.modelData.status
                            color: Theme.mutedText
                        }
                    }
                }
            }
        }
    }

    // The detail of the row last clicked.
    Rectangle {
        visible: resultsView.detail !== null
        Layout.fillWidth: true
        implicitHeight: detailColumn.implicitHeight + 2 * Theme.spacing
        radius: Theme.radius
        color: Theme.base
        border.color: Theme.accent

        ColumnLayout {
            id: detailColumn
            anchors.fill: parent
            anchors.margins: Theme.spacing
            spacing: Theme.spacingSmall
            Label {
                text: resultsView.detail ? qsTr("Row %1, line %2").arg(resultsView.detail.rowNo + 1).arg(resultsView.detail.line) : ""
                font.bold: true
            }
            Repeater {
                model: resultsView.detail ? resultsView.detail.fields : []
                delegate: Label {
                    required property string modelData
                    Layout.fillWidth: true
                    text: modelData
                    wrapMode: Text.Wrap
                }
            }
            Repeater {
                model: resultsView.detail ? resultsView.detail.results : []
                delegate: ColumnLayout {
                    id: detailResult
                    required property var modelData
                    required property int index
                    Layout.fillWidth: true
                    RowLayout {
                        Layout.fillWidth: true
                        Label {
                            text: detailResult.modelData.model + " · " + detailResult.modelData.status + " · " + detailResult.modelData.tokens + " · " + detailResult.modelData.cost
                            font.bold: true
                            Layout.fillWidth: true
                            elide: Text.ElideRight
                        }
                        Button {
                            FocusRing {}
                            objectName: "openAsConversation"
                            enabled: detailResult.modelData.canOpen
                            text: qsTr("Open as conversation")
                            onClicked: () => resultsView.runs.openRow(resultsView.detail.rowNo, detailResult.index)
                        }
                    }
                    TextEdit {
                        Layout.fillWidth: true
                        readOnly: true
                        selectByMouse: true
                        wrapMode: TextEdit.Wrap
                        color: detailResult.modelData.failed ? Theme.error : Theme.text
                        text: detailResult.modelData.failed ? detailResult.modelData.error : detailResult.modelData.text
                    }
                }
            }
        }
    }
}
