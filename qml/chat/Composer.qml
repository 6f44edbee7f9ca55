import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Arbor
import Arbor.Ui

/**
 * @brief The message input: Enter sends, Shift+Enter adds a line, Esc stops the live reply,
 * Tab and Shift+Tab move the focus on (a tab character is Ctrl+Tab). Ctrl+Shift+Enter sends to
 * the models chosen for a compare (ModelSetPicker, opened first when none are chosen).
 *
 * A large paste (PasteStash) shows as a one-line placeholder and is put back when sending, so
 * the field never holds (and lays out on every key) a huge document.
 *
 * Chat.send() validates the text and reports problems through Errors.text; the input is only
 * cleared once the message has been accepted, and a send that fails later gives its text back,
 * so a rejected message is never lost.
 */
FocusScope {
    id: composer

    /// Display name of the model that will answer, for the placeholder.
    property string modelName
    readonly property alias text: input.text
    /// The compare view is open on replies still written: Stop (Esc) stops all of them.
    readonly property bool stopsCompare: App.compare.active && App.compare.columns.liveCount > 0
    readonly property bool canStop: Chat.busy || stopsCompare

    /// Emitted after Chat.send() accepted the text.
    signal sent
    /// Ctrl+End with the cursor already at the end of the text: the thread's end ("Jump to
    /// latest"). Elsewhere in the text Ctrl+End stays the field's own key.
    signal endRequested

    function focusInput() {
        input.forceActiveFocus();
    }

    /// Stops the reply being written, or every column of the compare view still written.
    function stop() {
        if (stopsCompare)
            App.compare.stopAll();
        else
            Chat.stop();
    }

    function submit() {
        // While a reply is live only Stop is offered; the text stays for later.
        if (Chat.busy)
            return;
        if (Chat.send(stash.expand(input.text))) {
            input.clear();
            stash.clear();
            composer.sent();
        }
    }

    /// Sends to the chosen models at once (the compare view opens on the replies).
    function submitCompare() {
        if (Chat.busy)
            return;
        if (App.compare.checkSelection(App.compare.selection).length > 0) {
            setPicker.open();
            return;
        }
        if (App.compare.send(stash.expand(input.text))) {
            input.clear();
            stash.clear();
            composer.sent();
        }
    }

    ModelSetPicker {
        id: setPicker
        y: -height - Theme.spacing
    }

    ToolsPicker {
        id: toolsPicker
        y: -height - Theme.spacing
    }

    // A send that fails after it was accepted (the model went away, the store refused it)
    // gives its text back, unless something new was typed meanwhile.
    Connections {
        target: Chat

        function onSendFailed(text: string) {
            if (input.text.length === 0)
                input.text = stash.shorten(text);
        }
    }

    PasteStash {
        id: stash
    }

    implicitWidth: frame.implicitWidth
    implicitHeight: frame.implicitHeight

    Rectangle {
        id: frame

        anchors.fill: parent
        implicitHeight: row.implicitHeight + 2 * Theme.spacing
        implicitWidth: row.implicitWidth + 2 * Theme.spacing
        radius: Theme.radius
        color: Theme.base
        border.width: Theme.hairline
        border.color: input.activeFocus ? Theme.highlight : Theme.separator

        RowLayout {
            id: row

            anchors.fill: parent
            anchors.margins: Theme.spacing
            spacing: Theme.spacing

            ScrollView {
                id: scroll

                Layout.fillWidth: true
                Layout.fillHeight: true
                Layout.preferredHeight: input.implicitHeight
                Layout.maximumHeight: Theme.composerMaximumHeight
                ScrollBar.horizontal.policy: ScrollBar.AlwaysOff

                TextArea {
                    id: input

                    objectName: "composerInput"
                    focus: true
                    wrapMode: TextEdit.Wrap
                    textFormat: TextEdit.PlainText
                    placeholderText: composer.modelName.length > 0 ? qsTr("Message %1…").arg(composer.modelName)
                                                                   : qsTr("Message…")
                    background: null
                    Accessible.name: qsTr("Message")

                    Keys.onPressed: event => {
                        if (event.matches(StandardKey.Paste)) {
                            // Large text goes to the stash; the field gets its placeholder.
                            event.accepted = true;
                            input.remove(input.selectionStart, input.selectionEnd);
                            input.insert(input.cursorPosition, stash.clipboardShortened());
                        } else if (event.key === Qt.Key_Tab && (event.modifiers & Qt.ControlModifier)) {
                            event.accepted = true;
                            input.insert(input.cursorPosition, "\t");
                        } else if (event.key === Qt.Key_Tab || event.key === Qt.Key_Backtab) {
                            // The keyboard moves on, as from any other field.
                            event.accepted = true;
                            const next = input.nextItemInFocusChain(event.key === Qt.Key_Tab);
                            if (next !== null)
                                next.forceActiveFocus(Qt.TabFocusReason);
                        } else if (event.key === Qt.Key_Return || event.key === Qt.Key_Enter) {
                            if ((event.modifiers & Qt.ControlModifier) && (event.modifiers & Qt.ShiftModifier)
                                    && !input.inputMethodComposing) {
                                event.accepted = true;
                                composer.submitCompare();
                                return;
                            }
                            // Shift+Enter and input-method composition keep the editor's own handling.
                            if ((event.modifiers & Qt.ShiftModifier) || input.inputMethodComposing)
                                return;
                            event.accepted = true;
                            composer.submit();
                        } else if (event.key === Qt.Key_End && (event.modifiers & Qt.ControlModifier)
                                   && !(event.modifiers & Qt.ShiftModifier) && input.cursorPosition === input.length) {
                            event.accepted = true;
                            composer.endRequested();
                        } else if (event.key === Qt.Key_Escape && composer.canStop) {
                            event.accepted = true;
                            composer.stop();
                        }
                    }
                }
            }

            IconButton {
                objectName: "compareButton"
                Layout.alignment: Qt.AlignBottom
                iconName: "messages-square"
                text: App.compare.selection.length > 0
                      ? qsTr("Compare: %1 models").arg(App.compare.selection.length) : qsTr("Send to several models…")
                tip: qsTr("Choose models to send to at once; Ctrl+Shift+Enter sends to them")
                checked: App.compare.selection.length > 0
                onClicked: setPicker.open()
            }

            IconButton {
                objectName: "toolsButton"
                Layout.alignment: Qt.AlignBottom
                visible: Chat.conversationTools.servers.length > 0
                iconName: "plug"
                text: qsTr("Tools: %1 of %2 servers").arg(Chat.conversationTools.enabledCount)
                                                     .arg(Chat.conversationTools.servers.length)
                tip: qsTr("Choose the tool servers this conversation uses")
                checked: Chat.conversationTools.enabledCount > 0
                onClicked: toolsPicker.open()
            }

            IconButton {
                objectName: "sendButton"
                Layout.alignment: Qt.AlignBottom
                visible: !Chat.busy
                enabled: input.length > 0
                iconName: "send-horizontal"
                text: qsTr("Send")
                // The keys in the middle of the sentence, not at its end.
                tip: qsTr("Send (Enter). Shift+Enter adds a line.")
                icon.color: enabled ? Theme.accent : Theme.disabledIcon
                onClicked: composer.submit()
            }

            IconButton {
                objectName: "stopButton"
                Layout.alignment: Qt.AlignBottom
                visible: composer.canStop
                iconName: "square"
                text: qsTr("Stop")
                tip: composer.stopsCompare ? qsTr("Stop every reply being written and keep their text")
                                           : qsTr("Stop the reply and keep its text")
                shortcut: "Esc"
                icon.color: Theme.error
                onClicked: composer.stop()
            }
        }
    }
}
