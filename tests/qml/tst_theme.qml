import QtQuick
import QtQuick.Controls
import QtQuick.Templates as T
import QtTest
import Arbor
import Arbor.Ui

// Issue 17: light and dark switch while the window runs, in the window Arbor opens (Main.qml):
// its colours, its controls' palette, its icons, what it draws, and the Settings chooser. Also
// the empty states, the icon tools' names and tool tips (also a reply's). Its own run and
// database (tst_qml.cpp).
Item {
    id: root

    width: 200
    height: 200

    Component {
        id: mainWindow

        Main {}
    }

    TestCase {
        id: testCase

        property ApplicationWindow window: null

        name: "Theme"
        when: windowShown

        function same(a: color, b: color, what: string) {
            verify(Qt.colorEqual(a, b), what + ": " + a + " is not " + b);
        }

        function child(name: string) {
            const item = findChild(window.contentItem, name);
            verify(item !== null, name + " not found");
            return item;
        }

        // The colour the window shows at (x, y) of @p item.
        function pixelAt(item: Item, x: real, y: real): color {
            const image = grabImage(window.contentItem);
            const at = item.mapToItem(window.contentItem, x, y);
            return image.pixel(Math.round(at.x), Math.round(at.y));
        }

        function initTestCase() {
            window = mainWindow.createObject(root) as ApplicationWindow;
            verify(window !== null);
            window.width = 1000;
            window.height = 700;
            tryVerify(() => window.visible && window.active, 5000);
            waitForRendering(window.contentItem);
        }

        function cleanupTestCase() {
            ColorScheme.preference = ColorScheme.System;
            window.destroy();
        }

        function init() {
            ColorScheme.preference = ColorScheme.Light;
            Conversations.newConversation();
        }

        function test_switchesWithoutRestart() {
            same(Theme.window, Theme.lightColors.window, "Light is chosen");
            verify(!Theme.dark);
            same(window.color, Theme.lightColors.window, "the window");
            same(window.palette.base, Theme.lightColors.base, "the window's palette");
            const newButton = child("newConversationButton");
            same(newButton.palette.button, Theme.lightColors.button, "a control's palette");
            const settings = child("settingsButton");
            same(settings.icon.color, Theme.lightColors.text, "an icon's tint");
            const list = child("messageList");
            same(pixelAt(list, 4, list.height / 2), Theme.lightColors.window, "what the thread draws");

            ColorScheme.preference = ColorScheme.Dark;
            verify(Theme.dark);
            same(window.color, Theme.darkColors.window, "the window, dark");
            same(window.palette.base, Theme.darkColors.base, "the window's palette, dark");
            same(window.palette.highlight, Theme.darkColors.accent, "the accent, dark");
            same(newButton.palette.button, Theme.darkColors.button, "a control's palette, dark");
            same(settings.icon.color, Theme.darkColors.text, "an icon's tint, dark");
            waitForRendering(window.contentItem);
            same(pixelAt(list, 4, list.height / 2), Theme.darkColors.window, "what the thread draws, dark");

            // "System" follows ColorScheme.systemDark (the palette here: no portal in the test).
            ColorScheme.preference = ColorScheme.System;
            compare(Theme.dark, ColorScheme.systemDark);
        }

        function test_settingsChooserSwitches() {
            keyClick(Qt.Key_Comma, Qt.ControlModifier);
            const dialog = findChild(child("chatPage"), "providersDialog");
            verify(dialog !== null, "providersDialog");
            tryCompare(dialog, "opened", true, 5000);
            const dark = findChild(dialog.contentItem, "schemeDark");
            const light = findChild(dialog.contentItem, "schemeLight");
            verify(light.checked);
            mouseClick(dark);
            verify(Theme.dark, "the window is dark at once");
            compare(ColorScheme.preference, ColorScheme.Dark);
            verify(dark.checked && !light.checked);
            same(dialog.palette.window, Theme.darkColors.window, "the dialog follows");
            mouseClick(light);
            verify(!Theme.dark);
            keyClick(Qt.Key_Escape);
            tryCompare(dialog, "visible", false, 5000);
        }

        function test_iconToolsHaveNamesAndKeys() {
            const tools = {
                "sidebarButton": "Ctrl+B",
                "treeMapButton": "Ctrl+T",
                "parametersButton": "Ctrl+P",
                "jobsButton": "Ctrl+J",
                "settingsButton": "Ctrl+,",
                "helpButton": "F1",
                "searchButton": "Ctrl+F"
            };
            for (const name in tools) {
                const tool = child(name);
                compare(tool.display, AbstractButton.IconOnly, name + " is an icon");
                verify(String(tool.icon.source).endsWith(".svg"), name + ": " + tool.icon.source);
                verify(tool.Accessible.name.length > 0, name + " has an accessible name");
                verify(tool.ToolTip.text.indexOf(tools[name]) >= 0, name + "'s tool tip names its keys: " + tool.ToolTip.text);
            }
            // An icon that did not load would leave the tool blank.
            const settings = child("settingsButton");
            verify(settings.implicitWidth > Theme.iconSize, "the icon takes room: " + settings.implicitWidth);
        }

        // Every item under @p item (visual children, shown or not).
        function allItems(item: Item): list<Item> {
            let found = [item];
            for (let i = 0; i < item.children.length; ++i)
                found = found.concat(allItems(item.children[i]));
            return found;
        }

        function test_everyButtonHasANameAndARing() {
            let icons = 0;
            let unnamed = [];
            let ringless = [];
            for (const item of allItems(window.contentItem)) {
                if (!(item instanceof T.AbstractButton))
                    continue;
                if (item.display === AbstractButton.IconOnly) {
                    ++icons;
                    if (item.Accessible.name.length === 0)
                        unnamed.push(String(item.icon.source));
                }
                if ((item.focusPolicy & Qt.TabFocus) && findChild(item, "focusRing") === null)
                    ringless.push(item.objectName.length > 0 ? item.objectName : item.text);
            }
            verify(icons >= 10, "the window has its icon tools: " + icons);
            compare(unnamed.length, 0, "icon buttons without an accessible name: " + JSON.stringify(unnamed));
            compare(ringless.length, 0, "buttons Tab reaches without a focus ring: " + JSON.stringify(ringless));
        }

        // The tools a reply brings (its toolbar, a code block's Copy) have names too: a screen
        // reader says what an icon does.
        function test_replyToolsHaveNames() {
            verify(Chat.send("Show me a short Markdown sample with a list, code and a table"));
            tryVerify(() => Chat.thread.count === 2 && !Chat.busy, 20000);
            const list = child("messageList");
            tryVerify(() => findChild(list, "codeCopyButton") !== null, 10000, "the reply has a code block");
            let icons = 0;
            let unnamed = [];
            for (const item of allItems(list)) {
                if (!(item instanceof T.AbstractButton))
                    continue;
                if (item.display === AbstractButton.IconOnly)
                    ++icons;
                // A button that shows its text is named by it (Qt Quick Controls sets the name
                // from the text once accessibility is active); an icon needs its own.
                const shown = item.display !== AbstractButton.IconOnly ? item.text : "";
                if (item.Accessible.name.length === 0 && shown.length === 0)
                    unnamed.push(item.objectName.length > 0 ? item.objectName : String(item.icon.source));
            }
            verify(icons >= 3, "the reply's icon tools: " + icons);
            compare(unnamed.length, 0, "buttons without an accessible name: " + JSON.stringify(unnamed));
            compare(findChild(list, "copyButton").Accessible.name, "Copy");
            compare(findChild(list, "codeCopyButton").Accessible.name, "Copy the code");
        }

        function test_focusRingShowsOnTab() {
            const input = child("composerInput");
            input.forceActiveFocus();
            let ring = null;
            for (let i = 0; i < 30 && ring === null; ++i) {
                keyClick(Qt.Key_Tab);
                const item = window.activeFocusItem;
                if (item !== null && item.objectName === "settingsButton")
                    ring = item;
            }
            verify(ring !== null, "Tab reaches Settings");
            verify(ring.visualFocus);
            const focusRing = findChild(ring, "focusRing");
            verify(focusRing !== null && focusRing.visible, "the focus ring shows");
            same(focusRing.border.color, Theme.focusRing, "in the theme's colour");
            verify(focusRing.border.width >= 2, "and is thicker than a hairline");
            // A click gives no ring (visualFocus is for the keyboard).
            mouseClick(child("composerInput"));
            verify(!focusRing.visible);
        }

        function test_emptyStates() {
            const state = child("threadEmptyState");
            verify(state.visible, "an empty conversation shows its state");
            compare(state.noProvider, App.providerSettings.providers.length === 0);
            // No conversation is saved in this run's fresh store: the welcome.
            compare(Conversations.list.count, 0);
            compare(findChild(state, "emptyViewTitle").text, "Welcome to Arbor");
            const details = findChild(state, "emptyViewDetails").text;
            verify(details.indexOf("Ctrl+N") >= 0, "the welcome names the new-chat keys: " + details);
            verify(details.indexOf("demo model") >= 0, "and says the demo model works offline: " + details);
            const providers = findChild(state, "openProvidersButton");
            verify(providers.visible);
            mouseClick(providers);
            const dialog = findChild(child("chatPage"), "providersDialog");
            verify(dialog !== null, "providersDialog");
            tryCompare(dialog, "opened", true, 5000);
            keyClick(Qt.Key_Escape);
            tryCompare(dialog, "visible", false, 5000);
        }
    }
}
