import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Arbor.Ui

/**
 * @brief A table: a grid of cells from the `rows` role, the header row bold on a tinted
 * background, each column aligned as its delimiter row says (":--", ":-:", "--:"). Cells are
 * separated by single hairlines (the grid's spacing over a border-coloured background, so no
 * line is drawn twice); a table wider than the message scrolls sideways.
 *
 * While the table is written its rows grow: the cells are kept in a ListModel that is only
 * appended to and updated in place, so a new row makes only its own cells. The grid exists only
 * near the screen (BlockItem); the cells' text is kept while it is away.
 */
BlockItem {
    id: block

    /// The cells' text, row by row (header first, unless this is a later part of a table).
    required property var rows
    /// A Qt.AlignLeft, Qt.AlignHCenter or Qt.AlignRight per column.
    required property var alignments

    readonly property int columnCount: rows.length > 0 ? rows[0].length : 0
    /// Columns the cells model was made for.
    property int madeColumns: 0

    /// Brings the cells model up to date with `rows`: cells are appended, changed in place and
    /// removed at the end; all are made again only when the number of columns changes.
    function syncCells() {
        const columns = columnCount;
        if (columns !== madeColumns) {
            cells.clear();
            madeColumns = columns;
        }
        let i = 0;
        for (let r = 0; r < rows.length; ++r) {
            const row = rows[r];
            for (let c = 0; c < columns; ++c, ++i) {
                const text = c < row.length ? row[c] : "";
                if (i < cells.count) {
                    if (cells.get(i).cellText !== text)
                        cells.setProperty(i, "cellText", text);
                } else {
                    cells.append({ cellText: text, cellRow: r, cellColumn: c });
                }
            }
        }
        if (cells.count > i)
            cells.remove(i, cells.count - i);
    }

    onRowsChanged: {
        syncCells();
        remeasure();
    }
    Component.onCompleted: syncCells()

    ListModel {
        id: cells
    }

    // HACK: without `pragma ComponentBehavior: Bound` (Qt 6.5) qmllint cannot know that the
    // drawing only ever lives in this block, where `block` is in scope.
    // qmllint disable unqualified
    drawing: Component {
        Item {
            width: block.availableWidth
            height: block.gap + scroller.height

            Flickable {
                id: scroller

                objectName: "tableScroller"
                y: block.gap
                width: parent.width
                height: frame.height + (horizontalBar.visible ? horizontalBar.height : 0)
                contentWidth: frame.width
                contentHeight: frame.height
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

                Rectangle {
                    // The lines between cells are this colour showing through the grid's spacing.
                    id: frame

                    visible: block.nearView
                    width: grid.width + 2 * Theme.hairline
                    height: grid.height + 2 * Theme.hairline
                    color: Theme.separator
                    radius: Theme.radiusSmall

                    GridLayout {
                        id: grid

                        x: Theme.hairline
                        y: Theme.hairline
                        columns: Math.max(1, block.columnCount)
                        rowSpacing: Theme.hairline
                        columnSpacing: Theme.hairline

                        Repeater {
                            model: cells

                            // HACK: without `pragma ComponentBehavior: Bound` (Qt 6.5) qmllint cannot
                            // know that this delegate only ever lives here, where `block` is in scope.
                            // qmllint disable unqualified
                            delegate: Rectangle {
                                id: cell

                                required property string cellText
                                required property int cellRow
                                required property int cellColumn

                                readonly property bool header: cellRow === 0 && !block.continued

                                objectName: header ? "tableHeaderCell" : "tableCell"
                                Layout.fillWidth: true
                                Layout.fillHeight: true
                                Layout.maximumWidth: Theme.tableCellMaximumWidth
                                implicitWidth: Math.min(label.implicitWidth, Theme.tableCellMaximumWidth - 2 * Theme.spacing)
                                               + 2 * Theme.spacing
                                implicitHeight: label.implicitHeight + 2 * Theme.spacingSmall
                                color: header ? Theme.tableHeader : Theme.base

                                // A Text, not a TextEdit: a table has many cells, and a TextEdit (a
                                // document each) costs three times the memory. Cells are not selectable;
                                // the message's Copy takes the table.
                                Text {
                                    id: label

                                    x: Theme.spacing
                                    y: Theme.spacingSmall
                                    width: cell.width - 2 * Theme.spacing
                                    text: cell.cellText
                                    textFormat: Text.PlainText
                                    wrapMode: Text.Wrap
                                    font.bold: cell.header
                                    color: Theme.text
                                    horizontalAlignment: cell.cellColumn < block.alignments.length
                                                         ? block.alignments[cell.cellColumn] : Text.AlignLeft
                                }
                            }
                            // qmllint enable unqualified
                        }
                    }
                }
            }
        }
    }
    // qmllint enable unqualified
}
