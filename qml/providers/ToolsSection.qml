import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Arbor
import Arbor.Ui

/**
 * @brief Settings → Tools: the MCP servers of this device (App.tools) with their live status and
 * an editor. A server is a command (stdio) or a URL (HTTP); secret values (an API key in a
 * variable or a header) go to the system keychain and are given again when the server is saved.
 * Servers that are on offer their tools to every conversation.
 */
ColumnLayout {
    id: section

    readonly property ToolSettings settings: App.tools

    /// Puts @p server (a row of settings.servers) into the editor.
    function edit(server) {
        nameField.text = server.name;
        httpBox.checked = server.transport === "http";
        commandField.text = server.command;
        argsField.text = server.args;
        envField.text = server.env;
        urlField.text = server.url;
        headersField.text = server.headers;
        secretsField.text = "";
        enabledBox.checked = server.enabled;
        nameField.forceActiveFocus();
    }

    function statusText(server): string {
        switch (server.status) {
        case "starting":
            return qsTr("Starting…");
        case "ready":
            return qsTr("Ready, %n tool(s)", "", server.toolCount);
        case "failed":
            return qsTr("Failed: %1").arg(server.error);
        }
        return "";
    }

    spacing: Theme.spacingSmall
    // Opened: the servers are read and each is connected for its status.
    onVisibleChanged: {
        if (visible)
            settings.refresh();
    }

    Label {
        text: qsTr("Tools (MCP servers)")
        font.bold: true
    }
    Label {
        Layout.fillWidth: true
        wrapMode: Text.Wrap
        color: Theme.mutedText
        text: qsTr("Servers on this computer only (not shared with a team). A model may call the tools of the servers that are on; each call shows its tool, server and arguments, and tools that may change things ask first.")
    }

    Repeater {
        model: section.settings.servers

        delegate: ColumnLayout {
            id: serverRow

            required property var modelData

            objectName: "toolServer:" + serverRow.modelData.name
            Layout.fillWidth: true
            spacing: 0

            RowLayout {
                Layout.fillWidth: true
                spacing: Theme.spacing

                Label {
                    Layout.fillWidth: true
                    elide: Text.ElideRight
                    text: serverRow.modelData.name + " · "
                          + (serverRow.modelData.transport === "http" ? serverRow.modelData.url : serverRow.modelData.command)
                          + (serverRow.modelData.enabled ? "" : qsTr(" (off)"))
                }
                Label {
                    objectName: "toolServerStatus"
                    color: serverRow.modelData.status === "failed" ? Theme.error : Theme.mutedText
                    elide: Text.ElideRight
                    Layout.maximumWidth: 320
                    // qmllint disable unqualified
                    text: section.statusText(serverRow.modelData)
                    // qmllint enable unqualified
                }
                Button {
                    text: qsTr("Test")
                    flat: true
                    // qmllint disable unqualified
                    onClicked: section.settings.test(serverRow.modelData.name)
                    // qmllint enable unqualified

                    FocusRing {}
                }
                Button {
                    text: qsTr("Edit")
                    flat: true
                    // qmllint disable unqualified
                    onClicked: section.edit(serverRow.modelData)
                    // qmllint enable unqualified

                    FocusRing {}
                }
                Button {
                    text: qsTr("Remove")
                    flat: true
                    // qmllint disable unqualified
                    onClicked: section.settings.remove(serverRow.modelData.name)
                    // qmllint enable unqualified

                    FocusRing {}
                }
            }
            Label {
                objectName: "toolServerStderr"
                visible: serverRow.modelData.stderr.length > 0
                Layout.fillWidth: true
                text: serverRow.modelData.stderr
                font.family: Theme.monospaceFamily
                font.pointSize: Theme.fontSizeSmall
                color: Theme.mutedText
                wrapMode: Text.WrapAnywhere
                maximumLineCount: 6
                elide: Text.ElideLeft
            }
        }
    }

    GridLayout {
        columns: 2
        Layout.fillWidth: true
        columnSpacing: Theme.spacing
        rowSpacing: Theme.spacingSmall

        Label { text: qsTr("Name") }
        TextField {
            id: nameField
            objectName: "toolNameField"
            Layout.fillWidth: true
            placeholderText: qsTr("files")
        }
        Label { text: qsTr("Kind") }
        RowLayout {
            RadioButton {
                id: stdioBox
                text: qsTr("Command")
                checked: true
            }
            RadioButton {
                id: httpBox
                objectName: "toolHttpBox"
                text: qsTr("URL")
            }
        }
        Label { text: qsTr("Command"); visible: stdioBox.checked }
        TextField {
            id: commandField
            objectName: "toolCommandField"
            visible: stdioBox.checked
            Layout.fillWidth: true
            placeholderText: "npx"
        }
        Label { text: qsTr("Arguments"); visible: stdioBox.checked }
        TextArea {
            id: argsField
            visible: stdioBox.checked
            Layout.fillWidth: true
            placeholderText: qsTr("one per line")
        }
        Label { text: qsTr("Environment"); visible: stdioBox.checked }
        TextArea {
            id: envField
            visible: stdioBox.checked
            Layout.fillWidth: true
            placeholderText: "NAME=value"
        }
        Label { text: qsTr("URL"); visible: httpBox.checked }
        TextField {
            id: urlField
            visible: httpBox.checked
            Layout.fillWidth: true
            placeholderText: "https://example.com/mcp"
        }
        Label { text: qsTr("Headers"); visible: httpBox.checked }
        TextArea {
            id: headersField
            visible: httpBox.checked
            Layout.fillWidth: true
            placeholderText: "Name: value"
        }
        Label { text: qsTr("Secrets") }
        TextArea {
            id: secretsField
            objectName: "toolSecretsField"
            Layout.fillWidth: true
            placeholderText: qsTr("NAME=value, one per line: kept in the system keychain")
        }
        Item { implicitWidth: 1 }
        CheckBox {
            id: enabledBox
            text: qsTr("On for every conversation")
            checked: true
        }
    }

    Label {
        objectName: "toolSettingsError"
        visible: section.settings.error.length > 0
        Layout.fillWidth: true
        wrapMode: Text.Wrap
        color: Theme.error
        text: section.settings.error
    }

    Button {
        objectName: "toolSaveButton"
        text: qsTr("Save server")
        onClicked: section.settings.save(nameField.text, httpBox.checked ? "http" : "stdio", commandField.text,
                                         argsField.text, envField.text, urlField.text, headersField.text,
                                         secretsField.text, enabledBox.checked)

        FocusRing {}
    }
}
