import QtQuick
import QtQuick.Controls
import QtQuick.Window
import Arbor
import Arbor.Ui

/**
 * @brief The main window: one ChatPage filling an ApplicationWindow.
 *
 * main.cpp loads this file; the Fusion style it sets draws the controls from the system palette,
 * and Theme derives the rest from the same palette. The window opens at the size it had when it
 * last closed, shrunk to fit the screen (UiState); Ctrl+Q quits.
 */
ApplicationWindow {
    id: window

    readonly property size initialSize: UiState.initialWindowSize(Qt.size(Screen.desktopAvailableWidth,
                                                                               Screen.desktopAvailableHeight))

    title: Conversations.currentTitle.length > 0 ? qsTr("%1 — Arbor").arg(Conversations.currentTitle) : qsTr("Arbor")
    width: initialSize.width
    height: initialSize.height
    minimumWidth: Math.min(UiState.minimumSize.width, Screen.desktopAvailableWidth)
    minimumHeight: Math.min(UiState.minimumSize.height, Screen.desktopAvailableHeight)
    visible: true
    color: Theme.window

    Component.onCompleted: {
        if (UiState.maximized)
            showMaximized();
    }

    onClosing: {
        UiState.maximized = visibility === Window.Maximized;
        UiState.saveWindowSize(Qt.size(width, height));
    }

    ChatPage {
        anchors.fill: parent
    }

    Shortcut {
        sequence: "Ctrl+Q"
        context: Qt.ApplicationShortcut
        onActivated: window.close()
    }
}
