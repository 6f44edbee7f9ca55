import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Arbor
import Arbor.Ui

/**
 * @brief The model parameters of the current conversation (Ctrl+P or "Parameters"): system
 * prompt, temperature and max tokens, each left at the model's default unless set, and
 * thinking (off, or on with a budget of tokens the model may reason with first). A new
 * conversation takes them too: they are stored with its first message.
 */
Dialog {
    id: dialog

    /// A new conversation is stored with its first message, and these with it.
    readonly property bool stored: Conversations.currentId.length > 0
    /// Conversations.settings, untyped: the linter cannot see the keys of a QVariantMap.
    readonly property var settings: Conversations.settings

    /// Fills the fields from Conversations.settings.
    function reset() {
        const settings = dialog.settings;
        promptArea.text = settings.systemPrompt;
        temperatureDefault.checked = settings.temperature < 0;
        temperatureSlider.value = settings.temperature < 0 ? 1 : settings.temperature;
        maxTokensDefault.checked = settings.maxTokens <= 0;
        maxTokensBox.value = settings.maxTokens <= 0 ? 1024 : settings.maxTokens;
        thinkingSwitch.checked = settings.thinkingBudget > 0;
        thinkingBudgetBox.value = settings.thinkingBudget > 0 ? settings.thinkingBudget : dialog.defaultThinkingBudget;
    }

    /// The budget offered when thinking is turned on.
    readonly property int defaultThinkingBudget: 4096

    objectName: "conversationSettingsDialog"
    parent: Overlay.overlay
    anchors.centerIn: parent
    contentWidth: Theme.dialogContentWidth * 1.3
    modal: true
    title: qsTr("Conversation parameters")

    onAboutToShow: {
        Conversations.loadSettings();
        reset();
    }
    onOpened: promptArea.forceActiveFocus(Qt.PopupFocusReason)
    onAccepted: {
        Conversations.saveSettings(promptArea.text,
                                     temperatureDefault.checked ? -1 : Math.round(temperatureSlider.value * 100) / 100,
                                     maxTokensDefault.checked ? 0 : maxTokensBox.value,
                                     thinkingSwitch.checked ? thinkingBudgetBox.value : 0);
    }

    Connections {
        target: Conversations

        // The stored values arrive after the dialog opened: show them unless the user is typing.
        function onSettingsChanged() {
            if (dialog.opened && !promptArea.activeFocus)
                dialog.reset();
        }
    }

    ColumnLayout {
        width: dialog.contentWidth
        spacing: Theme.spacing

        Label {
            objectName: "conversationSettingsHint"
            Layout.fillWidth: true
            visible: !dialog.stored
            wrapMode: Text.Wrap
            text: qsTr("For the new conversation: kept until its first message is sent, then saved with it.")
            color: Theme.mutedText
        }

        Label {
            text: qsTr("System prompt")
        }

        ScrollView {
            Layout.fillWidth: true
            Layout.preferredHeight: Theme.composerMaximumHeight * 0.8

            TextArea {
                id: promptArea

                objectName: "systemPromptArea"
                wrapMode: TextEdit.Wrap
                placeholderText: qsTr("How the model should behave in this conversation (empty: none)")
                Accessible.name: qsTr("System prompt")
            }
        }

        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.spacing

            Label {
                text: qsTr("Temperature")
            }

            Slider {
                id: temperatureSlider

                objectName: "temperatureSlider"
                Layout.fillWidth: true
                enabled: !temperatureDefault.checked
                from: 0
                to: 2
                stepSize: 0.05
                snapMode: Slider.SnapAlways
                Accessible.name: qsTr("Temperature")
            }

            Label {
                Layout.preferredWidth: Theme.spacingLarge * 3
                text: temperatureDefault.checked ? qsTr("—") : temperatureSlider.value.toFixed(2)
            }

            CheckBox {
                id: temperatureDefault

                objectName: "temperatureDefault"
                text: qsTr("Default")

                FocusRing {}
            }
        }

        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.spacing

            Label {
                Layout.fillWidth: true
                text: qsTr("Max tokens")
            }

            SpinBox {
                id: maxTokensBox

                objectName: "maxTokensBox"
                enabled: !maxTokensDefault.checked
                editable: true
                from: 1
                to: 1000000
                stepSize: 256
                Accessible.name: qsTr("Max tokens")
            }

            CheckBox {
                id: maxTokensDefault

                objectName: "maxTokensDefault"
                text: qsTr("Default")

                FocusRing {}
            }
        }

        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.spacing

            Label {
                Layout.fillWidth: true
                text: qsTr("Thinking")
            }

            SpinBox {
                id: thinkingBudgetBox

                objectName: "thinkingBudgetBox"
                enabled: thinkingSwitch.checked
                editable: true
                from: 1024
                to: 1000000
                stepSize: 1024
                Accessible.name: qsTr("Thinking budget in tokens")
            }

            Label {
                text: qsTr("tokens")
                color: thinkingSwitch.checked ? Theme.text : Theme.mutedText
            }

            Switch {
                id: thinkingSwitch

                objectName: "thinkingSwitch"
                text: checked ? qsTr("On") : qsTr("Off")
                Accessible.name: qsTr("Thinking")

                FocusRing {}
            }
        }

        Label {
            objectName: "thinkingHint"
            Layout.fillWidth: true
            wrapMode: Text.Wrap
            text: qsTr("Lets the model reason before it answers, with up to this many tokens. Anthropic and Gemini "
                       + "models use the budget (Anthropic then leaves the temperature at its default); Ollama only "
                       + "turns thinking on; OpenAI-compatible servers and models without thinking ignore it.")
            color: Theme.mutedText
            font.pointSize: Theme.fontSizeSmall
        }
    }

    footer: DialogButtonBox {
        Button {
            objectName: "saveConversationSettingsButton"
            text: qsTr("Save")
            // HACK: the Qt 6.4 linter cannot see these enums (declared on QPlatformDialogHelper).
            DialogButtonBox.buttonRole: DialogButtonBox.AcceptRole // qmllint disable type
            Keys.onReturnPressed: clicked()
            Keys.onEnterPressed: clicked()

            FocusRing {}
        }

        Button {
            text: qsTr("Cancel")
            DialogButtonBox.buttonRole: DialogButtonBox.RejectRole // qmllint disable type
            Keys.onReturnPressed: clicked()
            Keys.onEnterPressed: clicked()

            FocusRing {}
        }
    }
}
