pragma Singleton

import QtQuick

/**
 * @brief Colours, spacing and type sizes for Arbor.Ui.
 *
 * Every colour derives from the system palette, so the window follows the desktop's light or
 * dark scheme (and changes with it at run time) instead of hard-coding one look.
 */
QtObject {
    id: theme

    readonly property SystemPalette system: SystemPalette {
        colorGroup: SystemPalette.Active
    }

    /// True when the palette is dark; picks the variants that stay readable on it.
    readonly property bool dark: system.window.hslLightness < 0.5

    readonly property color window: system.window
    readonly property color base: system.base
    readonly property color text: system.windowText
    readonly property color mid: system.mid
    readonly property color highlight: system.highlight
    readonly property color highlightedText: system.highlightedText
    readonly property color placeholderText: system.placeholderText
    /// Secondary text (authors, dates, hints): the text colour pulled towards the window.
    readonly property color mutedText: Qt.tint(text, Qt.rgba(window.r, window.g, window.b, 0.4))
    /// Hairlines between panes and around the composer.
    readonly property color separator: Qt.tint(window, Qt.rgba(text.r, text.g, text.b, 0.15))
    /// Background of the user's own messages: the base tinted slightly with the accent.
    readonly property color userBubble: Qt.tint(base, Qt.rgba(highlight.r, highlight.g, highlight.b, dark ? 0.22 : 0.12))
    /// Status chips (queued, streaming, ...).
    readonly property color chip: Qt.tint(window, Qt.rgba(text.r, text.g, text.b, 0.1))
    readonly property color error: dark ? "#ff8a80" : "#b3261e"
    readonly property color errorBackground: dark ? "#4a1f1c" : "#fbe4e2"
    /// Background of the undo bar and other transient notices.
    readonly property color notice: Qt.tint(window, Qt.rgba(highlight.r, highlight.g, highlight.b, dark ? 0.25 : 0.15))
    /// Behind code blocks.
    readonly property color codeBackground: Qt.tint(base, Qt.rgba(text.r, text.g, text.b, 0.06))
    /// Behind `inline code` in a message's text.
    readonly property color inlineCodeBackground: Qt.tint(window, Qt.rgba(text.r, text.g, text.b, 0.08))
    /// Behind the header row of a table in a message.
    readonly property color tableHeader: Qt.tint(base, Qt.rgba(text.r, text.g, text.b, 0.08))
    /// Behind the words of a search hit in the message it opened.
    readonly property color searchMatch: dark ? "#806000" : "#ffe27a"
    /// The family of code blocks.
    readonly property string monospaceFamily: "monospace"
    /// Bookmark labels on messages.
    readonly property color labelChip: Qt.tint(base, Qt.rgba(pathNode.r, pathNode.g, pathNode.b, dark ? 0.35 : 0.25))

    /// Tree map: the user's messages, the model's, the visible path and the other edges.
    readonly property color userNode: highlight
    readonly property color assistantNode: dark ? "#6cc98a" : "#2f8a4f"
    readonly property color pathNode: dark ? "#f0b43c" : "#c77d00"
    readonly property color edge: Qt.tint(window, Qt.rgba(text.r, text.g, text.b, 0.35))

    /// Lines between panes, around fields and frames: one device-independent pixel.
    readonly property int hairline: 1
    /// The frame of the keyboard's message (thicker than a hairline, so it reads as focus).
    readonly property int focusFrameWidth: 2
    /// Between the lines of a small block (a job row, a search hit).
    readonly property int spacingTiny: 2
    readonly property int spacingSmall: 4
    readonly property int spacing: 8
    readonly property int spacingLarge: 16
    readonly property int radius: 8
    readonly property int radiusSmall: 4
    /// Above and below the text of a chip (status, label).
    readonly property int chipVerticalPadding: 1
    /// Controls that cannot be used now are drawn at this opacity.
    readonly property real disabledOpacity: 0.5

    readonly property int sidebarWidth: 260
    readonly property int sidebarMinimumWidth: 180
    /// Messages never get wider than this, so long lines stay readable on wide windows.
    readonly property int readableWidth: 860
    readonly property int composerMaximumHeight: 220
    readonly property int dialogContentWidth: 400
    readonly property int treePanelWidth: 300
    readonly property int treePanelMinimumWidth: 200
    /// The conversation never gets narrower than this: the tree map and the sidebar give way.
    readonly property int chatMinimumWidth: 380
    /// Below this width the header puts its tools on a second line.
    readonly property int headerWrapWidth: 560
    /// The title keeps at least this much room.
    readonly property int titleMinimumWidth: 120
    /// The size ChatPage asks for when nothing else decides (tests, previews).
    readonly property int pageImplicitWidth: 1000
    readonly property int pageImplicitHeight: 700
    /// The tree map and, under it, the list of labels never get lower than these.
    readonly property int treeMapMinimumHeight: 120
    readonly property int labelsListMinimumHeight: 60
    /// The coloured dots of the tree map's legend.
    readonly property int legendSwatchSize: 10
    /// Multi-line fields in dialogs (a provider's model list) grow up to this, then scroll.
    readonly property int fieldMaximumHeight: 120
    /// The job dashboard: a queue's card and a per-minute chart.
    readonly property int queueCardWidth: 260
    readonly property int chartHeight: 150
    /// The thread keeps this much (pixels) of rows made beyond the viewport.
    readonly property int threadCacheBuffer: 1200
    /// A long message of the user's shows this much until "Show more".
    readonly property real collapsedMessageHeight: bodyFontMetrics.lineSpacing * 12
    /// A quote in a message: its text's indent and the bar beside it.
    readonly property int quoteIndent: 14
    readonly property int quoteBarWidth: 3
    /// A table cell in a message wraps its text beyond this width.
    readonly property int tableCellMaximumWidth: 320
    /// Blocks of a message this far off screen are still drawn (scrolling shows them at once).
    readonly property int offscreenMargin: 1500
    /// How long a branch switch keeps its message in place while the rows below are built.
    readonly property int anchorHoldMs: 1500
    /// How long "Copied" stays on the Copy button.
    readonly property int copiedVisibleMs: 1500
    /// How long a jump target keeps its frame when the keyboard is elsewhere.
    readonly property int flashMs: 2000
    /// How long the undo bar stays after a delete.
    readonly property int undoVisibleMs: 15000
    /// How long the pointer rests on a control before its tool tip shows.
    readonly property int toolTipDelayMs: 600
    /// How long the search waits after a key before it looks (typing on restarts it).
    readonly property int searchDebounceMs: 150

    /// Metrics of the default (application) font, which the sizes below scale from.
    readonly property FontMetrics bodyFontMetrics: FontMetrics {}
    /// Point size of the application font (some platforms set a pixel size only).
    readonly property real fontSize: bodyFontMetrics.font.pointSize > 0 ? bodyFontMetrics.font.pointSize : 10
    readonly property real fontSizeSmall: fontSize * 0.85
    readonly property real fontSizeTitle: fontSize * 1.25
}
