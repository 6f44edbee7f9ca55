#pragma once

#include <QAbstractListModel>
#include <QQmlParserStatus>
#include <QTimer>
#include <QtQml/qqml.h>

namespace arbor::app {

/**
 * @brief One message's text as a list of small blocks, each drawn by its own text item.
 *
 * A text item lays its whole document out on the GUI thread, at a cost that grows faster than
 * the text (Markdown above all): one 100 KB document froze the window for minutes. Here no block
 * is longer than a few thousand characters, and blocks are made a step at a time (one step per
 * frame, bounded in characters, Markdown weighing more), so a message of any size costs at
 * most a step per frame.
 *
 * A reply is Markdown, split at blank lines outside code fences (lists and indented lines stay
 * with what they continue); fenced code becomes Code blocks (plain, monospace). The user's own
 * text is shown as typed (Plain), split only at line ends. While a message is live its last
 * block is open: it is shown as plain text and is the only row that changes as text streams in;
 * closed blocks never change. Long user messages start collapsed (only the first block is made).
 *
 * A stopgap until messages are stored as blocks (DESIGN §6b). GUI thread only.
 */
class MessageBlocks
    : public QAbstractListModel
    , public QQmlParserStatus
{
    Q_OBJECT
    Q_INTERFACES(QQmlParserStatus)
    QML_ELEMENT
    /** @brief The whole message text. */
    Q_PROPERTY(QString text READ text WRITE setText NOTIFY textChanged)
    /** @brief "user" shows the text as typed; anything else is rendered as Markdown. */
    Q_PROPERTY(QString messageRole READ messageRole WRITE setMessageRole NOTIFY messageRoleChanged)
    /** @brief Text may still arrive: the last block stays open (plain). */
    Q_PROPERTY(bool live READ live WRITE setLive NOTIFY liveChanged)
    /** @brief A long message of the user's: it starts collapsed and offers "Show more". */
    Q_PROPERTY(bool collapsible READ collapsible NOTIFY shownChanged)
    /** @brief The user asked to see all of a collapsible message. */
    Q_PROPERTY(bool expanded READ expanded WRITE setExpanded NOTIFY expandedChanged)
    /** @brief Blocks made so far (the rows); grows a step per frame up to total. */
    Q_PROPERTY(int shown READ shown NOTIFY shownChanged)
    /** @brief Blocks in the whole text. */
    Q_PROPERTY(int total READ total NOTIFY shownChanged)

public:
    enum class Kind { Markdown, Plain, Code };
    Q_ENUM(Kind)

    enum Roles {
        BlockTextRole = Qt::UserRole + 1, ///< the block's text (code without its fences)
        BlockKindRole,                    ///< Kind: how to draw it
        JoinsPreviousRole,                ///< continues the block above (drawn without a gap)
        LanguageRole,                     ///< a code block's language ("" when none)
    };
    Q_ENUM(Roles)

    /** @brief Longest Markdown block, in characters (a longer one is cut at a line end). A Qt 6.4
     *  TextEdit takes ~8 ms to show 1,000 characters of Markdown, ~50 ms for 3,000 (it grows
     *  faster than the text), and ~1 ms for 4,000 of plain text. */
    static constexpr qsizetype MarkdownBlockChars = 1000;
    /** @brief Longest plain or code block. */
    static constexpr qsizetype PlainBlockChars = 4000;
    /** @brief What one step (one frame) may make: plain characters, a Markdown one counting as
     *  MarkdownCost of them (so a step is one Markdown block or two plain ones). */
    static constexpr qsizetype StepChars = 8000;
    static constexpr qsizetype MarkdownCost = 8;
    /** @brief A user message longer than this (lines or characters) starts collapsed. */
    static constexpr int CollapseLines = 12;
    static constexpr qsizetype CollapseChars = 1500;

    explicit MessageBlocks(QObject *parent = nullptr);

    QString text() const { return m_text; }
    void setText(const QString &text);
    QString messageRole() const { return m_role; }
    void setMessageRole(const QString &role);
    bool live() const { return m_live; }
    void setLive(bool live);
    bool collapsible() const { return m_collapsible; }
    bool expanded() const { return m_expanded; }
    void setExpanded(bool expanded);
    int shown() const { return m_shown; }
    int total() const { return int(m_blocks.size()); }

    void classBegin() override;
    void componentComplete() override;

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    /** @brief One block: a range of the text and how to draw it. */
    struct Block
    {
        qsizetype start = 0;
        qsizetype length = 0;
        Kind kind = Kind::Markdown;
        bool joinsPrevious = false;
        QString fence; ///< a code block's opening fence ("```", "~~~~"); "" outside code
        QString language;
        bool closed = true; ///< a code block whose closing fence has arrived, or any non-last block
        bool operator==(const Block &) const = default;
    };
    /** @brief Splits @p text from @p from; @p resumeIn is the block that started there (an open
     *  code fence goes on). Plain text is cut only at line ends (or inside a very long line). */
    static QList<Block> split(const QString &text, bool markdown, qsizetype from = 0,
                              const Block *resumeIn = nullptr);

Q_SIGNALS:
    void textChanged();
    void messageRoleChanged();
    void liveChanged();
    void expandedChanged();
    void shownChanged();

private:
    void rebuild(bool appended);
    void revealStep();
    int targetShown() const;
    void setShown(int shown);
    QString blockText(const Block &b) const;

    QString m_text;
    QString m_role;
    bool m_live = false;
    bool m_building = false; ///< QML is still setting the properties: split once it is done
    bool m_expanded = false;
    bool m_collapsible = false;
    int m_shown = 0;
    QList<Block> m_blocks;
    QTimer m_revealTimer;
};

} // namespace arbor::app
