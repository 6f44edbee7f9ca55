import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Arbor
import Arbor.Ui

/**
 * @brief Shows App.errorText until the user dismisses it (or the next action clears it).
 */
Rectangle {
    id: banner

    objectName: "errorBanner"
    visible: App.errorText.length > 0
    implicitHeight: visible ? row.implicitHeight + 2 * Theme.spacing : 0
    color: Theme.errorBackground
    Accessible.role: Accessible.AlertMessage
    Accessible.name: App.errorText

    RowLayout {
        id: row

        anchors.fill: parent
        anchors.leftMargin: Theme.spacingLarge
        anchors.rightMargin: Theme.spacing
        spacing: Theme.spacing

        Label {
            objectName: "errorText"
            Layout.fillWidth: true
            text: App.errorText
            color: Theme.error
            wrapMode: Text.Wrap
            textFormat: Text.PlainText
        }

        Button {
            objectName: "dismissErrorButton"
            text: qsTr("Dismiss")
            flat: true
            onClicked: App.dismissError()
        }
    }
}
