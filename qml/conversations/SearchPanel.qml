import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Arbor
import Arbor.Ui

/**
 * @brief Full-text search over every branch of every conversation (Ctrl+F).
 *
 * Searches as the user types (debounced); Up/Down pick a hit, Enter or a click opens it in its
 * conversation on the branch that holds it; Esc closes the search.
 */
ColumnLayout {
    id: panel

    /// The search field is shown.
    property bool active: false
    /// Hits are being shown instead of the conversation list.
    readonly property bool searching: active && field.text.trim().length > 0

    /// Enter came before the hits: open the first one when they arrive.
    property bool openPending: false

    /// The search was closed from the keyboard: the caller decides where the focus goes.
    signal finished

    function start() {
        active = true;
        field.selectAll();
        field.forceActiveFocus(Qt.ShortcutFocusReason);
    }

    function stop() {
        active = false;
        debounce.stop();
        field.clear();
        Search.run("");
        finished();
    }

    function openHit(row: int) {
        const hit = results.itemAtIndex(row) as SearchResultDelegate;
        if (hit === null)
            return;
        results.currentIndex = row;
        Search.open(hit.conversationId, hit.messageId);
    }

    spacing: Theme.spacingSmall

    TextField {
        id: field

        objectName: "searchField"
        Layout.fillWidth: true
        Layout.leftMargin: Theme.spacing
        Layout.rightMargin: Theme.spacing
        visible: panel.active
        placeholderText: qsTr("Search all branches…")
        Accessible.name: qsTr("Search")
        onTextChanged: {
            panel.openPending = false;
            debounce.restart();
        }

        Keys.onPressed: event => {
            switch (event.key) {
            case Qt.Key_Down:
                results.incrementCurrentIndex();
                break;
            case Qt.Key_Up:
                results.decrementCurrentIndex();
                break;
            case Qt.Key_Return:
            case Qt.Key_Enter:
                // Search now if the debounce has not yet run; open once the hits are in.
                if (debounce.running) {
                    debounce.stop();
                    panel.openPending = true;
                    Search.run(field.text);
                } else {
                    panel.openHit(Math.max(0, results.currentIndex));
                }
                break;
            case Qt.Key_Escape:
                panel.stop();
                break;
            default:
                return;
            }
            event.accepted = true;
        }
    }

    Connections {
        target: Search.results // qmllint disable type

        function onCountChanged() {
            if (panel.openPending) {
                panel.openPending = false;
                // Once the view has made the rows for the new hits.
                openTimer.restart();
            }
        }
    }

    Timer {
        id: openTimer

        interval: 0
        onTriggered: panel.openHit(0)
    }

    Timer {
        id: debounce

        interval: Theme.searchDebounceMs
        onTriggered: Search.run(field.text)
    }

    ListView {
        id: results

        objectName: "searchResults"
        Layout.fillWidth: true
        Layout.fillHeight: true
        visible: panel.searching
        model: Search.results
        clip: true
        boundsBehavior: Flickable.StopAtBounds
        Accessible.name: qsTr("Search results")

        ScrollBar.vertical: ScrollBar {}

        // HACK: without `pragma ComponentBehavior: Bound` (Qt 6.5) qmllint cannot know that this
        // delegate only ever lives in this view, where `panel` is in scope.
        // qmllint disable unqualified
        delegate: SearchResultDelegate {
            width: ListView.view.width
            highlighted: ListView.isCurrentItem
            onClicked: panel.openHit(index)
        }
        // qmllint enable unqualified

        EmptyViewHint {
            parent: results
            visible: results.count === 0 && !debounce.running
            text: qsTr("No matches.")
        }
    }
}
