import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Arbor
import Arbor.Ui

/**
 * @brief Non-modal offer of the local model servers found at start (Ollama, LM Studio, llama.cpp,
 * Jan, vLLM on 127.0.0.1) that are not configured yet: "Found Ollama on 127.0.0.1:11434 — Add".
 */
Rectangle {
    id: banner

    readonly property var settings: App.providerSettings

    objectName: "localServerBanner"
    visible: settings.offers.length > 0
    implicitHeight: visible ? column.implicitHeight + 2 * Theme.spacing : 0
    color: Theme.notice
    Accessible.role: Accessible.AlertMessage
    Accessible.name: qsTr("Local model servers found")

    ColumnLayout {
        id: column

        anchors.fill: parent
        anchors.leftMargin: Theme.spacingLarge
        anchors.rightMargin: Theme.spacing
        anchors.topMargin: Theme.spacing
        anchors.bottomMargin: Theme.spacing
        spacing: Theme.spacing

        Repeater {
            model: banner.settings.offers

            delegate: RowLayout {
                id: offerRow

                required property var modelData

                Layout.fillWidth: true
                spacing: Theme.spacing

                Label {
                    objectName: "localServerOffer"
                    Layout.fillWidth: true
                    text: qsTr("Found %1 on %2 · %n model(s)", "", offerRow.modelData.models.length)
                          .arg(offerRow.modelData.name).arg(offerRow.modelData.address)
                    textFormat: Text.PlainText
                    wrapMode: Text.Wrap
                }
                Button {
                    objectName: "addLocalServerButton"
                    text: qsTr("Add")
                    enabled: !App.providerSettings.busy
                    Accessible.name: qsTr("Add %1 as a provider").arg(offerRow.modelData.name)
                    onClicked: App.providerSettings.addDiscovered(offerRow.modelData.index)

                    FocusRing {}
                }
            }
        }

        Button {
            objectName: "dismissLocalServersButton"
            Layout.alignment: Qt.AlignRight
            text: qsTr("Not now")
            flat: true
            onClicked: banner.settings.dismissOffers()

            FocusRing {}
        }
    }
}
