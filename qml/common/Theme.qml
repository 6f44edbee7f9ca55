pragma Singleton

import QtQuick
import Arbor

/**
 * @brief Colours, spacing and type sizes for Arbor.Ui.
 *
 * Two palettes, light and dark, are written out here (not derived from the system palette, which
 * on many desktops is light whatever the user chose). ColorScheme picks one: the desktop's
 * colour scheme (the settings portal, else the palette's lightness) unless the user chose Light
 * or Dark in Settings, and it changes at run time. Main.qml hands the palette to the window, so
 * the controls (Fusion style) follow it too. One accent colour, a green, in a tone per scheme.
 *
 * Text sizes and the widths that hold text derive from the application font, so the window
 * follows the system's font size.
 */
QtObject {
    id: theme

    /// One scheme's colours. Text on window, base and sidebar keeps a contrast of at least
    /// 4.5:1 (muted text included), the accent at least 3:1 against its background.
    component Colors: QtObject {
        required property color window
        required property color sidebar
        required property color base
        required property color button
        required property color text
        required property color mutedText
        required property color placeholderText
        required property color separator
        required property color accent
        required property color accentText
        required property color accentSoft
        required property color hover
        required property color error
        required property color errorBackground
        required property color searchMatch
        required property color userNode
        required property color assistantNode
        required property color pathNode
        required property color toolTip
        required property color toolTipText
        required property color link
    }

    readonly property Colors lightColors: Colors {
        window: "#ffffff"
        sidebar: "#f3f4f6"
        base: "#ffffff"
        button: "#eceef1"
        text: "#1b1d21"
        mutedText: "#5b616b"
        placeholderText: "#6f7580"
        separator: "#d9dce1"
        accent: "#1a7551"
        accentText: "#ffffff"
        accentSoft: "#e3f2eb"
        hover: "#e6e8ec"
        error: "#b3261e"
        errorBackground: "#fbe4e2"
        searchMatch: "#ffe27a"
        userNode: "#2f63c7"
        assistantNode: "#1a7551"
        pathNode: "#b86e00"
        toolTip: "#2a2d33"
        toolTipText: "#f5f6f8"
        link: "#1d5fb4"
    }

    readonly property Colors darkColors: Colors {
        window: "#1c1d21"
        sidebar: "#16171a"
        base: "#2a2c31"
        button: "#2f3237"
        text: "#e7e8eb"
        mutedText: "#a2a7b0"
        placeholderText: "#8d929b"
        separator: "#363940"
        accent: "#4fc08d"
        accentText: "#0b1f16"
        accentSoft: "#1f3a2e"
        hover: "#2c2f35"
        error: "#ff8a80"
        errorBackground: "#4a1f1c"
        searchMatch: "#806000"
        userNode: "#7ea6f5"
        assistantNode: "#4fc08d"
        pathNode: "#f0b43c"
        toolTip: "#e7e8eb"
        toolTipText: "#1b1d21"
        link: "#82b1ff"
    }

    /// The scheme in use: ColorScheme applies the user's choice to the desktop's.
    readonly property bool dark: ColorScheme.dark
    readonly property Colors colors: dark ? darkColors : lightColors

    /// Behind the conversation and dialogs.
    readonly property color window: colors.window
    /// Behind the conversation list, the tree map and other side panes.
    readonly property color sidebar: colors.sidebar
    /// Behind fields, cards and the composer.
    readonly property color base: colors.base
    /// Buttons' faces.
    readonly property color button: colors.button
    readonly property color text: colors.text
    /// The one accent: selection, focus ring, checked tools, the user's side.
    readonly property color accent: colors.accent
    /// Text and icons on the accent.
    readonly property color accentText: colors.accentText
    /// Selections draw with the accent.
    readonly property color highlight: colors.accent
    readonly property color highlightedText: colors.accentText
    readonly property color placeholderText: colors.placeholderText
    /// Secondary text (authors, dates, hints).
    readonly property color mutedText: colors.mutedText
    /// Under a pointer that rests on a row or a tool.
    readonly property color hover: colors.hover
    /// Behind the selected row of a list (the open conversation): the accent, softly.
    readonly property color selection: colors.accentSoft
    /// Hairlines between panes and around the composer.
    readonly property color separator: colors.separator
    /// Icons of disabled tools.
    readonly property color disabledIcon: Qt.rgba(text.r, text.g, text.b, 0.35)
    /// The keyboard's ring around the focused control.
    readonly property color focusRing: colors.accent
    /// Background of the user's own messages: the accent, softly.
    readonly property color userBubble: colors.accentSoft
    /// Status chips (queued, streaming, ...).
    readonly property color chip: colors.button
    readonly property color error: colors.error
    readonly property color errorBackground: colors.errorBackground
    /// Background of the undo bar and other transient notices.
    readonly property color notice: colors.accentSoft
    /// Behind code blocks.
    readonly property color codeBackground: Qt.tint(base, Qt.rgba(text.r, text.g, text.b, 0.05))
    /// Behind `inline code` in a message's text.
    readonly property color inlineCodeBackground: Qt.tint(window, Qt.rgba(text.r, text.g, text.b, 0.08))
    /// Behind the header row of a table in a message.
    readonly property color tableHeader: Qt.tint(base, Qt.rgba(text.r, text.g, text.b, 0.08))
    /// Behind the words of a search hit in the message it opened.
    readonly property color searchMatch: colors.searchMatch
    readonly property color link: colors.link
    readonly property color toolTip: colors.toolTip
    readonly property color toolTipText: colors.toolTipText
    /// The family of code blocks.
    readonly property string monospaceFamily: "monospace"
    /// Bookmark labels on messages.
    readonly property color labelChip: Qt.tint(base, Qt.rgba(pathNode.r, pathNode.g, pathNode.b, dark ? 0.35 : 0.25))

    /// Tree map: the user's messages, the model's, the visible path and the other edges.
    readonly property color userNode: colors.userNode
    readonly property color assistantNode: colors.assistantNode
    readonly property color pathNode: colors.pathNode
    readonly property color edge: Qt.tint(window, Qt.rgba(text.r, text.g, text.b, 0.35))

    /// The file of the kept icon @p name (resources/icons/lucide, e.g. "copy").
    function icon(name: string): url {
        return Qt.resolvedUrl("qrc:/qt/qml/Arbor/Ui/icons/" + name + ".svg");
    }

    /// Metrics of the default (application) font, which the sizes below scale from.
    readonly property FontMetrics bodyFontMetrics: FontMetrics {}
    /// The application font's line height against that of a 10 pt font at 96 dpi (16 px):
    /// spacing, icons and the widths that hold text grow with the system's font size.
    readonly property real fontScale: Math.min(3, Math.max(0.85, bodyFontMetrics.height / 16))

    /// Type scale: point sizes relative to the application font (some platforms set a pixel size
    /// only; then 10 pt stands in).
    readonly property real fontSize: bodyFontMetrics.font.pointSize > 0 ? bodyFontMetrics.font.pointSize : 10
    readonly property real fontSizeSmall: fontSize * 0.85
    readonly property real fontSizeTitle: fontSize * 1.25
    /// The heading of a welcome or other empty view.
    readonly property real fontSizeHeading: fontSize * 1.6

    /// Lines between panes, around fields and frames: one device-independent pixel.
    readonly property int hairline: 1
    /// The frame of the keyboard's message (thicker than a hairline, so it reads as focus).
    readonly property int focusFrameWidth: 2
    /// The ring around the control that has the keyboard.
    readonly property int focusRingWidth: 2
    /// Spacing on a 4 px grid (at the reference font size).
    /// Between the lines of a small block (a job row, a search hit).
    readonly property int spacingTiny: Math.round(2 * fontScale)
    readonly property int spacingSmall: Math.round(4 * fontScale)
    readonly property int spacing: Math.round(8 * fontScale)
    readonly property int spacingLarge: Math.round(16 * fontScale)
    /// Around the content of an empty view.
    readonly property int spacingHuge: Math.round(32 * fontScale)
    readonly property int radius: Math.round(8 * fontScale)
    readonly property int radiusSmall: Math.round(4 * fontScale)
    /// Toolbar icons, and the smaller ones of a message's actions.
    readonly property int iconSize: Math.round(18 * fontScale)
    readonly property int iconSizeSmall: Math.round(16 * fontScale)
    /// The picture of an empty view.
    readonly property int iconSizeLarge: Math.round(40 * fontScale)
    /// Above and below the text of a chip (status, label).
    readonly property int chipVerticalPadding: 1
    /// Controls that cannot be used now are drawn at this opacity.
    readonly property real disabledOpacity: 0.5

    readonly property int sidebarWidth: Math.round(260 * fontScale)
    readonly property int sidebarMinimumWidth: Math.round(180 * fontScale)
    /// Messages never get wider than this, so long lines stay readable on wide windows.
    readonly property int readableWidth: Math.round(820 * fontScale)
    readonly property int composerMaximumHeight: Math.round(220 * fontScale)
    readonly property int dialogContentWidth: Math.round(400 * fontScale)
    readonly property int treePanelWidth: Math.round(300 * fontScale)
    readonly property int treePanelMinimumWidth: Math.round(200 * fontScale)
    /// The conversation never gets narrower than this: the tree map and the sidebar give way.
    readonly property int chatMinimumWidth: Math.round(380 * fontScale)
    /// Below this width the header puts its tools on a second line.
    readonly property int headerWrapWidth: Math.round(560 * fontScale)
    /// The title keeps at least this much room.
    readonly property int titleMinimumWidth: Math.round(120 * fontScale)
    /// The size ChatPage asks for when nothing else decides (tests, previews).
    readonly property int pageImplicitWidth: 1000
    readonly property int pageImplicitHeight: 700
    /// The tree map and, under it, the list of labels never get lower than these.
    readonly property int treeMapMinimumHeight: Math.round(120 * fontScale)
    readonly property int labelsListMinimumHeight: Math.round(60 * fontScale)
    /// The coloured dots of the tree map's legend.
    readonly property int legendSwatchSize: Math.round(10 * fontScale)
    /// Multi-line fields in dialogs (a provider's model list) grow up to this, then scroll.
    readonly property int fieldMaximumHeight: Math.round(120 * fontScale)
    /// The job dashboard: a queue's card and a per-minute chart.
    readonly property int queueCardWidth: Math.round(260 * fontScale)
    readonly property int chartHeight: Math.round(150 * fontScale)
    /// The thread keeps this much (pixels) of rows made beyond the viewport.
    readonly property int threadCacheBuffer: 1200
    /// A long message of the user's shows this much until "Show more".
    readonly property real collapsedMessageHeight: bodyFontMetrics.lineSpacing * 12
    /// A quote in a message: its text's indent and the bar beside it.
    readonly property int quoteIndent: Math.round(14 * fontScale)
    readonly property int quoteBarWidth: 3
    /// A table cell in a message wraps its text beyond this width (more with a larger font).
    readonly property int tableCellMaximumWidth: Math.round(320 * fontScale)
    /// Blocks of a message this far off screen (in pixels, either way) keep their items, so that
    /// scrolling shows them at once; beyond it a block keeps only its size (BlockItem).
    readonly property int offscreenMargin: 1500
    /// How long a branch switch keeps its message in place while the rows below are built.
    readonly property int anchorHoldMs: 1500
    /// How long the thread takes to scroll to the new end of a growing reply.
    readonly property int followAnimationMs: 120
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
}
