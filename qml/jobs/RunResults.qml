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
    id: results

    required property BatchRuns runs
    property var detail: null

    spacing: Theme.spacing

    RowLayout {
        Layout.fillWidth: true
        spacing: Theme.spacing
        Label {
            text: qsTr("Results of run #%1").arg(results.runs.selectedRun)
            font.bold: true
        }
        ComboBox {
            objectName: "runFilter"
            model: [qsTr("All rows"), qsTr("Failed"), qsTr("Models differ")]
            currentIndex: results.runs.filter
            onActivated: index => results.runs.filter = index
        }
        TextField {
            objectName: "runSearch"
            Layout.fillWidth: true
            placeholderText: qsTr("Search inputs and results")
            onTextEdited: results.runs.search = text
        }
    }

    Label {
        visible: results.runs.rows.length === 0
        text: qsTr("No rows.")
        color: Theme.mutedText
    }

    Repeater {
        model: results.runs.rows
        delegate: Rectangle {
            id: rowItem
            required property var modelData
            Layout.fillWidth: true
            implicitHeight: rowColumn.implicitHeight + 2 * Theme.spacingSmall
            radius: Theme.radius
            color: results.detail && results.detail.rowNo === modelData.rowNo ? Theme.selection : Theme.base
            border.color: Theme.separator

            TapHandler {
                onTapped: results.detail = rowItem.modelData
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
                            text: results.runs.models[resultItem.index] ?? ""
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
        visible: results.detail !== null
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
                text: results.detail ? qsTr("Row %1, line %2").arg(results.detail.rowNo + 1).arg(results.detail.line) : ""
                font.bold: true
            }
            Repeater {
                model: results.detail ? results.runs.columns : []
                delegate: Label {
                    required property string modelData
                    required property int index
                    Layout.fillWidth: true
                    text: modelData + ": " + (results.detail.input[index] ?? "")
                    wrapMode: Text.Wrap
                }
            }
            Repeater {
                model: results.detail ? results.detail.results : []
                delegate: ColumnLayout {
                    id: detailResult
                    required property var modelData
                    required property int index
                    Layout.fillWidth: true
                    RowLayout {
                        Layout.fillWidth: true
                        Label {
                            text: (results.runs.models[detailResult.index] ?? "") + " · " + detailResult.modelData.status + " · " + detailResult.modelData.tokens + " · " + detailResult.modelData.cost
                            font.bold: true
                            Layout.fillWidth: true
                            elide: Text.ElideRight
                        }
                        Button {
                            objectName: "openAsConversation"
                            enabled: detailResult.modelData.canOpen
                            text: qsTr("Open as conversation")
                            onClicked: results.runs.openRow(results.detail.rowNo, detailResult.index)
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
