import QtQuick
import QtQuick.Layouts
import Arbor
import Arbor.Ui

/**
 * @brief The quick actions of a message, as icons: copy, edit or regenerate, continue, and "⋯"
 * for the full menu. Shown over a hovered message and on the keyboard's message, whose buttons Tab
 * reaches. The message's `can…` roles say which apply; a reply keeps its Regenerate button
 * (disabled while it is written) so that the buttons do not move. Reports what was asked as a
 * MessageAction; MessageList does it.
 */
RowLayout {
    id: toolbar

    required property bool isUser
    required property bool canEdit
    required property bool canRegenerate
    required property bool canContinue
    /// The text was just copied: the Copy button says so.
    property bool copied: false
    /// Tab reaches these buttons (the message is the keyboard's one).
    property bool keyboardReachable: false
    /// One of the buttons has the keyboard.
    readonly property bool hasKeyboard: copyButton.activeFocus || editButton.activeFocus || regenerateButton.activeFocus
                                        || continueButton.activeFocus || menuButton.activeFocus
    readonly property alias menuButton: menuButton

    /// The user asked for @p action, a MessageAction.
    signal actionRequested(int action)
    /// "⋯": the full menu, under its button.
    signal menuRequested

    spacing: 0

    component ActionButton: IconButton {
        focusPolicy: toolbar.keyboardReachable ? Qt.TabFocus : Qt.NoFocus // qmllint disable unqualified
        padding: Theme.spacingSmall
        icon.width: Theme.iconSizeSmall
        icon.height: Theme.iconSizeSmall
    }

    ActionButton {
        id: copyButton

        objectName: "copyButton"
        iconName: toolbar.copied ? "check" : "copy"
        text: toolbar.copied ? qsTr("Copied") : qsTr("Copy")
        tip: toolbar.copied ? qsTr("Copied") : qsTr("Copy the text")
        shortcut: "Ctrl+C"
        icon.color: toolbar.copied ? Theme.accent : Theme.text
        onClicked: toolbar.actionRequested(MessageAction.Copy)
    }

    ActionButton {
        id: editButton

        objectName: "editButton"
        visible: toolbar.canEdit
        iconName: "pencil"
        text: qsTr("Edit")
        tip: qsTr("Edit as a new branch")
        shortcut: "E"
        onClicked: toolbar.actionRequested(MessageAction.Edit)
    }

    ActionButton {
        id: regenerateButton

        objectName: "regenerateButton"
        visible: !toolbar.isUser
        enabled: toolbar.canRegenerate
        iconName: "refresh-cw"
        text: qsTr("Regenerate")
        tip: qsTr("Write another reply beside this one")
        shortcut: "R"
        onClicked: toolbar.actionRequested(MessageAction.Regenerate)
    }

    ActionButton {
        id: continueButton

        objectName: "continueButton"
        visible: toolbar.canContinue
        iconName: "play"
        text: qsTr("Continue")
        tip: qsTr("Carry on from where this reply stopped, as a new branch")
        onClicked: toolbar.actionRequested(MessageAction.Continue)
    }

    ActionButton {
        id: menuButton

        objectName: "messageMenuButton"
        iconName: "ellipsis"
        text: qsTr("More actions")
        shortcut: "Menu, Shift+F10"
        onClicked: toolbar.menuRequested()
    }
}
