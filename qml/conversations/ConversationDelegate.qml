import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Arbor.Ui

/**
 * @brief One row of the conversation list: title and last change, or an inline rename field.
 *
 * The row only reports what the user asked for; ConversationList turns that into App calls.
 */
ItemDelegate {
    id: row

    required property int index
    required property string conversationId
    required property string title
    required property real updatedAt
    required property bool isCurrent
    /// Teammates' messages not read yet (shared conversations).
    required property int unreadCount
    /// Set by the list while this row is being renamed.
    property bool editing: false
    /// The keyboard cursor of the list is on this row (drawn as a focus frame).
    readonly property bool keyboardCurrent: ListView.isCurrentItem && ListView.view !== null && ListView.view.activeFocus

    readonly property string displayTitle: title.length > 0 ? title : qsTr("New conversation")
    /// The time of day for today's conversations, the date for older ones.
    readonly property string updatedText: {
        const when = new Date(updatedAt);
        const today = new Date();
        return when.toDateString() === today.toDateString()
                ? when.toLocaleTimeString(Qt.locale(), Locale.ShortFormat)
                : when.toLocaleDateString(Qt.locale(), Locale.ShortFormat);
    }

    signal selectRequested
    /// The actions menu was asked for, at the pointer (right click) or under the row's button.
    signal menuRequested(bool atPointer)
    signal renameCommitted(string newTitle)
    signal renameCancelled

    highlighted: isCurrent
    background: RowBackground {
        selected: row.highlighted
        pointed: row.hovered
    }
    focusPolicy: Qt.NoFocus
    text: displayTitle
    Accessible.name: displayTitle
    Accessible.description: unreadCount > 0 ? qsTr("%1, %2 unread").arg(updatedText).arg(unreadCount) : updatedText

    onClicked: selectRequested()

    TapHandler {
        acceptedButtons: Qt.RightButton
        onTapped: row.menuRequested(true)
    }

    // No ids inside: an id would make the style create its own contentItem too, for every row.
    contentItem: StackLayout {
        currentIndex: row.editing ? 1 : 0

        RowLayout {
            spacing: Theme.spacingSmall

            ColumnLayout {
                Layout.fillWidth: true
                spacing: 0

                Label {
                    Layout.fillWidth: true
                    text: row.displayTitle
                    textFormat: Text.PlainText
                    elide: Text.ElideRight
                    color: Theme.text
                    font.bold: row.isCurrent
                }

                Label {
                    Layout.fillWidth: true
                    text: row.updatedText
                    elide: Text.ElideRight
                    font.pointSize: Theme.fontSizeSmall
                    color: Theme.mutedText
                }
            }

            Label {
                objectName: "unreadBadge"
                visible: row.unreadCount > 0
                text: row.unreadCount > 99 ? "99+" : String(row.unreadCount)
                leftPadding: Theme.spacing * 0.75
                rightPadding: Theme.spacing * 0.75
                topPadding: Theme.spacingSmall / 2
                bottomPadding: Theme.spacingSmall / 2
                font.pointSize: Theme.fontSizeSmall
                font.bold: true
                color: Theme.highlightedText
                Accessible.name: qsTr("%1 unread").arg(row.unreadCount)
                background: Rectangle {
                    radius: height / 2
                    color: Theme.highlight
                }
            }

            IconButton {
                objectName: "conversationMenuButton"
                iconName: "ellipsis"
                text: qsTr("Conversation actions")
                tip: qsTr("Rename (F2) or delete (Delete)")
                // Always laid out, so titles do not reflow when the pointer passes.
                opacity: row.hovered || row.keyboardCurrent || row.isCurrent ? 1 : 0
                // The list's keyboard cursor reaches the row; Menu opens this.
                focusPolicy: Qt.NoFocus
                padding: Theme.spacingTiny
                icon.width: Theme.iconSizeSmall
                icon.height: Theme.iconSizeSmall
                onClicked: row.menuRequested(false)
            }
        }

        Loader {
            active: row.editing
            sourceComponent: RenameField {}
            // Started once the field is in the scene: while it is being built it cannot take focus.
            onLoaded: {
                const field = item as RenameField;
                field.committed.connect(row.renameCommitted);
                field.cancelled.connect(row.renameCancelled);
                field.start(row.title);
            }
        }
    }

    Rectangle {
        // Keyboard cursor of the list (the rows themselves never take focus), drawn as the
        // focus ring.
        objectName: "conversationFocusRing"
        anchors.fill: parent
        visible: row.keyboardCurrent && !row.editing
        color: "transparent"
        border.width: Theme.focusRingWidth
        border.color: Theme.focusRing
        radius: Theme.radiusSmall
    }
}
