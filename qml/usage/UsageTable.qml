import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Arbor.Ui

/** @brief A short ranked list of the Usage page: name, tokens, cost per row. */
ColumnLayout {
    id: table

    property string title
    /// [{<nameKey>, tokens, cost}], largest first.
    property var rows: []
    property string nameKey: "title"

    spacing: Theme.spacingSmall

    Label {
        text: table.title
        font.bold: true
    }
    Label {
        visible: table.rows.length === 0
        text: qsTr("Nothing yet.")
        color: Theme.mutedText
    }
    Repeater {
        model: table.rows
        delegate: RowLayout {
            required property var modelData
            Layout.fillWidth: true
            spacing: Theme.spacing
            Label {
                text: modelData[table.nameKey]
                textFormat: Text.PlainText
                elide: Text.ElideRight
                Layout.fillWidth: true
            }
            Label {
                text: modelData.tokens
                color: Theme.mutedText
            }
            Label {
                text: modelData.cost
                horizontalAlignment: Text.AlignRight
                Layout.minimumWidth: Theme.iconSizeLarge * 3
            }
        }
    }
}
