import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Arbor
import Arbor.Ui

/**
 * @brief Inline editor of a user message. Saving never overwrites: Chat.edit() stores the
 * text as a new sibling. Ctrl+Enter saves and asks for a new reply, Esc cancels.
 */
FocusScope {
    id: editor

    /// The new text was accepted; @p reply also asks for a new answer.
    signal saveRequested(string text, bool reply)
    signal cancelled

    /// Starts editing @p text with the cursor at its end.
    function start(text: string) {
        // A very long message is edited around a placeholder (see PasteStash).
        stash.clear();
        input.text = stash.shorten(text);
        input.cursorPosition = input.length;
        input.forceActiveFocus(Qt.OtherFocusReason);
    }

    implicitWidth: column.implicitWidth
    implicitHeight: column.implicitHeight

    Keys.onEscapePressed: editor.cancelled()

    PasteStash {
        id: stash
    }

    ColumnLayout {
        id: column

        anchors.fill: parent
        spacing: Theme.spacing

        Rectangle {
            Layout.fillWidth: true
            implicitHeight: scroll.implicitHeight + 2 * Theme.spacingSmall
            radius: Theme.radius
            color: Theme.base
            border.width: Theme.hairline
            border.color: input.activeFocus ? Theme.highlight : Theme.separator

            ScrollView {
                id: scroll

                anchors.fill: parent
                anchors.margins: Theme.spacingSmall
                implicitHeight: Math.min(input.implicitHeight, 2 * Theme.composerMaximumHeight)
                ScrollBar.horizontal.policy: ScrollBar.AlwaysOff

                TextArea {
                    id: input

                    objectName: "editInput"
                    focus: true
                    wrapMode: TextEdit.Wrap
                    textFormat: TextEdit.PlainText
                    background: null
                    Accessible.name: qsTr("Edit message")

                    Keys.onPressed: event => {
                        if ((event.key === Qt.Key_Return || event.key === Qt.Key_Enter)
                                && (event.modifiers & Qt.ControlModifier)) {
                            event.accepted = true;
                            editor.saveRequested(stash.expand(input.text), true);
                        } else if (event.matches(StandardKey.Paste)) {
                            event.accepted = true;
                            input.remove(input.selectionStart, input.selectionEnd);
                            input.insert(input.cursorPosition, stash.clipboardShortened());
                        } else if (event.key === Qt.Key_Tab || event.key === Qt.Key_Backtab) {
                            // Tab goes on to the buttons below.
                            event.accepted = true;
                            const next = input.nextItemInFocusChain(event.key === Qt.Key_Tab);
                            if (next !== null)
                                next.forceActiveFocus(Qt.TabFocusReason);
                        } else if (event.key === Qt.Key_Escape) {
                            event.accepted = true;
                            editor.cancelled();
                        }
                    }
                }
            }
        }

        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.spacing

            Label {
                Layout.fillWidth: true
                text: qsTr("Saved as a new branch; the original stays.")
                color: Theme.mutedText
                font.pointSize: Theme.fontSizeSmall
                elide: Text.ElideRight
            }

            Button {
                objectName: "editCancelButton"
                text: qsTr("Cancel")
                ToolTip.visible: hovered
                ToolTip.delay: Theme.toolTipDelayMs
                ToolTip.text: qsTr("Leave the message as it is (Esc)")
                Keys.onReturnPressed: clicked()
                Keys.onEnterPressed: clicked()
                onClicked: editor.cancelled()

                FocusRing {}
            }

            Button {
                objectName: "saveOnlyButton"
                text: qsTr("Save only")
                enabled: input.length > 0
                ToolTip.visible: hovered
                ToolTip.delay: Theme.toolTipDelayMs
                ToolTip.text: qsTr("Save the new text without asking for a reply")
                Keys.onReturnPressed: clicked()
                Keys.onEnterPressed: clicked()
                onClicked: editor.saveRequested(stash.expand(input.text), false)

                FocusRing {}
            }

            Button {
                objectName: "saveAndRegenerateButton"
                text: qsTr("Save && regenerate")
                highlighted: true
                enabled: input.length > 0
                ToolTip.visible: hovered
                ToolTip.delay: Theme.toolTipDelayMs
                ToolTip.text: qsTr("Save the new text and ask for a new reply (Ctrl+Enter)")
                Keys.onReturnPressed: clicked()
                Keys.onEnterPressed: clicked()
                onClicked: editor.saveRequested(stash.expand(input.text), true)

                FocusRing {}
            }
        }
    }
}
