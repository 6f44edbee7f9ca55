import QtQuick
import QtQuick.Controls
import Qt.labs.qmlmodels
import Arbor
import Arbor.Ui

/**
 * @brief A message's text as its blocks (MessageBlocksModel), each drawn by the item of its
 * kind (blocks/): text, code, table, rule, reasoning, tool call. Rows are made a step per
 * frame, so no message (of any size) holds the window up for longer than a frame. A block's
 * text item exists only near the screen (BlockItem): made when the block is new, measured, and
 * dropped once it is far away (its size is kept), so a reply of a million characters holds
 * items for the few blocks around the view only. A reply is Markdown, formatted while it is
 * written.
 *
 * The user's text is shown as typed (line breaks, indentation, `*` and `#` kept); a long
 * message of the user's starts collapsed, with "Show more". The bubble of the user's messages
 * hugs short text (@p hug).
 */
Column {
    id: body

    /// The text, when no thread is given.
    property string content: ""
    /// The thread to take the text from (its row threadRow), in C++: a reply's growing text
    /// never becomes a JS string (see MessageBlocksModel.source). null: `content` is the text.
    property ThreadModel thread: null
    property int threadRow: -1
    /// Another model to take the text from when there is no thread (its "messageContent" role
    /// at threadRow), such as the compare view's columns; null: none.
    property var textSource: null
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
    /// The model's reasoning, shown first and folded; "" when there is none (MessageDelegate
    /// binds it to the thread model's reasoning role).
    property string reasoning: ""
    /// How long the model reasoned, in ms; -1 when not known or still reasoning.
    property int reasoningMs: -1
    /// The tool calls of a reply, JSON as stored (domain/toolcall.h), when no thread is given
    /// (with a thread they come from its row, as the text does); each is a card among the text.
    property string toolCalls: ""
    /// The message's id (a tool call waiting for approval is answered with it).
    property string messageId: ""

    readonly property bool collapsed: blockModel.collapsible && !blockModel.expanded

    /// "Show more" or "Show less" was pressed.
    signal expandToggled
    /// A block above the part on screen (viewTop) changed its height by @p delta: what is on
    /// screen moved down by as much, unless the view scrolls with it.
    signal resizedAbove(real delta)
    /// Rows made so far, of totalBlocks (they are made a step per frame).
    readonly property int shownBlocks: blockModel.shown
    readonly property int totalBlocks: blockModel.total
    /// The whole text (made into a JS string only when asked for: copy, edit).
    function fullText(): string {
        return blockModel.text;
    }

    /// Blocks whose drawing was just made (BlockItem.remeasure()): they are measured once two
    /// frames have shown them, when their layout has settled; the first list waits for its
    /// first frame, the second for its second.
    property var unmeasured: []
    property var shownOnce: []
    property int waitingBlocks: 0

    function measureLater(block: Item) {
        unmeasured.push(block);
        waitingBlocks = unmeasured.length + shownOnce.length;
    }

    Connections {
        target: body.Window.window
        enabled: body.waitingBlocks > 0

        function onFrameSwapped() {
            for (const block of body.shownOnce) {
                if (block !== null)
                    block.measured = true;
            }
            body.shownOnce = body.unmeasured;
            body.unmeasured = [];
            body.waitingBlocks = body.shownOnce.length;
        }
    }

    /// Width of the widest block, for a bubble that hugs its text.
    readonly property real contentWidth: hug ? Math.min(blockColumn.implicitWidth, availableWidth) : availableWidth

    objectName: "messageBody"
    width: contentWidth
    spacing: Theme.spacingSmall

    MessageBlocksModel {
        id: blockModel

        source: body.thread !== null ? body.thread : body.textSource
        sourceRow: body.threadRow
        // Hidden (the thread behind the compare view): a streaming reply is read when shown.
        paused: !body.visible
        text: body.content
        messageRole: body.messageRole
        live: body.isLive
        reasoning: body.reasoning
        toolCalls: body.toolCalls
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
                model: blockModel

                // HACK: without `pragma ComponentBehavior: Bound` (Qt 6.5) qmllint cannot know
                // that these delegates only ever live here, where `body` is in scope.
                // qmllint disable unqualified
                delegate: DelegateChooser {
                    role: "kind"

                    DelegateChoice {
                        roleValue: BlockKind.Code

                        CodeBlock {
                            blocks: blockModel
                            sizer: body
                            availableWidth: body.availableWidth
                            highlightTerms: body.highlightTerms
                            viewTop: body.viewTop
                            viewBottom: body.viewBottom
                        }
                    }

                    DelegateChoice {
                        roleValue: BlockKind.Table

                        TableBlock {
                            sizer: body
                            availableWidth: body.availableWidth
                            viewTop: body.viewTop
                            viewBottom: body.viewBottom
                        }
                    }

                    DelegateChoice {
                        roleValue: BlockKind.ThematicBreak

                        RuleBlock {
                            availableWidth: body.availableWidth
                        }
                    }

                    DelegateChoice {
                        roleValue: BlockKind.Thinking

                        ThinkingBlock {
                            availableWidth: body.availableWidth
                            reasoningMs: body.reasoningMs
                        }
                    }

                    DelegateChoice {
                        roleValue: BlockKind.ToolCall

                        ToolCallBlock {
                            availableWidth: body.availableWidth
                            messageId: body.messageId
                        }
                    }

                    DelegateChoice {
                        // Link reference definitions: their links are resolved, they show nothing.
                        roleValue: BlockKind.References

                        Item {}
                    }

                    DelegateChoice {
                        // Paragraphs, headings, lists, quotes; the user's text.
                        TextBlock {
                            sizer: body
                            availableWidth: body.availableWidth
                            hug: body.hug
                            highlightTerms: body.highlightTerms
                            viewTop: body.viewTop
                            viewBottom: body.viewBottom
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
        visible: blockModel.collapsible
        flat: true
        padding: Theme.spacingSmall
        font.pointSize: Theme.fontSizeSmall
        text: body.collapsed ? qsTr("Show more") : qsTr("Show less")
        Accessible.name: text
        onClicked: {
            blockModel.expanded = !blockModel.expanded;
            body.expandToggled();
        }

        FocusRing {}
    }
}
