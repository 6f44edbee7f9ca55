import QtQuick
import QtQuick.Controls
import Arbor
import Arbor.Ui

/**
 * @brief The model's reasoning, first in its reply: one line, "Thinking…" while it reasons and
 * "Thought for N s" after, that expands to the reasoning (Markdown, muted, behind a bar).
 */
BlockItem {
    id: block

    /// The reasoning.
    required property string markdown
    /// The reasoning is over (the answer began, or the reply ended).
    required property bool closed

    /// How long the model reasoned, in ms; -1 when not known.
    property int reasoningMs: -1
    property bool expanded: false

    readonly property string summary: !closed ? qsTr("Thinking…")
                                              : reasoningMs >= 0
                                                ? qsTr("Thought for %1 s").arg(Math.max(1, Math.round(reasoningMs / 1000)))
                                                : qsTr("Thoughts")

    width: availableWidth
    height: gap + column.height

    Column {
        id: column

        y: block.gap
        width: block.width
        spacing: Theme.spacingSmall

        ToolButton {
            objectName: "thinkingToggle"
            text: (block.expanded ? "▾ " : "▸ ") + block.summary
            flat: true
            padding: Theme.spacingSmall
            font.pointSize: Theme.fontSizeSmall
            Accessible.name: block.summary
            Accessible.description: block.expanded ? qsTr("Hide the reasoning") : qsTr("Show the reasoning")
            onClicked: block.expanded = !block.expanded
        }

        Loader {
            // Made only when shown: a long reasoning costs nothing while it is folded away.
            active: block.expanded
            visible: active
            width: parent.width
            // HACK: without `pragma ComponentBehavior: Bound` (Qt 6.5) qmllint cannot know that
            // this component only ever lives here, where `block` is in scope.
            // qmllint disable unqualified
            sourceComponent: TextEdit {
                id: reasoning

                objectName: "thinkingText"
                leftPadding: Theme.quoteIndent
                textFormat: TextEdit.PlainText
                wrapMode: TextEdit.Wrap
                readOnly: true
                selectByMouse: true
                color: Theme.mutedText
                selectionColor: Theme.highlight
                selectedTextColor: Theme.highlightedText

                MarkdownRenderer {
                    document: reasoning.textDocument
                    markdown: block.markdown
                    throttled: !block.closed
                }

                Rectangle {
                    width: Theme.quoteBarWidth
                    height: parent.height
                    radius: width / 2
                    color: Theme.separator
                }
            }
            // qmllint enable unqualified
        }
    }
}
