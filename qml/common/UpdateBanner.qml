import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Arbor
import Arbor.Ui

/**
 * @brief "Arbor 0.2.0 is available" with its release notes, after an update check the user
 * allowed (UpdateCheck). It opens the notes in the browser and nothing else; Dismiss hides it
 * until a newer version appears.
 */
Rectangle {
    id: banner

    objectName: "updateBanner"
    visible: UpdateCheck.availableVersion.length > 0 && !UpdateCheck.dismissed
    implicitHeight: visible ? row.implicitHeight + 2 * Theme.spacing : 0
    color: Theme.notice
    Accessible.role: Accessible.AlertMessage
    Accessible.name: message.text

    RowLayout {
        id: row

        anchors.fill: parent
        anchors.leftMargin: Theme.spacingLarge
        anchors.rightMargin: Theme.spacing
        spacing: Theme.spacing

        Label {
            id: message

            objectName: "updateText"
            Layout.fillWidth: true
            text: qsTr("Arbor %1 is available. Install it the way you installed Arbor.")
                  .arg(UpdateCheck.availableVersion)
            color: Theme.text
            wrapMode: Text.Wrap
            textFormat: Text.PlainText
        }

        Button {
            objectName: "releaseNotesButton"
            visible: ("" + UpdateCheck.notesUrl).length > 0
            text: qsTr("Release notes")
            flat: true
            focusPolicy: Qt.TabFocus
            onClicked: Qt.openUrlExternally(UpdateCheck.notesUrl)

            FocusRing {}
        }

        Button {
            objectName: "dismissUpdateButton"
            text: qsTr("Dismiss")
            flat: true
            focusPolicy: Qt.TabFocus
            onClicked: UpdateCheck.dismiss()

            FocusRing {}
        }
    }
}
