import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Arbor.Ui

/**
 * @brief One search hit: the conversation's title and the matched text, terms in bold.
 */
ItemDelegate {
    id: hit

    required property int index
    required property string messageId
    required property string conversationId
    required property string conversationTitle
    required property string snippet
    required property string messageRole

    /// The snippet as StyledText: the text escaped first, then the store's match marks (STX before
    /// and ETX after a matched term, characters no text contains) made bold.
    readonly property string styledSnippet: snippet.replace(/&/g, "&amp;").replace(/</g, "&lt;")
                                                   .replace(/>/g, "&gt;").replace(/\s+/g, " ")
                                                   .replace(/\u0002/g, "<b>").replace(/\u0003/g, "</b>")
    readonly property string plainSnippet: snippet.replace(/[\u0002\u0003]/g, "")
    readonly property string displayTitle: conversationTitle.length > 0 ? conversationTitle : qsTr("New conversation")

    focusPolicy: Qt.NoFocus
    background: RowBackground {
        selected: hit.highlighted
        pointed: hit.hovered
    }
    Accessible.name: displayTitle
    Accessible.description: plainSnippet

    // No ids inside: an id would make the style create its own contentItem too, for every row.
    contentItem: ColumnLayout {
        spacing: Theme.spacingTiny

        RowLayout {
            spacing: Theme.spacingSmall

            Label {
                Layout.fillWidth: true
                text: hit.displayTitle
                textFormat: Text.PlainText
                elide: Text.ElideRight
                font.bold: true
                color: Theme.text
            }

            Label {
                text: hit.messageRole === "user" ? qsTr("You") : qsTr("Model")
                font.pointSize: Theme.fontSizeSmall
                color: Theme.mutedText
            }
        }

        Label {
            objectName: "searchSnippet"
            Layout.fillWidth: true
            text: hit.styledSnippet
            textFormat: Text.StyledText
            wrapMode: Text.Wrap
            maximumLineCount: 3
            elide: Text.ElideRight
            font.pointSize: Theme.fontSizeSmall
            color: Theme.mutedText
        }
    }
}
