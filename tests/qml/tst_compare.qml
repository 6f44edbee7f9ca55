import QtQuick
import QtQuick.Controls
import QtTest
import Arbor
import Arbor.Ui

// Issue 20 in the window: one message to several models (Ctrl+Shift+Enter), the replies side by
// side; "Continue with this" makes a column the visible path and ‹ › then shows the others; a
// fused reply links to its sources; model sets are saved and chosen. (That sets survive a
// restart is tst_compare's, on the store.)
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
                if (c.messageStatus !== MessageStatus.Complete || c.ttft === "—")
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
            verify(/^complete · first token [0-9.,]+ (ms|s) · [0-9.,]+ tok\/s · [0-9,]+ tokens · —$/.test(figures.text),
                   figures.text);

            mouseClick(findChild(shown[1], "continueButton"));
            tryVerify(() => !App.compare.active, 5000, "the view closes");
            tryVerify(() => lastMessage() !== null && lastMessage().messageId === ids[1], 5000,
                      "the second column is the visible path");
            compare(Chat.thread.count, 2);
            compare(lastMessage().siblingCount, 3);
            compare(lastMessage().siblingIndex, 1);
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
    }
}
