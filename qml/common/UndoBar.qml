import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Arbor
import Arbor.Ui

/**
 * @brief "Deleted 5 messages — Undo" after a branch was deleted (Ctrl+Z). Deleting asks no
 * question because of this bar; it goes away after a while or when dismissed.
 */
Rectangle {
    id: bar

    /// The user closed the bar, or it timed out, for the current Undo.text.
    property bool dismissed: false

    objectName: "undoBar"
    visible: Undo.text.length > 0 && !dismissed
    implicitHeight: visible ? row.implicitHeight + 2 * Theme.spacingSmall : 0
    color: Theme.notice
    Accessible.role: Accessible.AlertMessage
    Accessible.name: Undo.text

    Connections {
        target: Undo

        function onChanged() {
            bar.dismissed = false;
            if (Undo.text.length > 0)
                hideTimer.restart();
        }
    }

    Timer {
        id: hideTimer

        interval: Theme.undoVisibleMs
        onTriggered: bar.dismissed = true
    }

    Shortcut {
        // Text editors keep Ctrl+Z for their own undo while they have the focus.
        sequence: "Ctrl+Z"
        enabled: bar.visible
        onActivated: Undo.undo()
    }

    RowLayout {
        id: row

        anchors.fill: parent
        anchors.leftMargin: Theme.spacingLarge
        anchors.rightMargin: Theme.spacing
        spacing: Theme.spacing

        Label {
            objectName: "undoText"
            Layout.fillWidth: true
            text: Undo.text
            textFormat: Text.PlainText
            elide: Text.ElideRight
        }

        Button {
            objectName: "undoButton"
            text: qsTr("Undo")
            flat: true
            focusPolicy: Qt.TabFocus
            ToolTip.visible: hovered
            ToolTip.delay: Theme.toolTipDelayMs
            ToolTip.text: qsTr("Bring the deleted messages back (Ctrl+Z)")
            onClicked: Undo.undo()

            FocusRing {}
        }

        IconButton {
            objectName: "dismissUndoButton"
            iconName: "x"
            text: qsTr("Dismiss")
            onClicked: bar.dismissed = true
        }
    }
}
