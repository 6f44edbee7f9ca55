import QtQuick
import QtQuick.Controls
import QtTest
import Arbor
import Arbor.Ui

// Issue 22 in the window: the composer's tool-server picker (the plug button) decides what the
// next reply is offered. The run's database has a fake OpenAI-compatible vendor that calls the
// tool "peek" whenever a request offers it (and says "No tools offered." otherwise), and the
// scripted MCP server "notes", which offers peek and is off everywhere (tst_qml.cpp).
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
        name: "Tools"
        when: windowShown

        function picker() {
            return findChild(page, "toolsPicker");
        }

        function setNotes(on: bool) {
            const button = findChild(page, "toolsButton");
            tryVerify(() => button.visible, 10000, "the plug button shows once a server exists");
            mouseClick(button);
            tryVerify(() => picker().opened, 5000, "the picker opens");
            const box = findChild(picker().contentItem, "toolServer_notes");
            verify(box !== null, "the picker lists the server");
            if (box.checked !== on)
                mouseClick(box);
            tryVerify(() => Chat.conversationTools.enabledCount === (on ? 1 : 0), 5000,
                      "the conversation's choice is stored");
            // The list is read again once the choice is stored: its rows are new.
            tryVerify(() => {
                const shown = findChild(picker().contentItem, "toolServer_notes");
                return shown !== null && shown.checked === on;
            }, 5000, "the picker shows the choice");
            picker().close();
            tryVerify(() => !picker().visible, 5000);
        }

        function test_pickerDecidesWhatTheNextReplyOffers() {
            // The fake vendor as a provider, added as Settings does (no key).
            App.providerSettings.save("", "openai", "Fake", testVendorUrl, "", "fake-model", "", false);
            tryVerify(() => {
                Models.currentKey = "fake/fake-model";
                return Models.currentKey === "fake/fake-model";
            }, 10000, "the fake vendor's model can be chosen");
            tryVerify(() => Chat.conversationTools.servers.length === 1, 10000,
                      "the server from Settings is listed");
            compare(Chat.conversationTools.enabledCount, 0, "off everywhere");

            // Off: the reply is offered no tools.
            sendAndWait("First", 2);
            compare(settledContent(1), "No tools offered.");
            compare(lastMessage().toolCalls, "", "no call was made");

            // Turned on here: the next reply is offered peek, calls it and uses its result.
            setNotes(true);
            const button = findChild(page, "toolsButton");
            verify(button.checked, "the plug shows that a server is on");
            sendAndWait("Second", 4);
            tryVerify(() => settledContent(3) === "Used the tool.", replyTimeout,
                      "the reply went on after the call: " + describeRows());
            const calls = JSON.parse(lastMessage().toolCalls);
            compare(calls.length, 1);
            compare(calls[0].name, "peek");
            compare(calls[0].status, "done");
            compare(calls[0].result, "note");

            // And off again: the next reply is offered nothing.
            setNotes(false);
            verify(!button.checked);
            sendAndWait("Third", 6);
            compare(settledContent(5), "No tools offered.");
            compare(lastMessage().toolCalls, "");
        }
    }
}
