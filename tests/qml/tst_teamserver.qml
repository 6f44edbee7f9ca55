import QtQuick
import QtTest
import Arbor
import Arbor.Ui

// The "Connect to a team server" dialog against the real App singleton, with no server
// configured: Ctrl+Shift+T opens it, the fields make a quoted libpq connection string (never
// with the password), an empty host is refused with a plain message, Esc closes it; the sidebar
// says that no team server is connected and there is only the personal workspace.
Item {
    id: root

    width: 1000
    height: 700

    ChatPage {
        id: chatPage

        anchors.fill: parent
    }

    TestCase {
        name: "TeamServer"
        when: windowShown

        function field(dialog, name) {
            const item = findChild(dialog.contentItem, name);
            verify(item, name + " not found");
            return item;
        }

        function test_notConfigured() {
            compare(App.sync.server.state, TeamSync.NotConfigured);
            const status = findChild(chatPage, "syncStatusText");
            verify(status, "syncStatusText not found");
            compare(status.text, "Not connected to a team server");
            const switcher = findChild(chatPage, "workspaceSwitcher");
            verify(switcher, "workspaceSwitcher not found");
            verify(!switcher.visible, "the switcher shows with only the personal workspace");
            compare(App.sync.workspaces.count, 1);
            compare(App.sync.currentWorkspace, "");
        }

        function test_fieldsMakeTheDsn() {
            const dialog = findChild(chatPage, "teamServerDialog");
            verify(dialog, "teamServerDialog not found");
            keySequence("Ctrl+Shift+T");
            tryCompare(dialog, "opened", true);

            const host = field(dialog, "teamHost");
            tryCompare(host, "activeFocus", true);
            compare(field(dialog, "teamPort").text, "5432");
            compare(field(dialog, "teamSslMode").currentText, "prefer");
            host.text = "db.example.org";
            field(dialog, "teamPort").text = "6432";
            field(dialog, "teamDatabase").text = "team db";
            field(dialog, "teamUser").text = "o'brien";
            field(dialog, "teamPassword").text = "secret";
            const ssl = field(dialog, "teamSslMode");
            ssl.currentIndex = ssl.indexOfValue("verify-full");
            compare(field(dialog, "dsnPreview").text,
                    "host='db.example.org' port='6432' dbname='team db' user='o\\'brien' sslmode='verify-full'");
            verify(field(dialog, "dsnPreview").text.indexOf("secret") < 0, "the password is shown");

            // Empty host: Enter does not connect, it says what is missing.
            host.text = "";
            host.forceActiveFocus();
            keyClick(Qt.Key_Return);
            const error = field(dialog, "teamServerError");
            tryCompare(error, "visible", true);
            verify(error.text.indexOf("host") >= 0, error.text);
            compare(App.sync.server.state, TeamSync.NotConfigured);

            // A port out of range is refused too.
            host.text = "db.example.org";
            field(dialog, "teamPort").text = "";
            mouseClick(findChild(dialog.footer, "teamConnectButton"));
            tryVerify(() => error.text.indexOf("port") >= 0, 2000, error.text);
            compare(App.sync.server.configured, false);

            keyClick(Qt.Key_Escape);
            tryCompare(dialog, "opened", false);
            compare(field(dialog, "teamPassword").text, "", "the password stays in the closed dialog");
        }

        function test_shortcutIsListed() {
            const help = findChild(chatPage, "shortcutsDialog");
            verify(help, "shortcutsDialog not found");
            const listed = help.shortcuts.some(s => s[0] === "Ctrl+Shift+T");
            verify(listed, "Ctrl+Shift+T is not in the shortcut list");
        }
    }
}
