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
            // The reply's own figures, shown on hover.
            const labels = shownChildren(messageList(), "usageLabel");
            compare(labels.length, 1, "only the reply has usage");
            verify(/ in · .* out · \$/.test(labels[0].text), labels[0].text);
        }

        function test_2_theUsagePageShowsTheDays() {
            keySequence("Ctrl+U");
            const total = findChild(page, "usageTotal");
            verify(total !== null);
            tryVerify(() => total.visible && total.text.indexOf("tokens · $") >= 0, 5000, total.text);
            tryVerify(() => App.usage.days.length === 1, 5000);
            compare(App.usage.models.length, 1);
            verify(App.usage.models[0].startsWith("demo/"), App.usage.models[0]);
            compare(App.usage.days[0].costs.length, 1);
            verify(App.usage.days[0].costs[0] > 0);
            compare(App.usage.topConversations.length, 1);
            compare(App.usage.topModels.length, 1);
            verify(findChild(page, "costChart").maximum > 0);
            verify(findChild(page, "tokenChart").maximum > 0);
            // The export writes the day's row.
            const file = "file://" + App.storePath + ".usage.csv";
            verify(App.usage.exportCsv(file));
            keySequence("Ctrl+U");
            tryVerify(() => !total.visible);
        }
    }
}
