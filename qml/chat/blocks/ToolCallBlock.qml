import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Arbor
import Arbor.Ui

/**
 * @brief A call of a tool the model asked for: a compact card with the tool's name, what became
 * of the call, its arguments (JSON, pretty printed, monospace, selectable; a long one folded to
 * its first lines until asked for; Copy takes them whole) and the tool's result when there is
 * one. A call nothing ran says so on the card (the reply's text stays the model's own).
 */
BlockItem {
    id: block

    required property string toolName
    /// The arguments, as the model wrote them (JSON).
    required property string blockText
    required property bool closed
    /// What became of the call: "requested", "awaiting_approval", "running", "done", "failed",
    /// "denied" or "interrupted" (domain::ToolCall).
    required property string toolStatus
    /// What the tool returned; "" while there is nothing.
    required property string toolResult
    /// The result is the tool's error.
    required property bool toolError
    /// The call's index among its message's calls.
    required property int toolIndex
    /// How long it ran, ms; -1 while it has not ended.
    required property double toolDurationMs
    /// The MCP server that ran it ("" when none did).
    required property string toolServer
    /// The result's images, as data: URLs.
    required property var toolImages
    /// The message the call belongs to (answers to "awaiting approval" name it).
    property string messageId: ""

    /// Lines shown of long arguments (or a long result) while it is folded.
    property int foldedLines: 8
    property bool argumentsExpanded: false
    property bool resultExpanded: false
    /// The arguments were just copied: the Copy button says so.
    property bool copied: false

    readonly property string prettyArguments: pretty(blockText)
    readonly property bool argumentsLong: lineCount(prettyArguments) > foldedLines
    readonly property bool resultLong: lineCount(toolResult) > foldedLines
    readonly property string statusText: {
        switch (toolStatus) {
        case "requested":
            return qsTr("Not run");
        case "awaiting_approval":
            return qsTr("Awaiting approval");
        case "running":
            return qsTr("Running…");
        case "done":
            return toolError ? qsTr("Failed") : qsTr("Done");
        case "failed":
            return qsTr("Failed");
        case "denied":
            return qsTr("Denied");
        case "interrupted":
            return qsTr("Interrupted");
        }
        return toolStatus;
    }

    /// @p json indented two spaces a level; text that is not JSON as it is.
    function pretty(json: string): string {
        try {
            return JSON.stringify(JSON.parse(json), null, 2);
        } catch (e) {
            return json;
        }
    }

    function lineCount(text: string): int {
        return text.length === 0 ? 0 : text.split("\n").length;
    }

    /// The first foldedLines lines of @p text, with "…" when there is more.
    function folded(text: string): string {
        const lines = text.split("\n");
        return lines.length <= foldedLines ? text : lines.slice(0, foldedLines).join("\n") + "\n…";
    }

    /// Puts the arguments (pretty printed, whole) on the clipboard.
    function copy() {
        Clipboard.setText(prettyArguments);
        copied = true;
        copiedTimer.restart();
    }

    width: availableWidth
    height: gap + card.height
    Accessible.role: Accessible.Grouping
    Accessible.name: qsTr("Tool call %1, %2").arg(toolName).arg(statusText)

    Timer {
        id: copiedTimer

        interval: Theme.copiedVisibleMs
        onTriggered: block.copied = false
    }

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
                    text: qsTr("Tool")
                    color: Theme.mutedText
                    font.pointSize: Theme.fontSizeSmall
                    Layout.alignment: Qt.AlignBaseline
                }

                Label {
                    objectName: "toolName"
                    text: block.toolName
                    font.family: Theme.monospaceFamily
                    font.bold: true
                    elide: Text.ElideRight
                    Layout.fillWidth: true
                    Layout.alignment: Qt.AlignBaseline
                }

                Label {
                    objectName: "toolStatus"
                    text: block.statusText
                    color: block.toolError || block.toolStatus === "failed" ? Theme.error : Theme.mutedText
                    font.pointSize: Theme.fontSizeSmall
                    leftPadding: Theme.spacingSmall
                    rightPadding: Theme.spacingSmall
                    topPadding: Theme.chipVerticalPadding
                    bottomPadding: Theme.chipVerticalPadding
                    background: Rectangle {
                        radius: height / 2
                        color: Theme.chip
                    }
                }

                ToolButton {
                    objectName: "toolCopyButton"
                    text: block.copied ? qsTr("Copied") : qsTr("Copy")
                    font.pointSize: Theme.fontSizeSmall
                    padding: Theme.spacingSmall
                    focusPolicy: Qt.NoFocus
                    Accessible.name: qsTr("Copy the arguments")
                    ToolTip.visible: hovered
                    ToolTip.delay: Theme.toolTipDelayMs
                    ToolTip.text: qsTr("Copy the arguments")
                    onClicked: block.copy()
                }
            }

            Label {
                objectName: "toolDetails"
                visible: block.toolServer.length > 0 || block.toolDurationMs >= 0
                Layout.fillWidth: true
                text: {
                    const parts = [];
                    if (block.toolServer.length > 0)
                        parts.push(qsTr("on %1").arg(block.toolServer));
                    if (block.toolDurationMs >= 0)
                        parts.push(block.toolDurationMs < 1000 ? qsTr("%1 ms").arg(block.toolDurationMs)
                                                               : qsTr("%1 s").arg((block.toolDurationMs / 1000).toFixed(1)));
                    return parts.join(" · ");
                }
                color: Theme.mutedText
                font.pointSize: Theme.fontSizeSmall
            }

            TextEdit {
                objectName: "toolArguments"
                Layout.fillWidth: true
                text: block.argumentsExpanded ? block.prettyArguments : block.folded(block.prettyArguments)
                textFormat: TextEdit.PlainText
                wrapMode: TextEdit.WrapAnywhere
                font.family: Theme.monospaceFamily
                font.pointSize: Theme.fontSizeSmall
                readOnly: true
                selectByMouse: true
                color: Theme.text
                selectionColor: Theme.highlight
                selectedTextColor: Theme.highlightedText
                Accessible.name: qsTr("Arguments")
            }

            ToolButton {
                objectName: "toolArgumentsToggle"
                visible: block.argumentsLong
                text: block.argumentsExpanded ? qsTr("Show less")
                                              : qsTr("Show all %1 lines").arg(block.lineCount(block.prettyArguments))
                flat: true
                padding: Theme.spacingSmall
                font.pointSize: Theme.fontSizeSmall
                Accessible.name: text
                onClicked: block.argumentsExpanded = !block.argumentsExpanded

                FocusRing {}
            }

            Rectangle {
                visible: block.toolResult.length > 0
                Layout.fillWidth: true
                Layout.preferredHeight: Theme.hairline
                color: Theme.separator
            }

            Label {
                objectName: "toolResultLabel"
                visible: block.toolResult.length > 0
                text: block.toolError ? qsTr("Error") : qsTr("Result")
                color: block.toolError ? Theme.error : Theme.mutedText
                font.pointSize: Theme.fontSizeSmall
            }

            TextEdit {
                objectName: "toolResult"
                visible: block.toolResult.length > 0
                Layout.fillWidth: true
                text: block.resultExpanded ? block.toolResult : block.folded(block.toolResult)
                textFormat: TextEdit.PlainText
                wrapMode: TextEdit.Wrap
                font.family: Theme.monospaceFamily
                font.pointSize: Theme.fontSizeSmall
                readOnly: true
                selectByMouse: true
                color: block.toolError ? Theme.error : Theme.text
                selectionColor: Theme.highlight
                selectedTextColor: Theme.highlightedText
                Accessible.name: block.toolError ? qsTr("Error") : qsTr("Result")
            }

            ToolButton {
                objectName: "toolResultToggle"
                visible: block.toolResult.length > 0 && block.resultLong
                text: block.resultExpanded ? qsTr("Show less")
                                           : qsTr("Show all %1 lines").arg(block.lineCount(block.toolResult))
                flat: true
                padding: Theme.spacingSmall
                font.pointSize: Theme.fontSizeSmall
                Accessible.name: text
                onClicked: block.resultExpanded = !block.resultExpanded

                FocusRing {}
            }

            Repeater {
                model: block.toolImages

                Image {
                    required property string modelData

                    objectName: "toolImage"
                    source: modelData
                    fillMode: Image.PreserveAspectFit
                    // HACK: without `pragma ComponentBehavior: Bound` (Qt 6.5) qmllint cannot
                    // know that this delegate only lives in the card.
                    // qmllint disable unqualified
                    Layout.maximumWidth: block.width - 2 * Theme.spacing
                    // qmllint enable unqualified
                    Layout.maximumHeight: 320
                    Accessible.name: qsTr("Image in the result")
                }
            }

            RowLayout {
                objectName: "toolApproval"
                visible: block.toolStatus === "awaiting_approval" && block.messageId.length > 0
                Layout.fillWidth: true
                spacing: Theme.spacing

                Label {
                    text: qsTr("Run %1 of %2 with these arguments?").arg(block.toolName).arg(block.toolServer)
                    wrapMode: Text.Wrap
                    Layout.fillWidth: true
                    font.pointSize: Theme.fontSizeSmall
                }

                Button {
                    objectName: "toolApprove"
                    text: qsTr("Approve")
                    onClicked: Chat.decideToolCall(block.messageId, block.toolIndex, true, false)
                }

                Button {
                    objectName: "toolAlwaysAllow"
                    text: qsTr("Always allow")
                    onClicked: Chat.decideToolCall(block.messageId, block.toolIndex, true, true)
                }

                Button {
                    objectName: "toolDeny"
                    text: qsTr("Deny")
                    onClicked: Chat.decideToolCall(block.messageId, block.toolIndex, false, false)
                }
            }

            Label {
                objectName: "toolNote"
                visible: block.toolStatus === "requested"
                Layout.fillWidth: true
                text: qsTr("The model asked to call %1; it did not run.").arg(block.toolName)
                wrapMode: Text.Wrap
                color: Theme.mutedText
                font.pointSize: Theme.fontSizeSmall
            }
        }
    }
}
