#pragma once

#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>

namespace arbor::render {

/**
 * @brief One block of a message: what the window draws as one item (STYLE rule 5).
 *
 * An assistant reply is split into top-level Markdown blocks (BlockSplitter); a block keeps its
 * Markdown source exactly as it is in the text, and the window renders that source with Qt's
 * Markdown support (GitHub dialect, no HTML: the splitter's md4c rules). Reasoning and tool calls
 * are blocks of their own kinds. User messages are not split.
 */
struct Block
{
    Q_GADGET

public:
    /** @brief What the block is, and so how it is drawn. */
    enum class Kind {
        Paragraph,
        Heading,       ///< level 1–6
        List,          ///< a whole top-level list with its nested items (ordered or not)
        Quote,         ///< a block quote with everything inside it
        Table,         ///< rows: header first
        Code,          ///< fenced (language from the info string) or indented code
        ThematicBreak, ///< a horizontal rule
        References,    ///< link reference definitions only: draws nothing
        Thinking,      ///< the model's reasoning (not Markdown-split)
        ToolCall,      ///< a call of a tool (toolName; source holds its arguments)
    };
    Q_ENUM(Kind)

    Kind kind = Kind::Paragraph;
    int level = 0;           ///< Heading: 1–6; 0 otherwise
    bool ordered = false;    ///< List: numbered
    QString language;        ///< Code: the first word of the fence's info string ("" when none)
    QString toolName;        ///< ToolCall: the tool called
    QString source;          ///< the block's text, exactly as in the message
    qsizetype start = 0;     ///< where source starts in the message text
    QList<QStringList> rows; ///< Table: the cells' plain text, row by row, header row first
    /** @brief Set by BlockSplitter::finish(): the message's link reference definitions, for a
     *  block whose links may use them (Markdown resolves "[text][ref]" against definitions
     *  anywhere in the document; a block rendered alone would not see them). */
    QString linkDefinitions;
    bool closed = false; ///< no more text will change it
    /** @brief After BlockSplitter::finish(): the block was not reported closed while the text
     *  streamed, or it changed since (link definitions): draw it again. */
    bool changed = false;

    /** @brief What to render: the source, followed by the link definitions it may use. */
    QString markdown() const;

    /** @brief A block of the model's reasoning. */
    static Block thinking(const QString &text, bool closed);
    /** @brief A block for a call of tool @p name with @p arguments. */
    static Block toolCall(const QString &name, const QString &arguments, bool closed);

    friend bool operator==(const Block &, const Block &) = default;
};

} // namespace arbor::render
