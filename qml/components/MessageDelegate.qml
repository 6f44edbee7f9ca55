import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Arbor.Ui

/**
 * @brief One message of the visible thread: author, status, label, text, error, branch position
 * and the actions on it.
 *
 * Every role of App.thread arrives as a required property. While a reply is live its text is
 * shown as plain text (cheap to update on every coalesced flush); once it settles it is rendered
 * once as Markdown. The row only reports what the user asked for; MessageList calls App.
 */
Item {
    id: message

    required property int index
    required property string messageId
    required property string messageRole
    required property string messageAuthor
    required property string messageContent
    required property string messageStatus
    required property string messageError
    required property string messageModel
    required property string messageLabel
    required property bool isLive
    required property int siblingIndex
    required property int siblingCount

    /// Set by the list while this message is edited inline.
    property bool editing: false
    /// Set by the list: this is the keyboard's message (or the target of a jump).
    property bool framed: false

    readonly property bool isUser: messageRole === "user"
    /// Chip text for the states worth pointing out; a complete message has none.
    readonly property string statusLabel: ({
            "queued": qsTr("Queued"),
            "streaming": qsTr("Writing…"),
            "cancelled": qsTr("Stopped"),
            "error": qsTr("Failed"),
            "interrupted": qsTr("Interrupted")
        })[messageStatus] ?? ""

    /// One of "copy", "edit", "regenerate", "label" (see MessageToolbar).
    signal actionRequested(string action)
    /// The actions menu was asked for, at the pointer (right click) or under the "⋯" button.
    signal menuRequested(bool atPointer)
    signal switchRequested(int delta)
    signal editSaved(string text, bool reply)
    signal editCancelled

    implicitHeight: column.implicitHeight + 2 * Theme.spacingSmall

    HoverHandler {
        id: hover
    }

    TapHandler {
        acceptedButtons: Qt.RightButton
        onTapped: message.menuRequested(true)
    }

    Rectangle {
        // Focus frame of the keyboard's message; the rows themselves never take focus.
        objectName: "messageFocusFrame"
        x: column.x - Theme.spacing
        width: column.width + 2 * Theme.spacing
        height: parent.height
        visible: message.framed
        color: "transparent"
        border.width: 2
        border.color: Theme.highlight
        radius: Theme.radius
    }

    ColumnLayout {
        id: column

        readonly property real bubblePadding: message.isUser ? Theme.spacing + Theme.spacingSmall : 0

        width: Math.min(message.width - 2 * Theme.spacingLarge, Theme.readableWidth)
        x: (message.width - width) / 2
        y: Theme.spacingSmall
        spacing: Theme.spacingSmall

        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.spacing
            layoutDirection: message.isUser ? Qt.RightToLeft : Qt.LeftToRight

            Label {
                text: message.messageAuthor
                color: Theme.mutedText
                font.bold: true
                font.pointSize: Theme.fontSizeSmall
                elide: Text.ElideRight
                Layout.maximumWidth: column.width / 2
            }

            Label {
                objectName: "statusChip"
                text: message.statusLabel
                visible: text.length > 0
                color: message.messageStatus === "error" ? Theme.error : Theme.text
                font.pointSize: Theme.fontSizeSmall
                leftPadding: Theme.spacing
                rightPadding: Theme.spacing
                topPadding: 1
                bottomPadding: 1
                background: Rectangle {
                    radius: height / 2
                    color: Theme.chip
                }
            }

            Label {
                objectName: "labelChip"
                text: message.messageLabel
                visible: text.length > 0
                textFormat: Text.PlainText
                elide: Text.ElideRight
                Layout.maximumWidth: column.width / 3
                font.pointSize: Theme.fontSizeSmall
                leftPadding: Theme.spacing
                rightPadding: Theme.spacing
                topPadding: 1
                bottomPadding: 1
                Accessible.name: qsTr("Label: %1").arg(text)
                background: Rectangle {
                    radius: Theme.radiusSmall
                    color: Theme.labelChip
                }

                TapHandler {
                    onTapped: message.actionRequested("label")
                }
            }

            Item {
                Layout.fillWidth: true
            }

            MessageToolbar {
                isUser: message.isUser
                isLive: message.isLive
                canContinue: !message.isUser && !message.isLive && message.messageContent.length > 0
                             && (message.messageStatus === "interrupted" || message.messageStatus === "cancelled"
                                 || message.messageStatus === "error")
                // Always laid out, so the header does not jump when the pointer passes.
                opacity: hover.hovered || message.framed ? 1 : 0
                enabled: opacity > 0 && !message.editing
                onActionRequested: action => {
                    if (action === "menu")
                        message.menuRequested(false);
                    else
                        message.actionRequested(action);
                }
            }

            SiblingSwitcher {
                visible: message.siblingCount > 1
                siblingIndex: message.siblingIndex
                siblingCount: message.siblingCount
                onSwitchRequested: delta => message.switchRequested(delta)
            }
        }

        Loader {
            Layout.fillWidth: true
            active: message.editing
            visible: active
            sourceComponent: MessageEditor {}
            // Started once the editor is in the scene: while it is being built it cannot take focus.
            onLoaded: {
                const editor = item as MessageEditor;
                editor.saveRequested.connect(message.editSaved);
                editor.cancelled.connect(message.editCancelled);
                editor.start(message.messageContent);
            }
        }

        Rectangle {
            id: bubble

            visible: !message.editing
            Layout.alignment: message.isUser ? Qt.AlignRight : Qt.AlignLeft
            Layout.preferredWidth: messageText.width + 2 * column.bubblePadding
            implicitHeight: messageText.implicitHeight + 2 * column.bubblePadding
            radius: Theme.radius
            color: message.isUser ? Theme.userBubble : "transparent"

            TextEdit {
                id: messageText

                objectName: "messageText"
                x: column.bubblePadding
                y: column.bubblePadding
                // From the row's width, not the bubble's: the bubble gets its width from the
                // layout only after the text has been laid out once, and laying out Markdown
                // (tables above all) at width 0 first made rows briefly very tall, which could
                // keep the view creating and dropping rows.
                width: message.isUser ? Math.min(implicitWidth, column.width * 0.85 - 2 * column.bubblePadding)
                                      : column.width
                text: message.messageContent
                textFormat: message.isLive ? TextEdit.PlainText : TextEdit.MarkdownText
                wrapMode: TextEdit.Wrap
                readOnly: true
                selectByMouse: true
                persistentSelection: false
                color: Theme.text
                selectionColor: Theme.highlight
                selectedTextColor: Theme.highlightedText
                Accessible.role: Accessible.StaticText
                Accessible.name: message.messageAuthor
                Accessible.description: message.messageContent

                // Model output is untrusted: only web links leave the app, nothing local.
                onLinkActivated: link => {
                    if (/^https?:\/\//i.test(link))
                        Qt.openUrlExternally(link);
                }

                HoverHandler {
                    cursorShape: messageText.hoveredLink.length > 0 ? Qt.PointingHandCursor : Qt.IBeamCursor
                }
            }
        }

        Label {
            objectName: "messageError"
            text: message.messageError
            visible: text.length > 0
            color: Theme.error
            wrapMode: Text.Wrap
            Layout.fillWidth: true
            horizontalAlignment: message.isUser ? Text.AlignRight : Text.AlignLeft
        }
    }
}
