import QtQuick
import QtTest
import Arbor
import Arbor.Ui

// The helpers of the Chat tests: reads the models through required properties (as the delegates
// do), finds the pieces of the page and drives it through the keyboard.
TestCase {
    id: testCase

    /// The page under test.
    required property ChatPage page

    // The models are read through required properties, as the delegates do.
    component ThreadRow: Item {
        required property string messageId
        required property string messageRole
        required property string messageContent
        required property int messageStatus
        required property bool isLive
        required property int siblingIndex
        required property int siblingCount
        required property string messageLabel
        required property string toolCalls
    }

    component ConversationRow: Item {
        required property string conversationId
        required property string title
        required property bool isCurrent
    }

    Repeater {
        id: threadRows

        model: Chat.thread
        delegate: ThreadRow {}
    }

    Repeater {
        id: conversationRows

        model: Conversations.list
        delegate: ConversationRow {}
    }


    readonly property int replyTimeout: 15000

    function composerInput() {
        const input = findChild(page, "composerInput");
        verify(input, "composerInput not found");
        return input;
    }

    function messageList() {
        const list = findChild(page, "messageList");
        verify(list, "messageList not found");
        return list;
    }

    // Every item under `item` with this objectName that is shown (reused delegates waiting
    // in the pool are hidden and skipped).
    function shownChildren(item, name) {
        let found = [];
        for (let i = 0; i < item.children.length; ++i) {
            const child = item.children[i];
            if (!child.visible)
                continue;
            if (child.objectName === name)
                found.push(child);
            found = found.concat(shownChildren(child, name));
        }
        return found;
    }

    function typeText(text) {
        for (let i = 0; i < text.length; ++i)
            keyClick(text[i]);
    }

    // Untyped: in Qt 6.4 `as ThreadRow` gives null once this file is used as a base type.
    function message(row: int) {
        return threadRows.itemAt(row);
    }

    function lastMessage() {
        return threadRows.count > 0 ? message(threadRows.count - 1) : null;
    }

    function conversationIds() {
        let ids = [];
        for (let i = 0; i < conversationRows.count; ++i)
            ids.push(conversationRows.itemAt(i).conversationId);
        return ids;
    }

    function conversationTitle(id: string): string {
        for (let i = 0; i < conversationRows.count; ++i) {
            const row = conversationRows.itemAt(i);
            if (row.conversationId === id)
                return row.title;
        }
        return "";
    }

    // Sends through the keyboard and waits until the demo reply has settled (the thread then
    // holds `rows` messages).
    function sendAndWait(text, rows = 2) {
        const input = composerInput();
        input.forceActiveFocus();
        verify(input.activeFocus);
        typeText(text);
        compare(input.text, text);
        keyClick(Qt.Key_Return);
        compare(input.text, "", "the composer is cleared once the message is accepted");
        tryCompare(Chat.thread, "count", rows, replyTimeout);
        // Waited for by hand, so that a failure can say what the rows looked like by then.
        const settled = () => lastMessage() !== null && lastMessage().messageStatus === MessageStatus.Complete;
        for (let waited = 0; !settled() && waited < replyTimeout; waited += 50)
            wait(50);
        verify(settled(), "the demo reply completes; " + describeRows());
        tryVerify(() => !Chat.busy, replyTimeout);
    }

    // The text of `row` once it has stopped changing: a reply's last words may be announced a
    // moment after its status turned "complete".
    function settledContent(row: int): string {
        let last = message(row).messageContent;
        for (let quiet = 0, waited = 0; quiet < 300 && waited < replyTimeout; waited += 50) {
            wait(50);
            const now = message(row).messageContent;
            quiet = now === last ? quiet + 50 : 0;
            last = now;
        }
        return last;
    }

    // The thread as the model's rows and the view's delegates see it: role, status, text length.
    function describeRows(): string {
        let rows = [];
        for (let i = 0; i < threadRows.count; ++i) {
            const m = message(i);
            rows.push(m === null ? null : [m.messageRole, m.messageStatus, m.messageContent.length]);
        }
        let shown = [];
        for (let i = 0; i < Chat.thread.count; ++i) {
            const d = rowItem(i);
            shown.push(d === null ? null : [d.messageRole, d.messageStatus, d.content().length]);
        }
        return "rows: " + JSON.stringify(rows) + ", shown: " + JSON.stringify(shown) + ", busy: " + Chat.busy;
    }

    // The delegate of a thread row in the view (made on demand by the view, so looked up late).
    function rowItem(row: int): MessageDelegate {
        return messageList().itemAtIndex(row) as MessageDelegate;
    }

    // Scrolls the thread so that the top (or with `mode` ListView.End the bottom) of `row` is
    // on screen: a click needs it there.
    function showRow(row: int, mode = ListView.Beginning) {
        const list = messageList();
        list.followTail = false;
        list.positionViewAtIndex(row, mode);
        wait(50);
    }

    function rowChild(row: int, name: string) {
        const item = rowItem(row);
        return item !== null ? findChild(item, name) : null;
    }

    function siblingText(row: int): string {
        const indicator = rowChild(row, "siblingIndicator");
        return indicator !== null && indicator.visible ? indicator.text : "";
    }

    // Alt+Up from the composer lands on the newest message, each further Alt+Up goes one up.
    function focusRowFromComposer(row: int) {
        composerInput().forceActiveFocus();
        const list = messageList();
        for (let i = Chat.thread.count - 1; i >= row; --i)
            keyClick(Qt.Key_Up, Qt.AltModifier);
        verify(list.activeFocus, "Alt+Up moves the keyboard into the thread");
        compare(list.currentIndex, row);
        tryVerify(() => rowChild(row, "messageFocusFrame") !== null && rowChild(row, "messageFocusFrame").visible,
                  5000, "the keyboard's message is framed");
    }

    function init() {
        Conversations.newConversation();
        Errors.dismiss();
        composerInput().clear();
        tryCompare(Chat.thread, "count", 0);
    }
}
