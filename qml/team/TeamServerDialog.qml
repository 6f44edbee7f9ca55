import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Arbor
import Arbor.Ui

/**
 * @brief "Connect to a team server" (Ctrl+Shift+T): host, port, database, user, password and SSL
 * mode. The password goes to the system keychain, the rest to Arbor's settings. Enter connects,
 * Esc closes; a failed connection says why, in the server's words.
 */
Dialog {
    id: dialog

    readonly property TeamServerSettings sync: App.sync.server
    /// App.sync.server.config, untyped: the linter cannot see the keys of a QVariantMap.
    readonly property var stored: sync.config
    /// Why the last attempt failed (validation, keychain, or the server's answer).
    property string errorText: ""
    /// Connect was pressed and the server has not answered yet.
    property bool waiting: false
    readonly property int port: portField.text.length > 0 ? parseInt(portField.text, 10) : 0
    /// The connection string the fields make, without the password.
    readonly property string dsnText: sync.dsnFor(hostField.text, port, databaseField.text, userField.text,
                                                  sslBox.currentText)

    /// Fills the fields from the stored settings (never the password).
    function load() {
        const c = stored;
        hostField.text = c.host;
        portField.text = String(c.port);
        databaseField.text = c.database;
        userField.text = c.user;
        passwordField.text = "";
        sslBox.currentIndex = Math.max(0, sslBox.indexOfValue(c.sslmode));
    }

    function submit() {
        const problem = sync.validate(hostField.text, port, databaseField.text, userField.text, sslBox.currentText);
        if (problem.length > 0) {
            errorText = problem;
            return;
        }
        errorText = "";
        waiting = true;
        sync.connectToServer(hostField.text, port, databaseField.text, userField.text, passwordField.text,
                             sslBox.currentText);
    }

    objectName: "teamServerDialog"
    parent: Overlay.overlay
    anchors.centerIn: parent
    contentWidth: Theme.dialogContentWidth * 1.2
    modal: true
    title: qsTr("Connect to a team server")

    onOpened: {
        load();
        errorText = "";
        waiting = false;
        sync.refresh();
        hostField.forceActiveFocus(Qt.PopupFocusReason);
    }
    onClosed: passwordField.text = ""

    Connections {
        target: dialog.sync

        function onConnectFinished(ok: bool, error: string) {
            if (!ok) {
                dialog.waiting = false;
                dialog.errorText = error;
            }
        }

        function onStatusChanged() {
            if (!dialog.waiting)
                return;
            if (dialog.sync.state === TeamSync.Connected) {
                dialog.waiting = false;
                dialog.close();
            } else if (dialog.sync.state === TeamSync.Reconnecting) {
                // Keep waiting: the engine retries, and a later success still closes the dialog.
                dialog.errorText = dialog.sync.errorText;
            }
        }
    }

    ColumnLayout {
        width: dialog.contentWidth
        spacing: Theme.spacing

        // Enter in any field connects (buttons keep their own Enter).
        Keys.onReturnPressed: dialog.submit()
        Keys.onEnterPressed: dialog.submit()

        Label {
            Layout.fillWidth: true
            wrapMode: Text.Wrap
            color: Theme.mutedText
            text: qsTr("Share conversations with your team through a PostgreSQL server. Your administrator gives you "
                       + "these settings and a password.")
        }

        Rectangle {
            objectName: "teamKeychainBanner"
            Layout.fillWidth: true
            visible: !dialog.sync.keychainAvailable
            implicitHeight: bannerColumn.implicitHeight + 2 * Theme.spacing
            radius: Theme.radiusSmall
            color: dialog.sync.passwordInMemory ? Theme.notice : Theme.errorBackground

            ColumnLayout {
                id: bannerColumn

                anchors.fill: parent
                anchors.margins: Theme.spacing

                Label {
                    Layout.fillWidth: true
                    wrapMode: Text.Wrap
                    text: dialog.sync.passwordInMemory
                          ? qsTr("The password is kept in memory only and forgotten when Arbor quits.")
                          : (dialog.sync.keychainProblem.length > 0
                             ? dialog.sync.keychainProblem
                             : qsTr("No system keychain is available, so Arbor cannot save the password."))
                            + " " + qsTr("Arbor never writes a password to a file.")
                }
                Button {
                    objectName: "keepPasswordInMemoryButton"
                    visible: !dialog.sync.passwordInMemory
                    text: qsTr("Keep the password in memory until Arbor quits")
                    onClicked: dialog.sync.keepPasswordInMemory()

                    FocusRing {}
                }
            }
        }

        GridLayout {
            Layout.fillWidth: true
            columns: 2
            columnSpacing: Theme.spacing
            rowSpacing: Theme.spacingSmall

            Label {
                text: qsTr("Host")
            }
            TextField {
                id: hostField

                objectName: "teamHost"
                Layout.fillWidth: true
                placeholderText: qsTr("db.example.org")
                inputMethodHints: Qt.ImhNoAutoUppercase | Qt.ImhUrlCharactersOnly
                Accessible.name: qsTr("Host")
            }

            Label {
                text: qsTr("Port")
            }
            TextField {
                id: portField

                objectName: "teamPort"
                Layout.fillWidth: true
                text: "5432"
                validator: IntValidator {
                    bottom: 1
                    top: 65535
                }
                inputMethodHints: Qt.ImhDigitsOnly
                Accessible.name: qsTr("Port")
            }

            Label {
                text: qsTr("Database")
            }
            TextField {
                id: databaseField

                objectName: "teamDatabase"
                Layout.fillWidth: true
                placeholderText: qsTr("arbor")
                inputMethodHints: Qt.ImhNoAutoUppercase
                Accessible.name: qsTr("Database")
            }

            Label {
                text: qsTr("User")
            }
            TextField {
                id: userField

                objectName: "teamUser"
                Layout.fillWidth: true
                inputMethodHints: Qt.ImhNoAutoUppercase
                Accessible.name: qsTr("User")
            }

            Label {
                text: qsTr("Password")
            }
            TextField {
                id: passwordField

                objectName: "teamPassword"
                Layout.fillWidth: true
                echoMode: TextInput.Password
                placeholderText: dialog.sync.configured ? qsTr("(as stored in the keychain)") : ""
                inputMethodHints: Qt.ImhSensitiveData | Qt.ImhNoPredictiveText
                Accessible.name: qsTr("Password")
            }

            Label {
                text: qsTr("SSL")
            }
            ComboBox {
                id: sslBox

                objectName: "teamSslMode"
                Layout.fillWidth: true
                model: dialog.sync.sslModes
                currentIndex: 2
                Accessible.name: qsTr("SSL mode")
                ToolTip.visible: hovered
                ToolTip.delay: Theme.toolTipDelayMs
                ToolTip.text: qsTr("“prefer” uses TLS when the server offers it; “verify-full” also checks the server's certificate and name.")
            }
        }

        Label {
            objectName: "dsnPreview"
            Layout.fillWidth: true
            text: dialog.dsnText
            textFormat: Text.PlainText
            wrapMode: Text.WrapAnywhere
            font.family: Theme.monospaceFamily
            font.pointSize: Theme.fontSizeSmall
            color: Theme.mutedText
            Accessible.name: qsTr("Connection string (without the password)")
        }

        Label {
            objectName: "teamServerState"
            Layout.fillWidth: true
            visible: dialog.sync.configured || dialog.waiting
            text: dialog.waiting && dialog.errorText.length === 0 ? qsTr("Connecting…") : dialog.sync.stateText
            wrapMode: Text.Wrap
        }

        Label {
            objectName: "teamServerError"
            Layout.fillWidth: true
            visible: dialog.errorText.length > 0
            text: dialog.errorText
            textFormat: Text.PlainText
            color: Theme.error
            wrapMode: Text.Wrap
        }
    }

    footer: DialogButtonBox {
        Button {
            objectName: "teamConnectButton"
            text: dialog.sync.configured ? qsTr("Save and reconnect") : qsTr("Connect")
            enabled: !dialog.sync.busy
            DialogButtonBox.buttonRole: DialogButtonBox.ActionRole // qmllint disable type
            onClicked: dialog.submit()
            Keys.onReturnPressed: dialog.submit()
            Keys.onEnterPressed: dialog.submit()

            FocusRing {}
        }

        Button {
            objectName: "teamDisconnectButton"
            visible: dialog.sync.configured
            text: qsTr("Disconnect")
            DialogButtonBox.buttonRole: DialogButtonBox.ActionRole // qmllint disable type
            ToolTip.visible: hovered
            ToolTip.delay: Theme.toolTipDelayMs
            ToolTip.text: qsTr("Stop syncing and forget the server and its password. Shared conversations stay on this computer.")
            onClicked: {
                dialog.waiting = false;
                dialog.errorText = "";
                dialog.sync.disconnectFromServer();
            }

            FocusRing {}
        }

        Button {
            objectName: "teamCloseButton"
            text: qsTr("Close")
            DialogButtonBox.buttonRole: DialogButtonBox.RejectRole // qmllint disable type
            Keys.onReturnPressed: clicked()
            Keys.onEnterPressed: clicked()

            FocusRing {}
        }
    }
}
