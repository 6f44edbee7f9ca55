import QtQuick
import QtQuick.Controls

/**
 * @brief Inline title editor: Enter or leaving the field commits, Esc cancels; reports once.
 */
TextField {
    id: field

    /// Set once committed or cancelled, so losing the focus afterwards reports nothing more.
    property bool finished: false

    signal committed(string newTitle)
    signal cancelled

    /// Starts editing `title`, all of it selected.
    function start(title: string) {
        text = title;
        selectAll();
        forceActiveFocus(Qt.OtherFocusReason);
    }

    function finish(commit: bool) {
        if (finished)
            return;
        finished = true;
        if (commit)
            committed(text);
        else
            cancelled();
    }

    objectName: "renameField"
    Accessible.name: qsTr("Conversation title")

    onAccepted: finish(true)
    Keys.onEscapePressed: finish(false)
    // Clicking elsewhere keeps what was typed, as in a file manager.
    onActiveFocusChanged: {
        if (!activeFocus)
            finish(true);
    }
}
