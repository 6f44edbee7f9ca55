import QtQuick
import QtQuick.Controls
import Arbor
import Arbor.Ui

/**
 * @brief A code block: monospace on a panel, its language and a Copy button above it (the
 * code without its fences goes to the clipboard; "Copied" shows for a moment). Long lines
 * scroll sideways instead of wrapping. Plain while it is written; once closed it may be
 * highlighted (requestHighlight()). A long block is several parts (continued): only the first
 * has the header, and its Copy takes the whole block. The panel exists only near the screen
 * (BlockItem); the highlighted text is kept while it is away.
 */
BlockItem {
    id: block

    required property string blockText
    required property string language
    required property bool closed
    required property bool lastPart

    /// The message's blocks: Copy takes the whole block from there (all its parts).
    property MessageBlocksModel blocks: null
    /// Words to mark (a search hit opened here).
    property var highlightTerms: []
    /// Rich text from the code highlighter; when not empty it is shown instead of the plain
    /// code.
    property string highlightedText: ""
    /// The code was just copied: the Copy button says so.
    property bool copied: false

    /// The one place where a closed code block asks for highlighting: highlight.js in a worker
    /// (app/codehighlighter) sets highlightedText from blockText and language when it is done.
    /// An open block stays plain; a block the worker cannot colour in time stays plain too.
    function requestHighlight() {
        codeHighlight.code = blockText;
        takeHighlight();
    }

    function takeHighlight() {
        if (codeHighlight.ready && codeHighlight.code.length > 0 && codeHighlight.code === blockText)
            highlightedText = codeHighlight.html;
    }

    /// Puts the code (without fences, every part of the block) on the clipboard.
    function copy() {
        Clipboard.setText(blocks !== null ? blocks.codeOf(index) : blockText);
        copied = true;
        copiedTimer.restart();
    }

    onClosedChanged: {
        if (closed)
            requestHighlight();
    }
    onBlockTextChanged: {
        highlightedText = ""; // a highlight of other text is stale
        remeasure();
    }
    onHighlightedTextChanged: remeasure()
    Component.onCompleted: {
        if (closed)
            requestHighlight();
    }

    CodeBlockHighlight {
        id: codeHighlight

        language: block.language
        dark: Theme.dark
        onResultChanged: block.takeHighlight()
        onHtmlChanged: block.takeHighlight() // recoloured for the other scheme
    }

    Timer {
        id: copiedTimer

        interval: Theme.copiedVisibleMs
        onTriggered: block.copied = false
    }

    // HACK: without `pragma ComponentBehavior: Bound` (Qt 6.5) qmllint cannot know that the
    // drawing only ever lives in this block, where `block` is in scope.
    // qmllint disable unqualified
    drawing: Component {
        Item {
            width: block.availableWidth
            height: block.gap + panel.height

            Rectangle {
                id: panel

                y: block.gap
                width: parent.width
                height: header.height + scroller.height
                color: Theme.codeBackground
                radius: Theme.radiusSmall

                Rectangle {
                    // Parts join without a seam: square corners where one part meets the next.
                    visible: block.continued
                    width: parent.width
                    height: Theme.radiusSmall
                    color: parent.color
                }

                Rectangle {
                    visible: !block.lastPart
                    anchors.bottom: parent.bottom
                    width: parent.width
                    height: Theme.radiusSmall
                    color: parent.color
                }

                // Laid out by hand, not by a Column or RowLayout: its height is known as soon as it
                // is made (a layout settles only at the next frame), so a block measured after a
                // frame never sees a passing size.
                Item {
                    id: header

                    visible: !block.continued
                    width: parent.width
                    height: visible ? Math.max(languageLabel.implicitHeight, copyButton.implicitHeight) : 0

                    Label {
                        id: languageLabel

                        objectName: "codeLanguage"
                        x: Theme.spacing
                        anchors.verticalCenter: parent.verticalCenter
                        text: block.language.length > 0 ? block.language : qsTr("code")
                        color: Theme.mutedText
                        font.pointSize: Theme.fontSizeSmall
                    }

                    ToolButton {
                        id: copyButton

                        objectName: "codeCopyButton"
                        anchors.right: parent.right
                        anchors.verticalCenter: parent.verticalCenter
                        text: block.copied ? qsTr("Copied") : qsTr("Copy")
                        font.pointSize: Theme.fontSizeSmall
                        padding: Theme.spacingSmall
                        focusPolicy: Qt.NoFocus
                        Accessible.name: qsTr("Copy the code")
                        ToolTip.visible: hovered
                        ToolTip.delay: Theme.toolTipDelayMs
                        ToolTip.text: qsTr("Copy the code")
                        onClicked: block.copy()
                    }
                }

                Flickable {
                    id: scroller

                    // Long lines scroll sideways; the pointer selects text, it does not drag.
                    y: header.height
                    width: parent.width
                    height: code.height + (horizontalBar.visible ? horizontalBar.height : 0)
                    contentWidth: code.width
                    contentHeight: code.height
                    interactive: false
                    clip: true
                    ScrollBar.horizontal: ScrollBar {
                        id: horizontalBar

                        policy: scroller.contentWidth > scroller.width ? ScrollBar.AlwaysOn : ScrollBar.AlwaysOff
                    }

                    WheelHandler {
                        orientation: Qt.Horizontal
                        enabled: scroller.contentWidth > scroller.width
                        onWheel: event => {
                            const delta = event.angleDelta.x !== 0 ? event.angleDelta.x : event.angleDelta.y;
                            scroller.contentX = Math.max(0, Math.min(scroller.contentWidth - scroller.width,
                                                                     scroller.contentX - delta));
                        }
                    }

                    TextEdit {
                        id: code

                        objectName: "messageBlock"
                        visible: block.nearView
                        width: Math.max(implicitWidth, scroller.width)
                        topPadding: block.continued ? 0 : Theme.spacingSmall
                        bottomPadding: block.lastPart ? Theme.spacing : 0
                        leftPadding: Theme.spacing
                        rightPadding: Theme.spacing
                        text: block.highlightedText.length > 0 ? block.highlightedText : block.blockText
                        textFormat: block.highlightedText.length > 0 ? TextEdit.RichText : TextEdit.PlainText
                        wrapMode: TextEdit.NoWrap
                        font.family: Theme.monospaceFamily
                        readOnly: true
                        selectByMouse: true
                        persistentSelection: false
                        color: Theme.text
                        selectionColor: Theme.highlight
                        selectedTextColor: Theme.highlightedText
                        Accessible.role: Accessible.StaticText
                        Accessible.name: block.blockText

                        SearchHighlighter {
                            objectName: "searchHighlighter"
                            document: code.textDocument
                            terms: block.highlightTerms
                            color: Theme.searchMatch
                        }

                        HoverHandler {
                            cursorShape: Qt.IBeamCursor
                        }
                    }
                }
            }
        }
    }
    // qmllint enable unqualified
}
