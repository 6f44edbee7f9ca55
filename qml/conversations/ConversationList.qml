import QtQuick
import QtQuick.Controls
import Arbor
import Arbor.Ui

/**
 * @brief The saved conversations, newest first: click or Enter opens one, F2 renames, Delete
 * deletes (Ctrl+Z or the undo bar brings it back), Menu or Shift+F10 shows its actions.
 */
ListView {
    id: list

    /// Id of the conversation whose title is being edited inline; empty when none.
    property string editingId

    function startRename(id: string) {
        editingId = id;
    }

    function finishRename(id: string, newTitle: string) {
        // Clear first: taking the focus back below must not commit a second time.
        editingId = "";
        if (newTitle.length > 0)
            Conversations.rename(id, newTitle);
        list.forceActiveFocus();
    }

    /// Asks for a format and a file, then exports every conversation.
    function exportAll() {
        exportDialog.exportAll();
    }

    function cancelRename() {
        editingId = "";
        list.forceActiveFocus();
    }

    /// Puts the keyboard cursor on the open conversation, if its row exists.
    function moveCursorToOpenConversation() {
        for (let i = 0; i < contentItem.children.length; ++i) {
            const row = contentItem.children[i] as ConversationDelegate;
            if (row !== null && row.isCurrent) {
                currentIndex = row.index;
                return;
            }
        }
    }

    objectName: "conversationList"
    model: Conversations.list
    clip: true
    activeFocusOnTab: true
    keyNavigationWraps: false
    boundsBehavior: Flickable.StopAtBounds
    currentIndex: -1
    Accessible.name: qsTr("Conversations")

    ScrollBar.vertical: ScrollBar {}

    // HACK: without `pragma ComponentBehavior: Bound` (Qt 6.5) qmllint cannot know that this
    // delegate only ever lives in this view, where `list` and the popups below are in scope.
    // qmllint disable unqualified
    delegate: ConversationDelegate {
        id: row

        width: ListView.view.width
        editing: list.editingId === conversationId

        onSelectRequested: {
            // Focus first: taking the focus moves the cursor to the conversation still open.
            list.forceActiveFocus(Qt.MouseFocusReason);
            list.currentIndex = index;
            Conversations.select(conversationId);
        }
        onMenuRequested: atPointer => {
            list.currentIndex = index;
            actionsMenu.conversationId = conversationId;
            actionsMenu.conversationTitle = title;
            if (atPointer)
                actionsMenu.popup();
            else
                actionsMenu.popup(row, row.width - actionsMenu.implicitWidth, row.height);
        }
        onRenameCommitted: newTitle => list.finishRename(conversationId, newTitle)
        onRenameCancelled: list.cancelRename()
    }
    // qmllint enable unqualified

    // The keyboard cursor starts where the user is: on the open conversation.
    onActiveFocusChanged: {
        if (activeFocus)
            moveCursorToOpenConversation();
    }

    Keys.onPressed: event => {
        const row = list.currentItem as ConversationDelegate;
        if (row === null || list.editingId.length > 0)
            return;
        switch (event.key) {
        case Qt.Key_F2:
            list.startRename(row.conversationId);
            break;
        case Qt.Key_Delete:
            Conversations.remove(row.conversationId);
            break;
        case Qt.Key_Menu:
            row.menuRequested(false);
            break;
        case Qt.Key_F10:
            if (!(event.modifiers & Qt.ShiftModifier))
                return;
            row.menuRequested(false);
            break;
        case Qt.Key_Return:
        case Qt.Key_Enter:
        case Qt.Key_Space:
            Conversations.select(row.conversationId);
            break;
        default:
            return;
        }
        event.accepted = true;
    }

    Menu {
        id: actionsMenu

        property string conversationId
        property string conversationTitle

        objectName: "conversationMenu"

        MenuItem {
            text: qsTr("Rename")
            onTriggered: list.startRename(actionsMenu.conversationId)
        }

        MenuItem {
            objectName: "exportConversationItem"
            text: qsTr("Export…")
            onTriggered: exportDialog.exportOne(actionsMenu.conversationId, actionsMenu.conversationTitle)
        }

        MenuItem {
            objectName: "deleteConversationItem"
            text: qsTr("Delete")
            onTriggered: Conversations.remove(actionsMenu.conversationId)
        }

        MenuItem {
            objectName: "moveToWorkspaceItem"
            // Personal conversations only, and only when there is a workspace to share into.
            visible: App.sync.currentWorkspace.length === 0 && App.sync.workspaces.count > 1
            height: visible ? implicitHeight : 0
            text: qsTr("Move to workspace…")
            onTriggered: moveDialog.ask(actionsMenu.conversationId, actionsMenu.conversationTitle)
        }
    }

    MoveToWorkspaceDialog {
        id: moveDialog

        onClosed: list.forceActiveFocus()
    }

    ExportDialog {
        id: exportDialog

        onClosed: list.forceActiveFocus()
    }

    EmptyViewHint {
        parent: list
        visible: list.count === 0
        text: qsTr("No saved conversations yet.")
    }
}
