import QtQuick
import QtQuick.Controls
import QtQuick.Window
import Arbor
import Arbor.Ui

/**
 * @brief The main window: one ChatPage filling an ApplicationWindow.
 *
 * main.cpp loads this file and sets the Fusion style, which draws every control from the
 * window's palette: the palette below is the Theme's, light or dark (ColorScheme), so controls,
 * dialogs, menus and tool tips follow a switch at once. The window opens at the size it had when
 * it last closed, shrunk to fit the screen (UiState); Ctrl+Q quits.
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

    palette {
        window: Theme.window
        windowText: Theme.text
        base: Theme.base
        alternateBase: Theme.sidebar
        text: Theme.text
        button: Theme.button
        buttonText: Theme.text
        brightText: Theme.accentText
        highlight: Theme.highlight
        highlightedText: Theme.highlightedText
        placeholderText: Theme.placeholderText
        toolTipBase: Theme.toolTip
        toolTipText: Theme.toolTipText
        link: Theme.link
        linkVisited: Theme.link
        light: Qt.lighter(Theme.button, Theme.dark ? 1.25 : 1.06)
        midlight: Qt.lighter(Theme.button, Theme.dark ? 1.12 : 1.03)
        mid: Theme.separator
        dark: Qt.darker(Theme.separator, Theme.dark ? 1.2 : 1.35)
        shadow: Theme.dark ? "#000000" : "#60646c"
        disabled.windowText: Theme.mutedText
        disabled.text: Theme.mutedText
        disabled.buttonText: Theme.mutedText
        disabled.button: Theme.window
    }

    Component.onCompleted: {
        if (UiState.maximized)
            showMaximized();
        // Only when the user allowed it, and at most once a week.
        UpdateCheck.checkIfDue();
    }

    onClosing: {
        UiState.maximized = visibility === Window.Maximized;
        UiState.saveWindowSize(Qt.size(width, height));
    }

    ChatPage {
        objectName: "chatPage"
        anchors.fill: parent
    }

    // A file dropped on the window is imported (the sidebar shows the progress).
    DropArea {
        objectName: "importDropArea"
        anchors.fill: parent
        keys: ["text/uri-list"]
        onDropped: drop => {
            if (drop.hasUrls && App.imports.start(drop.urls[0]))
                drop.accept(Qt.CopyAction);
        }
    }

    // Desktop notices of long replies are for when the window is not in front.
    Binding {
        target: Notifications
        property: "windowActive"
        value: window.active
    }

    // A clicked notice brings the window forward (Notifications opens its conversation).
    Connections {
        target: Notifications

        function onOpenRequested() {
            window.raise();
            window.requestActivate();
        }
        function onSettingsRequested() {
            window.raise();
            window.requestActivate();
        }
    }

    Shortcut {
        sequence: "Ctrl+Q"
        context: Qt.ApplicationShortcut
        onActivated: window.close()
    }
}
