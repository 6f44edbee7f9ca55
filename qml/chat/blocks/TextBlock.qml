import QtQuick
import Arbor
import Arbor.Ui

/**
 * @brief A paragraph, heading, list or quote of a reply, rendered as Markdown (GitHub, no
 * HTML) also while it is written; or the user's own text, shown as typed. Selectable; web
 * links open in the browser. The text item exists only near the screen (BlockItem).
 */
BlockItem {
    id: block

    required property int kind
    required property string markdown
    required property string blockText
    required property bool asTyped
    required property bool closed

    /// Take only the width the text needs (the user's bubble).
    property bool hug: false
    /// Words to mark (a search hit opened here).
    property var highlightTerms: []

    readonly property bool isQuote: block.kind === BlockKind.Quote

    onMarkdownChanged: remeasure()
    onBlockTextChanged: remeasure()

    // HACK: without `pragma ComponentBehavior: Bound` (Qt 6.5) qmllint cannot know that the
    // drawing only ever lives in this block, where `block` is in scope.
    // qmllint disable unqualified
    drawing: Component {
        TextEdit {
            id: edit

            objectName: "messageBlock"
            visible: block.nearView
            width: block.hug ? Math.min(implicitWidth, block.availableWidth) : block.availableWidth
            // A heading keeps more room above it than a paragraph does.
            topPadding: block.gap + (block.kind === BlockKind.Heading && block.index > 0 ? Theme.spacing : 0)
            // Markdown goes to the document through the renderer; only the user's text is text.
            text: block.asTyped ? block.blockText : ""
            textFormat: TextEdit.PlainText
            wrapMode: TextEdit.Wrap
            readOnly: true
            selectByMouse: true
            persistentSelection: false
            color: block.isQuote ? Theme.mutedText : Theme.text
            selectionColor: Theme.highlight
            selectedTextColor: Theme.highlightedText
            Accessible.role: Accessible.StaticText
            Accessible.name: block.asTyped ? block.blockText : text

            // Model output is untrusted: only web links leave the app, nothing local.
            onLinkActivated: link => {
                if (/^https?:\/\//i.test(link))
                    Qt.openUrlExternally(link);
            }

            MarkdownRenderer {
                objectName: "markdownRenderer"
                document: block.asTyped ? null : edit.textDocument
                markdown: block.asTyped ? "" : block.markdown
                // The open block is rendered as it grows, at most every ThrottleMs.
                throttled: !block.closed
                codeBackground: Theme.inlineCodeBackground
            }

            SearchHighlighter {
                objectName: "searchHighlighter"
                document: edit.textDocument
                terms: block.highlightTerms
                color: Theme.searchMatch
            }

            HoverHandler {
                cursorShape: edit.hoveredLink.length > 0 ? Qt.PointingHandCursor : Qt.IBeamCursor
            }

            Rectangle {
                // A quote's bar, in the margin the renderer leaves for it.
                visible: block.isQuote
                x: 0
                y: edit.topPadding
                width: Theme.quoteBarWidth
                height: edit.height - edit.topPadding
                radius: width / 2
                color: Theme.separator
            }
        }
    }
    // qmllint enable unqualified
}
