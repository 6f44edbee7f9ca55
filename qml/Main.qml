import QtQuick
import QtQuick.Controls
import Arbor.Ui

/**
 * @brief The main window: one ChatPage filling an ApplicationWindow.
 *
 * main.cpp loads this file; the Fusion style it sets draws the controls from the system palette,
 * and Theme derives the rest from the same palette.
 */
ApplicationWindow {
    id: window

    title: qsTr("Arbor")
    width: 1100
    height: 720
    minimumWidth: 640
    minimumHeight: 420
    visible: true
    color: Theme.window

    ChatPage {
        anchors.fill: parent
    }

    // The job dashboard lies over the chat while open (Ctrl+J toggles it).
    JobsPage {
        id: jobsPage
        anchors.fill: parent
        visible: false
        onVisibleChanged: if (visible) forceActiveFocus()
        onCloseRequested: visible = false
    }

    Shortcut {
        sequence: "Ctrl+J"
        onActivated: jobsPage.visible = !jobsPage.visible
    }
}
