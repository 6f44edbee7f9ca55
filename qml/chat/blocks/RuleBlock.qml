import QtQuick
import Arbor.Ui

/// @brief A thematic break ("---"): a hairline across the message.
BlockItem {
    id: block

    width: availableWidth
    height: gap + Theme.spacing * 2 + Theme.hairline

    Rectangle {
        y: block.gap + Theme.spacing
        width: block.width
        height: Theme.hairline
        color: Theme.separator
    }
}
