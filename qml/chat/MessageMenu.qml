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
    readonly property bool isLive: target !== null && target.isLive
    /// Where the "Regenerate with" submenu sits.
    readonly property int regenerateIndex: 3

    /// @p action is "copy", "edit", "regenerate", "label", "fork" or "delete" on target;
    /// @p modelKey is the model for "regenerate" ("" = the same one).
    signal actionRequested(string action, string modelKey)

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

    function report(action: string, modelKey: string) {
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
                opacity: actionItem.enabled ? 1 : 0.5
            }

            Label {
                objectName: "shortcutHint"
                visible: text.length > 0
                text: actionItem.shortcutText
                color: actionItem.highlighted ? Theme.highlightedText : Theme.mutedText
                opacity: actionItem.enabled ? 1 : 0.5
            }
        }
    }

    ActionItem {
        objectName: "copyAction"
        text: qsTr("Copy")
        shortcutText: qsTr("Ctrl+C")
        onTriggered: menu.report("copy", "")
    }

    ActionItem {
        objectName: "editAction"
        text: qsTr("Edit…")
        shortcutText: "E"
        visible: menu.isUser
        onTriggered: menu.report("edit", "")
    }

    ActionItem {
        objectName: "regenerateAction"
        text: qsTr("Regenerate")
        shortcutText: "R"
        visible: !menu.isUser
        enabled: visible && !menu.isLive
        onTriggered: menu.report("regenerate", "")
    }

    Menu {
        id: regenerateMenu

        objectName: "regenerateWithMenu"
        title: qsTr("Regenerate with")
        enabled: !menu.isLive

        Instantiator {
            model: Models.list
            delegate: MenuItem {
                required property string modelKey
                required property string displayName

                text: displayName
                // HACK: the Qt 6.4 linter types `menu` as a plain Menu inside this delegate.
                onTriggered: menu.report("regenerate", modelKey) // qmllint disable type
            }
            onObjectAdded: (index, object) => regenerateMenu.insertItem(index, object as MenuItem)
            onObjectRemoved: (index, object) => regenerateMenu.removeItem(object as MenuItem)
        }
    }

    MenuSeparator {}

    ActionItem {
        objectName: "labelAction"
        text: qsTr("Label…")
        shortcutText: "L"
        onTriggered: menu.report("label", "")
    }

    ActionItem {
        objectName: "forkAction"
        text: qsTr("Fork to new conversation")
        onTriggered: menu.report("fork", "")
    }

    MenuSeparator {}

    ActionItem {
        objectName: "deleteAction"
        text: qsTr("Delete branch")
        shortcutText: qsTr("Delete")
        onTriggered: menu.report("delete", "")
    }
}
