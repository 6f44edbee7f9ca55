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
        // The name under one key, so the delegate needs nothing from outside.
        model: table.rows.map(r => ({
                    name: r[table.nameKey],
                    tokens: r.tokens,
                    cost: r.cost
                }))
        delegate: RowLayout {
            id: row
            required property var modelData
            Layout.fillWidth: true
            spacing: Theme.spacing
            Label {
                text: row.modelData.name
                textFormat: Text.PlainText
                elide: Text.ElideRight
                Layout.fillWidth: true
            }
            Label {
                text: row.modelData.tokens
                color: Theme.mutedText
            }
            Label {
                text: row.modelData.cost
                horizontalAlignment: Text.AlignRight
                Layout.minimumWidth: Theme.iconSizeLarge * 3
            }
        }
    }
}
