import QtQuick
import QtQuick.Controls
import Arbor
import Arbor.Ui

/**
 * @brief What the thread shows before its first message: a welcome on the first start (no
 * conversation saved yet), else an invitation to ask; and, while no model provider is set up,
 * that the demo model answers offline and where to add a provider.
 */
EmptyViewHint {
    id: state

    /// No conversation is saved yet: Arbor's first start, or everything was deleted.
    readonly property bool firstStart: Conversations.list.count === 0
    /// Only the built-in demo model can answer.
    readonly property bool noProvider: App.providerSettings.providers.length === 0

    /// "Open Settings" was pressed.
    signal settingsRequested

    objectName: "threadEmptyState"
    iconName: firstStart ? "messages-square" : "message-square-plus"
    title: firstStart ? qsTr("Welcome to Arbor") : qsTr("New conversation")
    text: firstStart
          ? qsTr("Type a message below and press Enter to start your first conversation. Edits and regenerations become branches; nothing is overwritten.")
          : qsTr("Ask anything. Enter sends, Shift+Enter adds a line.")
    details: {
        const lines = [];
        if (noProvider)
            lines.push(qsTr("No model provider is set up yet: the demo model answers offline, without an API key. Add OpenAI, Anthropic, Gemini, Ollama or a local server in Settings (%1).").arg("Ctrl+,"));
        if (firstStart)
            lines.push(qsTr("%1 starts a new conversation, %2 lists every shortcut.").arg("<b>Ctrl+N</b>").arg("<b>F1</b>"));
        return lines.join("<br><br>");
    }

    Button {
        objectName: "openProvidersButton"
        visible: state.noProvider
        text: qsTr("Set up a provider…")
        icon.source: Theme.icon("plug")
        icon.color: Theme.text
        icon.width: Theme.iconSizeSmall
        icon.height: Theme.iconSizeSmall
        focusPolicy: Qt.TabFocus
        Accessible.description: qsTr("Opens Settings (Ctrl+,)")
        Keys.onReturnPressed: clicked()
        Keys.onEnterPressed: clicked()
        onClicked: state.settingsRequested()

        FocusRing {}
    }
}
