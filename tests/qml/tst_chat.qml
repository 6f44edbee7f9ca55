import QtQuick
import QtTest
import Arbor
import Arbor.Ui

// Drives ChatPage through the keyboard against the real app (tst_qml.cpp: offline demo model).
Item {
    id: root

    width: 1000
    height: 700

    ChatPage {
        id: chatPage

        anchors.fill: parent
    }

    ChatTestCase {
        page: chatPage
        name: "Chat"
        when: windowShown

        function test_sendShowsReply() {
            sendAndWait("Hello tree");
            verify(Conversations.currentId !== "", "the first message saves the conversation");

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
            tryVerify(() => shownChildren(list.contentItem, "messageBody").length === 2);
            const texts = shownChildren(list.contentItem, "messageBlock").map(edit => edit.text);
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
            compare(Chat.thread.count, 0);
            compare(Conversations.currentId, "");
            input.clear();
        }

        function test_failedSendGivesTextBack() {
            // Chat.send() accepted the text (the input was cleared); the send then failed.
            const input = composerInput();
            input.clear();
            Chat.sendFailed("words worth keeping");
            compare(input.text, "words worth keeping");
            // What was typed since is not overwritten.
            input.text = "something new";
            Chat.sendFailed("words worth keeping");
            compare(input.text, "something new");
            input.clear();
        }

        function test_emptyMessageShowsDismissableError() {
            const input = composerInput();
            input.forceActiveFocus();
            keyClick(Qt.Key_Return);
            tryVerify(() => Errors.text.length > 0, 5000, "sending nothing is refused with a message");
            compare(Chat.thread.count, 0);

            const banner = findChild(page, "errorBanner");
            verify(banner.visible);
            mouseClick(findChild(banner, "dismissErrorButton"));
            compare(Errors.text, "");
            verify(!banner.visible);
        }

        function test_modelPickerShowsCurrentModel() {
            const picker = findChild(page, "modelPicker");
            verify(picker);
            verify(Models.list.count > 0);
            compare(picker.currentIndex, Models.list.indexOfKey(Models.currentKey));
            compare(picker.currentValue, Models.currentKey);
            verify(composerInput().placeholderText.indexOf(picker.displayText) >= 0,
                   composerInput().placeholderText);

            keyClick(Qt.Key_K, Qt.ControlModifier);
            verify(picker.activeFocus, "Ctrl+K focuses the model picker");
        }

        function test_newConversation() {
            sendAndWait("Remember this");
            const oldId = Conversations.currentId;
            verify(oldId !== "");

            keyClick(Qt.Key_N, Qt.ControlModifier);
            tryCompare(Chat.thread, "count", 0);
            compare(Conversations.currentId, "");
            verify(composerInput().activeFocus, "Ctrl+N puts the cursor in the composer");
            verify(conversationIds().indexOf(oldId) >= 0, "the previous conversation is kept");
            tryVerify(() => shownChildren(messageList().contentItem, "messageBody").length === 0);
        }

        function test_renameAndDeleteFromTheKeyboard() {
            sendAndWait("Name me");
            const id = Conversations.currentId;
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
            tryCompare(Conversations, "currentTitle", "Renamed");
            tryVerify(() => conversationTitle(id) === "Renamed");
            verify(list.activeFocus, "the list keeps the keyboard after renaming");

            // Delete deletes at once, and the undo bar (or Ctrl+Z) brings it back.
            keyClick(Qt.Key_Delete);
            tryVerify(() => conversationIds().indexOf(id) < 0, 5000, "the conversation is deleted");
            const bar = findChild(page, "undoBar");
            tryVerify(() => bar.visible, 5000, "the undo bar offers the way back");
            compare(findChild(bar, "undoText").text, "Deleted “Renamed”");
            keyClick(Qt.Key_Z, Qt.ControlModifier);
            tryVerify(() => conversationIds().indexOf(id) >= 0, 5000, "Ctrl+Z brings the conversation back");
            tryCompare(Conversations, "currentId", id, 5000);
            tryVerify(() => !bar.visible, 5000);
        }

        function test_regenerateThenSwitchBack() {
            sendAndWait("Tell me about oak trees");
            const originalId = message(1).messageId;
            const originalText = settledContent(1);
            compare(siblingText(1), "", "a single reply shows no branch control");

            // R on the keyboard's reply asks for another one beside it.
            focusRowFromComposer(1);
            keyClick(Qt.Key_R);
            tryVerify(() => message(1) !== null && message(1).messageId !== originalId, replyTimeout,
                      "R regenerates the reply as a new branch");
            tryVerify(() => lastMessage().messageStatus === MessageStatus.Complete && !Chat.busy, replyTimeout);
            compare(Chat.thread.count, 2);
            compare(message(1).siblingIndex, 1);
            compare(message(1).siblingCount, 2);
            tryCompare(rowItem(1), "messageId", message(1).messageId);
            tryVerify(() => siblingText(1) === "2 / 2", 5000, "the reply shows it is branch 2 of 2");
            compare(messageList().currentIndex, 1, "the keyboard stays on the reply");

            // ‹ goes back to the first reply, with its own text.
            mouseClick(rowChild(1, "siblingPrevious"));
            tryVerify(() => message(1).messageId === originalId, 5000, "‹ shows the original reply");
            tryVerify(() => siblingText(1) === "1 / 2", 5000);
            compare(message(1).messageContent, originalText);
            compare(rowItem(1).content(), originalText);
            verify(!rowChild(1, "siblingPrevious").enabled, "there is nothing before the first branch");

            // Alt+Right on the keyboard's message goes forward again.
            verify(messageList().activeFocus);
            compare(messageList().currentIndex, 1);
            keyClick(Qt.Key_Right, Qt.AltModifier);
            tryVerify(() => message(1).messageId !== originalId && siblingText(1) === "2 / 2", 5000,
                      "Alt+Right shows the next branch");
        }

        function test_editSaveOnlyMakesSiblingWithoutReply() {
            sendAndWait("Original question");
            const userId = message(0).messageId;
            const before = Chat.thread.count;
            const rowsBelow = before - 1;

            focusRowFromComposer(0);
            // E opens the inline editor; Esc leaves the message alone.
            keyClick(Qt.Key_E);
            tryVerify(() => rowChild(0, "editInput") !== null && rowChild(0, "editInput").activeFocus, 5000,
                      "E edits the keyboard's message");
            compare(rowChild(0, "editInput").text, "Original question");
            keyClick(Qt.Key_Escape);
            tryVerify(() => rowChild(0, "editInput") === null, 5000, "Esc closes the editor");
            verify(messageList().activeFocus, "the keyboard goes back to the thread");
            compare(message(0).messageId, userId);

            keyClick(Qt.Key_E);
            tryVerify(() => rowChild(0, "editInput") !== null && rowChild(0, "editInput").activeFocus, 5000);
            keyClick(Qt.Key_A, Qt.ControlModifier);
            typeText("Edited question");
            compare(rowChild(0, "editInput").text, "Edited question");
            mouseClick(rowChild(0, "saveOnlyButton"));

            tryVerify(() => message(0) !== null && message(0).messageId !== userId, replyTimeout,
                      "the edit is a new sibling");
            tryCompare(Chat.thread, "count", before - rowsBelow, 5000);
            compare(message(0).messageContent, "Edited question");
            compare(message(0).siblingIndex, 1);
            compare(message(0).siblingCount, 2);
            tryVerify(() => siblingText(0) === "2 / 2", 5000);
            tryVerify(() => rowChild(0, "editInput") === null, 5000, "saving closes the editor");
            const shown = rowChild(0, "messageBlock");
            verify(shown.text.indexOf("Edited question") >= 0, shown.text);

            // "Save only" asks for no reply: nothing is queued, even a little later.
            wait(500);
            compare(Chat.thread.count, before - rowsBelow);
            verify(!Chat.busy, "no reply is being written");
        }

        function test_deleteBranchThenUndo() {
            sendAndWait("Keep this");
            sendAndWait("Delete from here", 4);
            const ids = [0, 1, 2, 3].map(row => message(row).messageId);
            const bar = findChild(page, "undoBar");
            verify(bar);
            verify(!bar.visible);

            // Delete on the keyboard's message removes it and everything under it, no question asked.
            focusRowFromComposer(2);
            keyClick(Qt.Key_Delete);
            tryCompare(Chat.thread, "count", 2, 5000);
            compare(message(1).messageId, ids[1]);
            tryVerify(() => bar.visible, 5000, "the undo bar offers the way back");
            compare(findChild(bar, "undoText").text, "Deleted 2 messages");

            // Ctrl+Z brings the branch back.
            keyClick(Qt.Key_Z, Qt.ControlModifier);
            tryCompare(Chat.thread, "count", 4, 5000);
            compare([0, 1, 2, 3].map(row => message(row).messageId), ids);
            compare(message(2).messageContent, "Delete from here");
            tryVerify(() => !bar.visible, 5000, "nothing is left to undo");
            compare(Undo.text, "");

            // The bar's button undoes too.
            focusRowFromComposer(3);
            keyClick(Qt.Key_Delete);
            tryCompare(Chat.thread, "count", 3, 5000);
            tryVerify(() => bar.visible, 5000);
            compare(findChild(bar, "undoText").text, "Deleted 1 message");
            mouseClick(findChild(bar, "undoButton"));
            tryCompare(Chat.thread, "count", 4, 5000);
            compare(message(3).messageId, ids[3]);
        }

        function test_searchOpensInactiveBranch() {
            sendAndWait("Zephyrine marmalade recipe");
            const conversationId = Conversations.currentId;
            const hiddenId = message(0).messageId;
            const hiddenReplyId = message(1).messageId;
            verify(Chat.edit(hiddenId, "Something else entirely", false));
            tryVerify(() => Chat.thread.rowOfId(hiddenId) < 0 && Chat.thread.count === 1, replyTimeout,
                      "the edit hides the first branch");

            keyClick(Qt.Key_N, Qt.ControlModifier);
            tryCompare(Conversations, "currentId", "");

            keyClick(Qt.Key_F, Qt.ControlModifier);
            const field = findChild(page, "searchField");
            verify(field);
            tryVerify(() => field.visible && field.activeFocus, 5000, "Ctrl+F opens the search field");
            typeText("zephyrine");
            const results = findChild(page, "searchResults");
            verify(results);
            tryVerify(() => results.visible && results.count > 0, 5000, "the inactive branch is found");
            verify(!findChild(page, "conversationList").visible, "hits replace the conversation list");
            const hit = results.itemAtIndex(0) as SearchResultDelegate;
            compare(hit.conversationId, conversationId);
            // The question and the demo's reply (which quotes it) both match.
            const hitId = hit.messageId;
            verify(hitId === hiddenId || hitId === hiddenReplyId, hitId);
            const snippet = findChild(hit, "searchSnippet");
            verify(/<b>zephyrine<\/b>/i.test(snippet.text), snippet.text);

            // Enter opens the hit: its conversation, on the branch that holds it, framed.
            keyClick(Qt.Key_Return);
            tryCompare(Conversations, "currentId", conversationId, 5000);
            tryVerify(() => Chat.thread.rowOfId(hitId) >= 0 && Chat.thread.rowOfId(hiddenId) === 0, replyTimeout,
                      "the hit's branch is shown");
            compare(message(0).messageContent, "Zephyrine marmalade recipe");
            tryVerify(() => siblingText(0) === "1 / 2", 5000);
            const hitRow = Chat.thread.rowOfId(hitId);
            tryCompare(messageList(), "currentIndex", hitRow, 5000);
            verify(rowChild(hitRow, "messageFocusFrame").visible, "the jump target is framed");

            // Esc closes the search and brings the conversations back.
            verify(field.activeFocus);
            keyClick(Qt.Key_Escape);
            tryVerify(() => !field.visible, 5000);
            verify(findChild(page, "conversationList").visible);
            verify(composerInput().activeFocus);
        }

        function test_treeMapShowsAndSwitchesBranches() {
            sendAndWait("Map this conversation");
            const originalReply = message(1).messageId;
            Chat.regenerate(originalReply, "");
            tryVerify(() => message(1).messageId !== originalReply && message(1).messageStatus === MessageStatus.Complete,
                      replyTimeout);

            // Ctrl+T shows the map of the whole tree: the question and both replies.
            verify(findChild(page, "treeMap") === null, "the map is made only when shown");
            keyClick(Qt.Key_T, Qt.ControlModifier);
            tryVerify(() => findChild(page, "treeMap") !== null, 5000, "Ctrl+T shows the tree map");
            const map = findChild(page, "treeMap");
            tryVerify(() => !map.loading && map.nodeCount === 3, 5000, "every branch is on the map");

            // A click on the other reply's dot shows that branch in the thread.
            let at = null;
            for (let y = 0; y < map.height && at === null; y += 2) {
                for (let x = 0; x < map.width && at === null; x += 2) {
                    if (map.nodeAt(x, y) === originalReply)
                        at = Qt.point(x, y);
                }
            }
            verify(at !== null, "the first reply is in view");
            mouseClick(map, at.x, at.y);
            tryVerify(() => message(1).messageId === originalReply, 5000, "a click shows that branch");
            tryVerify(() => siblingText(1) === "1 / 2", 5000);

            // L labels the keyboard's message; the label shows on it and in the map's list.
            focusRowFromComposer(0);
            keyClick(Qt.Key_L);
            const dialog = findChild(page, "labelDialog");
            tryCompare(dialog, "opened", true, 5000);
            typeText("start here");
            keyClick(Qt.Key_Return);
            tryCompare(dialog, "visible", false, 5000);
            tryCompare(message(0), "messageLabel", "start here", 5000);
            tryVerify(() => rowChild(0, "labelChip") !== null && rowChild(0, "labelChip").visible
                      && rowChild(0, "labelChip").text === "start here", 5000, "the label shows as a chip");
            const labels = findChild(page, "labelsList");
            tryCompare(labels, "count", 1, 5000);

            keyClick(Qt.Key_T, Qt.ControlModifier);
            tryVerify(() => findChild(page, "treeMap") === null, 5000, "Ctrl+T hides the map again");
        }

        function test_conversationParameters() {
            sendAndWait("Set my parameters");
            const id = Conversations.currentId;
            tryVerify(() => Conversations.settings.systemPrompt === "" && Conversations.settings.temperature === -1
                      && Conversations.settings.maxTokens === 0, 5000, JSON.stringify(Conversations.settings));

            // Ctrl+P opens the dialog with the cursor in the system prompt.
            composerInput().forceActiveFocus();
            keyClick(Qt.Key_P, Qt.ControlModifier);
            const dialog = findChild(page, "conversationSettingsDialog");
            tryCompare(dialog, "opened", true, 5000);
            const prompt = findChild(dialog.contentItem, "systemPromptArea");
            tryVerify(() => prompt.activeFocus, 5000, "the system prompt has the keyboard");
            typeText("Answer in French.");
            const temperatureDefault = findChild(dialog.contentItem, "temperatureDefault");
            verify(temperatureDefault.checked, "the temperature starts at the model's default");
            mouseClick(temperatureDefault);
            verify(!temperatureDefault.checked);
            verify(findChild(dialog.contentItem, "maxTokensDefault").checked);
            mouseClick(findChild(dialog.footer, "saveConversationSettingsButton"));
            tryCompare(dialog, "visible", false, 5000);

            tryVerify(() => Conversations.settings.systemPrompt === "Answer in French.", 5000,
                      JSON.stringify(Conversations.settings));
            compare(Conversations.settings.temperature, 1);
            compare(Conversations.settings.maxTokens, 0);
            compare(Errors.text, "");

            // They belong to this conversation: another shows its own, coming back shows these.
            Conversations.newConversation();
            tryVerify(() => Conversations.settings.systemPrompt === "", 5000);
            Conversations.select(id);
            tryVerify(() => Conversations.settings.systemPrompt === "Answer in French.", 5000);
        }
    }
}
