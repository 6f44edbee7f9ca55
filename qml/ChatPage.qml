import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Arbor
import Arbor.Ui

/**
 * @brief The chat screen: saved conversations on the left, the open conversation on the right.
 *
 * Ctrl+N starts a new conversation, Ctrl+K picks the model, Enter sends, Esc stops a reply,
 * Ctrl+F searches, Ctrl+T shows the tree map, Ctrl+B the sidebar, Ctrl+P sets the
 * conversation's parameters, Ctrl+J shows the jobs, Ctrl+Shift+T connects to a team server, F1
 * lists every shortcut. On a narrow window the chat keeps its room: the tree map and the
 * sidebar give way first.
 */
Item {
    id: page

    /// The user wants the tree map panel on the right.
    property bool treeMapVisible: false
    /// The chat keeps Theme.chatMinimumWidth: on a narrow window the tree map goes first, then
    /// the sidebar (each comes back when there is room again).
    readonly property bool treeMapShown: treeMapVisible && width >= Theme.chatMinimumWidth + Theme.treePanelMinimumWidth
    readonly property bool sidebarShown: UiState.sidebarOpen
                                         && width >= Theme.sidebarMinimumWidth + Theme.chatMinimumWidth
                                            + (treeMapShown ? Theme.treePanelMinimumWidth : 0)
    readonly property alias jobsVisible: jobsPage.visible

    function startNewConversation() {
        Conversations.newConversation();
        composer.focusInput();
    }

    /// Ctrl+B: hides the sidebar, or shows it (making room by closing the tree map if needed).
    function toggleSidebar() {
        if (sidebarShown) {
            UiState.sidebarOpen = false;
            return;
        }
        UiState.sidebarOpen = true;
        if (!sidebarShown)
            treeMapVisible = false;
    }

    implicitWidth: Theme.pageImplicitWidth
    implicitHeight: Theme.pageImplicitHeight

    Component.onCompleted: composer.focusInput()

    Shortcut {
        sequence: "Ctrl+N"
        onActivated: page.startNewConversation()
    }

    Shortcut {
        sequence: "Ctrl+F"
        onActivated: {
            if (!page.sidebarShown)
                page.toggleSidebar();
            sidebar.searchPanel.start();
        }
    }

    Shortcut {
        sequence: "Ctrl+B"
        onActivated: page.toggleSidebar()
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

    Connections {
        target: Notifications

        function onSettingsRequested() {
            providersDialog.open();
        }
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
        id: split

        anchors.fill: parent
        orientation: Qt.Horizontal
        // The job dashboard lies over the chat: nothing under it takes a click, a key or Tab.
        enabled: !jobsPage.visible

        Sidebar {
            id: sidebar

            visible: page.sidebarShown
            SplitView.preferredWidth: Theme.sidebarWidth
            SplitView.minimumWidth: Theme.sidebarMinimumWidth
            SplitView.maximumWidth: Math.max(Theme.sidebarMinimumWidth,
                                             Math.min(page.width / 2, page.width - Theme.chatMinimumWidth
                                                      - (page.treeMapShown ? Theme.treePanelMinimumWidth : 0)))
            onNewConversationRequested: page.startNewConversation()
            onSearchFinished: composer.focusInput()
            onTeamServerRequested: teamServerDialog.open()
        }

        ColumnLayout {
            id: chatColumn

            SplitView.fillWidth: true
            SplitView.minimumWidth: Theme.chatMinimumWidth
            spacing: 0

            ChatHeader {
                id: header

                Layout.fillWidth: true
                Layout.margins: Theme.spacing
                Layout.leftMargin: Theme.spacing
                sidebarShown: page.sidebarShown
                treeMapShown: page.treeMapShown
                onSidebarToggled: page.toggleSidebar()
                onTreeMapToggled: page.treeMapVisible = !page.treeMapVisible
                onParametersRequested: conversationSettingsDialog.open()
                onSettingsRequested: providersDialog.open()
                onShortcutsRequested: shortcutsDialog.open()
                onJobsRequested: jobsPage.visible = true
                onUsageRequested: usagePage.visible = true
            }

            Rectangle {
                Layout.fillWidth: true
                implicitHeight: Theme.hairline
                color: Theme.separator
            }

            ErrorBanner {
                Layout.fillWidth: true
            }

            LocalServerBanner {
                Layout.fillWidth: true
            }

            UpdateBanner {
                Layout.fillWidth: true
            }

            MessageList {
                id: messageList

                Layout.fillWidth: true
                Layout.fillHeight: true
                visible: !App.compare.active
                onLeaveRequested: composer.focusInput()
                onSettingsRequested: providersDialog.open()
            }

            // The replies to one message side by side, in the thread's place while open.
            Loader {
                objectName: "compareLoader"
                Layout.fillWidth: true
                Layout.fillHeight: true
                active: App.compare.active
                visible: active
                sourceComponent: CompareView {
                    onClosed: composer.focusInput() // qmllint disable unqualified
                }
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
                text: App.sync.presence.typingText
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
                Layout.margins: page.width < Theme.headerWrapWidth ? Theme.spacing : Theme.spacingLarge
                Layout.topMargin: Theme.spacing
                modelName: header.modelPicker.displayText
                onSent: messageList.scrollToEnd()
                onEndRequested: messageList.scrollToEnd()
                // Teammates see "… is typing" in a shared conversation.
                onTextChanged: App.sync.presence.noteTyping(text.length > 0)
            }
        }

        Loader {
            objectName: "treeMapLoader"
            active: page.treeMapShown
            visible: active
            SplitView.preferredWidth: Math.max(Theme.treePanelMinimumWidth,
                                               Math.min(Theme.treePanelWidth, page.width - Theme.chatMinimumWidth
                                                        - (page.sidebarShown ? sidebar.width : 0)))
            SplitView.minimumWidth: Theme.treePanelMinimumWidth
            SplitView.maximumWidth: Math.max(Theme.treePanelMinimumWidth,
                                             page.width - Theme.chatMinimumWidth - (page.sidebarShown ? sidebar.width : 0))

            sourceComponent: TreeMapPanel {}
            onLoaded: {
                const panel = item as TreeMapPanel;
                panel.messageList = messageList;
                panel.closeRequested.connect(() => page.treeMapVisible = false);
            }
        }
    }

    // The job dashboard lies over the chat while open (Ctrl+J toggles it).
    JobsPage {
        id: jobsPage

        anchors.fill: parent
        visible: false
        onVisibleChanged: {
            if (visible)
                forceActiveFocus();
            else
                composer.focusInput();
        }
        onCloseRequested: visible = false
    }

    Shortcut {
        sequence: "Ctrl+J"
        onActivated: jobsPage.visible = !jobsPage.visible
    }

    // The usage page lies over the chat too (Ctrl+U toggles it).
    UsagePage {
        id: usagePage

        anchors.fill: parent
        visible: false
        onVisibleChanged: {
            if (visible)
                forceActiveFocus();
            else
                composer.focusInput();
        }
        onCloseRequested: visible = false
    }

    Shortcut {
        sequence: "Ctrl+U"
        onActivated: usagePage.visible = !usagePage.visible
    }
}
