import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Arbor.Ui

/** @brief One batch run: name, state, progress, rate and ETA, and the actions it allows. */
Rectangle {
    id: card

    // One per RunListModel role.
    required property var runId
    required property string name
    required property string stateText
    required property real progress
    required property string summary
    required property string rateText
    required property string modelsText
    required property bool canStart
    required property bool canPause
    required property bool canResume
    required property bool canCancel
    required property bool canRetry
    required property bool selected

    signal selectRequested()
    signal actionRequested(string action)

    implicitHeight: column.implicitHeight + 2 * Theme.spacing
    radius: Theme.radius
    color: selected ? Theme.selection : Theme.base
    border.color: Theme.separator

    TapHandler {
        onTapped: card.selectRequested()
    }

    ColumnLayout {
        id: column
        anchors.fill: parent
        anchors.margins: Theme.spacing
        spacing: Theme.spacingSmall

        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.spacing
            Label {
                text: qsTr("#%1 %2").arg(card.runId).arg(card.name)
                font.bold: true
                elide: Text.ElideRight
                Layout.fillWidth: true
            }
            Label {
                text: card.stateText
                color: Theme.mutedText
            }
            Button {
                FocusRing {}
                visible: card.canStart
                text: qsTr("Start")
                onClicked: card.actionRequested("start")
            }
            Button {
                FocusRing {}
                visible: card.canPause
                text: qsTr("Pause")
                onClicked: card.actionRequested("pause")
            }
            Button {
                FocusRing {}
                visible: card.canResume
                text: qsTr("Resume")
                onClicked: card.actionRequested("resume")
            }
            Button {
                FocusRing {}
                visible: card.canRetry
                text: qsTr("Retry failed")
                onClicked: card.actionRequested("retry")
            }
            Button {
                FocusRing {}
                visible: card.canCancel
                text: qsTr("Cancel")
                onClicked: card.actionRequested("cancel")
            }
        }
        ProgressBar {
            Layout.fillWidth: true
            value: card.progress
        }
        RowLayout {
            Layout.fillWidth: true
            Label {
                text: card.summary
                Layout.fillWidth: true
                elide: Text.ElideRight
            }
            Label {
                text: card.rateText
                color: Theme.mutedText
            }
        }
        Label {
            text: card.modelsText
            color: Theme.mutedText
            elide: Text.ElideRight
            Layout.fillWidth: true
        }
    }
}
