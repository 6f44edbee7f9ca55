import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Arbor
import Arbor.Ui

/**
 * @brief The top of the conversation: the sidebar toggle and the title, then who is here, the
 * model and the tools. When the column is narrow the tools go on a second line, so the title
 * always has room. Every button is reached with Tab.
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

    component HeaderButton: ToolButton {
        required property string tip

        focusPolicy: Qt.TabFocus
        Accessible.description: tip
        ToolTip.visible: hovered
        ToolTip.delay: Theme.toolTipDelayMs
        ToolTip.text: tip
        Keys.onReturnPressed: clicked()
        Keys.onEnterPressed: clicked()
    }

    columns: narrow ? 1 : 2
    columnSpacing: Theme.spacing
    rowSpacing: Theme.spacingSmall

    RowLayout {
        Layout.fillWidth: true
        spacing: Theme.spacingSmall

        HeaderButton {
            objectName: "sidebarButton"
            text: "☰"
            checkable: true
            checked: header.sidebarShown
            tip: header.sidebarShown ? qsTr("Hide the conversation list (Ctrl+B)") : qsTr("Show the conversation list (Ctrl+B)")
            Accessible.name: qsTr("Conversation list")
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

        HeaderButton {
            objectName: "treeMapButton"
            text: qsTr("Tree")
            checkable: true
            checked: header.treeMapShown
            tip: qsTr("Show the map of every branch (Ctrl+T)")
            onToggled: header.treeMapToggled()
        }

        HeaderButton {
            objectName: "parametersButton"
            text: qsTr("Parameters")
            Accessible.name: qsTr("Parameters of this conversation: system prompt, temperature, max tokens")
            tip: qsTr("System prompt, temperature and max tokens of this conversation (Ctrl+P)")
            onClicked: header.parametersRequested()
        }

        HeaderButton {
            objectName: "settingsButton"
            text: qsTr("Settings")
            Accessible.name: qsTr("Settings: model providers and API keys")
            tip: qsTr("Model providers, API keys, default model (Ctrl+,)")
            onClicked: header.settingsRequested()
        }

        HeaderButton {
            objectName: "helpButton"
            text: "?"
            Accessible.name: qsTr("Keyboard shortcuts")
            tip: qsTr("Keyboard shortcuts (F1)")
            onClicked: header.shortcutsRequested()
        }
    }
}
