import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Arbor
import Arbor.Ui

/**
 * @brief The replies to one user message side by side (App.compare): columns when the window
 * is wide, a grid when it is narrow, one column when maximised. Scrolling can be synchronised.
 * Replies ticked in their columns can be fused into one new reply (FuseDialog).
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

    Connections {
        target: App.compare
        function onActiveChanged() {
            view.chosen = {};
            view.maximisedId = "";
        }
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

    FuseDialog {
        id: fuseDialog
    }
}
