import QtQuick
import QtQuick.Controls
import QtTest
import Arbor
import Arbor.Ui

// Issue 17, live rendering: a reply is a list of blocks drawn by kind, formatted as Markdown
// while it streams; code blocks copy their code; tables draw their cells, whose text is
// selectable; reasoning and tool calls have their own items; "Copy as plain text" drops the
// markup. Its own run and database.
Item {
    id: root

    width: 1000
    height: 700

    ChatPage {
        id: chatPage

        anchors.fill: parent
    }

    Component {
        id: bodyComponent

        MessageBody {
            width: 640
            availableWidth: 640
            messageRole: "assistant"
            isLive: true
        }
    }

    Component {
        id: toolCallComponent

        ToolCallBlock {
            index: 0
            continued: false
            availableWidth: 500
            toolName: "search"
            blockText: "{\"query\":\"arbor\",\"limit\":3}"
            closed: true
            toolStatus: "requested"
            toolResult: ""
            toolError: false
            toolIndex: 0
            toolDurationMs: -1
            toolServer: ""
            toolImages: []
        }
    }

    ChatTestCase {
        page: chatPage
        name: "Blocks"
        when: windowShown

        // Every item under `item` with this objectName.
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

        // The text item of `body` whose (plain) text starts with `start`.
        function blockStarting(body, start: string) {
            const blocks = allChildren(body, "messageBlock");
            for (const block of blocks) {
                if (plainText(block).startsWith(start))
                    return block;
            }
            return null;
        }

        // The text a block shows, without its markup (a highlighted code block is rich text).
        function plainText(block) {
            return block.getText(0, block.length).replace(/\u2029/g, "\n");
        }

        // Waits until every block of `body` is made and laid out (before clicking into it).
        function settle(body) {
            tryVerify(() => body.shownBlocks === body.totalBlocks && body.height > 0, 2000);
            waitForRendering(body);
        }

        // Height of the first line of a text item: its font's size, whatever its text.
        function firstLineHeight(edit): real {
            return edit.positionToRectangle(0).height;
        }

        function test_streamingReplyIsFormattedBeforeItEnds() {
            const body = createTemporaryObject(bodyComponent, root, { content: "# Title\n\nSome **bold" });
            verify(body);
            // A heading, and a paragraph still being written: formatted already.
            tryVerify(() => blockStarting(body, "Title") !== null, 2000);
            const heading = blockStarting(body, "Title");
            compare(heading.text, "Title", "no literal #");
            body.content = "# Title\n\nSome **bold** text, still";
            tryVerify(() => blockStarting(body, "Some") !== null && blockStarting(body, "Some").text === "Some bold text, still",
                      2000, "the open paragraph shows no literal **");
            const paragraph = blockStarting(body, "Some");
            verify(body.isLive, "the reply has not ended");
            const html = findChild(paragraph, "markdownRenderer").toHtml();
            verify(/font-weight:\s*(600|700)[^>]*>bold</.test(html), "bold is rendered bold: " + html);
            verify(firstLineHeight(heading) > firstLineHeight(paragraph) * 1.3,
                   "the heading's font is larger: " + firstLineHeight(heading) + " vs " + firstLineHeight(paragraph));

            // It goes on growing as Markdown, a list now; it ends the same.
            body.content = "# Title\n\nSome **bold** text, still\n\n- one *item*\n- two";
            tryVerify(() => blockStarting(body, "one") !== null, 2000, "a list item without its marker");
            body.isLive = false;
            tryVerify(() => blockStarting(body, "one") !== null && blockStarting(body, "one").text === "one item\ntwo", 2000);
            compare(blockStarting(body, "Some").text, "Some bold text, still");
        }

        function test_rawHtmlStaysText() {
            const body = createTemporaryObject(bodyComponent, root, { content: "Say <b>hi</b> & <i>bye</i>", isLive: false });
            tryVerify(() => blockStarting(body, "Say") !== null, 2000);
            compare(blockStarting(body, "Say").text, "Say <b>hi</b> & <i>bye</i>", "model output is not HTML");
        }

        function test_codeBlockCopiesItsCode() {
            const code = "int main()\n{\n    return 0; // **not bold**\n}";
            const body = createTemporaryObject(bodyComponent, root, {
                content: "Look:\n\n```cpp\n" + code + "\n```\n\nDone.",
                isLive: false
            });
            tryVerify(() => findChild(body, "codeCopyButton") !== null, 2000);
            compare(findChild(body, "codeLanguage").text, "cpp");
            const shown = blockStarting(body, "int main");
            compare(plainText(shown), code, "the code, without fences, as written");
            compare(shown.font.family, Theme.monospaceFamily);
            verify(shown.wrapMode === TextEdit.NoWrap, "long lines scroll instead of wrapping");
            Clipboard.setText("something else");
            const copy = findChild(body, "codeCopyButton");
            settle(body);
            compare(copy.text, "Copy");
            mouseClick(copy);
            compare(Clipboard.text(), code, "exactly the code goes to the clipboard");
            compare(copy.text, "Copied");
            tryCompare(copy, "text", "Copy", Theme.copiedVisibleMs + 2000);
        }

        function test_closedCodeBlockIsHighlighted() {
            const code = "def walk(node):\n    while node is not None:\n        yield node  # up\n        node = node.parent";
            const body = createTemporaryObject(bodyComponent, root, {
                content: "```python\n" + code + "\n```",
                isLive: false
            });
            tryVerify(() => blockStarting(body, "def walk") !== null, 2000);
            const shown = blockStarting(body, "def walk");
            // highlight.js runs in a worker; the first block also loads it.
            tryVerify(() => shown.textFormat === TextEdit.RichText, 20000, "coloured by highlight.js");
            verify(/<span style="[^"]*color:#[0-9a-f]{6}[^"]*">def<\/span>/.test(shown.text), shown.text);
            compare(plainText(shown), code, "colouring keeps the text as written");
        }

        function test_codeBlockClosedWhileStreamingIsHighlighted() {
            // The closing fence arrives in pieces: the open block shows "\n``" for a moment, and
            // the update that closes it also takes those characters away again.
            const code = "SELECT id\n  FROM messages\n WHERE id = :leaf;";
            const body = createTemporaryObject(bodyComponent, root, {
                content: "Before\n\n```sql\n" + code + "\n``",
                isLive: true
            });
            tryVerify(() => blockStarting(body, "SELECT id") !== null, 2000);
            wait(50);
            body.content = "Before\n\n```sql\n" + code + "\n```\n\nAfter";
            const shown = () => blockStarting(body, "SELECT id");
            tryVerify(() => shown() !== null && shown().textFormat === TextEdit.RichText, 20000,
                      "the block closed while streaming is coloured");
            compare(plainText(shown()), code, "coloured from the text it ends with");
        }

        function test_openCodeBlockStaysPlain() {
            const body = createTemporaryObject(bodyComponent, root, {
                content: "```python\nimport os\n",
                isLive: true
            });
            tryVerify(() => blockStarting(body, "import os") !== null, 2000);
            const shown = blockStarting(body, "import os");
            wait(300);
            verify(shown.textFormat === TextEdit.PlainText, "an open block is not coloured yet");
        }

        function test_tableDrawsItsCells() {
            const body = createTemporaryObject(bodyComponent, root, {
                content: "| Name | Size | Note |\n|:-----|-----:|:----:|\n| a | 1 | x |\n| **b** | 22 | y |\n",
                isLive: false
            });
            tryVerify(() => allChildren(body, "tableHeaderCell").length === 3, 2000);
            const header = allChildren(body, "tableHeaderCell").map(cell => cell.cellText);
            compare(header, ["Name", "Size", "Note"]);
            const cells = allChildren(body, "tableCell").map(cell => cell.cellText);
            compare(cells, ["a", "1", "x", "b", "22", "y"], "cells hold their text, without markup");
            // Header bold; the columns aligned as the delimiter row says.
            const headerCell = allChildren(body, "tableHeaderCell")[0];
            verify(headerCell.children[0].font.bold);
            const sizeCell = allChildren(body, "tableCell")[1];
            compare(sizeCell.children[0].horizontalAlignment, Text.AlignRight);
            // Cells of a row line up in columns.
            const cellItems = allChildren(body, "tableCell");
            compare(cellItems[0].x, headerCell.x);
            compare(cellItems[1].width, allChildren(body, "tableHeaderCell")[1].width);
        }

        function test_tableCellTextIsSelectedAndCopied() {
            const body = createTemporaryObject(bodyComponent, root, {
                content: "| Tree | Height |\n|------|-------:|\n| English oak | 40 m |\n| Scots pine | 35 m |\n",
                isLive: false
            });
            tryVerify(() => allChildren(body, "tableCellText").length === 6, 2000);
            settle(body);
            const texts = allChildren(body, "tableCellText");
            const oak = texts.find(t => t.text === "English oak");
            verify(oak !== undefined, JSON.stringify(texts.map(t => t.text)));
            compare(oak.selectedText, "");

            // Dragged over with the mouse, from its first letter to past its end.
            const y = oak.height / 2;
            mousePress(oak, 1, y);
            mouseMove(oak, oak.width / 2, y);
            mouseMove(oak, oak.width - 1, y);
            mouseRelease(oak, oak.width - 1, y);
            compare(oak.selectedText, "English oak");
            verify(oak.activeFocus, "the cell takes the keyboard, for Ctrl+C");
            Clipboard.setText("something else");
            keySequence(StandardKey.Copy);
            compare(Clipboard.text(), "English oak");

            // A double click takes a word; the other cell lets go of its selection.
            const height = texts.find(t => t.text === "35 m");
            mouseDoubleClickSequence(height, height.width - 2, height.height / 2);
            compare(height.selectedText, "m");
            compare(oak.selectedText, "", "one selection at a time");
            keySequence(StandardKey.Copy);
            compare(Clipboard.text(), "m");

            // A right-aligned header cell, all of it, stays bold.
            const header = texts.find(t => t.text === "Height");
            verify(header.font.bold);
            header.selectAll();
            compare(header.selectedText, "Height");
        }

        function test_selectionInTheThreadIsWhatCtrlCCopies() {
            // The first click into the thread: the view must not take the keyboard from the cell.
            sendAndWait("A table to copy from");
            const list = messageList();
            // The demo's first table: its first body cell.
            const cell = () => allChildren(rowItem(1), "tableCellText").find(t => t.text.length > 0 && !t.font.bold);
            tryVerify(() => rowItem(1) !== null && cell() !== undefined, 5000);
            list.positionViewAtIndex(1, ListView.Contain);
            tryVerify(() => {
                const c = cell();
                const at = c.mapToItem(list, 0, 0);
                return at.y > 0 && at.y + c.height < list.height;
            }, 5000, "the table is in view");
            const text = cell();
            const y = text.height / 2;
            mousePress(text, 1, y);
            mouseMove(text, text.width / 2, y);
            mouseMove(text, text.width - 1, y);
            mouseRelease(text, text.width - 1, y);
            compare(text.selectedText, text.text);
            verify(text.activeFocus, "the cell has the keyboard, not " + root.Window.activeFocusItem);
            Clipboard.setText("something else");
            keySequence(StandardKey.Copy);
            compare(Clipboard.text(), text.text, "the selection is copied, not the message");
            compare(list.currentIndex, 1, "the clicked message is the current one");
        }

        // Blocks of `body` that have their drawing (BlockItem.drawn) now.
        function drawnBlocks(body) {
            return allChildren(body, "blockItem").filter(block => block.drawn !== null);
        }

        function test_farBlocksHaveNoItem() {
            // A reply far taller than the view: 300 blocks, a few of them code.
            let parts = [];
            for (let i = 0; i < 300; ++i)
                parts.push(i % 30 === 29 ? "```js\nconst n = " + i + ";\n```" : "Paragraph " + i + ", a line of words.");
            const body = createTemporaryObject(bodyComponent, root, {
                content: parts.join("\n\n"),
                isLive: false,
                viewTop: 0,
                viewBottom: root.height
            });
            tryVerify(() => body.shownBlocks === body.totalBlocks, 5000);
            compare(body.totalBlocks, 300);
            const blocks = allChildren(body, "blockItem");
            compare(blocks.length, 300);
            const first = blocks[0];
            const last = blocks[299];
            verify(body.height > root.height + 2 * Theme.offscreenMargin, "taller than the view and its margins: " + body.height);

            // Every block was made once and measured; far from the view it has no item, only its size.
            tryVerify(() => last.drawn === null, 5000, "the last block's item is gone");
            verify(first.drawn !== null, "the first block, on screen, is drawn");
            verify(drawnBlocks(body).length < 150, "items for the blocks near the view only: " + drawnBlocks(body).length);
            verify(allChildren(body, "messageBlock").length < 150, allChildren(body, "messageBlock").length);
            verify(last.height > 0, "a block without its item keeps its height");
            const height = body.height;
            const lastY = last.y;

            // Scrolled to the end: the last blocks are made again, the first ones go; nothing moves.
            body.viewTop = body.height - root.height;
            body.viewBottom = body.height;
            tryVerify(() => last.drawn !== null, 2000, "scrolling to a block makes its item");
            tryVerify(() => first.drawn === null, 5000, "the first block's item is gone");
            compare(findChild(last, "messageBlock").getText(0, 1000), "const n = 299;", "the item shows the block");
            compare(body.height, height, "the blocks kept their height: the view does not jump");
            compare(last.y, lastY);
            verify(drawnBlocks(body).length < 150, drawnBlocks(body).length);

            // Back at the top, the first block is drawn again, the same size.
            const firstHeight = first.height;
            body.viewTop = 0;
            body.viewBottom = root.height;
            tryVerify(() => first.drawn !== null, 2000);
            verify(blockStarting(body, "Paragraph 0,") !== null);
            compare(first.height, firstHeight);
            compare(body.height, height);
        }

        SignalSpy {
            id: resizedAboveSpy

            signalName: "resizedAbove"
        }

        function test_blocksMeasuredAnewAboveTheViewSayBy() {
            let parts = [];
            for (let i = 0; i < 300; ++i)
                parts.push("Paragraph " + i + ", a line of words that wraps when the message is narrow.");
            const body = createTemporaryObject(bodyComponent, root, {
                content: parts.join("\n\n"),
                isLive: false,
                viewTop: 0,
                viewBottom: root.height
            });
            tryVerify(() => body.shownBlocks === body.totalBlocks, 5000);
            const blocks = allChildren(body, "blockItem");
            tryVerify(() => blocks[299].drawn === null, 5000);
            resizedAboveSpy.target = body;
            resizedAboveSpy.clear();

            // Narrower: the blocks near the view wrap at once (below the top: nothing to say);
            // the far ones keep their old height for now.
            body.availableWidth = 200;
            tryVerify(() => blocks[0].height > 30, 2000, "a near block wraps: " + blocks[0].height);
            tryVerify(() => blocks[1].y === blocks[0].height && blocks[299].y > blocks[298].y, 2000, "laid out again");
            compare(resizedAboveSpy.count, 0, "nothing above the view changed");
            const farHeight = blocks[250].height;

            // The view moves down to them: those above its top, measured anew, say by how much.
            body.viewTop = blocks[260].y;
            body.viewBottom = body.viewTop + root.height;
            tryVerify(() => resizedAboveSpy.count > 0, 5000, "blocks above the view were measured anew");
            tryVerify(() => blocks[250].height > farHeight, 5000);
            for (let i = 0; i < resizedAboveSpy.count; ++i)
                verify(resizedAboveSpy.signalArguments[i][0] > 0, "a narrower block is taller");
        }

        function test_reasoningIsFoldedFirst() {
            const body = createTemporaryObject(bodyComponent, root, { content: "", reasoning: "Step one, **then** two." });
            tryVerify(() => findChild(body, "thinkingToggle") !== null, 2000);
            const toggle = findChild(body, "thinkingToggle");
            verify(toggle.text.indexOf("Thinking…") >= 0, toggle.text);
            verify(findChild(body, "thinkingText") === null, "folded: nothing made");
            body.content = "The answer.";
            body.reasoningMs = 4200;
            tryVerify(() => toggle.text.indexOf("Thought for 4 s") >= 0, 2000, toggle.text);
            settle(body);
            mouseClick(toggle);
            tryVerify(() => findChild(body, "thinkingText") !== null, 2000);
            tryCompare(findChild(body, "thinkingText"), "text", "Step one, then two.");
        }

        function test_toolCallShowsItsArguments() {
            const card = createTemporaryObject(toolCallComponent, root);
            compare(findChild(card, "toolName").text, "search");
            compare(findChild(card, "toolStatus").text, "Not run");
            // Pretty printed, monospace; short arguments are not folded.
            const args = findChild(card, "toolArguments");
            compare(args.text, "{\n  \"query\": \"arbor\",\n  \"limit\": 3\n}");
            compare(args.font.family, Theme.monospaceFamily);
            verify(!findChild(card, "toolArgumentsToggle").visible);
            // Nothing ran: the card says so, with no result section.
            verify(findChild(card, "toolNote").visible);
            verify(findChild(card, "toolNote").text.indexOf("did not run") >= 0);
            verify(!findChild(card, "toolResult").visible);
            // Copy takes the arguments, pretty printed.
            mouseClick(findChild(card, "toolCopyButton"));
            compare(Clipboard.text(), "{\n  \"query\": \"arbor\",\n  \"limit\": 3\n}");
            tryCompare(findChild(card, "toolCopyButton"), "text", "Copied");
        }

        function test_longArgumentsFoldAndAResultShows() {
            let args = {};
            for (let i = 0; i < 20; ++i)
                args["key" + i] = i;
            const card = createTemporaryObject(toolCallComponent, root, {
                blockText: JSON.stringify(args), toolStatus: "done", toolResult: "3 hits\nand more"
            });
            const text = findChild(card, "toolArguments");
            const toggle = findChild(card, "toolArgumentsToggle");
            verify(toggle.visible, "22 lines are folded");
            compare(text.text.split("\n").length, card.foldedLines + 1); // and "…"
            verify(text.text.endsWith("…"));
            mouseClick(toggle);
            compare(text.text, JSON.stringify(args, null, 2));
            compare(findChild(card, "toolStatus").text, "Done");
            verify(!findChild(card, "toolNote").visible, "a call that ran needs no note");
            verify(findChild(card, "toolResult").visible);
            compare(findChild(card, "toolResult").text, "3 hits\nand more");
            compare(findChild(card, "toolResultLabel").text, "Result");
        }

        function test_imageInTheResultIsShown() {
            // A PNG of 2 x 3 pixels, as an MCP image content item becomes (a data: URL).
            const png = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAIAAAADCAIAAAA2iEnWAAAAEElEQVR4nGP4z8AARAwoFABE0AX7pM/egAAAAABJRU5ErkJggg==";
            const card = createTemporaryObject(toolCallComponent, root, {
                toolStatus: "done", toolResult: "Here's the image you requested:\n[image/png]",
                toolImages: [png]
            });
            const image = findChild(card, "toolImage");
            verify(image !== null, "the result's image has an item");
            tryCompare(image, "status", Image.Ready);
            compare(image.sourceSize.width, 2);
            compare(image.sourceSize.height, 3);
            verify(image.visible && image.width > 0 && image.height > 0);
            const none = createTemporaryObject(toolCallComponent, root, {
                toolStatus: "done", toolResult: "text only"
            });
            compare(findChild(none, "toolImage"), null);
        }

        function test_awaitingApprovalShowsTheButtonsAndRunDetails() {
            const waiting = createTemporaryObject(toolCallComponent, root, {
                toolStatus: "awaiting_approval", toolServer: "files", messageId: "m1"
            });
            verify(findChild(waiting, "toolApproval").visible);
            verify(findChild(waiting, "toolApprove").visible);
            verify(findChild(waiting, "toolDeny").visible);
            verify(findChild(waiting, "toolAlwaysAllow").visible);
            compare(findChild(waiting, "toolStatus").text, "Awaiting approval");
            compare(findChild(waiting, "toolDetails").text, "on files");
            const done = createTemporaryObject(toolCallComponent, root, {
                toolStatus: "done", toolServer: "files", toolDurationMs: 1500, toolResult: "ok",
                messageId: "m1"
            });
            verify(!findChild(done, "toolApproval").visible);
            compare(findChild(done, "toolDetails").text, "on files · 1.5 s");
        }

        function test_storedToolCallsAreCardsAmongTheText() {
            // A reply as the store gives it: its text and its tool_calls (one made after the
            // first paragraph, one at the end).
            const stored = JSON.stringify([
                { id: "call_1", name: "get_weather", arguments: "{\"city\":\"Paris\"}", at: 10, status: "requested" },
                { id: "call_2", name: "get_time", arguments: "{\"zone\":\"Europe/Paris\"}", at: 27, status: "requested" }
            ]);
            const body = createTemporaryObject(bodyComponent, root, {
                content: "Checking.\n\nBoth in a moment.", toolCalls: stored, isLive: false
            });
            settle(body);
            const cards = allChildren(body, "toolName");
            compare(cards.length, 2);
            compare(cards[0].text, "get_weather");
            compare(cards[1].text, "get_time");
            const args = allChildren(body, "toolArguments");
            compare(args[0].text, "{\n  \"city\": \"Paris\"\n}");
            compare(args[1].text, "{\n  \"zone\": \"Europe/Paris\"\n}");
            // Drawn in order: text, card, text, card.
            const first = blockStarting(body, "Checking.");
            const second = blockStarting(body, "Both");
            verify(first && second);
            const y = item => item.mapToItem(body, 0, 0).y;
            verify(y(first) < y(cards[0]), "the first call after the first paragraph");
            verify(y(cards[0]) < y(second), "…and before the second");
            verify(y(second) < y(cards[1]), "the last call after all the text");
            verify(body.fullText().indexOf("tool") < 0, "the text is the model's own");
        }

        function test_copyAsPlainText() {
            sendAndWait("Plain please");
            const reply = rowItem(1);
            verify(reply.content().indexOf("**") >= 0, "the demo reply has Markdown");
            const menu = findChild(page, "messageMenu");
            focusRowFromComposer(1);
            keyClick(Qt.Key_Menu);
            tryCompare(menu, "opened", true);
            const plain = findChild(menu, "copyPlainAction");
            verify(plain.visible);
            // Copy, then Copy as plain text.
            keyClick(Qt.Key_Down);
            keyClick(Qt.Key_Down);
            verify(plain.highlighted);
            keyClick(Qt.Key_Return);
            tryCompare(menu, "visible", false);
            const copied = Clipboard.text();
            verify(copied.length > 100, copied);
            verify(copied.indexOf("**") < 0 && copied.indexOf("```") < 0 && copied.indexOf("|---") < 0,
                   "no Markdown: " + copied);
            verify(copied.indexOf("• ") >= 0, "list items keep a bullet");
            tryCompare(rowChild(1, "copyButton"), "text", "Copied", 2000);
            // Copy still gives the Markdown source.
            reply.actionRequested(MessageAction.Copy);
            compare(Clipboard.text(), reply.content());
        }
    }
}
