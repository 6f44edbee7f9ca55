import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Arbor
import Arbor.Ui

/**
 * @brief One message of the visible thread: author, status, label, branch position and the
 * actions on it, then its text (MessageBody) and, for a reply that failed or paused, what can be
 * done (MessageOutcome).
 *
 * Every role of Chat.thread but the text arrives as a required property. Which actions the message allows
 * comes from its `can…` roles (MessagePolicy in C++); the row shows those and reports the one
 * the user asked for as a MessageAction, and MessageList carries it out. The header keeps the
 * actions in one place: next to the bubble for the user's messages, at the right end for
 * replies, with the branch switcher beside the author, so neither moves when the other appears.
 */
Item {
    id: message

    required property int index
    required property string messageId
    required property string messageRole
    required property string messageAuthor
    /// A MessageStatus value.
    required property int messageStatus
    required property string messageError
    /// A note that is not an error ("" when none): a reply paused at the limit on rounds of
    /// tool calls, which Continue carries on.
    required property string messageNotice
    required property string messageModel
    required property string messageLabel
    required property bool isLive
    required property int siblingIndex
    required property int siblingCount
    required property bool isRetrying
    required property real retryAt
    required property int attempt
    required property int maxAttempts
    required property bool canRetry
    required property bool needsSettings
    required property bool canEdit
    required property bool canRegenerate
    required property bool canContinue
    required property bool canLabel
    required property bool canFork
    required property bool canDelete
    // The model's reasoning ("thinking"), how long it took (-1: unknown or still thinking) and
    // whether it is arriving with no answer yet; shown apart from the answer.
    required property string reasoning
    required property int reasoningMs
    required property bool reasoningLive
    required property string messageUsage // its tokens and cost ("" when none)
    required property var fusedFrom // a fused reply's sources (ids), [] for the rest

    /// The view's model: the text is read from its row in C++ (MessageBody.thread), never as
    /// a role (a JS string of the whole growing reply on every frame).
    property ThreadModel thread: null
    /// The text of a row made without a thread (tests, previews).
    property string messageContent: ""
    /// Set by the list while this message is edited inline.
    property bool editing: false
    /// Set by the list: this is the keyboard's message (or the target of a jump).
    property bool framed: false
    /// Set by the list: Tab reaches this message's buttons (it is the keyboard's message).
    property bool keyboardReachable: false
    /// Words of the search hit opened here, marked in the text.
    property var highlightTerms: []
    /// The part of this row on screen, in its own coordinates (set by the list).
    property real viewTop: -1e9
    property real viewBottom: 1e9
    /// "Copied" shows on the Copy button for a moment after a copy.
    property bool copied: false
    /// The clock for "Retrying in N s", ticking only while a retry is pending.
    property real now: Date.now()

    readonly property bool isUser: messageRole === "user"
    /// The "⋯" button, where the actions menu opens.
    readonly property Item menuAnchor: toolbar.menuButton
    readonly property int secondsToRetry: Math.max(0, Math.ceil((retryAt - now) / 1000))
    /// Chip text for the states worth pointing out; a complete message has none.
    readonly property string statusLabel: {
        if (isRetrying)
            return retryAt > 0 ? qsTr("Retrying in %1 s").arg(secondsToRetry) : qsTr("Retrying soon");
        switch (messageStatus) {
        case MessageStatus.Queued:
            return qsTr("Queued");
        case MessageStatus.Streaming:
            return qsTr("Writing…");
        case MessageStatus.Cancelled:
            return qsTr("Stopped");
        case MessageStatus.Error:
            return qsTr("Failed");
        case MessageStatus.Interrupted:
            return qsTr("Interrupted");
        }
        return "";
    }

    /// The user asked for @p action, a MessageAction.
    signal actionRequested(int action)
    /// The text was expanded or collapsed ("Show more").
    signal expandToggled
    /// The actions menu was asked for, at the pointer (right click) or under the "⋯" button.
    signal menuRequested(bool atPointer)
    signal switchRequested(int delta)
    signal editSaved(string text, bool reply)
    signal editCancelled
    /// Text above the part on screen (viewTop) changed its height by @p delta (MessageBody).
    signal resizedAbove(real delta)

    /// Whether this message allows @p action (a MessageAction), as its row says.
    function allows(action: int): bool {
        switch (action) {
        case MessageAction.Copy:
        case MessageAction.CopyPlainText:
            return true;
        case MessageAction.Edit:
            return canEdit;
        case MessageAction.Regenerate:
            return canRegenerate;
        case MessageAction.Continue:
            return canContinue;
        case MessageAction.Retry:
            return canRetry;
        case MessageAction.OpenSettings:
            return needsSettings;
        case MessageAction.Label:
            return canLabel;
        case MessageAction.Fork:
            return canFork;
        case MessageAction.Delete:
            return canDelete;
        }
        return false;
    }

    /// The message's whole text.
    function content(): string {
        return thread !== null ? messageBody.fullText() : messageContent;
    }

    /// Puts the text on the clipboard: the Markdown source, or with @p plain what it shows
    /// (the user's text is plain already); "Copied" shows for a moment.
    function copy(plain: bool) {
        if (plain && !isUser)
            Clipboard.setMarkdownAsPlainText(content());
        else
            Clipboard.setText(content());
        showCopied();
    }

    function showCopied() {
        copied = true;
        copiedTimer.restart();
    }

    implicitHeight: column.implicitHeight + 2 * Theme.spacingSmall

    HoverHandler {
        id: hover
    }

    TapHandler {
        acceptedButtons: Qt.RightButton
        onTapped: message.menuRequested(true)
    }

    Timer {
        id: copiedTimer

        interval: Theme.copiedVisibleMs
        onTriggered: message.copied = false
    }

    Timer {
        interval: 1000
        repeat: true
        running: message.isRetrying
        triggeredOnStart: true
        onTriggered: message.now = Date.now()
    }

    Rectangle {
        // Focus frame of the keyboard's message; the rows themselves never take focus.
        objectName: "messageFocusFrame"
        x: column.x - Theme.spacing
        width: column.width + 2 * Theme.spacing
        height: parent.height
        visible: message.framed
        color: "transparent"
        border.width: Theme.focusFrameWidth
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
                objectName: "authorLabel"
                text: message.messageAuthor
                color: Theme.mutedText
                font.bold: true
                font.pointSize: Theme.fontSizeSmall
                elide: Text.ElideRight
                Layout.maximumWidth: column.width / 3
            }

            MessageUsageLabel {
                text: message.messageUsage
                shown: hover.hovered || message.framed
                Layout.maximumWidth: column.width / 2
            }

            Label {
                objectName: "statusChip"
                text: message.statusLabel
                visible: text.length > 0
                color: message.canRetry ? Theme.error : Theme.text
                font.pointSize: Theme.fontSizeSmall
                leftPadding: Theme.spacing
                rightPadding: Theme.spacing
                topPadding: Theme.chipVerticalPadding
                bottomPadding: Theme.chipVerticalPadding
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
                Layout.maximumWidth: column.width / 4
                font.pointSize: Theme.fontSizeSmall
                leftPadding: Theme.spacing
                rightPadding: Theme.spacing
                topPadding: Theme.chipVerticalPadding
                bottomPadding: Theme.chipVerticalPadding
                Accessible.name: qsTr("Label: %1").arg(text)
                background: Rectangle {
                    radius: Theme.radiusSmall
                    color: Theme.labelChip
                }

                TapHandler {
                    onTapped: message.actionRequested(MessageAction.Label)
                }
            }

            SiblingSwitcher {
                visible: message.siblingCount > 1
                siblingIndex: message.siblingIndex
                siblingCount: message.siblingCount
                keyboardReachable: message.keyboardReachable
                onSwitchRequested: delta => message.switchRequested(delta)
            }

            Item {
                // Replies keep their actions at the right end.
                visible: !message.isUser
                Layout.fillWidth: true
            }

            MessageToolbar {
                id: toolbar

                isUser: message.isUser
                canEdit: message.canEdit
                canRegenerate: message.canRegenerate
                canContinue: message.canContinue
                copied: message.copied
                keyboardReachable: message.keyboardReachable
                // Always laid out, so the header does not jump when the pointer passes.
                opacity: hover.hovered || message.framed || hasKeyboard || message.copied ? 1 : 0
                enabled: !message.editing
                onActionRequested: action => message.actionRequested(action)
                onMenuRequested: message.menuRequested(false)
            }

            Item {
                // The user's messages keep theirs next to the bubble.
                visible: message.isUser
                Layout.fillWidth: true
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
                editor.start(message.content());
            }
        }

        Rectangle {
            id: bubble

            visible: !message.editing
            Layout.alignment: message.isUser ? Qt.AlignRight : Qt.AlignLeft
            Layout.preferredWidth: messageBody.width + 2 * column.bubblePadding
            implicitHeight: messageBody.implicitHeight + 2 * column.bubblePadding
            radius: Theme.radius
            color: message.isUser ? Theme.userBubble : "transparent"

            MessageBody {
                id: messageBody

                x: column.bubblePadding
                y: column.bubblePadding
                thread: message.thread
                threadRow: message.index
                messageId: message.messageId
                content: message.messageContent
                messageRole: message.messageRole
                isLive: message.isLive
                // From the row's width, not the bubble's: the bubble gets its width from the text.
                availableWidth: message.isUser ? column.width * 0.85 - 2 * column.bubblePadding : column.width
                hug: message.isUser
                highlightTerms: message.highlightTerms
                reasoning: message.reasoning
                reasoningMs: message.reasoningLive ? -1 : message.reasoningMs
                viewTop: message.viewTop - column.y - bubble.y - y
                viewBottom: message.viewBottom - column.y - bubble.y - y
                onExpandToggled: message.expandToggled()
                onResizedAbove: delta => message.resizedAbove(delta)
            }
        }

        Loader {
            Layout.fillWidth: true
            active: message.fusedFrom.length > 0
            visible: active
            // HACK: without `pragma ComponentBehavior: Bound` (Qt 6.5) qmllint cannot know that
            // this component only ever lives here, where `message` is in scope.
            // qmllint disable unqualified
            sourceComponent: FusedLinks {
                messageId: message.messageId
                fusedFrom: message.fusedFrom
                siblingCount: message.siblingCount
                keyboardReachable: message.keyboardReachable
            }
            // qmllint enable unqualified
        }

        MessageOutcome {
            Layout.fillWidth: true
            messageError: message.messageError
            messageNotice: message.messageNotice
            isRetrying: message.isRetrying
            attempt: message.attempt
            maxAttempts: message.maxAttempts
            isUser: message.isUser
            canRetry: message.canRetry
            canContinue: message.canContinue
            needsSettings: message.needsSettings
            editing: message.editing
            onActionRequested: action => message.actionRequested(action)
        }
    }
}
