import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Arbor.Ui

/**
 * @brief The quick actions shown over a hovered (or keyboard-focused) message: copy, edit or
 * regenerate, and "⋯" for the full menu. Reports what was asked; MessageList does it.
 */
RowLayout {
    id: toolbar

    required property bool isUser
    /// Nothing that makes a new branch while this message is still being written.
    required property bool isLive
    /// A reply that stopped early with some text: it can be continued.
    required property bool canContinue

    /// One of "copy", "edit", "regenerate", "continue" or "menu".
    signal actionRequested(string action)

    spacing: 0

    component ActionButton: ToolButton {
        required property string tip

        focusPolicy: Qt.NoFocus
        padding: Theme.spacingSmall
        font.pointSize: Theme.fontSizeSmall
        Accessible.name: tip
        ToolTip.visible: hovered
        ToolTip.delay: 600
        ToolTip.text: tip
    }

    ActionButton {
        objectName: "copyButton"
        text: qsTr("Copy")
        tip: qsTr("Copy the text (Ctrl+C)")
        onClicked: toolbar.actionRequested("copy")
    }

    ActionButton {
        objectName: "editButton"
        visible: toolbar.isUser
        text: qsTr("Edit")
        tip: qsTr("Edit as a new branch (E)")
        onClicked: toolbar.actionRequested("edit")
    }

    ActionButton {
        objectName: "regenerateButton"
        visible: !toolbar.isUser
        enabled: !toolbar.isLive
        text: qsTr("Regenerate")
        tip: qsTr("Write another reply beside this one (R)")
        onClicked: toolbar.actionRequested("regenerate")
    }

    ActionButton {
        objectName: "continueButton"
        visible: toolbar.canContinue
        text: qsTr("Continue")
        tip: qsTr("Carry on from where this reply stopped, as a new branch")
        onClicked: toolbar.actionRequested("continue")
    }

    ActionButton {
        objectName: "messageMenuButton"
        text: "⋯"
        tip: qsTr("More actions")
        onClicked: toolbar.actionRequested("menu")
    }
}
