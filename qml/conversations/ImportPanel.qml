import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Arbor
import Arbor.Ui

/**
 * @brief The sidebar's import panel (issue 18): the progress of a running import (conversations
 * done of the file's), then its summary — imported, skipped with reasons, errors — until
 * dismissed. The import itself is a job: closing the window does not lose it.
 */
Rectangle {
    id: panel

    readonly property ImportController imports: App.imports

    objectName: "importPanel"
    visible: imports.shown
    implicitHeight: column.implicitHeight + 2 * Theme.spacing
    color: Theme.sidebar

    ColumnLayout {
        id: column

        anchors.fill: parent
        anchors.margins: Theme.spacing
        spacing: Theme.spacingSmall

        RowLayout {
            Layout.fillWidth: true

            Label {
                Layout.fillWidth: true
                elide: Text.ElideMiddle
                font.bold: true
                text: panel.imports.running ? qsTr("Importing %1").arg(panel.imports.fileName)
                                            : qsTr("Import of %1").arg(panel.imports.fileName)
            }

            IconButton {
                objectName: "dismissImportButton"
                iconName: "x"
                text: qsTr("Dismiss")
                visible: !panel.imports.running
                onClicked: panel.imports.dismiss()
            }
        }

        ProgressBar {
            objectName: "importProgress"
            Layout.fillWidth: true
            visible: panel.imports.running
            indeterminate: panel.imports.total < 0
            from: 0
            to: Math.max(1, panel.imports.total)
            value: panel.imports.done
        }

        Label {
            objectName: "importSummary"
            Layout.fillWidth: true
            wrapMode: Text.Wrap
            color: panel.imports.failed ? Theme.error : Theme.mutedText
            text: panel.imports.running
                  ? (panel.imports.total < 0 ? qsTr("Reading the file…")
                                             : qsTr("%1 of %2 conversations").arg(panel.imports.done).arg(panel.imports.total))
                  : panel.imports.summary
        }

        Repeater {
            model: panel.imports.running ? [] : panel.imports.details

            Label {
                required property string modelData

                Layout.fillWidth: true
                wrapMode: Text.Wrap
                maximumLineCount: 3
                elide: Text.ElideRight
                font.pointSize: Theme.fontSizeSmall
                color: Theme.mutedText
                text: modelData
            }
        }
    }
}
