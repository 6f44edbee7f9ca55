import QtQuick
import QtQuick.Controls
import QtTest
import Arbor
import Arbor.Ui

// Issue 20 in the window: one message to several models (Ctrl+Shift+Enter), the replies side by
// side; "Continue with this" makes a column the visible path and ‹ › then shows the others; a
// fused reply links to its sources, in the view and in the thread; model sets are saved and
// chosen; a column's header dragged onto another moves it there; scrolling one column scrolls
// the others while "Scroll together" is on; Alt+N maximises a column. (That sets survive a
// restart is tst_compare's, on the store; "Stop all" is tst_comparecontroller's, with a slow
// demo model.)
Item {
    id: root

    width: 1200
    height: 700

    ChatPage {
        id: chatPage

        anchors.fill: parent
    }

    ChatTestCase {
        page: chatPage
        name: "Compare"
        when: windowShown

        readonly property var specs: ["demo/demo", "demo/demo:temperature=0.5", "demo/demo:temperature=1"]

        function columns() {
            return shownChildren(page, "compareColumn");
        }

        function allComplete(n: int): bool {
            const shown = columns();
            if (shown.length !== n)
                return false;
            for (const c of shown) {
                // The figures come from the store a moment after the status (the demo reports
                // its tokens).
                if (c.messageStatus !== MessageStatus.Complete || c.ttft === "—" || c.tokens === "—")
                    return false;
            }
            return true;
        }

        function sendCompare(text: string) {
            App.compare.selection = specs;
            const input = composerInput();
            input.forceActiveFocus();
            typeText(text);
            keyClick(Qt.Key_Return, Qt.ControlModifier | Qt.ShiftModifier);
            compare(input.text, "", "the composer is cleared once the models are asked");
            tryVerify(() => App.compare.active, replyTimeout, "the compare view opens");
            tryVerify(() => allComplete(3), 30000, "three columns complete, with their figures");
        }

        function test_1_continueWithThisThenSiblingsShowTheOthers() {
            sendCompare("Which sort?");
            verify(!messageList().visible, "the compare view stands in the thread's place");
            const shown = columns();
            const ids = shown.map(c => c.messageId);
            compare(new Set(shown.map(c => App.compare.columns.textOf(c.index))).size, 3,
                    "each column has its own text");
            verify(shown[0].isCurrent, "the first column is the visible path at first");
            // The figures: status, first token, tokens/s, tokens, cost ("—": the demo has no price).
            const figures = findChild(shown[1], "columnFigures");
            verify(/^complete\s·\sfirst\stoken\s[0-9.,]+\s(ms|s)\s·\s[0-9.,]+\stok\/s\s·\s[0-9,]+\stokens\s·\s—$/.test(figures.text),
                   figures.text);

            mouseClick(findChild(shown[1], "continueButton"));
            tryVerify(() => !App.compare.active, 5000, "the view closes");
            tryVerify(() => lastMessage() !== null && lastMessage().messageId === ids[1], 5000,
                      "the second column is the visible path");
            compare(Chat.thread.count, 2);
            compare(lastMessage().siblingCount, 3);
            compare(lastMessage().siblingIndex, 1);
            // The thread names the column's own parameters too, as its header did.
            showRow(1);
            const author = rowChild(1, "authorLabel");
            verify(author !== null && author.text.endsWith(" · t=0.5"), author ? author.text : "none");
            tryCompare(testCase_siblingText(), "text", "2 / 3");
            // ‹ and › show the other columns.
            Chat.switchSibling(ids[1], 1);
            tryVerify(() => lastMessage().messageId === ids[2], 5000);
            Chat.switchSibling(ids[2], -2);
            tryVerify(() => lastMessage().messageId === ids[0], 5000);
        }

        function testCase_siblingText() {
            showRow(1);
            const indicator = rowChild(1, "siblingIndicator");
            verify(indicator !== null);
            return indicator;
        }

        function test_2_compareRepliesAndFuse() {
            sendCompare("Name a data structure");
            const ids = columns().map(c => c.messageId);
            App.compare.close();
            tryVerify(() => !App.compare.active);
            // "Compare replies" on a reply with siblings opens the same view.
            tryVerify(() => lastMessage() !== null && lastMessage().siblingCount === 3, 5000);
            App.compare.open(lastMessage().messageId);
            tryVerify(() => App.compare.active && allComplete(3), 5000);
            // Each header names the column's own parameters, read back from its reply.
            const labels = columns().map(c => c.label);
            verify(!/·/.test(labels[0]) && labels[1].endsWith(" · t=0.5") && labels[2].endsWith(" · t=1"),
                   labels.join(" | "));
            // Alt+2 maximises the second column from the keyboard, also while the composer has
            // the focus (and types nothing there); Alt+2 again shows them all.
            const input = composerInput();
            input.forceActiveFocus();
            tryVerify(() => input.activeFocus);
            keyClick(Qt.Key_2, Qt.AltModifier);
            tryVerify(() => columns().length === 1 && columns()[0].messageId === ids[1], 5000,
                      "only the second column shows");
            keyClick(Qt.Key_2, Qt.AltModifier);
            tryVerify(() => columns().length === 3, 5000, "all columns show again");
            compare(input.text, "", "Alt+2 typed nothing");
            // Fuse the first and the third.
            verify(App.compare.fuse([ids[0], ids[2]], "demo/demo", App.compare.defaultFusePrompt));
            tryVerify(() => allComplete(4), 30000, "the fused reply is a fourth column");
            const fused = columns()[3];
            verify(fused.label.startsWith("Fused"), fused.label);
            const links = shownChildren(fused, "sourceLink");
            compare(links.length, 2);
            verify(links[0].text.indexOf("column 1") >= 0, links[0].text);
            verify(links[1].text.indexOf("column 3") >= 0, links[1].text);
            // Moving a column renumbers the links.
            App.compare.columns.moveColumn(0, 1);
            tryVerify(() => shownChildren(columns().find(c => c.messageId === fused.messageId), "sourceLink")[0]
                      .text.indexOf("column 2") >= 0);
            App.compare.close();
        }

        function test_3_modelSetsAreSavedAndChosen() {
            verify(App.compare.saveSet("Trio", specs));
            tryCompare(App.compare.modelSets, "length", 1);
            compare(App.compare.modelSets[0].name, "Trio");
            App.compare.selection = [];
            App.compare.chooseSet("Trio");
            compare(App.compare.selection, specs);
            // The picker lists it.
            mouseClick(findChild(page, "compareButton"));
            const picker = findChild(page, "modelSetPicker");
            tryVerify(() => picker.opened);
            compare(shownChildren(picker.contentItem, "useSet").length, 1);
            picker.close();
            verify(App.compare.checkSelection(["demo/demo"]).length > 0, "one model is not a compare");
            App.compare.removeSet("Trio");
            tryCompare(App.compare.modelSets, "length", 0);
        }
            // The columns in the view's order.
        function cleanup() {
            App.compare.close();
            root.height = 700;
        }

        function ordered() {
            return columns().sort((a, b) => a.index - b.index);
        }

        // Drags with the left button from @p from to @p to (points in root), in small steps.
        function drag(from: point, to: point) {
            mousePress(root, from.x, from.y);
            for (let i = 1; i <= 12; ++i)
                mouseMove(root, from.x + (to.x - from.x) * i / 12, from.y + (to.y - from.y) * i / 12,
                          -1, Qt.LeftButton);
        }

        function test_4_dragAHeaderOntoAnotherColumnMovesIt() {
            sendCompare("Which tree?");
            const before = ordered().map(c => c.messageId);
            const header = findChild(ordered()[0], "columnLabel");
            const target = ordered()[2];
            const from = header.mapToItem(root, header.width / 2, header.height / 2);
            const to = target.mapToItem(root, target.width / 2, target.height / 2);
            drag(from, to);
            const ghost = findChild(page, "draggedColumn");
            verify(ghost.visible, "the dragged header follows the pointer");
            verify(ghost.text.indexOf("1. ") === 0, ghost.text);
            tryVerify(() => findChild(target, "columnDropArea").containsDrag, 5000,
                      "the column under it shows it takes it");
            mouseRelease(root, to.x, to.y);
            verify(!ghost.visible);
            tryVerify(() => ordered().map(c => c.messageId).join() === [before[1], before[2], before[0]].join(),
                      5000, "the first column is now the third");
            compare(findChild(ordered()[2], "columnLabel").text.indexOf("3. "), 0, "numbered by place");
            // The order holds when the replies are read again (a new reply: regenerate).
            App.compare.regenerate(before[1]);
            tryVerify(() => columns().length === 4, 5000);
            compare(ordered().slice(0, 3).map(c => c.messageId), [before[1], before[2], before[0]]);
            tryVerify(() => allComplete(4), 30000);
            // Dropped where it started, a column stays.
            const first = findChild(ordered()[0], "columnLabel");
            const start = first.mapToItem(root, first.width / 2, first.height / 2);
            drag(start, Qt.point(start.x + 40, start.y + 40));
            tryVerify(() => findChild(ordered()[0], "columnDropArea").containsDrag, 5000);
            mouseRelease(root, start.x + 40, start.y + 40);
            compare(ordered()[0].messageId, before[1]);
            // A maximised column cannot be dragged (it is alone).
            mouseClick(findChild(ordered()[0], "maximiseButton"));
            verify(!findChild(ordered()[0], "headerDrag").enabled);
            App.compare.close();
        }

        function test_5_scrollingOneColumnScrollsTheOthersWhenTogether() {
            root.height = 420; // columns shorter than their text
            sendCompare("Explain sorting");
            const shown = ordered();
            tryVerify(() => shown.every(c => c.settled), 10000, "the texts are drawn");
            const flicks = shown.map(c => findChild(c, "columnText"));
            tryVerify(() => flicks.every(f => f.contentHeight > 2 * f.height), 5000, "every text scrolls");
            const together = findChild(page, "syncScrollSwitch");
            verify(together.checked, "on by default");

            mouseWheel(flicks[0], flicks[0].width / 2, flicks[0].height / 2, 0, -360);
            tryVerify(() => shown[0].scrollRatio > 0 && !flicks[0].moving, 5000);
            for (let i = 1; i < shown.length; ++i) {
                fuzzyCompare(shown[i].scrollRatio, shown[0].scrollRatio, 0.001,
                             "column " + (i + 1) + " moved as far (proportionally)");
                verify(flicks[i].contentY > 0);
            }
            // Another column leads the same way.
            mouseWheel(flicks[2], flicks[2].width / 2, flicks[2].height / 2, 0, -360);
            tryVerify(() => !flicks[2].moving && shown[2].scrollRatio > shown[1].scrollRatio - 0.001, 5000);
            fuzzyCompare(shown[0].scrollRatio, shown[2].scrollRatio, 0.001);

            // Off: the others stay where they are.
            mouseClick(together);
            verify(!together.checked);
            const kept = flicks.map(f => f.contentY);
            mouseWheel(flicks[0], flicks[0].width / 2, flicks[0].height / 2, 0, -360);
            tryVerify(() => flicks[0].contentY > kept[0] && !flicks[0].moving, 5000);
            for (let i = 1; i < flicks.length; ++i)
                compare(flicks[i].contentY, kept[i], "column " + (i + 1) + " stays");
            mouseClick(together);
            verify(together.checked);
            App.compare.close();
            root.height = 700;
        }

        function test_6_aFusedReplyLinksToItsSourcesInTheThread() {
            sendCompare("Pick a colour");
            const ids = ordered().map(c => c.messageId);
            verify(App.compare.fuse([ids[0], ids[2]], "demo/demo", App.compare.defaultFusePrompt));
            tryVerify(() => allComplete(4), 30000);
            App.compare.close();
            tryVerify(() => lastMessage() !== null && lastMessage().siblingCount === 4
                      && lastMessage().siblingIndex === 3, 5000, "the fused reply is shown");
            showRow(1);
            const links = () => rowItem(1) === null ? [] : shownChildren(rowItem(1), "fusedLink");
            tryVerify(() => links().length === 2, 5000, "two links under the fused reply");
            // The text streamed while the thread was hidden is drawn now: let it settle first.
            tryVerify(() => {
                const body = findChild(rowItem(1), "messageBody");
                return body.shownBlocks === body.totalBlocks && body.waitingBlocks === 0;
            }, 5000);
            showRow(1);
            verify(links()[0].text.indexOf("reply 1 · ") === 0, links()[0].text);
            verify(links()[1].text.indexOf("reply 3 · ") === 0, links()[1].text);
            // A link shows that sibling: ‹ 3 / 4 ›.
            mouseClick(links()[1]);
            tryVerify(() => lastMessage().messageId === ids[2], 5000);
            tryCompare(lastMessage(), "siblingIndex", 2);
            showRow(1);
            tryVerify(() => rowItem(1) !== null && findChild(rowItem(1), "fusedLinks") === null,
                      5000, "an ordinary reply has no links");
            // Back to the fused reply (›): its other link shows reply 1.
            Chat.switchSibling(ids[2], 1);
            tryVerify(() => lastMessage().siblingIndex === 3, 5000);
            showRow(1);
            tryVerify(() => links().length === 2, 5000);
            const fusedId = lastMessage().messageId;
            tryVerify(() => rowItem(1).messageId === fusedId && links().length === 2, 5000);
            // Drawn again after the switch: let its blocks settle so the link stays where it is.
            tryVerify(() => {
                const body = findChild(rowItem(1), "messageBody");
                return body !== null && body.shownBlocks === body.totalBlocks
                       && body.waitingBlocks === 0;
            }, 5000);
            showRow(1);
            waitForRendering(rowItem(1));
            mouseClick(links()[0]);
            tryVerify(() => lastMessage().messageId === ids[0], 5000,
                      "the first link shows reply 1: " + lastMessage().siblingIndex + " " + links()[0].text);
        }
    }
}
