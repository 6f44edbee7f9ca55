import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Arbor
import Arbor.Ui

/**
 * @brief The chat screen: saved conversations on the left, the open conversation on the right.
 *
 * Ctrl+N starts a new conversation, Ctrl+K picks the model, Enter sends, Esc stops a reply,
 * Ctrl+F searches, Ctrl+T shows the tree map, Ctrl+P sets the conversation's parameters,
 * Ctrl+Shift+T connects to a team server, F1 lists every shortcut.
 */
Item {
    id: page

    /// The tree map panel is shown on the right.
    property bool treeMapVisible: false

    function startNewConversation() {
        App.newConversation();
        composer.focusInput();
    }

    implicitWidth: 1000
    implicitHeight: 700

    Component.onCompleted: composer.focusInput()

    Shortcut {
        sequence: "Ctrl+N"
        onActivated: page.startNewConversation()
    }

    Shortcut {
        sequence: "Ctrl+F"
        onActivated: searchPanel.start()
    }

    Shortcut {
        sequence: "Ctrl+T"
        onActivated: page.treeMapVisible = !page.treeMapVisible
    }

    Shortcut {
        sequence: "F1"
        onActivated: shortcutsDialog.open()
    }

    ShortcutsDialog {
        id: shortcutsDialog
    }

    Shortcut {
        sequence: "Ctrl+,"
        onActivated: providersDialog.open()
    }

    ProvidersDialog {
        id: providersDialog
    }

    Shortcut {
        sequence: "Ctrl+P"
        onActivated: conversationSettingsDialog.open()
    }

    ConversationSettingsDialog {
        id: conversationSettingsDialog
    }

    Shortcut {
        sequence: "Ctrl+Shift+T"
        onActivated: teamServerDialog.open()
    }

    TeamServerDialog {
        id: teamServerDialog
    }

    SplitView {
        anchors.fill: parent
        orientation: Qt.Horizontal

        Rectangle {
            SplitView.preferredWidth: Theme.sidebarWidth
            SplitView.minimumWidth: Theme.sidebarMinimumWidth
            SplitView.maximumWidth: page.width / 2
            color: Theme.base

            ColumnLayout {
                anchors.fill: parent
                spacing: 0

                RowLayout {
                    Layout.fillWidth: true
                    Layout.margins: Theme.spacing
                    spacing: Theme.spacingSmall

                    Button {
                        objectName: "newConversationButton"
                        Layout.fillWidth: true
                        text: qsTr("New conversation")
                        focusPolicy: Qt.NoFocus
                        ToolTip.visible: hovered
                        ToolTip.delay: 600
                        ToolTip.text: qsTr("Start a new conversation (Ctrl+N)")
                        onClicked: page.startNewConversation()
                    }

                    ToolButton {
                        objectName: "searchButton"
                        text: qsTr("Search")
                        checkable: true
                        checked: searchPanel.active
                        focusPolicy: Qt.NoFocus
                        ToolTip.visible: hovered
                        ToolTip.delay: 600
                        ToolTip.text: qsTr("Search every branch of every conversation (Ctrl+F)")
                        onToggled: {
                            if (checked)
                                searchPanel.start();
                            else
                                searchPanel.stop();
                        }
                    }
                }

                WorkspaceSwitcher {
                    Layout.fillWidth: true
                    Layout.leftMargin: Theme.spacing
                    Layout.rightMargin: Theme.spacing
                    Layout.bottomMargin: Theme.spacingSmall
                }

                SearchPanel {
                    id: searchPanel

                    Layout.fillWidth: true
                    Layout.fillHeight: searching
                    onFinished: composer.focusInput()
                }

                ConversationList {
                    Layout.fillWidth: true
                    Layout.fillHeight: true
                    visible: !searchPanel.searching
                }

                Rectangle {
                    Layout.fillWidth: true
                    implicitHeight: 1
                    color: Theme.separator
                }

                SyncStatus {
                    Layout.fillWidth: true
                    onOpenRequested: teamServerDialog.open()
                }
            }
        }

        ColumnLayout {
            SplitView.fillWidth: true
            spacing: 0

            RowLayout {
                Layout.fillWidth: true
                Layout.margins: Theme.spacing
                Layout.leftMargin: Theme.spacingLarge
                spacing: Theme.spacing

                Label {
                    objectName: "conversationTitle"
                    Layout.fillWidth: true
                    text: App.currentTitle.length > 0 ? App.currentTitle : qsTr("New conversation")
                    textFormat: Text.PlainText
                    elide: Text.ElideRight
                    font.pointSize: Theme.fontSizeTitle
                    font.bold: true
                    Accessible.role: Accessible.Heading
                }

                PresenceBar {}

                ModelPicker {
                    id: modelPicker

                    Layout.maximumWidth: page.width / 3
                }

                ToolButton {
                    objectName: "treeMapButton"
                    text: qsTr("Tree")
                    checkable: true
                    checked: page.treeMapVisible
                    focusPolicy: Qt.NoFocus
                    ToolTip.visible: hovered
                    ToolTip.delay: 600
                    ToolTip.text: qsTr("Show the map of every branch (Ctrl+T)")
                    onToggled: page.treeMapVisible = checked
                }

                ToolButton {
                    objectName: "parametersButton"
                    text: qsTr("Parameters")
                    focusPolicy: Qt.NoFocus
                    Accessible.name: qsTr("Parameters of this conversation: system prompt, temperature, max tokens")
                    ToolTip.visible: hovered
                    ToolTip.delay: 600
                    ToolTip.text: qsTr("System prompt, temperature and max tokens of this conversation (Ctrl+P)")
                    onClicked: conversationSettingsDialog.open()
                }

                ToolButton {
                    objectName: "settingsButton"
                    text: qsTr("Settings")
                    focusPolicy: Qt.NoFocus
                    Accessible.name: qsTr("Settings: model providers and API keys")
                    ToolTip.visible: hovered
                    ToolTip.delay: 600
                    ToolTip.text: qsTr("Model providers, API keys, default model (Ctrl+,)")
                    onClicked: providersDialog.open()
                }

                ToolButton {
                    objectName: "helpButton"
                    text: "?"
                    focusPolicy: Qt.NoFocus
                    Accessible.name: qsTr("Keyboard shortcuts")
                    ToolTip.visible: hovered
                    ToolTip.delay: 600
                    ToolTip.text: qsTr("Keyboard shortcuts (F1)")
                    onClicked: shortcutsDialog.open()
                }
            }

            Rectangle {
                Layout.fillWidth: true
                implicitHeight: 1
                color: Theme.separator
            }

            ErrorBanner {
                Layout.fillWidth: true
            }

            LocalServerBanner {
                Layout.fillWidth: true
            }

            MessageList {
                id: messageList

                Layout.fillWidth: true
                Layout.fillHeight: true
                onLeaveRequested: composer.focusInput()
            }

            UndoBar {
                Layout.fillWidth: true
            }

            Label {
                objectName: "typingIndicator"
                Layout.fillWidth: true
                Layout.maximumWidth: Theme.readableWidth
                Layout.alignment: Qt.AlignHCenter
                Layout.leftMargin: Theme.spacingLarge
                Layout.rightMargin: Theme.spacingLarge
                visible: text.length > 0
                text: App.sync.typingText
                textFormat: Text.PlainText
                elide: Text.ElideRight
                font.italic: true
                font.pointSize: Theme.fontSizeSmall
                color: Theme.mutedText
                Accessible.role: Accessible.StaticText
            }

            Composer {
                id: composer

                Layout.fillWidth: true
                Layout.maximumWidth: Theme.readableWidth
                Layout.alignment: Qt.AlignHCenter
                Layout.margins: Theme.spacingLarge
                Layout.topMargin: Theme.spacing
                modelName: modelPicker.displayText
                onSent: messageList.scrollToEnd()
                // Teammates see "… is typing" in a shared conversation.
                onTextChanged: App.sync.noteTyping(text.length > 0)
            }
        }

        Loader {
            objectName: "treeMapLoader"
            active: page.treeMapVisible
            visible: active
            SplitView.preferredWidth: Theme.treePanelWidth
            SplitView.minimumWidth: Theme.treePanelMinimumWidth
            SplitView.maximumWidth: page.width / 2

            sourceComponent: TreeMapPanel {}
            onLoaded: {
                const panel = item as TreeMapPanel;
                panel.messageList = messageList;
                panel.closeRequested.connect(() => page.treeMapVisible = false);
            }
        }
    }
}
