import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Arbor.Ui

/**
 * @brief Lists every keyboard shortcut (F1, or the "?" button).
 */
Dialog {
    id: dialog

    /// [keys, what they do] per line; an entry with no keys starts a section.
    readonly property var shortcuts: [
        ["", qsTr("Writing")],
        [qsTr("Enter"), qsTr("Send the message")],
        [qsTr("Shift+Enter"), qsTr("New line")],
        [qsTr("Ctrl+Shift+Enter"), qsTr("Send to the chosen models at once (compare)")],
        [qsTr("Tab / Shift+Tab"), qsTr("Next / previous control (Ctrl+Tab types a tab)")],
        [qsTr("Esc"), qsTr("Stop the reply (in the composer); back to the composer (in the thread)")],
        [qsTr("Ctrl+N"), qsTr("New conversation")],
        [qsTr("Ctrl+K"), qsTr("Choose the model")],
        [qsTr("Ctrl+P"), qsTr("Parameters of the conversation: system prompt, temperature, max tokens")],
        ["", qsTr("Messages")],
        [qsTr("Alt+Up / Alt+Down"), qsTr("Previous / next message")],
        [qsTr("Alt+Left / Alt+Right"), qsTr("Previous / next branch of that message")],
        [qsTr("E"), qsTr("Edit your message (Ctrl+Enter saves and regenerates, Esc cancels)")],
        [qsTr("R"), qsTr("Regenerate the reply")],
        [qsTr("L"), qsTr("Label the message")],
        [qsTr("Ctrl+C"), qsTr("Copy the message")],
        [qsTr("Delete"), qsTr("Delete the message and its branch")],
        [qsTr("Menu / Shift+F10"), qsTr("All actions on the message")],
        [qsTr("Ctrl+Z"), qsTr("Undo the delete (of a branch or a conversation)")],
        ["", qsTr("Comparing replies")],
        [qsTr("Alt+1 … Alt+6"), qsTr("Maximise that column; again: all columns")],
        [qsTr("Esc"), qsTr("Stop every reply still written (in the composer)")],
        ["", qsTr("Finding your way")],
        [qsTr("Ctrl+F"), qsTr("Search every branch of every conversation")],
        [qsTr("Ctrl+T"), qsTr("Show or hide the tree map")],
        [qsTr("F2"), qsTr("Rename the conversation (in the list)")],
        [qsTr("Delete"), qsTr("Delete the conversation (in the list; Ctrl+Z undoes)")],
        [qsTr("Ctrl+B"), qsTr("Show or hide the conversation list")],
        [qsTr("Ctrl+,"), qsTr("Settings: providers, keys, default model")],
        [qsTr("Ctrl+J"), qsTr("Jobs dashboard")],
        [qsTr("Ctrl+U"), qsTr("Usage: tokens and cost per day, model and conversation")],
        [qsTr("Ctrl+Shift+T"), qsTr("Team server: connect, disconnect, connection state")],
        [qsTr("F1"), qsTr("This list")],
        [qsTr("Ctrl+Q"), qsTr("Quit")]
    ]

    objectName: "shortcutsDialog"
    parent: Overlay.overlay
    anchors.centerIn: parent
    modal: true
    title: qsTr("Keyboard shortcuts")
    standardButtons: Dialog.Close
    width: Math.min(parent.width - 2 * Theme.spacingLarge, Theme.dialogContentWidth * 1.6)
    height: Math.min(parent.height - 2 * Theme.spacingLarge, implicitHeight)

    ScrollView {
        id: scroll

        anchors.fill: parent
        contentWidth: availableWidth
        ScrollBar.horizontal.policy: ScrollBar.AlwaysOff

        ColumnLayout {
            width: scroll.availableWidth
            spacing: Theme.spacingSmall

            Repeater {
                model: dialog.shortcuts

                delegate: RowLayout {
                    id: line

                    required property var modelData
                    readonly property bool isSection: modelData[0].length === 0

                    Layout.fillWidth: true
                    Layout.topMargin: isSection ? Theme.spacing : 0
                    spacing: Theme.spacingLarge

                    Label {
                        visible: !line.isSection
                        Layout.preferredWidth: Theme.dialogContentWidth / 2.5
                        text: line.modelData[0]
                        font.bold: true
                        wrapMode: Text.Wrap
                    }

                    Label {
                        Layout.fillWidth: true
                        text: line.modelData[1]
                        font.bold: line.isSection
                        color: line.isSection ? Theme.text : Theme.mutedText
                        wrapMode: Text.Wrap
                    }
                }
            }
        }
    }
}
