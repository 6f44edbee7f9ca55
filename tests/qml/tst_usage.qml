import QtQuick
import QtQuick.Controls
import QtTest
import Arbor
import Arbor.Ui

// Issue 19 in the window: the header's tokens and cost of the conversation, live (estimated)
// while a reply streams and exact once its usage is stored; a reply's usage on hover; the Usage
// page's charts, lists and CSV export. Its own run and database, with the demo model priced at
// $1,000 / $2,000 per million tokens and streaming at 40 tokens/s (tst_qml.cpp).
Item {
    id: root

    width: 1000
    height: 640

    ChatPage {
        id: chatPage

        anchors.fill: parent
    }

    ChatTestCase {
        page: chatPage
        name: "Usage"
        when: windowShown

        function figure() {
            const label = findChild(page, "usageFigure");
            verify(label !== null, "usageFigure not found");
            return label;
        }

        function test_1_theHeaderCountsTheConversation() {
            verify(!figure().visible, "no usage before the first reply");
            const input = composerInput();
            input.forceActiveFocus();
            typeText("What does it cost?");
            keyClick(Qt.Key_Return);
            // While the reply is written: an estimate from its text so far.
            tryVerify(() => figure().visible && figure().text.startsWith("≈ "), replyTimeout,
                      "a live estimate: " + figure().text);
            verify(App.usage.estimated);
            tryVerify(() => lastMessage() !== null && lastMessage().messageStatus === MessageStatus.Complete,
                      30000, "the demo reply completes");
            // Once it is stored: the demo's reported usage, priced.
            tryVerify(() => /^[0-9,.k]+ tokens · \$[0-9,.]+$/.test(figure().text), 5000,
                      "exact once stored: " + figure().text);
            verify(!App.usage.estimated);
            verify(App.usage.detail.indexOf("input tokens") >= 0, App.usage.detail);
            // The reply's own figures, shown on hover. The row reads the stored usage apart from
            // the header's totals, and may have it a moment later.
            tryVerify(() => shownChildren(messageList(), "usageLabel").length === 1, 5000,
                      "only the reply has usage");
            const labels = shownChildren(messageList(), "usageLabel");
            verify(/ in · .* out · \$/.test(labels[0].text), labels[0].text);
        }

        function test_2_theUsagePageShowsTheDays() {
            keySequence("Ctrl+U");
            const total = findChild(page, "usageTotal");
            verify(total !== null);
            tryVerify(() => total.visible && total.text.indexOf("tokens · $") >= 0, 5000, total.text);
            // Every day of the last 30 has its slot; only today's has usage.
            tryVerify(() => App.usage.days.length === 30, 5000);
            const today = Qt.formatDate(new Date(), "yyyy-MM-dd");
            const shown = App.usage.days[29];
            compare(shown.day, today);
            compare(App.usage.days[0].costs[0], 0);
            compare(App.usage.models.length, 1);
            verify(App.usage.models[0].startsWith("demo/"), App.usage.models[0]);
            compare(shown.costs.length, 1);
            verify(shown.costs[0] > 0);
            // The conversations' list is a report of its own and may come after the days'.
            tryVerify(() => App.usage.topConversations.length === 1, 5000,
                      "one conversation: " + App.usage.topConversations.length);
            compare(App.usage.topModels.length, 1);
            verify(findChild(page, "costChart").maximum > 0);
            verify(findChild(page, "tokenChart").maximum > 0);
            // The export writes the day's row.
            const file = "file://" + App.storePath + ".usage.csv";
            verify(App.usage.exportCsv(file));

            // A custom range: starts from the range shown, refuses days that are not days or
            // come in the wrong order, and reports only the days asked for.
            const range = findChild(page, "usageRange");
            const since = findChild(page, "usageSince");
            const until = findChild(page, "usageUntil");
            const error = findChild(page, "usageRangeError");
            verify(!since.visible);
            range.activated(3);
            range.currentIndex = 3;
            tryVerify(() => since.visible && until.visible);
            compare(until.text, today);
            verify(!error.visible, error.text);
            since.text = "2026-02-30";
            since.editingFinished();
            tryVerify(() => error.visible && error.text.indexOf("YYYY-MM-DD") >= 0, 2000, error.text);
            since.text = "2001-01-02";
            since.editingFinished();
            until.text = "2001-01-01";
            until.editingFinished();
            tryVerify(() => error.visible && error.text.indexOf("after") >= 0, 2000, error.text);
            until.text = "2001-01-31";
            until.editingFinished();
            tryVerify(() => !error.visible);
            tryVerify(() => App.usage.models.length === 0 && App.usage.days.length === 30, 5000,
                      "nothing was used from 2 to 31 January 2001");
            since.text = today;
            since.editingFinished();
            until.text = today;
            until.editingFinished();
            tryVerify(() => App.usage.days.length === 1, 5000, "today's usage again");
            keySequence("Ctrl+U");
            tryVerify(() => !total.visible);
        }

        function test_3_theBranchFigureAppearsWithASecondBranch() {
            sendAndWait("Price this branch");
            tryVerify(() => lastMessage().messageStatus === MessageStatus.Complete, replyTimeout);
            tryVerify(() => figure().visible && /^[0-9,.k]+ tokens · \$[0-9,.]+$/.test(figure().text), 5000,
                      "one branch: no branch figure: " + figure().text);
            compare(App.usage.branchText, "");
            // Regenerate the reply: a sibling branch with its own usage.
            const reply = lastMessage();
            verify(reply !== null);
            const first = reply.messageId;
            Chat.regenerate(first, "");
            tryVerify(() => lastMessage() !== null && lastMessage().messageId !== first
                      && lastMessage().messageStatus === MessageStatus.Complete
                      && App.usage.branchText.length > 0, 30000, "a second priced branch");
            verify(/\(this branch: [0-9,.k]+ tokens · \$[0-9,.]+\)$/.test(figure().text), figure().text);
            verify(App.usage.detail.indexOf("This branch (1 ") >= 0, App.usage.detail);
        }

        function test_4_tabStaysOnTheUsagePage() {
            // Keyboard only: Tab walks the page's controls round and round (the custom range of
            // test 2 shows its two fields) and never reaches the chat hidden under the page.
            keySequence("Ctrl+U");
            const total = findChild(page, "usageTotal");
            tryVerify(() => total.visible);
            const order = ["usageRange", "usageSince", "usageUntil", "exportUsageButton",
                           "closeUsageButton", "usageRange"];
            for (let i = 0; i < order.length; ++i) {
                keyClick(Qt.Key_Tab);
                tryVerify(() => findChild(page, order[i]).activeFocus, 2000,
                          "Tab " + (i + 1) + " reaches " + order[i]);
            }
            keyClick(Qt.Key_Backtab);
            tryVerify(() => findChild(page, "closeUsageButton").activeFocus, 2000, "Shift+Tab goes back round");
            keyClick(Qt.Key_Escape);
            tryVerify(() => !total.visible, 2000, "Esc closes the page");
        }
    }
}
