import QtQuick
import QtQuick.Controls
import QtQuick.Controls.impl
import QtQuick.Layouts
import Arbor.Ui

/**
 * @brief What a view shows while it has nothing to show, centred over it: a sentence ("No
 * matches."), and for a larger view an icon, a heading and buttons to go on (children go in a
 * row under the text). Give it the view as parent, not the view's scrolling content, so that it
 * stays in place.
 */
ColumnLayout {
    id: hint

    /// The sentence, in the muted colour.
    property string text
    /// A heading above it; empty for none.
    property string title
    /// An icon of the kept set above all (Theme.icon); empty for none.
    property string iconName
    /// More lines under the sentence, e.g. a shortcut to start with; empty for none.
    property string details
    /// Buttons under the text.
    default property alias actions: actionRow.data

    anchors.centerIn: parent
    width: Math.min(parent.width - 2 * Theme.spacingLarge, Theme.dialogContentWidth * 1.5)
    spacing: Theme.spacing

    IconImage {
        objectName: "emptyViewIcon"
        Layout.alignment: Qt.AlignHCenter
        Layout.bottomMargin: Theme.spacingSmall
        visible: hint.iconName.length > 0
        source: visible ? Theme.icon(hint.iconName) : ""
        sourceSize.width: Theme.iconSizeLarge
        sourceSize.height: Theme.iconSizeLarge
        color: Theme.accent
    }

    Label {
        objectName: "emptyViewTitle"
        Layout.fillWidth: true
        visible: text.length > 0
        text: hint.title
        font.pointSize: Theme.fontSizeHeading
        font.bold: true
        horizontalAlignment: Text.AlignHCenter
        wrapMode: Text.Wrap
        Accessible.role: Accessible.Heading
    }

    Label {
        objectName: "emptyViewText"
        Layout.fillWidth: true
        visible: text.length > 0
        text: hint.text
        font.pointSize: hint.title.length > 0 ? Theme.fontSizeTitle : Theme.fontSize
        color: Theme.mutedText
        horizontalAlignment: Text.AlignHCenter
        wrapMode: Text.Wrap
    }

    Label {
        objectName: "emptyViewDetails"
        Layout.fillWidth: true
        Layout.topMargin: Theme.spacingSmall
        visible: text.length > 0
        text: hint.details
        textFormat: Text.StyledText
        color: Theme.mutedText
        horizontalAlignment: Text.AlignHCenter
        wrapMode: Text.Wrap
        lineHeight: 1.2
    }

    RowLayout {
        id: actionRow

        Layout.alignment: Qt.AlignHCenter
        Layout.topMargin: Theme.spacing
        visible: children.length > 0
        spacing: Theme.spacing
    }
}
