import QtQuick
import QtTest
import Arbor
import Arbor.Ui

// Drives ChatPage through the keyboard against the real App singleton: the demo model answers
// offline, the database lives in a temporary directory (see tst_qml.cpp).
Item {
    id: root

    width: 1000
    height: 700

    ChatPage {
        id: page

        anchors.fill: parent
    }

    // The models are read through required properties, as the delegates do.
    component ThreadRow: Item {
        required property string messageRole
        required property string messageContent
        required property string messageStatus
        required property bool isLive
    }

    component ConversationRow: Item {
        required property string conversationId
        required property string title
        required property bool isCurrent
    }

    Repeater {
        id: threadRows

        model: App.thread
        delegate: ThreadRow {}
    }

    Repeater {
        id: conversationRows

        model: App.conversations
        delegate: ConversationRow {}
    }

    TestCase {
        id: testCase

        name: "Chat"
        when: windowShown

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

        function message(row: int): ThreadRow {
            return threadRows.itemAt(row) as ThreadRow;
        }

        function lastMessage(): ThreadRow {
            return threadRows.count > 0 ? message(threadRows.count - 1) : null;
        }

        function conversationIds() {
            let ids = [];
            for (let i = 0; i < conversationRows.count; ++i)
                ids.push((conversationRows.itemAt(i) as ConversationRow).conversationId);
            return ids;
        }

        function conversationTitle(id: string): string {
            for (let i = 0; i < conversationRows.count; ++i) {
                const row = conversationRows.itemAt(i) as ConversationRow;
                if (row.conversationId === id)
                    return row.title;
            }
            return "";
        }

        // Sends through the keyboard and waits until the demo reply has settled.
        function sendAndWait(text) {
            const input = composerInput();
            input.forceActiveFocus();
            verify(input.activeFocus);
            typeText(text);
            compare(input.text, text);
            keyClick(Qt.Key_Return);
            compare(input.text, "", "the composer is cleared once the message is accepted");
            tryCompare(App.thread, "count", 2, replyTimeout);
            tryVerify(() => lastMessage() !== null && lastMessage().messageStatus === "complete",
                      replyTimeout, "the demo reply completes");
            tryVerify(() => !App.busy, replyTimeout);
        }

        function init() {
            App.newConversation();
            App.dismissError();
            composerInput().clear();
            tryCompare(App.thread, "count", 0);
        }

        function test_sendShowsReply() {
            sendAndWait("Hello tree");
            verify(App.currentConversationId !== "", "the first message saves the conversation");

            const user = message(0);
            compare(user.messageRole, "user");
            compare(user.messageContent, "Hello tree");

            const reply = lastMessage();
            compare(reply.messageRole, "assistant");
            verify(!reply.isLive);
            verify(reply.messageContent.length > 0, "the reply has text");
            verify(reply.messageContent !== "Hello tree");

            // The view shows both messages, the reply rendered, and no status chip is left.
            const list = messageList();
            tryVerify(() => shownChildren(list.contentItem, "messageText").length === 2);
            const texts = shownChildren(list.contentItem, "messageText").map(edit => edit.text);
            verify(texts.some(text => text.indexOf("Hello tree") >= 0), JSON.stringify(texts));
            verify(texts.some(text => /demo/i.test(text)), JSON.stringify(texts));
            tryVerify(() => shownChildren(list.contentItem, "statusChip").length === 0);

            // Send is offered again, Stop is gone.
            verify(findChild(page, "sendButton").visible);
            verify(!findChild(page, "stopButton").visible);
        }

        function test_shiftEnterInsertsNewline() {
            const input = composerInput();
            input.forceActiveFocus();
            typeText("line one");
            keyClick(Qt.Key_Return, Qt.ShiftModifier);
            typeText("two");
            compare(input.text, "line one\ntwo");
            // Give a (wrong) send the time to show up before checking that none happened.
            wait(200);
            compare(App.thread.count, 0);
            compare(App.currentConversationId, "");
            input.clear();
        }

        function test_emptyMessageShowsDismissableError() {
            const input = composerInput();
            input.forceActiveFocus();
            keyClick(Qt.Key_Return);
            tryVerify(() => App.errorText.length > 0, 5000, "sending nothing is refused with a message");
            compare(App.thread.count, 0);

            const banner = findChild(page, "errorBanner");
            verify(banner.visible);
            mouseClick(findChild(banner, "dismissErrorButton"));
            compare(App.errorText, "");
            verify(!banner.visible);
        }

        function test_modelPickerShowsCurrentModel() {
            const picker = findChild(page, "modelPicker");
            verify(picker);
            verify(App.models.count > 0);
            compare(picker.currentIndex, App.models.indexOfKey(App.currentModelKey));
            compare(picker.currentValue, App.currentModelKey);
            verify(composerInput().placeholderText.indexOf(picker.displayText) >= 0,
                   composerInput().placeholderText);

            keyClick(Qt.Key_K, Qt.ControlModifier);
            verify(picker.activeFocus, "Ctrl+K focuses the model picker");
        }

        function test_newConversation() {
            sendAndWait("Remember this");
            const oldId = App.currentConversationId;
            verify(oldId !== "");

            keyClick(Qt.Key_N, Qt.ControlModifier);
            tryCompare(App.thread, "count", 0);
            compare(App.currentConversationId, "");
            verify(composerInput().activeFocus, "Ctrl+N puts the cursor in the composer");
            verify(conversationIds().indexOf(oldId) >= 0, "the previous conversation is kept");
            tryVerify(() => shownChildren(messageList().contentItem, "messageText").length === 0);
        }

        function test_renameAndDeleteFromTheKeyboard() {
            sendAndWait("Name me");
            const id = App.currentConversationId;
            const list = findChild(page, "conversationList");
            verify(list);
            list.forceActiveFocus();
            tryVerify(() => list.currentItem !== null && list.currentItem.conversationId === id);

            // F2 opens the inline editor; Esc leaves the title alone.
            const before = conversationTitle(id);
            keyClick(Qt.Key_F2);
            let field = findChild(list.currentItem, "renameField");
            verify(field, "F2 opens the rename field");
            tryVerify(() => field.activeFocus);
            typeText("Ignored");
            keyClick(Qt.Key_Escape);
            tryVerify(() => findChild(list.currentItem, "renameField") === null);
            compare(conversationTitle(id), before);

            // F2, type, Enter renames.
            keyClick(Qt.Key_F2);
            field = findChild(list.currentItem, "renameField");
            verify(field);
            tryVerify(() => field.activeFocus);
            keyClick(Qt.Key_A, Qt.ControlModifier);
            typeText("Renamed");
            keyClick(Qt.Key_Return);
            tryCompare(App, "currentTitle", "Renamed");
            tryVerify(() => conversationTitle(id) === "Renamed");
            verify(list.activeFocus, "the list keeps the keyboard after renaming");

            // Delete asks first, and only "Delete" deletes.
            const dialog = findChild(page, "deleteConversationDialog");
            verify(dialog);
            keyClick(Qt.Key_Delete);
            tryCompare(dialog, "opened", true);
            keyClick(Qt.Key_Escape);
            tryCompare(dialog, "visible", false);
            verify(conversationIds().indexOf(id) >= 0, "Esc in the dialog deletes nothing");

            keyClick(Qt.Key_Delete);
            tryCompare(dialog, "opened", true);
            mouseClick(findChild(dialog.footer, "confirmDeleteButton"));
            tryVerify(() => conversationIds().indexOf(id) < 0, 5000, "the conversation is deleted");
            tryCompare(dialog, "visible", false);
        }
    }
}
