import QtQuick
import Arbor
import Arbor.Ui

/**
 * @brief The visible thread of the current conversation, oldest message at the top.
 *
 * The view follows the tail (TailFollower): while the user is at the end (or has not scrolled
 * away since), new rows and a growing reply keep the newest text in sight, scrolling smoothly.
 * Scrolling up stops that and shows "Jump to latest" (Ctrl+End) until the user comes back to the
 * end. Only the rows near the viewport exist (finite cacheBuffer), so a long conversation costs
 * what the screen shows.
 *
 * The keyboard can walk the messages (Alt+Up/Down, from anywhere) and act on the current one:
 * Alt+Left/Right switch its branch, E edits, R regenerates, L labels, Delete deletes the branch,
 * Ctrl+C copies, Menu opens its actions, Esc goes back to the composer. A jump
 * (Chat.scrollToMessage) centres the message and frames it for a moment.
 *
 * Which actions a message allows comes from its row (the `can…` roles, MessagePolicy in C++);
 * the list only carries out the one asked for, by its MessageAction value.
 */
ListView {
    id: list

    /// True while new content should keep the view pinned to the end.
    property alias followTail: follower.following
    readonly property alias nearEnd: follower.atEnd

    /// Id of the message being edited inline; empty when none.
    property string editingId
    /// The current message is framed although the keyboard is elsewhere (after a jump).
    property bool flash: false
    /// Row the keyboard returns to once the thread has reloaded after a branch action.
    property int pendingRow: -1

    /// The keyboard left the list (Esc, or Alt+Down past the newest message).
    signal leaveRequested
    /// A failed reply's "Open Settings".
    signal settingsRequested

    /// Jump to the newest message and keep following it.
    function scrollToEnd() {
        follower.follow();
    }

    /// Alt+Up/Down: from elsewhere start at the newest message, else step through the thread.
    function moveCursor(delta: int) {
        if (count === 0)
            return;
        if (!activeFocus || currentIndex < 0) {
            currentIndex = count - 1;
            forceActiveFocus(Qt.ShortcutFocusReason);
            return;
        }
        const row = currentIndex + delta;
        if (row >= count) {
            leaveRequested();
            return;
        }
        currentIndex = Math.max(0, row);
        // Reading an older message: the view stays on it while rows below grow.
        if (currentIndex !== count - 1)
            follower.stop();
        else
            followTail = true;
        positionViewAtIndex(currentIndex, ListView.Contain);
        settleTimer.row = currentIndex;
        settleTimer.mode = ListView.Contain;
        settleTimer.restart();
    }

    /// Centres @p messageId (already on the visible path) and frames it for a moment.
    function jumpTo(messageId: string) {
        const row = Chat.thread.rowOfId(messageId);
        if (row < 0)
            return;
        follower.stop();
        currentIndex = row;
        flash = !activeFocus;
        flashTimer.restart();
        positionViewAtIndex(row, ListView.Center);
        // Rows above may change their height once created: centre again after that.
        settleTimer.row = row;
        settleTimer.mode = ListView.Center;
        settleTimer.restart();
    }

    /// Runs @p action (a MessageAction) on the message row @p message, if the row allows it;
    /// @p modelKey is the model of a regeneration ("" = the same one).
    function act(message: MessageDelegate, action: int, modelKey: string) {
        if (message === null || !message.allows(action))
            return;
        switch (action) {
        case MessageAction.Copy:
        case MessageAction.CopyPlainText:
            message.copy(action === MessageAction.CopyPlainText);
            break;
        case MessageAction.Edit:
            currentIndex = message.index;
            editingId = message.messageId;
            break;
        case MessageAction.Regenerate:
            pendingRow = message.index;
            Chat.regenerate(message.messageId, modelKey);
            break;
        case MessageAction.Retry:
            pendingRow = message.index;
            Chat.retry(message.messageId);
            break;
        case MessageAction.OpenSettings:
            settingsRequested();
            break;
        case MessageAction.Continue:
            pendingRow = message.index;
            Chat.continueReply(message.messageId);
            break;
        case MessageAction.Label:
            labelDialog.ask(message.messageId, message.messageLabel);
            break;
        case MessageAction.Fork:
            Chat.fork(message.messageId);
            break;
        case MessageAction.Delete:
            pendingRow = Math.max(0, message.index - 1);
            Chat.deleteBranch(message.messageId);
            break;
        }
    }

    /// A message's text was expanded or collapsed: the reader stays on it while it grows;
    /// following the end would scroll away from it (and make the view drop and remake its row).
    function holdOn() {
        follower.stop();
    }

    /// The keyboard's message, else the newest one shown, else "".
    function currentOrLastMessageId(): string {
        const message = (currentItem ?? itemAtIndex(count - 1)) as MessageDelegate;
        return message !== null ? message.messageId : "";
    }

    function switchBranch(message: MessageDelegate, delta: int) {
        pendingRow = message.index;
        // The message stays where it is on screen: the rows below it change, the view does not
        // follow them to the end.
        anchor.hold(message, message.index);
        follower.stop();
        Chat.switchSibling(message.messageId, delta);
    }

    function finishEdit(message: MessageDelegate, text: string, reply: bool) {
        if (!Chat.edit(message.messageId, text, reply))
            return; // the editor stays open; Errors.text says why
        pendingRow = message.index;
        editingId = "";
        list.forceActiveFocus();
    }

    function cancelEdit() {
        editingId = "";
        list.forceActiveFocus();
    }

    objectName: "messageList"
    model: Chat.thread
    currentIndex: -1
    activeFocusOnTab: true
    clip: true
    cacheBuffer: Theme.threadCacheBuffer
    // No delegate reuse: a user row sizes its bubble from the text's natural width, a reply does
    // not; a reused row that changed kind would switch between the two.
    reuseItems: false
    spacing: Theme.spacingLarge
    topMargin: Theme.spacingLarge
    bottomMargin: Theme.spacingLarge
    boundsBehavior: Flickable.StopAtBounds
    Accessible.name: qsTr("Messages")

    ThreadScrollBar {
        id: verticalScrollBar

        view: list
        onPressedChanged: {
            if (!pressed)
                follower.release();
        }
    }

    // HACK: without `pragma ComponentBehavior: Bound` (Qt 6.5) qmllint cannot know that this
    // delegate only ever lives in this view, where `list` and the popups below are in scope.
    // qmllint disable unqualified
    delegate: MessageDelegate {
        id: row

        width: ListView.view.width
        thread: Chat.thread
        editing: list.editingId === messageId
        framed: ListView.isCurrentItem && (list.activeFocus || list.flash || messageMenu.visible)
        keyboardReachable: ListView.isCurrentItem
        viewTop: list.contentY - y
        viewBottom: list.contentY - y + list.height
        highlightTerms: messageId === Search.highlightMessageId ? Search.highlightTerms : []

        onActionRequested: action => list.act(row, action, "")
        onExpandToggled: list.holdOn()
        // A block above the screen was measured anew (after the width changed): what the user
        // reads stays where it is. While following the end, the follower keeps the end in sight.
        onResizedAbove: delta => {
            if (!list.followTail)
                list.contentY += delta;
        }
        onMenuRequested: atPointer => {
            list.currentIndex = index;
            if (!atPointer)
                list.forceActiveFocus(); // the keyboard comes back here when the menu closes
            messageMenu.openFor(row, atPointer);
        }
        onSwitchRequested: delta => list.switchBranch(row, delta)
        onEditSaved: (text, reply) => list.finishEdit(row, text, reply)
        onEditCancelled: list.cancelEdit()
    }
    // qmllint enable unqualified

    // The keyboard starts on the newest message.
    onActiveFocusChanged: {
        if (activeFocus) {
            flash = false;
            if (currentIndex < 0 && count > 0)
                currentIndex = count - 1;
        }
    }

    Keys.onPressed: event => {
        const message = list.currentItem as MessageDelegate;
        if (message === null || list.editingId.length > 0)
            return;
        const alt = event.modifiers & Qt.AltModifier;
        const plain = (event.modifiers & ~Qt.KeypadModifier) === Qt.NoModifier;
        if (alt && event.key === Qt.Key_Left)
            list.switchBranch(message, -1);
        else if (alt && event.key === Qt.Key_Right)
            list.switchBranch(message, 1);
        else if (plain && event.key === Qt.Key_E)
            list.act(message, MessageAction.Edit, "");
        else if (plain && event.key === Qt.Key_R)
            list.act(message, MessageAction.Regenerate, "");
        else if (plain && event.key === Qt.Key_L)
            list.act(message, MessageAction.Label, "");
        else if (plain && event.key === Qt.Key_Delete)
            list.act(message, MessageAction.Delete, "");
        else if (event.matches(StandardKey.Copy))
            list.act(message, MessageAction.Copy, "");
        else if (event.key === Qt.Key_Menu || (event.key === Qt.Key_F10 && (event.modifiers & Qt.ShiftModifier)))
            messageMenu.openFor(message, false);
        else if (plain && event.key === Qt.Key_Escape)
            list.leaveRequested();
        else
            return;
        event.accepted = true;
    }

    onMovementStarted: anchor.release()
    onMovementEnded: follower.release()
    onCountChanged: follower.keep()
    onContentHeightChanged: {
        if (pendingRow < 0)
            anchor.apply();
        follower.keep();
    }
    onHeightChanged: follower.keep()

    TailFollower {
        id: follower

        view: list
        userScrolling: list.moving || verticalScrollBar.pressed
    }

    // Shown while the user reads above the end: back to the newest text, and following it.
    JumpToLatestButton {
        parent: list
        visible: list.count > 0 && !list.followTail && !list.nearEnd
        onClicked: list.scrollToEnd()
    }

    ViewAnchor {
        id: anchor

        view: list
        // Only the newest message keeps the view on the end.
        onApplied: row => list.followTail = row >= list.count - 1
    }

    // A jump or a keyboard move shows its target once more after the rows around it were measured.
    Timer {
        id: settleTimer

        property int row: -1
        property int mode: ListView.Center

        interval: 0
        onTriggered: {
            if (row >= 0 && row < list.count)
                list.positionViewAtIndex(row, mode);
            list.followTail = row === list.count - 1 && list.nearEnd;
        }
    }

    Timer {
        id: flashTimer

        interval: Theme.flashMs
        onTriggered: list.flash = false
    }

    Shortcut {
        sequence: "Alt+Up"
        enabled: list.editingId.length === 0
        onActivated: list.moveCursor(-1)
    }

    Shortcut {
        sequence: "Alt+Down"
        enabled: list.editingId.length === 0
        onActivated: list.moveCursor(1)
    }

    Connections {
        target: Conversations

        // Another conversation (or a new, empty one) starts at its newest message.
        function onCurrentChanged() {
            list.currentIndex = -1;
            list.editingId = "";
            list.pendingRow = -1;
            list.scrollToEnd();
        }
    }

    Connections {
        target: Chat

        function onScrollToMessage(messageId: string) {
            list.pendingRow = -1;
            list.jumpTo(messageId);
        }
    }

    Connections {
        target: Chat.thread // qmllint disable type

        // After a branch action the keyboard stays where it was.
        function onLoaded() {
            if (list.pendingRow >= 0 && list.count > 0)
                list.currentIndex = Math.min(list.pendingRow, list.count - 1);
            list.pendingRow = -1;
            anchor.apply();
        }
    }

    MessageMenu {
        id: messageMenu

        /// The MessageAction chosen, 0 for none.
        property int pendingAction: 0
        property string pendingModelKey

        // Run once the menu has closed, so that an editor or dialog keeps the focus it takes.
        onActionRequested: (action, modelKey) => {
            pendingAction = action;
            pendingModelKey = modelKey;
        }
        onClosed: {
            if (pendingAction !== 0)
                list.act(target, pendingAction, pendingModelKey);
            pendingAction = 0;
        }
    }

    LabelDialog {
        id: labelDialog

        onClosed: list.forceActiveFocus()
    }

    ThreadEmptyState {
        parent: list
        visible: list.count === 0
        onSettingsRequested: list.settingsRequested()
    }
}
