import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Arbor
import Arbor.Ui

/**
 * @brief "Personal" and the team workspaces: the conversation list shows the chosen one. Below
 * it, who of the team is online. Shown once there is a workspace.
 */
ColumnLayout {
    id: switcher

    readonly property SyncController sync: App.sync
    /// "alice (here), bob" for the current workspace.
    readonly property string onlineText: {
        const names = [];
        for (const p of sync.presence.online)
            names.push(p.here ? qsTr("%1 (here)").arg(p.user) : p.user);
        return names.join(", ");
    }

    spacing: Theme.spacingSmall
    visible: sync.workspaces.count > 1

    ComboBox {
        id: box

        objectName: "workspaceSwitcher"
        Layout.fillWidth: true
        model: switcher.sync.workspaces
        textRole: "workspaceName"
        valueRole: "workspaceId"
        focusPolicy: Qt.TabFocus
        Accessible.name: qsTr("Workspace")
        ToolTip.visible: hovered
        ToolTip.delay: Theme.toolTipDelayMs
        ToolTip.text: switcher.sync.currentWorkspace.length === 0
                      ? qsTr("Your personal conversations, on this computer only")
                      : (switcher.onlineText.length > 0 ? qsTr("Online: %1").arg(switcher.onlineText)
                                                        : qsTr("Nobody else in %1 is online").arg(switcher.sync.currentWorkspaceName))

        onActivated: switcher.sync.currentWorkspace = currentValue
        Component.onCompleted: currentIndex = switcher.sync.workspaces.indexOf(switcher.sync.currentWorkspace)

        delegate: ItemDelegate {
            required property string workspaceName
            required property string memberRole
            required property int unreadCount

            // The popup's list follows the highlighted row (no id: the delegate is out of its scope).
            width: ListView.view.width
            highlighted: ListView.isCurrentItem
            text: (unreadCount > 0 ? qsTr("%1 (%2 unread)").arg(workspaceName).arg(unreadCount) : workspaceName)
                  + (memberRole === "viewer" ? " · " + qsTr("read only") : "")
        }

        Connections {
            target: switcher.sync

            function onCurrentWorkspaceChanged() {
                box.currentIndex = switcher.sync.workspaces.indexOf(switcher.sync.currentWorkspace);
            }
        }

        Connections {
            target: switcher.sync.workspaces

            function onCountChanged() {
                box.currentIndex = switcher.sync.workspaces.indexOf(switcher.sync.currentWorkspace);
            }
        }
    }

    Label {
        objectName: "onlineList"
        Layout.fillWidth: true
        visible: switcher.sync.currentWorkspace.length > 0
        text: switcher.onlineText.length > 0 ? qsTr("Online: %1").arg(switcher.onlineText) : qsTr("Nobody else online")
        textFormat: Text.PlainText
        elide: Text.ElideRight
        font.pointSize: Theme.fontSizeSmall
        color: Theme.mutedText
    }
}
