import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Arbor.Ui

/**
 * @brief A call of a tool: a compact card with the tool's name, its arguments (JSON, pretty
 * printed, monospace, folded until asked for) and its result when there is one.
 */
BlockItem {
    id: block

    required property string toolName
    /// The arguments, as the model wrote them (JSON).
    required property string blockText
    required property bool closed

    /// What the tool returned; "" while there is nothing yet.
    property string result: ""
    property bool argumentsShown: false

    /// @p json indented two spaces a level; text that is not JSON as it is.
    function pretty(json: string): string {
        try {
            return JSON.stringify(JSON.parse(json), null, 2);
        } catch (e) {
            return json;
        }
    }

    width: availableWidth
    height: gap + card.height

    Rectangle {
        id: card

        y: block.gap
        width: block.width
        height: column.implicitHeight + 2 * Theme.spacing
        radius: Theme.radius
        color: Theme.codeBackground
        border.width: Theme.hairline
        border.color: Theme.separator

        ColumnLayout {
            id: column

            x: Theme.spacing
            y: Theme.spacing
            width: parent.width - 2 * Theme.spacing
            spacing: Theme.spacingSmall

            RowLayout {
                Layout.fillWidth: true
                spacing: Theme.spacing

                Label {
                    objectName: "toolName"
                    text: qsTr("Tool: %1").arg(block.toolName)
                    font.bold: true
                    elide: Text.ElideRight
                    Layout.fillWidth: true
                }

                Label {
                    visible: !block.closed
                    text: qsTr("Running…")
                    color: Theme.mutedText
                    font.pointSize: Theme.fontSizeSmall
                }

                ToolButton {
                    objectName: "toolArgumentsToggle"
                    text: block.argumentsShown ? qsTr("Hide arguments") : qsTr("Arguments")
                    flat: true
                    padding: Theme.spacingSmall
                    font.pointSize: Theme.fontSizeSmall
                    onClicked: block.argumentsShown = !block.argumentsShown
                }
            }

            TextEdit {
                objectName: "toolArguments"
                visible: block.argumentsShown
                Layout.fillWidth: true
                text: visible ? block.pretty(block.blockText) : ""
                textFormat: TextEdit.PlainText
                wrapMode: TextEdit.WrapAnywhere
                font.family: Theme.monospaceFamily
                readOnly: true
                selectByMouse: true
                color: Theme.text
                selectionColor: Theme.highlight
                selectedTextColor: Theme.highlightedText
            }

            Label {
                visible: block.result.length > 0
                text: qsTr("Result")
                color: Theme.mutedText
                font.pointSize: Theme.fontSizeSmall
            }

            TextEdit {
                objectName: "toolResult"
                visible: block.result.length > 0
                Layout.fillWidth: true
                text: block.result
                textFormat: TextEdit.PlainText
                wrapMode: TextEdit.WrapAnywhere
                font.family: Theme.monospaceFamily
                readOnly: true
                selectByMouse: true
                color: Theme.text
                selectionColor: Theme.highlight
                selectedTextColor: Theme.highlightedText
            }
        }
    }
}
