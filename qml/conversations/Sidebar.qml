import QtQuick
import QtQuick.Controls
import QtQuick.Dialogs
import QtQuick.Layouts
import Arbor
import Arbor.Ui

/**
 * @brief The left pane: new conversation, search, workspace, the conversation list (or search
 * hits) and the team server's state. Ctrl+B hides and shows it.
 */
Rectangle {
    id: sidebar

    readonly property alias searchPanel: searchPanel

    /// "New conversation" was pressed.
    signal newConversationRequested
    /// The search was closed from the keyboard.
    signal searchFinished
    /// The team server's state was clicked.
    signal teamServerRequested

    objectName: "sidebar"
    color: Theme.sidebar

    FileDialog {
        id: importDialog
        title: qsTr("Import conversations")
        fileMode: FileDialog.OpenFile
        nameFilters: [qsTr("Exports (*.json *.zip)"), qsTr("All files (*)")]
        onAccepted: App.imports.start(selectedFile)
    }

    Shortcut {
        sequence: "Ctrl+O"
        enabled: !App.imports.running
        onActivated: importDialog.open()
    }

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
                // Short enough for the default sidebar width beside the three icon buttons.
                text: qsTr("New chat")
                Accessible.name: qsTr("New conversation")
                icon.source: Theme.icon("square-pen")
                icon.color: Theme.text
                icon.width: Theme.iconSizeSmall
                icon.height: Theme.iconSizeSmall
                focusPolicy: Qt.TabFocus
                ToolTip.visible: hovered
                ToolTip.delay: Theme.toolTipDelayMs
                ToolTip.text: qsTr("Start a new conversation (Ctrl+N)")
                Accessible.description: ToolTip.text
                Keys.onReturnPressed: clicked()
                Keys.onEnterPressed: clicked()
                onClicked: sidebar.newConversationRequested()

                FocusRing {}
            }

            IconButton {
                objectName: "importButton"
                iconName: "download"
                text: qsTr("Import…")
                tip: qsTr("Import conversations from ChatGPT, Claude, Open WebUI, LibreChat or Arbor (or drop the file on the window)")
                shortcut: "Ctrl+O"
                enabled: !App.imports.running
                onClicked: importDialog.open()
            }

            IconButton {
                objectName: "searchButton"
                iconName: "search"
                text: qsTr("Search")
                tip: qsTr("Search every branch of every conversation")
                shortcut: "Ctrl+F"
                checkable: true
                checked: searchPanel.active
                onToggled: {
                    if (checked)
                        searchPanel.start();
                    else
                        searchPanel.stop();
                }
            }

            IconButton {
                id: moreButton

                objectName: "conversationsMenuButton"
                iconName: "ellipsis"
                text: qsTr("More")
                tip: qsTr("Export all conversations")
                // The tip would cover the menu's first item.
                ToolTip.visible: hovered && !moreMenu.visible
                onClicked: moreMenu.popup(moreButton, 0, moreButton.height)

                Menu {
                    id: moreMenu

                    objectName: "conversationsMenu"

                    MenuItem {
                        objectName: "exportAllItem"
                        text: qsTr("Export all…")
                        onTriggered: conversationList.exportAll()
                    }
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
            onFinished: sidebar.searchFinished()
        }

        ConversationList {
            id: conversationList

            Layout.fillWidth: true
            Layout.fillHeight: true
            visible: !searchPanel.searching
        }

        Rectangle {
            Layout.fillWidth: true
            implicitHeight: Theme.hairline
            color: Theme.separator
        }

        ImportPanel {
            Layout.fillWidth: true
        }

        SyncStatus {
            Layout.fillWidth: true
            onOpenRequested: sidebar.teamServerRequested()
        }
    }
}
