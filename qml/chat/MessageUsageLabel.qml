import QtQuick
import QtQuick.Controls
import Arbor.Ui

/**
 * @brief A reply's tokens and cost ("2,006 in (1,920 cached) · 300 out · $0.0065"), beside its
 * author while the pointer is on the message; the whole text in a tool tip when it does not fit.
 */
Label {
    /// The pointer is on the message (or it is the keyboard's).
    property bool shown: false

    objectName: "usageLabel"
    visible: text.length > 0
    opacity: shown ? 1 : 0
    color: Theme.mutedText
    font.pointSize: Theme.fontSizeSmall
    elide: Text.ElideRight
    ToolTip.visible: shown && truncated
    ToolTip.text: text
}
