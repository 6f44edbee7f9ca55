import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Arbor
import Arbor.Ui

/**
 * @brief Adds or edits one provider: preset, name, API root, extra headers, models, API key
 * (password echo; it goes to the system keychain), the limits of its job queue (jobs at once,
 * requests and tokens per minute; 0 = no limit), and "Test connection", which lists models.
 */
ColumnLayout {
    id: editor

    /// The provider being edited ({} for a new one), as in ProviderSettings.providers.
    property var provider: ({})
    readonly property bool isNew: !provider.id
    property string kind: "openai"
    property bool needsKey: true
    property string testMessage: ""
    property bool testOk: false
    property var testedModels: []

    signal done

    function load(p) {
        provider = p;
        nameField.text = p.name || "";
        urlField.text = p.baseUrl || "";
        headersField.text = p.headers || "";
        modelsField.text = p.models || "";
        keyField.text = "";
        concurrencyBox.value = p.concurrency || 0;
        rpmBox.value = p.requestsPerMinute || 0;
        tpmBox.value = p.tokensPerMinute || 0;
        kind = p.kind || "openai";
        needsKey = !isNew ? (p.hasKey || kind !== "ollama") : true;
        testMessage = "";
        testedModels = [];
        presetBox.currentIndex = 0;
        if (isNew)
            applyPreset(0);
        nameField.forceActiveFocus();
    }

    function applyPreset(index) {
        const preset = App.providerSettings.presets[index];
        if (!preset)
            return;
        kind = preset.kind;
        needsKey = preset.needsKey;
        urlField.text = preset.baseUrl;
        nameField.text = preset.key === "custom" ? "" : preset.label;
    }

    spacing: Theme.spacing

    Connections {
        target: App.providerSettings

        function onTested(ok, message, models) {
            editor.testOk = ok;
            editor.testMessage = message;
            editor.testedModels = models;
        }

        function onSaved(ok, error) {
            if (ok && editor.visible)
                editor.done();
        }
    }

    Label {
        text: editor.isNew ? qsTr("Add a provider") : qsTr("Edit “%1”").arg(editor.provider.name)
        font.bold: true
        Accessible.role: Accessible.Heading
    }

    GridLayout {
        Layout.fillWidth: true
        columns: 2
        columnSpacing: Theme.spacing
        rowSpacing: Theme.spacingSmall

        Label {
            text: qsTr("Vendor")
            visible: editor.isNew
        }
        ComboBox {
            id: presetBox

            objectName: "providerPreset"
            Layout.fillWidth: true
            visible: editor.isNew
            model: App.providerSettings.presets
            textRole: "label"
            Accessible.name: qsTr("Vendor")
            onActivated: index => editor.applyPreset(index)
        }

        Label {
            text: qsTr("Name")
        }
        TextField {
            id: nameField

            objectName: "providerName"
            Layout.fillWidth: true
            placeholderText: qsTr("e.g. OpenAI (work)")
            Accessible.name: qsTr("Name")
        }

        Label {
            text: qsTr("API root")
        }
        TextField {
            id: urlField

            objectName: "providerUrl"
            Layout.fillWidth: true
            placeholderText: "https://…/v1"
            Accessible.name: qsTr("API root URL")
        }

        Label {
            text: qsTr("API key")
        }
        TextField {
            id: keyField

            objectName: "providerKey"
            Layout.fillWidth: true
            echoMode: TextInput.Password
            placeholderText: !editor.isNew && editor.provider.hasKey
                             ? qsTr("Stored in the keychain — type to replace")
                             : (editor.needsKey ? qsTr("Kept in the system keychain") : qsTr("Not needed for a local server"))
            Accessible.name: qsTr("API key")
        }

        Label {
            text: qsTr("Extra headers")
            Layout.alignment: Qt.AlignTop
        }
        TextArea {
            id: headersField

            Layout.fillWidth: true
            placeholderText: qsTr("Name: value, one per line (optional)")
            Accessible.name: qsTr("Extra headers")
        }

        Label {
            text: qsTr("Models")
            Layout.alignment: Qt.AlignTop
        }
        TextArea {
            id: modelsField

            objectName: "providerModels"
            Layout.fillWidth: true
            Layout.maximumHeight: Theme.fieldMaximumHeight
            placeholderText: qsTr("Model ids, one per line (Test connection lists them)")
            Accessible.name: qsTr("Models")
        }

        Label {
            text: qsTr("Jobs at once")
        }
        SpinBox {
            id: concurrencyBox

            objectName: "providerConcurrency"
            from: 0
            to: 1000
            editable: true
            Accessible.name: qsTr("Jobs at once (0 = no limit)")
            ToolTip.visible: hovered
            ToolTip.text: qsTr("Replies and other jobs this provider runs at the same time; 0 = no limit")
        }

        Label {
            text: qsTr("Requests per minute")
        }
        SpinBox {
            id: rpmBox

            objectName: "providerRequestsPerMinute"
            from: 0
            to: 1000000
            stepSize: 10
            editable: true
            Accessible.name: qsTr("Requests per minute (0 = no limit)")
        }

        Label {
            text: qsTr("Tokens per minute")
        }
        SpinBox {
            id: tpmBox

            objectName: "providerTokensPerMinute"
            from: 0
            to: 100000000
            stepSize: 1000
            editable: true
            Accessible.name: qsTr("Tokens per minute (0 = no limit)")
        }
    }

    Label {
        Layout.fillWidth: true
        text: qsTr("Limits: 0 = no limit. Arbor paces this provider's jobs to stay within them.")
        color: Theme.mutedText
        font.pointSize: Theme.fontSizeSmall
        wrapMode: Text.Wrap
    }

    RowLayout {
        Layout.fillWidth: true
        spacing: Theme.spacing

        Button {
            objectName: "testConnectionButton"
            text: qsTr("Test connection")
            enabled: !App.providerSettings.busy && urlField.text.length > 0
            onClicked: {
                editor.testMessage = qsTr("Connecting…");
                App.providerSettings.testConnection(editor.provider.id || "", editor.kind, urlField.text,
                                                    headersField.text, keyField.text);
            }

            FocusRing {}
        }
        Button {
            text: qsTr("Use these %n model(s)", "", editor.testedModels.length)
            visible: editor.testOk && editor.testedModels.length > 0
            onClicked: modelsField.text = editor.testedModels.join("\n")

            FocusRing {}
        }
        Item {
            Layout.fillWidth: true
        }
    }

    Label {
        objectName: "testResult"
        Layout.fillWidth: true
        visible: editor.testMessage.length > 0
        text: editor.testMessage
        color: editor.testOk ? Theme.text : Theme.error
        wrapMode: Text.Wrap
    }

    RowLayout {
        Layout.fillWidth: true
        spacing: Theme.spacing

        Item {
            Layout.fillWidth: true
        }
        Button {
            text: qsTr("Cancel")
            onClicked: editor.done()

            FocusRing {}
        }
        Button {
            objectName: "saveProviderButton"
            text: qsTr("Save")
            highlighted: true
            enabled: !App.providerSettings.busy && nameField.text.trim().length > 0
            onClicked: App.providerSettings.save(editor.provider.id || "", editor.kind, nameField.text, urlField.text,
                                                 headersField.text, modelsField.text, keyField.text,
                                                 keyField.text.length > 0, concurrencyBox.value, rpmBox.value,
                                                 tpmBox.value)

            FocusRing {}
        }
    }
}
