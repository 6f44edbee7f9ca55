import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Arbor
import Arbor.Ui

/**
 * @brief One reply of the compare view: its model, status and figures (time to first token,
 * tokens/s, tokens, cost; "—" when unknown), its text (the thread's own blocks, MessageBody),
 * and its actions: move left/right (or drag the header onto another column), maximise, stop,
 * retry or regenerate, "Continue with this", chosen for a fuse. A fused reply links to the
 * columns it came from.
 */
Rectangle {
    id: column

    required property int index
    required property string messageId
    required property string label
    required property string status
    required property int messageStatus
    required property bool isLive
    required property bool hasText
    required property string error
    required property string ttft
    required property string rate
    required property string tokens
    required property string cost
    required property var sources
    required property bool isCurrent
    /// Columns in the view, for the move buttons.
    property int columnCount: 1
    property bool maximised: false
    /// Chosen for the next fuse.
    property bool chosen: false
    /// Where the text is scrolled (0..1 of its scrollable height), for synchronised scrolling.
    readonly property real scrollRatio: flick.contentHeight > flick.height
                                        ? flick.contentY / (flick.contentHeight - flick.height) : 0

    signal moveRequested(int to)
    signal maximiseToggled
    signal chosenToggled(bool on)
    signal sourceActivated(string messageId)
    signal scrolled(real ratio)
    /// The header is dragged (to reorder): started, moved, let go; positions in the scene.
    signal headerDragStarted(point scenePosition)
    signal headerDragMoved(point scenePosition)
    signal headerDragEnded
    /// A dragged header was dropped on this column.
    signal headerDropped

    /// The text's drawing has caught up with it (every block made and measured).
    readonly property bool settled: body.shownBlocks === body.totalBlocks && body.waitingBlocks === 0
    /// Takes dragged headers (CompareView's "dragged column").
    readonly property string dragKey: "arbor/compare-column"

    /// Set while another column scrolls this one (its move is not reported back).
    property bool following: false

    function scrollTo(ratio: real) {
        if (flick.contentHeight <= flick.height)
            return;
        following = true;
        flick.contentY = ratio * (flick.contentHeight - flick.height);
        following = false;
    }

    objectName: "compareColumn"
    color: Theme.base
    radius: Theme.radius
    border.width: isCurrent || dropArea.containsDrag ? 2 * Theme.hairline : Theme.hairline
    border.color: dropArea.containsDrag ? Theme.highlight : isCurrent ? Theme.accent : Theme.separator

    DropArea {
        id: dropArea

        objectName: "columnDropArea"
        anchors.fill: parent
        keys: [column.dragKey]
        onDropped: column.headerDropped()
    }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: Theme.spacing
        spacing: Theme.spacingSmall

        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.spacingSmall

            CheckBox {
                objectName: "fuseChoice"
                // Beside the first line of a name that wraps.
                Layout.alignment: Qt.AlignTop
                checked: column.chosen
                enabled: column.hasText
                padding: 0
                Accessible.name: qsTr("Use in a fuse")
                ToolTip.visible: hovered
                ToolTip.text: qsTr("Use in a fuse")
                onToggled: column.chosenToggled(checked)
            }

            Label {
                objectName: "columnLabel"
                Layout.fillWidth: true
                text: (column.index + 1) + ". " + column.label
                font.bold: true
                // The model's name has the row to itself (the buttons are on the line below) and
                // wraps, so that its end, the column's own parameters (· t=0.4), stays readable
                // in a narrow grid.
                wrapMode: Text.Wrap
                maximumLineCount: 2
                elide: Text.ElideRight
                ToolTip.visible: truncated && hoverHandler.hovered && !headerDrag.active
                ToolTip.text: text

                HoverHandler {
                    id: hoverHandler

                    cursorShape: headerDrag.enabled ? (headerDrag.active ? Qt.ClosedHandCursor : Qt.OpenHandCursor)
                                                    : Qt.ArrowCursor
                }
                // Drag the header onto another column to move this one there (the move buttons
                // below do the same from the keyboard).
                DragHandler {
                    id: headerDrag

                    objectName: "headerDrag"
                    target: null
                    // The view around may scroll: a header drag stays a header drag.
                    grabPermissions: PointerHandler.CanTakeOverFromAnything
                    enabled: !column.maximised && column.columnCount > 1
                    onActiveChanged: {
                        if (active)
                            column.headerDragStarted(centroid.scenePosition);
                        else
                            column.headerDragEnded();
                    }
                    onCentroidChanged: {
                        if (active)
                            column.headerDragMoved(centroid.scenePosition);
                    }
                }
            }
        }

        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.spacingSmall

            Label {
                objectName: "columnFigures"
                Layout.fillWidth: true
                // Lines break only between the figures, and the cost stays with the tokens.
                text: qsTr("%1\u00a0· first\u00a0token\u00a0%2\u00a0· %3\u00a0· %4\u00a0tokens\u00a0·\u00a0%5")
                      .arg(column.status).arg(column.ttft.replace(/ /g, "\u00a0"))
                      .arg(column.rate.replace(/ /g, "\u00a0")).arg(column.tokens).arg(column.cost)
                color: column.messageStatus === MessageStatus.Error ? Theme.error : Theme.mutedText
                font.pointSize: Theme.fontSizeSmall
                wrapMode: Text.Wrap
            }

            IconButton {
                iconName: "chevron-left"
                text: qsTr("Move left")
                visible: !column.maximised
                enabled: column.index > 0
                onClicked: column.moveRequested(column.index - 1)
            }
            IconButton {
                iconName: "chevron-right"
                text: qsTr("Move right")
                visible: !column.maximised
                enabled: column.index < column.columnCount - 1
                onClicked: column.moveRequested(column.index + 1)
            }
            IconButton {
                objectName: "maximiseButton"
                iconName: column.maximised ? "zoom-out" : "zoom-in"
                text: column.maximised ? qsTr("Show all columns") : qsTr("Maximise")
                onClicked: column.maximiseToggled()
            }
        }

        Flow {
            objectName: "fusedSources"
            Layout.fillWidth: true
            visible: column.sources.length > 0
            spacing: Theme.spacingSmall

            Label {
                text: qsTr("Fused from")
                color: Theme.mutedText
                font.pointSize: Theme.fontSizeSmall
            }
            Repeater {
                model: column.sources
                // HACK: without `pragma ComponentBehavior: Bound` (Qt 6.5) qmllint cannot know that this
                // delegate only ever lives here, where the ids around it are in scope.
                // qmllint disable unqualified
                delegate: Label {
                    required property var modelData
                    objectName: "sourceLink"
                    text: "<a href=\"#\">" + (modelData.number > 0 ? qsTr("column %1").arg(modelData.number)
                                                                  : qsTr("a removed reply")) + "</a>"
                    textFormat: Text.StyledText
                    linkColor: Theme.link
                    font.pointSize: Theme.fontSizeSmall
                    onLinkActivated: column.sourceActivated(modelData.messageId)
                }
                // qmllint enable unqualified
            }
        }

        Flickable {
            id: flick

            objectName: "columnText"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            contentWidth: width
            contentHeight: body.height
            boundsBehavior: Flickable.StopAtBounds
            ScrollBar.vertical: ScrollBar {}
            // Text growing below leaves contentY alone: a change is a scroll (wheel, drag, bar).
            onContentYChanged: {
                if (!column.following)
                    column.scrolled(column.scrollRatio);
            }

            MessageBody {
                id: body

                // The text is read in C++ from the columns model: a growing reply never becomes
                // a JS string.
                textSource: App.compare.columns
                threadRow: column.index
                messageRole: "assistant"
                // Only the blocks near the visible part are drawn.
                viewTop: flick.contentY - flick.height
                viewBottom: flick.contentY + 2 * flick.height
                isLive: column.isLive
                availableWidth: flick.width - Theme.spacing
            }
        }

        Label {
            Layout.fillWidth: true
            visible: column.error.length > 0
            text: column.error
            color: Theme.error
            wrapMode: Text.Wrap
            maximumLineCount: 3
            elide: Text.ElideRight
            font.pointSize: Theme.fontSizeSmall
        }

        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.spacingSmall

            Button {
                objectName: "continueButton"
                text: qsTr("Continue with this")
                enabled: !column.isLive
                highlighted: true
                onClicked: App.compare.continueWith(column.messageId)
            }
            Item {
                Layout.fillWidth: true
            }
            IconButton {
                objectName: "columnStop"
                iconName: "square"
                text: qsTr("Stop")
                visible: column.isLive
                onClicked: App.compare.stop(column.messageId)
            }
            IconButton {
                objectName: "columnRegenerate"
                iconName: "refresh-cw"
                text: column.messageStatus === MessageStatus.Error ? qsTr("Retry") : qsTr("Regenerate")
                visible: !column.isLive
                onClicked: App.compare.regenerate(column.messageId)
            }
        }
    }
}
