import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Arbor
import Arbor.Ui

/**
 * @brief The map of the whole conversation tree (Ctrl+T), with the labelled messages under it.
 *
 * Drag pans and the wheel zooms (TreeMapItem does both); a click on a dot shows that message's
 * branch in the thread. Each jump (a click here, a search hit) centres the map on its target.
 */
Rectangle {
    id: panel

    /// "Centre on current" aims at this list's keyboard message, else its newest.
    property MessageList messageList: null

    /// The map keeps the current message in the middle (also while the panel is resized) until
    /// the user drags or wheels it.
    property bool followCurrent: true
    /// Set while the panel itself moves the map, to tell its moves from the user's.
    property bool movingMap: false

    signal closeRequested

    function centreOn(messageId: string) {
        if (messageId.length === 0)
            return;
        movingMap = true;
        map.centerOn(messageId);
        movingMap = false;
        followCurrent = true;
    }

    function centreOnCurrent() {
        centreOn(messageList !== null ? messageList.currentOrLastMessageId() : "");
    }

    /// Zooms by @p factor, keeping the current message in the middle.
    function zoomBy(factor: real) {
        map.zoom = map.zoom * factor;
        centreOnCurrent();
    }

    objectName: "treeMapPanel"
    color: Theme.sidebar

    component LegendEntry: Row {
        required property color swatch
        required property string name

        spacing: Theme.spacingSmall

        Rectangle {
            anchors.verticalCenter: parent.verticalCenter
            width: Theme.legendSwatchSize
            height: Theme.legendSwatchSize
            radius: width / 2
            color: parent.swatch
        }

        Label {
            text: parent.name
            font.pointSize: Theme.fontSizeSmall
            color: Theme.mutedText
        }
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 0

        RowLayout {
            Layout.fillWidth: true
            Layout.margins: Theme.spacingSmall
            Layout.leftMargin: Theme.spacing
            spacing: 0

            Label {
                Layout.fillWidth: true
                text: qsTr("Tree")
                font.bold: true
                elide: Text.ElideRight
                Accessible.role: Accessible.Heading
            }

            IconButton {
                objectName: "zoomOutButton"
                iconName: "zoom-out"
                text: qsTr("Zoom out")
                onClicked: panel.zoomBy(1 / 1.25)
            }

            IconButton {
                objectName: "zoomInButton"
                iconName: "zoom-in"
                text: qsTr("Zoom in")
                onClicked: panel.zoomBy(1.25)
            }

            IconButton {
                objectName: "centreButton"
                iconName: "locate"
                text: qsTr("Centre on the current message")
                onClicked: panel.centreOnCurrent()
            }

            IconButton {
                objectName: "closeTreeMapButton"
                iconName: "x"
                text: qsTr("Close the tree map")
                shortcut: "Ctrl+T"
                onClicked: panel.closeRequested()
            }
        }

        Rectangle {
            Layout.fillWidth: true
            implicitHeight: Theme.hairline
            color: Theme.separator
        }

        Item {
            id: mapArea

            Layout.fillWidth: true
            Layout.fillHeight: true
            Layout.minimumHeight: Theme.treeMapMinimumHeight
            clip: true

            // The map keeps the current message in the middle while the panel is resized.
            onWidthChanged: {
                if (panel.followCurrent)
                    panel.centreOnCurrent();
            }
            onHeightChanged: {
                if (panel.followCurrent)
                    panel.centreOnCurrent();
            }

            // HACK: the module Arbor does not declare its dependency on QtQuick (qmldir `depends`),
            // so qmllint cannot resolve TreeMapItem's base QQuickPaintedItem; it works at run time.
            // qmllint disable
            TreeMapItem {
                id: map

                objectName: "treeMap"
                anchors.fill: parent
                conversationId: Conversations.currentId
                userColor: Theme.userNode
                assistantColor: Theme.assistantNode
                pathColor: Theme.pathNode
                edgeColor: Theme.edge
                Accessible.role: Accessible.Graphic
                Accessible.name: qsTr("Conversation tree, %n message(s)", "", nodeCount)

                onNodeClicked: messageId => Chat.showMessage(messageId)
                onConversationIdChanged: panel.followCurrent = true
                onViewChanged: {
                    if (!panel.movingMap)
                        panel.followCurrent = false;
                }
                onLayoutChanged: {
                    if (panel.followCurrent)
                        panel.centreOnCurrent();
                }
            }
            // qmllint enable

            Label {
                anchors.centerIn: parent
                visible: map.loading || map.nodeCount === 0 // qmllint disable type
                text: map.loading ? qsTr("Loading…") : qsTr("No messages yet.") // qmllint disable type
                color: Theme.mutedText
            }

            Connections {
                target: Chat

                function onScrollToMessage(messageId: string) {
                    panel.centreOn(messageId);
                }
            }
        }

        Flow {
            Layout.fillWidth: true
            Layout.margins: Theme.spacing
            spacing: Theme.spacing

            LegendEntry {
                swatch: Theme.userNode
                name: qsTr("You")
            }

            LegendEntry {
                swatch: Theme.assistantNode
                name: qsTr("Model")
            }

            LegendEntry {
                swatch: Theme.pathNode
                name: qsTr("Shown path")
            }
        }

        Rectangle {
            Layout.fillWidth: true
            implicitHeight: Theme.hairline
            color: Theme.separator
        }

        Label {
            Layout.fillWidth: true
            Layout.margins: Theme.spacing
            Layout.bottomMargin: 0
            text: qsTr("Labels")
            font.bold: true
            Accessible.role: Accessible.Heading
        }

        LabelsList {
            Layout.fillWidth: true
            Layout.preferredHeight: parent.height / 4
            Layout.minimumHeight: Theme.labelsListMinimumHeight
        }
    }
}
