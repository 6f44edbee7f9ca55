import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Arbor
import Arbor.Ui

/**
 * @brief Which MCP tool servers this conversation uses: each server as set in Settings → Tools
 * (its global setting) unless turned on or off here, for this conversation alone. A message
 * sent from the composer offers the model the tools of the servers ticked here.
 */
Popup {
    id: picker

    readonly property ConversationTools tools: Chat.conversationTools

    objectName: "toolsPicker"
    modal: true
    focus: true
    padding: Theme.spacingLarge
    width: Math.min(parent ? parent.width : 500, Math.round(380 * Theme.fontScale))

    // HACK: without `pragma ComponentBehavior: Bound` (Qt 6.5) qmllint cannot know that the
    // delegates below only ever live here, where `picker` is in scope.
    // qmllint disable unqualified
    ColumnLayout {
        width: picker.availableWidth
        spacing: Theme.spacing

        Label {
            text: qsTr("Tools in this conversation")
            font.pointSize: Theme.fontSizeTitle
        }

        Repeater {
            model: picker.tools.servers
            delegate: RowLayout {
                required property var modelData
                Layout.fillWidth: true
                CheckBox {
                    objectName: "toolServer_" + modelData.name
                    Layout.fillWidth: true
                    text: modelData.name
                    checked: modelData.enabled
                    onToggled: picker.tools.setEnabled(modelData.name, checked)
                }
                Label {
                    text: modelData.overridden ? qsTr("this conversation")
                                               : (modelData.global ? qsTr("on everywhere") : qsTr("off everywhere"))
                    color: Theme.mutedText
                }
                Button {
                    objectName: "toolServerReset_" + modelData.name
                    visible: modelData.overridden
                    text: qsTr("As everywhere")
                    onClicked: picker.tools.useGlobal(modelData.name)
                }
            }
        }
        Label {
            visible: picker.tools.servers.length === 0
            Layout.fillWidth: true
            wrapMode: Text.Wrap
            text: qsTr("No tool servers yet: add them in Settings → Tools.")
        }
    }
    // qmllint enable unqualified
}
