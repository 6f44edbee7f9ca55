import QtQuick
import QtQuick.Controls
import Arbor.Ui

/**
 * @brief A tool drawn as one icon of the kept set (resources/icons/lucide), tinted to the
 * theme. Its `text` is its name: for screen readers (Accessible.name) and, with `shortcut`, for
 * the tool tip. Tab reaches it and shows the focus ring; Enter and Space press it.
 */
ToolButton {
    id: button

    /// The icon's file name without ".svg" ("copy"; see Theme.icon()).
    required property string iconName
    /// The keys that do the same ("Ctrl+T"), shown in the tool tip; empty for none.
    property string shortcut
    /// The tool tip's words when they say more than the name; empty: the name.
    property string tip

    display: AbstractButton.IconOnly
    focusPolicy: Qt.TabFocus
    padding: Theme.spacingSmall + 2
    icon.source: Theme.icon(iconName)
    icon.width: Theme.iconSize
    icon.height: Theme.iconSize
    icon.color: !enabled ? Theme.disabledIcon : (checked ? Theme.accent : Theme.text)
    Accessible.name: text
    Accessible.description: ToolTip.text
    ToolTip.visible: hovered && ToolTip.text.length > 0
    ToolTip.delay: Theme.toolTipDelayMs
    ToolTip.text: (tip.length > 0 ? tip : text) + (shortcut.length > 0 ? " (" + shortcut + ")" : "")

    // Buttons take Space; Enter should press the focused one too.
    Keys.onReturnPressed: activate()
    Keys.onEnterPressed: activate()

    function activate() {
        if (checkable) {
            toggle();
            toggled();
        }
        clicked();
    }

    FocusRing {}
}
