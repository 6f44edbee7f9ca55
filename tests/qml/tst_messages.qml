import QtQuick
import QtQuick.Controls
import QtTest
import Arbor
import Arbor.Ui

// Issue 15, messages: big ones never go into one text item (the window froze for minutes), the
// user's text shows as typed, long ones collapse, a search hit is marked, a failed reply offers
// the way on. Its own run and database (see tst_qml.cpp).
Item {
    id: root

    width: 1000
    height: 700

    ChatPage {
        id: chatPage

        anchors.fill: parent
    }

    Component {
        id: delegateComponent

        MessageDelegate {
            width: 800
            index: 0
            messageId: "m1"
            messageRole: "assistant"
            messageAuthor: "Demo"
            messageContent: ""
            messageStatus: MessageStatus.Complete
            messageError: ""
            messageNotice: ""
            messageModel: "demo/demo"
            messageLabel: ""
            isLive: false
            siblingIndex: 0
            siblingCount: 1
            isRetrying: false
            retryAt: 0
            attempt: 0
            maxAttempts: 0
            canRetry: false
            needsSettings: false
            canEdit: false
            canRegenerate: true
            canContinue: false
            canLabel: true
            canFork: true
            canDelete: true
            reasoning: ""
            reasoningMs: -1
            reasoningLive: false
            messageUsage: ""
            fusedFrom: []
        }
    }

    ChatTestCase {
        page: chatPage
        name: "Messages"
        when: windowShown

        // Every text item under `item` (anything with a text document) and its text's length.
        function textItems(item) {
            let found = [];
            for (let i = 0; i < item.children.length; ++i) {
                const child = item.children[i];
                if (child.textDocument !== undefined && child.text !== undefined)
                    found.push(child);
                found = found.concat(textItems(child));
            }
            return found;
        }

        // Every item under `item` with this objectName, shown or not.
        function allChildren(item, name) {
            let found = [];
            for (let i = 0; i < item.children.length; ++i) {
                const child = item.children[i];
                if (child.objectName === name)
                    found.push(child);
                found = found.concat(allChildren(child, name));
            }
            return found;
        }

        function bigText(size: int): string {
            let lines = [];
            let n = 0;
            for (let i = 0; n < size; ++i) {
                const line = "at com.example.Worker.run(Worker.java:" + i + ") 2*3*4 # x";
                lines.push(line);
                n += line.length + 1;
            }
            return lines.join("\n").substring(0, size);
        }

        function test_userTextIsShownAsTyped() {
            const typed = "2*3*4\n# x\n    at foo(Bar.java:12)\n\tat <b>bar</b>()";
            verify(Chat.send(typed));
            tryVerify(() => Chat.thread.count === 2 && !Chat.busy, replyTimeout);
            tryVerify(() => rowChild(0, "messageBlock") !== null);
            const block = rowChild(0, "messageBlock");
            compare(block.textFormat, TextEdit.PlainText, "the user's text is not Markdown");
            compare(block.text, typed, "every character, line break and indent kept");
            compare(block.lineCount, 4);
            verify(!rowChild(0, "showMoreButton").visible, "a short message does not collapse");
        }

        function test_longUserTextCollapses() {
            let lines = [];
            for (let i = 0; i < 40; ++i)
                lines.push("line " + i);
            verify(Chat.send(lines.join("\n")));
            tryVerify(() => Chat.thread.count === 2 && !Chat.busy, replyTimeout);
            tryVerify(() => rowChild(0, "showMoreButton") !== null && rowChild(0, "showMoreButton").visible, 5000);
            const body = rowChild(0, "messageBody");
            const collapsed = body.height;
            const button = rowChild(0, "showMoreButton");
            compare(button.text, "Show more");
            showRow(0);
            mouseClick(button);
            tryVerify(() => body.height > collapsed + 100, 5000, "Show more shows it all: " + body.height);
            compare(button.text, "Show less");
            showRow(0, ListView.End);
            mouseClick(button);
            tryVerify(() => body.height === collapsed, 5000);
        }

        function test_bigPasteAndMessageStaySmallForTextItems() {
            // 300 KB on the clipboard, pasted with Ctrl+V: the field shows a placeholder.
            const big = bigText(300000);
            Clipboard.setText(big);
            const input = composerInput();
            input.forceActiveFocus();
            typeText("Look: ");
            keyClick(Qt.Key_V, Qt.ControlModifier);
            verify(input.text.length < 200, "the field does not hold the paste: " + input.text.length);
            verify(input.text.indexOf("Pasted text") >= 0, input.text);
            keyClick(Qt.Key_Return);
            compare(input.text, "");
            tryVerify(() => Chat.thread.count === 2 && !Chat.busy, replyTimeout);
            compare(message(0).messageContent, "Look: " + big, "the whole paste is sent");

            // The message is shown in small blocks, collapsed; expanded, still no text item holds
            // more than a block, and the blocks are made a step at a time.
            tryVerify(() => rowItem(0) !== null);
            let items = textItems(rowItem(0));
            verify(items.length > 0);
            for (const item of items)
                verify(item.text.length <= 4000, "a text item holds " + item.text.length + " characters");
            showRow(0);
            mouseClick(rowChild(0, "showMoreButton"));
            const first = shownChildren(rowItem(0), "messageBlock").length;
            verify(first < 20, "the first step makes a few blocks, not all: " + first);
            const body = rowChild(0, "messageBody");
            tryVerify(() => body.shownBlocks === body.totalBlocks, 30000,
                      "the rest follow: " + body.shownBlocks + " of " + body.totalBlocks + " blocks");
            verify(body.totalBlocks > 70, body.totalBlocks);
            // Only the blocks near the screen have a text item; the others keep only their size.
            const made = () => allChildren(rowItem(0), "messageBlock").length;
            tryVerify(() => made() > 0 && made() < body.totalBlocks / 2, 5000,
                      "text items: " + made() + " for " + body.totalBlocks + " blocks");
            items = textItems(rowItem(0));
            for (const item of items)
                verify(item.text.length <= 4000, "a text item holds " + item.text.length + " characters");
            // At the message's end, its last block has its item.
            const end = big.substring(big.length - 30);
            const lastShown = () => textItems(rowItem(0)).some(item => item.text.endsWith(end));
            tryVerify(() => !lastShown(), 5000, "the end, far off screen, has no item");
            showRow(0, ListView.End);
            tryVerify(lastShown, 5000, "scrolled to, the end is made");
        }

        function test_editingABigMessageKeepsTheFieldSmall() {
            const big = bigText(100000);
            verify(Chat.send(big));
            tryVerify(() => Chat.thread.count === 2 && !Chat.busy, replyTimeout);
            focusRowFromComposer(0);
            keyClick(Qt.Key_E);
            tryVerify(() => rowChild(0, "editInput") !== null && rowChild(0, "editInput").activeFocus, 5000);
            const input = rowChild(0, "editInput");
            verify(input.text.length < 200, "the editor does not hold the whole text: " + input.text.length);
            keyClick(Qt.Key_Home, Qt.ControlModifier);
            typeText("Edited: ");
            keyClick(Qt.Key_Return, Qt.ControlModifier);
            tryVerify(() => message(0) !== null && message(0).siblingCount === 2 && !Chat.busy, replyTimeout);
            compare(message(0).messageContent, "Edited: " + big, "the whole text is saved with the edit");
        }

        function test_searchHitIsMarkedInTheMessage() {
            sendAndWait("Quetzalcoatl feathers");
            Conversations.newConversation();
            keyClick(Qt.Key_F, Qt.ControlModifier);
            typeText("quetzalcoatl");
            const results = findChild(page, "searchResults");
            tryVerify(() => results.visible && results.count > 0, 5000);
            keyClick(Qt.Key_Return);
            tryVerify(() => Search.highlightMessageId.length > 0, 5000);
            // The hit's conversation loads after the highlight is set: wait for its row.
            tryVerify(() => Chat.thread.rowOfId(Search.highlightMessageId) >= 0, 5000, "the hit is shown");
            const row = Chat.thread.rowOfId(Search.highlightMessageId);
            tryVerify(() => rowItem(row) !== null, 5000);
            tryVerify(() => shownChildren(rowItem(row), "messageBlock").length > 0);
            tryVerify(() => {
                const blocks = shownChildren(rowItem(row), "messageBlock");
                return blocks.some(block => findChild(block, "searchHighlighter").matchCount > 0);
            }, 5000, "the search words are marked in the opened message");
            keyClick(Qt.Key_Escape);
        }

        function test_failedReplyOffersRetryAndSettings() {
            const failed = createTemporaryObject(delegateComponent, root, {
                messageStatus: MessageStatus.Error,
                messageError: "401: invalid API key",
                canRetry: true,
                needsSettings: true
            });
            verify(failed);
            const retry = findChild(failed, "retryButton");
            const settings = findChild(failed, "openSettingsButton");
            verify(retry.visible && settings.visible);

            compare(findChild(failed, "statusChip").text, "Failed");
            const actions = [];
            failed.actionRequested.connect(action => actions.push(action));
            mouseClick(retry);
            mouseClick(settings);
            compare(actions, [MessageAction.Retry, MessageAction.OpenSettings]);
            failed.destroy();
            // A failure Settings cannot fix (the network, the vendor's servers) offers Retry only.
            const cut = createTemporaryObject(delegateComponent, root, {
                messageStatus: MessageStatus.Error,
                messageError: "Cannot reach api.example.com",
                canRetry: true
            });
            verify(findChild(cut, "retryButton").visible);
            verify(!findChild(cut, "openSettingsButton").visible);

            const waiting = createTemporaryObject(delegateComponent, root, {
                messageStatus: MessageStatus.Queued,
                messageError: "Connection refused",
                isRetrying: true,
                retryAt: Date.now() + 30000,
                attempt: 1,
                maxAttempts: 3
            });
            const chip = findChild(waiting, "statusChip");
            tryVerify(() => /^Retrying in (29|30) s$/.test(chip.text), 3000, chip.text);
            compare(findChild(waiting, "messageError").text, "Attempt 1 of 3 failed: Connection refused");
            verify(!findChild(waiting, "retryButton").visible, "it will be retried anyway");
        }
    }
}
