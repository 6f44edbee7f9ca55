import QtQuick
import QtQuick.Controls
import Arbor
import Arbor.Ui

/**
 * @brief A message's text, drawn as MessageBlocks: one small text item per block, made a step
 * per frame, so no message (of any size) holds the window up for longer than a frame.
 *
 * The user's text is shown as typed (line breaks, indentation, `*` and `#` kept); replies are
 * Markdown, code in monospace. A long message of the user's starts collapsed, with "Show more".
 * The bubble of the user's messages hugs short text (@p hug).
 */
Column {
    id: body

    required property string content
    required property string messageRole
    required property bool isLive
    /// Widest the text may be.
    required property real availableWidth
    /// Take only the width the text needs (the user's bubble), up to availableWidth.
    property bool hug: false
    /// Words to mark in the text (a search hit was opened here); empty: none.
    property var highlightTerms: []
    /// The part of the body on screen (its own coordinates): only blocks near it are drawn, so a
    /// long message keeps no glyphs for the rest. The defaults draw everything.
    property real viewTop: -1e9
    property real viewBottom: 1e9

    readonly property bool collapsed: blocks.collapsible && !blocks.expanded

    /// "Show more" or "Show less" was pressed.
    signal expandToggled
    /// Blocks made so far, of totalBlocks (they are made a step per frame).
    readonly property int shownBlocks: blocks.shown
    readonly property int totalBlocks: blocks.total
    /// Width of the widest block, for a bubble that hugs its text.
    readonly property real contentWidth: hug ? Math.min(blockColumn.implicitWidth, availableWidth) : availableWidth

    objectName: "messageBody"
    width: contentWidth
    spacing: Theme.spacingSmall

    MessageBlocks {
        id: blocks

        text: body.content
        messageRole: body.messageRole
        live: body.isLive
    }

    Item {
        width: body.contentWidth
        height: body.collapsed ? Math.min(blockColumn.implicitHeight, Theme.collapsedMessageHeight)
                               : blockColumn.implicitHeight
        implicitWidth: blockColumn.implicitWidth
        clip: body.collapsed

        Column {
            id: blockColumn

            width: body.contentWidth

            Repeater {
                model: blocks

                // HACK: without `pragma ComponentBehavior: Bound` (Qt 6.5) qmllint cannot know
                // that this delegate only ever lives here, where `body` is in scope.
                // qmllint disable unqualified
                delegate: Item {
                    id: slot

                    required property int index
                    required property string blockText
                    required property int blockKind
                    required property bool joinsPrevious
                    required property string blockLanguage

                    readonly property bool isCode: blockKind === MessageBlocks.Code
                    // Laid out always (its height places the blocks below), drawn only near the screen.
                    readonly property bool nearView: y + height >= body.viewTop - Theme.offscreenMargin
                                                     && y <= body.viewBottom + Theme.offscreenMargin

                    width: block.width
                    height: block.height

                    TextEdit {
                        id: block

                        readonly property bool isCode: slot.isCode
                        readonly property bool joinsPrevious: slot.joinsPrevious

                        objectName: "messageBlock"
                        visible: slot.nearView
                        width: body.hug ? Math.min(implicitWidth, body.availableWidth) : body.availableWidth
                        topPadding: (slot.index > 0 && !slot.joinsPrevious ? Theme.spacing : 0) + (isCode && !slot.joinsPrevious ? Theme.spacingSmall : 0)
                        leftPadding: isCode ? Theme.spacing : 0
                        rightPadding: isCode ? Theme.spacing : 0
                        bottomPadding: isCode ? Theme.spacingSmall : 0
                        text: slot.blockText
                        textFormat: slot.blockKind === MessageBlocks.Markdown ? TextEdit.MarkdownText : TextEdit.PlainText
                        font.family: isCode ? Theme.monospaceFamily : Theme.bodyFontMetrics.font.family
                        wrapMode: isCode ? TextEdit.WrapAnywhere : TextEdit.Wrap
                        readOnly: true
                        selectByMouse: true
                        persistentSelection: false
                        color: Theme.text
                        selectionColor: Theme.highlight
                        selectedTextColor: Theme.highlightedText
                        Accessible.role: Accessible.StaticText
                        Accessible.name: slot.blockText

                        // Model output is untrusted: only web links leave the app, nothing local.
                        onLinkActivated: link => {
                            if (/^https?:\/\//i.test(link))
                                Qt.openUrlExternally(link);
                        }

                        SearchHighlighter {
                            objectName: "searchHighlighter"
                            document: block.textDocument
                            terms: body.highlightTerms
                            color: Theme.searchMatch
                        }

                        Rectangle {
                            // Behind the text: code blocks sit on a panel.
                            z: -1
                            anchors.fill: parent
                            anchors.topMargin: block.joinsPrevious ? 0 : block.topPadding - Theme.spacingSmall
                            visible: block.isCode
                            color: Theme.codeBackground
                            radius: block.joinsPrevious ? 0 : Theme.radiusSmall
                        }

                        HoverHandler {
                            cursorShape: block.hoveredLink.length > 0 ? Qt.PointingHandCursor : Qt.IBeamCursor
                        }
                    }
                }
                // qmllint enable unqualified
            }
        }

        Rectangle {
            // A collapsed message fades out towards its "Show more".
            anchors.left: parent.left
            anchors.right: parent.right
            anchors.bottom: parent.bottom
            height: Theme.spacingLarge * 2
            visible: body.collapsed && blockColumn.implicitHeight > parent.height
            gradient: Gradient {
                GradientStop {
                    position: 0
                    color: "transparent"
                }
                GradientStop {
                    position: 1
                    color: body.hug ? Theme.userBubble : Theme.window
                }
            }
        }
    }

    Button {
        objectName: "showMoreButton"
        visible: blocks.collapsible
        flat: true
        padding: Theme.spacingSmall
        font.pointSize: Theme.fontSizeSmall
        text: body.collapsed ? qsTr("Show more") : qsTr("Show less")
        Accessible.name: text
        onClicked: {
            blocks.expanded = !blocks.expanded;
            body.expandToggled();
        }

        FocusRing {}
    }
}
