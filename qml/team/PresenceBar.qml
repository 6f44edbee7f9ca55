import QtQuick
import QtQuick.Controls
import Arbor
import Arbor.Ui

/**
 * @brief Initials of the teammates who have the open conversation in front of them; a ring marks
 * whoever is typing.
 */
Row {
    id: bar

    objectName: "presenceBar"
    spacing: -Theme.spacingSmall // overlapping, like a stack of avatars
    visible: App.sync.presence.here.length > 0
    Accessible.role: Accessible.List
    Accessible.name: qsTr("In this conversation")

    Repeater {
        model: App.sync.presence.here

        delegate: Rectangle {
            id: avatar

            required property var modelData

            width: Theme.fontSize * 2.4
            height: width
            radius: width / 2
            color: Theme.chip
            border.width: avatar.modelData.typing ? Theme.focusFrameWidth : Theme.hairline
            border.color: avatar.modelData.typing ? Theme.highlight : Theme.window
            Accessible.role: Accessible.StaticText
            Accessible.name: avatar.modelData.typing ? qsTr("%1 is typing").arg(avatar.modelData.user)
                                                     : qsTr("%1 is here").arg(avatar.modelData.user)

            Label {
                anchors.centerIn: parent
                text: avatar.modelData.initials
                font.pointSize: Theme.fontSizeSmall
                font.bold: true
            }

            HoverHandler {
                id: hover
            }

            ToolTip.visible: hover.hovered
            ToolTip.delay: 300
            ToolTip.text: avatar.Accessible.name
        }
    }
}
