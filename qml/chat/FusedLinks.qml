import QtQuick
import QtQuick.Controls
import Arbor
import Arbor.Ui

/**
 * @brief Under a fused reply in the thread: the replies it was written from, as links
 * ("reply 1 · Demo"), numbered as the branch switcher counts its siblings; a link shows that
 * reply (Chat.showMessage), a removed one says so.
 */
Flow {
    id: links

    required property string messageId
    required property var fusedFrom
    required property int siblingCount
    /// Tab reaches the links (the message is the keyboard's).
    property bool keyboardReachable: false

    objectName: "fusedLinks"
    spacing: Theme.spacingSmall

    FusedSources {
        id: sources

        messageId: links.messageId
        fusedFrom: links.fusedFrom
        siblingCount: links.siblingCount
    }

    Label {
        text: qsTr("Fused from")
        color: Theme.mutedText
        font.pointSize: Theme.fontSizeSmall
    }

    Repeater {
        model: sources.sources

        // HACK: without `pragma ComponentBehavior: Bound` (Qt 6.5) qmllint cannot know that this
        // delegate only ever lives here, where the ids around it are in scope.
        // qmllint disable unqualified
        delegate: AbstractButton {
            id: link

            required property var modelData
            readonly property bool removed: modelData.number === 0

            objectName: "fusedLink"
            enabled: !removed
            focusPolicy: links.keyboardReachable ? Qt.TabFocus : Qt.NoFocus
            text: removed ? qsTr("a removed reply")
                          : qsTr("reply %1 · %2").arg(modelData.number).arg(modelData.author)
            Accessible.name: removed ? text : qsTr("Show %1").arg(text)
            contentItem: Label {
                text: link.text
                textFormat: Text.PlainText
                color: link.removed ? Theme.mutedText : Theme.link
                font.pointSize: Theme.fontSizeSmall
                font.underline: !link.removed
            }
            background: null
            HoverHandler {
                cursorShape: link.removed ? Qt.ArrowCursor : Qt.PointingHandCursor
            }
            onClicked: Chat.showMessage(modelData.messageId)

            FocusRing {}
        }
        // qmllint enable unqualified
    }
}
