import QtQuick
import QtQuick.Controls
import QtTest
import Arbor
import Arbor.Ui

// Issue 15, in the window: the keyboard reaches everything, small windows keep the chat usable,
// branch switches keep their place, menus open at their button, the jobs overlay takes every
// click, a new conversation takes parameters. Its own run and database (see tst_qml.cpp).
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
        name: "Window"
        when: windowShown

        function cleanup() {
            root.width = 1000;
            root.height = 700;
            chatPage.treeMapVisible = false;
            UiState.sidebarOpen = true;
        }

        // The names of the items Tab visits from the composer, once round.
        function tabStops(): list<string> {
            composerInput().forceActiveFocus();
            let names = [];
            for (let i = 0; i < 40; ++i) {
                keyClick(Qt.Key_Tab);
                const item = root.Window.activeFocusItem;
                if (item === null || item === composerInput())
                    break;
                names.push(item.objectName.length > 0 ? item.objectName : String(item));
            }
            return names;
        }

        function test_tabLeavesTheComposerAndReachesEveryButton() {
            sendAndWait("Tab around");
            const input = composerInput();
            input.forceActiveFocus();
            typeText("abc");
            keyClick(Qt.Key_Tab);
            verify(!input.activeFocus, "Tab moves the focus on");
            compare(input.text, "abc", "and types no tab character");
            input.forceActiveFocus();
            keyClick(Qt.Key_Tab, Qt.ControlModifier);
            compare(input.text, "abc\t", "Ctrl+Tab types one");
            input.clear();

            const stops = tabStops();
            for (const name of ["newConversationButton", "searchButton", "sidebarButton", "modelPicker", "treeMapButton",
                                "parametersButton", "settingsButton", "helpButton", "copyButton",
                                "regenerateButton", "messageMenuButton"])
                verify(stops.indexOf(name) >= 0, name + " is reached with Tab: " + JSON.stringify(stops));

            // Each one shows that it has the keyboard (the style draws visualFocus).
            composerInput().forceActiveFocus();
            while (root.Window.activeFocusItem.objectName !== "parametersButton")
                keyClick(Qt.Key_Tab);
            verify(root.Window.activeFocusItem.visualFocus);
            keyClick(Qt.Key_Space);
            const dialog = findChild(page, "conversationSettingsDialog");
            tryCompare(dialog, "opened", true, 5000);
            keyClick(Qt.Key_Escape);
            tryCompare(dialog, "visible", false, 5000);
        }

        function test_keyboardMessageButtonsAreShown() {
            sendAndWait("Buttons for the keyboard");
            focusRowFromComposer(1);
            keyClick(Qt.Key_Tab);
            const copy = rowChild(1, "copyButton");
            tryVerify(() => copy.activeFocus, 5000, "Tab goes from the message to its buttons");
            verify(copy.visualFocus);
            verify(copy.parent.opacity > 0, "the toolbar shows while one of its buttons has the keyboard");
            verify(rowChild(1, "messageFocusFrame").visible, "the message stays framed");
            keyClick(Qt.Key_Space);
            tryCompare(copy, "text", "Copied", 5000);
            compare(Clipboard.text(), message(1).messageContent);
        }

        function test_copyFromTheKeyboardSaysCopied() {
            sendAndWait("Copy me");
            focusRowFromComposer(0);
            keyClick(Qt.Key_C, Qt.ControlModifier);
            tryCompare(rowChild(0, "copyButton"), "text", "Copied", 5000);
            compare(Clipboard.text(), "Copy me");
            tryCompare(rowChild(0, "copyButton"), "text", "Copy", 5000);
        }

        function test_smallWindowKeepsTheChat() {
            sendAndWait("Small window");
            root.width = 800;
            root.height = 600;
            keyClick(Qt.Key_T, Qt.ControlModifier);
            tryVerify(() => findChild(page, "treeMap") !== null, 5000, "the tree map shows at 800×600");
            const panel = findChild(page, "treeMapPanel");
            const send = findChild(page, "sendButton");
            wait(50);
            const sendAt = send.mapToItem(root, 0, 0);
            const panelAt = panel.mapToItem(root, 0, 0);
            verify(sendAt.x + send.width <= panelAt.x, "Send is left of the tree map, not under it: "
                   + (sendAt.x + send.width) + " > " + panelAt.x);
            verify(sendAt.x >= 0);
            const list = messageList();
            verify(list.width >= Theme.chatMinimumWidth - 2, "the thread keeps its room: " + list.width);

            // 640×420: the title keeps room, and the sidebar gives way to the tree map.
            root.width = 640;
            root.height = 420;
            wait(50);
            const title = findChild(page, "conversationTitle");
            verify(title.visible && title.width >= Math.min(title.implicitWidth, Theme.titleMinimumWidth) - 1,
                   "the title is shown: " + title.width);
            verify(send.mapToItem(root, 0, 0).x + send.width <= root.width);
            verify(!findChild(page, "sidebar").visible, "the sidebar gives way");

            // Ctrl+B hides and shows the sidebar, and is remembered.
            root.width = 1000;
            root.height = 700;
            chatPage.treeMapVisible = false;
            tryVerify(() => findChild(page, "sidebar").visible);
            keyClick(Qt.Key_B, Qt.ControlModifier);
            tryVerify(() => !findChild(page, "sidebar").visible, 5000, "Ctrl+B hides the sidebar");
            compare(UiState.sidebarOpen, false);
            keyClick(Qt.Key_B, Qt.ControlModifier);
            tryVerify(() => findChild(page, "sidebar").visible, 5000, "Ctrl+B shows it again");
        }

        function test_jobsOverlayTakesEveryClick() {
            const button = findChild(page, "parametersButton");
            const at = button.mapToItem(root, button.width / 2, button.height / 2);
            keyClick(Qt.Key_J, Qt.ControlModifier);
            tryVerify(() => chatPage.jobsVisible, 5000, "Ctrl+J shows the jobs");
            mouseClick(root, at.x, at.y);
            wait(200);
            const dialog = findChild(page, "conversationSettingsDialog");
            verify(!dialog.visible, "a click on the jobs page reaches nothing under it");
            keyClick(Qt.Key_J, Qt.ControlModifier);
            tryVerify(() => !chatPage.jobsVisible, 5000);
            tryVerify(() => composerInput().activeFocus, 5000, "the keyboard goes back to the composer");
        }

        function test_branchSwitchKeepsTheMessageInPlace() {
            sendAndWait("First question about pines");
            const firstReply = message(1).messageId;
            for (let i = 0; i < 3; ++i)
                sendAndWait("More on this branch " + i, 4 + 2 * i);
            // A second reply to the first question, with a long branch of its own.
            Chat.regenerate(firstReply, "");
            tryVerify(() => message(1) !== null && message(1).messageId !== firstReply && Chat.thread.count === 2
                      && message(1).messageStatus === MessageStatus.Complete, replyTimeout);
            for (let i = 0; i < 3; ++i)
                sendAndWait("Other branch " + i, 4 + 2 * i);

            // The keyboard walks up to the reply: the view shows it, then Alt+Left switches it.
            focusRowFromComposer(1);
            const list = messageList();
            tryVerify(() => rowItem(1) !== null);
            const before = rowItem(1).y - list.contentY;
            verify(before >= -1 && before < list.height, "the reply is in view: " + before);
            keyClick(Qt.Key_Left, Qt.AltModifier);
            tryVerify(() => message(1).messageId === firstReply, 5000);
            tryVerify(() => rowItem(1) !== null && rowItem(1).messageId === firstReply, 5000);
            wait(100);
            verify(rowItem(1) !== null, "the reply's row is still in view; contentY " + list.contentY + ", height "
                   + list.contentHeight + ", count " + list.count + ", followTail " + list.followTail);
            const after = rowItem(1).y - list.contentY;
            verify(Math.abs(after - before) < 2, "the switched message stays where it was: " + before + " → " + after);
        }

        function test_actionsStayNextToTheirMessage() {
            sendAndWait("Short");
            const list = messageList();
            // The user's actions sit by the bubble (right), not at the far left.
            const userMenu = rowChild(0, "messageMenuButton");
            const userAt = userMenu.mapToItem(rowItem(0), 0, 0);
            verify(userAt.x > rowItem(0).width / 2, "user actions are next to the bubble: " + userAt.x);

            // Regenerate stays under the pointer when the switcher appears.
            const regenerate = rowChild(1, "regenerateButton");
            const x0 = regenerate.mapToItem(rowItem(1), 0, 0).x;
            const original = message(1).messageId;
            mouseClick(regenerate);
            tryVerify(() => message(1).messageId !== original && siblingText(1) === "2 / 2", replyTimeout);
            tryVerify(() => !Chat.busy, replyTimeout);
            const x1 = rowChild(1, "regenerateButton").mapToItem(rowItem(1), 0, 0).x;
            compare(x1, x0, "Regenerate did not move");

            // The menu opens right under its "⋯" button (here the user's) and shows the keys.
            focusRowFromComposer(0);
            keyClick(Qt.Key_Menu);
            const menu = findChild(list, "messageMenu");
            tryCompare(menu, "opened", true, 5000);
            const menuButton = rowChild(0, "messageMenuButton");
            const button = menuButton.mapToItem(root, 0, 0);
            const menuAt = menu.contentItem.mapToItem(root, 0, 0);
            verify(Math.abs(menuAt.y - (button.y + menuButton.height)) < 10,
                   "the menu opens under its button: " + menuAt.y + " vs " + (button.y + menuButton.height));
            verify(Math.abs(menuAt.x + menu.contentItem.width - (button.x + menuButton.width)) < 10,
                   "and ends at its right edge: " + (menuAt.x + menu.contentItem.width) + " vs " + (button.x + menuButton.width));
            const hints = [];
            for (let i = 0; i < menu.count; ++i) {
                const hint = findChild(menu.itemAt(i), "shortcutHint");
                if (hint !== null && hint.visible)
                    hints.push(hint.text);
            }
            verify(hints.indexOf("E") >= 0 && hints.indexOf("Ctrl+C") >= 0, JSON.stringify(hints));
            keyClick(Qt.Key_Escape);
            tryCompare(menu, "visible", false, 5000);
        }

        function test_newConversationTakesParameters() {
            keyClick(Qt.Key_P, Qt.ControlModifier);
            const dialog = findChild(page, "conversationSettingsDialog");
            tryCompare(dialog, "opened", true, 5000);
            const prompt = findChild(dialog.contentItem, "systemPromptArea");
            verify(prompt.enabled, "a new conversation's system prompt can be set");
            tryVerify(() => prompt.activeFocus, 5000);
            typeText("Be brief.");
            mouseClick(findChild(dialog.footer, "saveConversationSettingsButton"));
            tryCompare(dialog, "visible", false, 5000);
            compare(Errors.text, "");
            compare(Conversations.settings.systemPrompt, "Be brief.");
            sendAndWait("With a prompt");
            Conversations.loadSettings();
            tryVerify(() => Conversations.settings.systemPrompt === "Be brief.", 5000,
                      "stored with the first message: " + JSON.stringify(Conversations.settings));
        }

        function openParameters() {
            keyClick(Qt.Key_P, Qt.ControlModifier);
            const dialog = findChild(page, "conversationSettingsDialog");
            tryCompare(dialog, "opened", true, 5000);
            return dialog;
        }

        function saveParameters(dialog) {
            mouseClick(findChild(dialog.footer, "saveConversationSettingsButton"));
            tryCompare(dialog, "visible", false, 5000);
            compare(Errors.text, "");
        }

        function test_thinkingTurnsOnAndOff() {
            sendAndWait("Think about oaks");
            let dialog = openParameters();
            let toggle = findChild(dialog.contentItem, "thinkingSwitch");
            let budget = findChild(dialog.contentItem, "thinkingBudgetBox");
            compare(toggle.checked, false, "off unless set");
            verify(!budget.enabled);
            verify(findChild(dialog.contentItem, "thinkingHint").text.indexOf("ignore") >= 0);

            // On, with the offered budget raised by two steps.
            mouseClick(toggle);
            tryCompare(toggle, "checked", true);
            verify(budget.enabled);
            compare(budget.value, 4096, "a sensible default");
            budget.increase();
            budget.increase();
            saveParameters(dialog);
            Conversations.loadSettings();
            tryVerify(() => Conversations.settings.thinkingBudget === 6144, 5000,
                      "stored: " + JSON.stringify(Conversations.settings));

            // Loaded back when the dialog opens again; off removes it.
            dialog = openParameters();
            toggle = findChild(dialog.contentItem, "thinkingSwitch");
            budget = findChild(dialog.contentItem, "thinkingBudgetBox");
            tryCompare(toggle, "checked", true);
            compare(budget.value, 6144);
            mouseClick(toggle);
            tryCompare(toggle, "checked", false);
            saveParameters(dialog);
            Conversations.loadSettings();
            tryVerify(() => Conversations.settings.thinkingBudget === 0, 5000,
                      "removed: " + JSON.stringify(Conversations.settings));
            dialog = openParameters();
            compare(findChild(dialog.contentItem, "thinkingSwitch").checked, false);
            keyClick(Qt.Key_Escape);
            tryCompare(dialog, "visible", false, 5000);
        }
    }
}
