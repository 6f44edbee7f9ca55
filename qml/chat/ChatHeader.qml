import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Arbor
import Arbor.Ui

/**
 * @brief The top of the conversation: the sidebar toggle and the title, then who is here, the
 * model and the tools. When the column is narrow the tools go on a second line, so the title
 * always has room. Every tool is an icon with a tool tip that names its keys, and is reached
 * with Tab.
 */
GridLayout {
    id: header

    /// The sidebar is shown (the toggle is checked).
    property bool sidebarShown: true
    /// The tree map is shown.
    property bool treeMapShown: false
    readonly property alias modelPicker: modelPicker
    /// Too narrow for the title and the tools on one line.
    readonly property bool narrow: width < Theme.headerWrapWidth

    signal sidebarToggled
    signal treeMapToggled
    signal parametersRequested
    signal settingsRequested
    signal shortcutsRequested
    signal jobsRequested
    signal usageRequested

    columns: narrow ? 1 : 2
    columnSpacing: Theme.spacing
    rowSpacing: Theme.spacingSmall

    RowLayout {
        Layout.fillWidth: true
        spacing: Theme.spacingSmall

        IconButton {
            objectName: "sidebarButton"
            iconName: "panel-left"
            text: qsTr("Conversation list")
            checkable: true
            checked: header.sidebarShown
            tip: header.sidebarShown ? qsTr("Hide the conversation list") : qsTr("Show the conversation list")
            shortcut: "Ctrl+B"
            onToggled: header.sidebarToggled()
        }

        Label {
            objectName: "conversationTitle"
            Layout.fillWidth: true
            Layout.minimumWidth: Math.min(implicitWidth, Theme.titleMinimumWidth)
            text: Conversations.currentTitle.length > 0 ? Conversations.currentTitle : qsTr("New conversation")
            textFormat: Text.PlainText
            elide: Text.ElideRight
            font.pointSize: Theme.fontSizeTitle
            font.bold: true
            Accessible.role: Accessible.Heading

            Label {
                // The conversation's tokens and cost, live while a reply streams ("≈": estimated
                // until its usage arrives), in the room the title leaves (never taking room from
                // the layout); the details in its tool tip.
                objectName: "usageFigure"
                x: parent.contentWidth + Theme.spacing
                anchors.verticalCenter: parent.verticalCenter
                width: Math.max(0, parent.width - x)
                visible: App.usage.hasUsage && width >= Math.min(implicitWidth, Theme.titleMinimumWidth)
                // The branch being read, when the tree's other branches cost something too.
                text: App.usage.tokensText + " · " + App.usage.costText
                      + (App.usage.branchText.length > 0 ? "  " + qsTr("(this branch: %1)").arg(App.usage.branchText) : "")
                elide: Text.ElideRight
                color: Theme.mutedText
                font.pointSize: Theme.fontSizeSmall
                font.bold: false
                Accessible.name: qsTr("Usage of this conversation: %1").arg(text)

                HoverHandler {
                    id: usageHover
                }

                ToolTip.visible: usageHover.hovered
                ToolTip.delay: Theme.toolTipDelayMs
                ToolTip.text: App.usage.detail
            }
        }
    }

    RowLayout {
        Layout.fillWidth: header.narrow
        spacing: Theme.spacingSmall

        PresenceBar {}

        ModelPicker {
            id: modelPicker

            Layout.maximumWidth: Math.max(Theme.titleMinimumWidth, header.width / (header.narrow ? 2 : 3))
        }

        Item {
            Layout.fillWidth: header.narrow
        }

        IconButton {
            objectName: "treeMapButton"
            iconName: "git-fork"
            text: qsTr("Tree map")
            checkable: true
            checked: header.treeMapShown
            tip: qsTr("Show the map of every branch")
            shortcut: "Ctrl+T"
            onToggled: header.treeMapToggled()
        }

        IconButton {
            objectName: "parametersButton"
            iconName: "sliders-horizontal"
            text: qsTr("Parameters of this conversation")
            tip: qsTr("System prompt, temperature and max tokens of this conversation")
            shortcut: "Ctrl+P"
            onClicked: header.parametersRequested()
        }

        IconButton {
            objectName: "jobsButton"
            iconName: "activity"
            text: qsTr("Jobs")
            tip: qsTr("Jobs: queues, retries and failed replies")
            shortcut: "Ctrl+J"
            onClicked: header.jobsRequested()
        }

        IconButton {
            objectName: "usageButton"
            iconName: "chart-column-stacked"
            text: qsTr("Usage")
            tip: qsTr("Usage: tokens and cost per day, model and conversation")
            shortcut: "Ctrl+U"
            onClicked: header.usageRequested()
        }

        IconButton {
            objectName: "settingsButton"
            iconName: "settings"
            text: qsTr("Settings")
            tip: qsTr("Settings: model providers, API keys, default model, appearance")
            shortcut: "Ctrl+,"
            onClicked: header.settingsRequested()
        }

        IconButton {
            objectName: "helpButton"
            iconName: "keyboard"
            text: qsTr("Keyboard shortcuts")
            shortcut: "F1"
            onClicked: header.shortcutsRequested()
        }
    }
}
