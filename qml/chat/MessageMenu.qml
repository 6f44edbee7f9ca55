import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Arbor
import Arbor.Ui

/**
 * @brief The actions on one message (right click, "⋯", or Menu key on the keyboard's message).
 *
 * One menu serves the whole list: openFor() points it at a message; the menu only reports
 * what was chosen.
 */
Menu {
    id: menu

    /// The message the menu is open for; null once its row is gone.
    property MessageDelegate target
    readonly property bool isUser: target !== null && target.isUser
    /// Where the "Regenerate with" submenu sits.
    readonly property int regenerateIndex: 4

    /// @p action, a MessageAction, on target; @p modelKey is the model of a regeneration ("" =
    /// the same one).
    signal actionRequested(int action, string modelKey)

    /// Whether target allows @p action (its `can…` roles).
    function allows(action: int): bool {
        return target !== null && target.allows(action);
    }

    /// Shows the menu for @p message, at the pointer or under its "⋯" button.
    function openFor(message: MessageDelegate, atPointer: bool) {
        target = message;
        // The submenu cannot be hidden in place: take it out for the user's messages.
        const hasSubmenu = menu.menuAt(regenerateIndex) === regenerateMenu;
        if (message.isUser && hasSubmenu)
            menu.takeMenu(regenerateIndex);
        else if (!message.isUser && !hasSubmenu)
            menu.insertMenu(regenerateIndex, regenerateMenu);
        if (atPointer) {
            popup();
        } else {
            // Under the button, its right edge on the button's (the menu stays in the window).
            const anchor = message.menuAnchor;
            popup(anchor, anchor.width - implicitWidth, anchor.height);
        }
    }

    function report(action: int, modelKey: string) {
        actionRequested(action, modelKey);
    }

    objectName: "messageMenu"

    component ActionItem: MenuItem {
        id: actionItem

        /// The key that does the same on the keyboard's message, shown at the right.
        property string shortcutText

        // Hidden items take no room (Menu lays out every item it holds).
        height: visible ? implicitHeight : 0
        enabled: visible

        contentItem: RowLayout {
            spacing: Theme.spacingLarge * 2

            Label {
                Layout.fillWidth: true
                text: actionItem.text
                color: actionItem.highlighted ? Theme.highlightedText : Theme.text
                opacity: actionItem.enabled ? 1 : Theme.disabledOpacity
            }

            Label {
                objectName: "shortcutHint"
                visible: text.length > 0
                text: actionItem.shortcutText
                color: actionItem.highlighted ? Theme.highlightedText : Theme.mutedText
                opacity: actionItem.enabled ? 1 : Theme.disabledOpacity
            }
        }
    }

    ActionItem {
        objectName: "copyAction"
        text: qsTr("Copy")
        shortcutText: qsTr("Ctrl+C")
        onTriggered: menu.report(MessageAction.Copy, "")
    }

    ActionItem {
        objectName: "copyPlainAction"
        text: qsTr("Copy as plain text")
        // The user's text is plain already.
        visible: !menu.isUser && menu.allows(MessageAction.CopyPlainText)
        onTriggered: menu.report(MessageAction.CopyPlainText, "")
    }

    ActionItem {
        objectName: "editAction"
        text: qsTr("Edit…")
        shortcutText: "E"
        visible: menu.allows(MessageAction.Edit)
        onTriggered: menu.report(MessageAction.Edit, "")
    }

    ActionItem {
        objectName: "regenerateAction"
        text: qsTr("Regenerate")
        shortcutText: "R"
        visible: !menu.isUser
        enabled: visible && menu.allows(MessageAction.Regenerate)
        onTriggered: menu.report(MessageAction.Regenerate, "")
    }

    Menu {
        id: regenerateMenu

        objectName: "regenerateWithMenu"
        title: qsTr("Regenerate with")
        enabled: menu.allows(MessageAction.Regenerate)

        Instantiator {
            model: Models.list
            delegate: MenuItem {
                required property string modelKey
                required property string displayName

                text: displayName
                // HACK: the Qt 6.4 linter types `menu` as a plain Menu inside this delegate.
                onTriggered: menu.report(MessageAction.Regenerate, modelKey) // qmllint disable type
            }
            onObjectAdded: (index, object) => regenerateMenu.insertItem(index, object as MenuItem)
            onObjectRemoved: (index, object) => regenerateMenu.removeItem(object as MenuItem)
        }
    }

    ActionItem {
        objectName: "compareAction"
        text: qsTr("Compare replies")
        // Any reply with siblings: they are the replies to the same message.
        visible: !menu.isUser && menu.target !== null && menu.target.siblingCount >= 2
        onTriggered: App.compare.open(menu.target.messageId)
    }

    MenuSeparator {}

    ActionItem {
        objectName: "labelAction"
        text: qsTr("Label…")
        shortcutText: "L"
        visible: menu.allows(MessageAction.Label)
        onTriggered: menu.report(MessageAction.Label, "")
    }

    ActionItem {
        objectName: "forkAction"
        text: qsTr("Fork to new conversation")
        visible: menu.allows(MessageAction.Fork)
        onTriggered: menu.report(MessageAction.Fork, "")
    }

    MenuSeparator {}

    ActionItem {
        objectName: "deleteAction"
        text: qsTr("Delete branch")
        shortcutText: qsTr("Delete")
        visible: menu.allows(MessageAction.Delete)
        onTriggered: menu.report(MessageAction.Delete, "")
    }
}
