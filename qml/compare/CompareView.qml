import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Arbor
import Arbor.Ui

/**
 * @brief The replies to one user message side by side (App.compare): columns when the window
 * is wide, a grid when it is narrow, one column when maximised. A column moves by dragging its
 * header onto another (or with its move buttons). Scrolling can be synchronised.
 * Replies ticked in their columns can be fused into one new reply (FuseDialog). From the
 * keyboard: Alt+1 … Alt+6 maximise that column (again: all columns), Esc in the composer or
 * "Stop all" stops every column still written.
 */
Rectangle {
    id: view

    /// Narrowest a column may be before the columns wrap into a grid.
    readonly property real minimumColumnWidth: Math.round(260 * Theme.fontScale)
    readonly property real minimumColumnHeight: Math.round(220 * Theme.fontScale)
    readonly property int count: App.compare.columns.count
    readonly property int perRow: Math.max(1, Math.min(count, Math.floor(width / minimumColumnWidth)))
    readonly property int rows: Math.max(1, Math.ceil(count / perRow))
    property string maximisedId: ""
    property bool syncScroll: syncSwitch.checked
    /// Message ids ticked for a fuse.
    property var chosen: ({})
    readonly property var chosenIds: Object.keys(chosen).filter(id => chosen[id])

    signal closed

    objectName: "compareView"
    color: Theme.window

    /// Maximises the column at @p row, or shows all columns when it is the maximised one.
    function toggleMaximised(row: int) {
        const cell = repeater.itemAt(row) as CompareColumn;
        if (cell === null)
            return;
        view.maximisedId = view.maximisedId === cell.messageId ? "" : cell.messageId;
    }

    Connections {
        target: App.compare
        function onActiveChanged() {
            view.chosen = {};
            view.maximisedId = "";
        }
    }

    Instantiator {
        model: App.compare.maxModels
        // HACK: without `pragma ComponentBehavior: Bound` (Qt 6.5) qmllint cannot know that this
        // delegate only ever lives here, where the ids around it are in scope.
        // qmllint disable unqualified
        delegate: Shortcut {
            required property int index
            sequence: "Alt+" + (index + 1)
            enabled: view.visible && index < view.count
            onActivated: view.toggleMaximised(index)
        }
        // qmllint enable unqualified
    }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: Theme.spacing
        spacing: Theme.spacing

        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.spacing

            Label {
                Layout.fillWidth: true
                text: qsTr("%1 replies to “%2”").arg(view.count).arg(App.compare.question)
                elide: Text.ElideRight
                font.pointSize: Theme.fontSizeTitle
                textFormat: Text.PlainText
            }
            Switch {
                id: syncSwitch
                objectName: "syncScrollSwitch"
                text: qsTr("Scroll together")
                checked: true
            }
            Button {
                objectName: "stopAllButton"
                visible: App.compare.columns.liveCount > 0
                text: qsTr("Stop all")
                ToolTip.visible: hovered
                ToolTip.text: qsTr("Stop every reply still written and keep its text (Esc in the composer)")
                onClicked: App.compare.stopAll()
            }
            Button {
                objectName: "fuseButton"
                text: view.chosenIds.length > 0 ? qsTr("Fuse %1…").arg(view.chosenIds.length) : qsTr("Fuse…")
                ToolTip.visible: hovered
                ToolTip.text: qsTr("Tick the replies to fuse in their columns")
                enabled: view.chosenIds.length > 0
                onClicked: fuseDialog.openFor(view.chosenIds)
            }
            IconButton {
                objectName: "closeCompare"
                iconName: "x"
                text: qsTr("Close compare")
                onClicked: {
                    App.compare.close();
                    view.closed();
                }
            }
        }

        Flickable {
            id: area

            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            contentWidth: width
            contentHeight: grid.height
            // Only a grid taller than the view scrolls (then a header drag still wins).
            interactive: contentHeight > height
            ScrollBar.vertical: ScrollBar {}

            Grid {
                id: grid

                readonly property real cellWidth: (area.width - (columns - 1) * spacing) / columns
                readonly property real cellHeight: view.maximisedId.length > 0 ? area.height
                    : Math.max(view.minimumColumnHeight, (area.height - (view.rows - 1) * spacing) / view.rows)

                columns: view.maximisedId.length > 0 ? 1 : view.perRow
                spacing: Theme.spacing

                Repeater {
                    id: repeater

                    model: App.compare.columns
                    // HACK: without `pragma ComponentBehavior: Bound` (Qt 6.5) qmllint cannot know that this
                    // delegate only ever lives here, where the ids around it are in scope.
                    // qmllint disable unqualified
                    delegate: CompareColumn {
                        id: cell

                        width: grid.cellWidth
                        height: grid.cellHeight
                        visible: view.maximisedId.length === 0 || view.maximisedId === messageId
                        columnCount: view.count
                        maximised: view.maximisedId === messageId
                        chosen: view.chosen[messageId] === true
                        onMoveRequested: to => App.compare.columns.moveColumn(index, to)
                        onHeaderDragStarted: p => dragged.start(index, label, p)
                        onHeaderDragMoved: p => dragged.moveTo(p)
                        onHeaderDragEnded: dragged.finish()
                        onHeaderDropped: App.compare.columns.moveColumn(dragged.fromIndex, index)
                        onMaximiseToggled: view.maximisedId = maximised ? "" : messageId
                        onChosenToggled: on => {
                            const next = Object.assign({}, view.chosen);
                            next[messageId] = on;
                            view.chosen = next;
                        }
                        onSourceActivated: id => {
                            const row = App.compare.columns.rowOf(id);
                            if (row >= 0 && view.maximisedId.length > 0)
                                view.maximisedId = id;
                        }
                        onScrolled: ratio => {
                            if (!view.syncScroll)
                                return;
                            for (let i = 0; i < repeater.count; ++i) {
                                const other = repeater.itemAt(i) as CompareColumn;
                                if (other !== null && other !== cell)
                                    other.scrollTo(ratio);
                            }
                        }
                    }
                    // qmllint enable unqualified
                }
            }
        }
    }

    // The header of a column being dragged; the column under it when let go takes its place.
    Rectangle {
        id: dragged

        /// The row of the column dragged; -1: none.
        property int fromIndex: -1
        property alias text: draggedLabel.text

        function start(from: int, label: string, scenePosition: point) {
            fromIndex = from;
            text = (from + 1) + ". " + label;
            moveTo(scenePosition);
            Drag.active = true;
        }
        function moveTo(scenePosition: point) {
            const p = view.mapFromItem(null, scenePosition.x, scenePosition.y);
            x = p.x - width / 2;
            y = p.y - height / 2;
        }
        function finish() {
            if (Drag.active)
                Drag.drop();
            Drag.active = false;
            fromIndex = -1;
        }

        objectName: "draggedColumn"
        visible: fromIndex >= 0
        z: 10
        width: Math.min(view.minimumColumnWidth, draggedLabel.implicitWidth + 2 * Theme.spacing)
        height: draggedLabel.implicitHeight + 2 * Theme.spacingSmall
        radius: Theme.radius
        color: Theme.base
        border.width: 2 * Theme.hairline
        border.color: Theme.highlight
        opacity: 0.9
        Drag.keys: ["arbor/compare-column"]
        Drag.hotSpot.x: width / 2
        Drag.hotSpot.y: height / 2

        Label {
            id: draggedLabel

            anchors.fill: parent
            anchors.leftMargin: Theme.spacing
            anchors.rightMargin: Theme.spacing
            verticalAlignment: Text.AlignVCenter
            font.bold: true
            elide: Text.ElideMiddle
        }
    }

    FuseDialog {
        id: fuseDialog
    }
}
