import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Arbor
import Arbor.Ui

/**
 * @brief Shows Errors.text until the user dismisses it (or the next action clears it).
 */
Rectangle {
    id: banner

    objectName: "errorBanner"
    visible: Errors.text.length > 0
    implicitHeight: visible ? row.implicitHeight + 2 * Theme.spacing : 0
    color: Theme.errorBackground
    Accessible.role: Accessible.AlertMessage
    Accessible.name: Errors.text

    RowLayout {
        id: row

        anchors.fill: parent
        anchors.leftMargin: Theme.spacingLarge
        anchors.rightMargin: Theme.spacing
        spacing: Theme.spacing

        Label {
            objectName: "errorText"
            Layout.fillWidth: true
            text: Errors.text
            color: Theme.error
            wrapMode: Text.Wrap
            textFormat: Text.PlainText
        }

        Button {
            objectName: "dismissErrorButton"
            text: qsTr("Dismiss")
            flat: true
            focusPolicy: Qt.TabFocus
            onClicked: Errors.dismiss()

            FocusRing {}
        }
    }
}
