#pragma once

#include "blockrows.h"

#include "render/blocksplitter.h"

#include <QAbstractListModel>
#include <QPointer>
#include <QQmlParserStatus>
#include <QTimer>
#include <QtQml/qqml.h>

namespace arbor::app {

/**
 * @brief One message as a list of blocks (DESIGN §6b): a row per Markdown block of a reply
 * (render::BlockSplitter), drawn by a delegate chosen by its kind.
 *
 * While a reply streams, only the text not yet seen is appended to the splitter, closed
 * blocks become rows that never change again, and only the rows of the open block (the tail)
 * are updated; when the reply ends, finish() closes the tail and only the rows of blocks it
 * changed (link definitions) are updated. The open block is a row like any other and is drawn
 * as Markdown while it grows.
 *
 * No message, of any size, holds the window up: text is given to the splitter and rows are
 * made a step per frame, each step bounded in characters (the first at once); a block longer
 * than BlockRows::PartChars is several rows (BlockRow). The user's own text is not Markdown:
 * it is shown as typed, in parts cut at line ends, and a long one starts collapsed (only its
 * first part is made until it is expanded).
 *
 * The model's reasoning, when there is any, is the first row (a Thinking block). A tool call is
 * a row (a ToolCall block) before the first block that starts at or after where the call was
 * made, so a call made after all the text comes last. GUI thread only.
 */
class MessageBlocksModel
    : public QAbstractListModel
    , public QQmlParserStatus
{
    Q_OBJECT
    Q_INTERFACES(QQmlParserStatus)
    QML_ELEMENT
    /** @brief The whole message text (it grows while the message is live). */
    Q_PROPERTY(QString text READ text WRITE setText NOTIFY textChanged)
    /** @brief A model to take the text from instead (its "messageContent" role at sourceRow,
     *  read again when that row changes): the growing text of a reply then never becomes a JS
     *  string, each of which would count its whole size against the JS heap and bring on a
     *  garbage collection (of every object of the window) every few frames. */
    Q_PROPERTY(QAbstractItemModel *source READ source WRITE setSource NOTIFY sourceChanged)
    Q_PROPERTY(int sourceRow READ sourceRow WRITE setSourceRow NOTIFY sourceChanged)
    /** @brief Changes of the source's row wait while set (the text is hidden: the thread behind
     *  the compare view, which streams one of its columns), and are read once when unset. */
    Q_PROPERTY(bool paused READ paused WRITE setPaused NOTIFY pausedChanged)
    /** @brief "user" shows the text as typed; anything else is rendered as Markdown. */
    Q_PROPERTY(QString messageRole READ messageRole WRITE setMessageRole NOTIFY messageRoleChanged)
    /** @brief Text may still arrive: the last block may be open. */
    Q_PROPERTY(bool live READ live WRITE setLive NOTIFY liveChanged)
    /** @brief The model's reasoning; when not empty, the first row is a Thinking block. */
    Q_PROPERTY(QString reasoning READ reasoning WRITE setReasoning NOTIFY reasoningChanged)
    /** @brief The tool calls of a reply: JSON (domain/toolcall.h, the thread model's
     *  "toolCalls" role; taken from the source's row when there is one). Each is a ToolCall row
     *  among the text's rows, after the text written before it ("at"). */
    Q_PROPERTY(QString toolCalls READ toolCalls WRITE setToolCalls NOTIFY toolCallsChanged)
    /** @brief A long message of the user's: it starts collapsed and offers "Show more". */
    Q_PROPERTY(bool collapsible READ collapsible NOTIFY shownChanged)
    /** @brief The user asked to see all of a collapsible message. */
    Q_PROPERTY(bool expanded READ expanded WRITE setExpanded NOTIFY expandedChanged)
    /** @brief Rows made so far; grows a step per frame up to total. */
    Q_PROPERTY(int shown READ shown NOTIFY shownChanged)
    /** @brief Rows of the text read so far (more follow while a long text is being read). */
    Q_PROPERTY(int total READ total NOTIFY shownChanged)
    /** @brief Every row is made and the whole text is read. */
    Q_PROPERTY(bool complete READ complete NOTIFY shownChanged)

public:
    enum Roles {
        KindRole = Qt::UserRole + 1, ///< its kind, a BlockKind value (render::Block::Kind)
        MarkdownRole,                ///< the Markdown to render (text kinds, tables)
        BlockTextRole,               ///< shown as is: code without fences, the user's text
        LanguageRole,                ///< Code: the fence's language ("" when none)
        LevelRole,                   ///< Heading: 1–6
        OrderedRole,                 ///< List: numbered
        RowsRole,                    ///< Table: the cells' text, a list of rows
        AlignmentsRole,              ///< Table: a Qt.AlignLeft/AlignHCenter/AlignRight per column
        ClosedRole,                  ///< the block is complete (no more text will change it)
        ToolNameRole,                ///< ToolCall: the tool
        AsTypedRole,                 ///< the user's text: plain, as typed
        ContinuedRole,               ///< a later part of the block above: drawn without a gap
        LastPartRole,                ///< the block's last part
        ToolIdRole,                  ///< ToolCall: the vendor's id for the call ("" when none)
        ToolStatusRole,              ///< ToolCall: "requested", ... (domain::ToolCall::status)
        ToolResultRole,              ///< ToolCall: what the tool returned ("" while nothing)
        ToolErrorRole,               ///< ToolCall: the result is the tool's error
        ToolIndexRole,               ///< ToolCall: its index among the message's calls
        ToolDurationRole,            ///< ToolCall: how long it ran, ms (-1: not ended)
        ToolServerRole,              ///< ToolCall: the MCP server that ran it
        ToolImagesRole,              ///< ToolCall: the result's images (data: URLs)
    };
    Q_ENUM(Roles)

    /** @brief What one step (one frame) may make, in plain characters (BlockRow::cost()). */
    static constexpr qsizetype StepChars = 16000;
    /** @brief Text given to the splitter in one step. */
    static constexpr qsizetype FeedChars = 32 * 1024;
    /** @brief A user message longer than this (lines or characters) starts collapsed. */
    static constexpr int CollapseLines = 12;
    static constexpr qsizetype CollapseChars = 1500;

    explicit MessageBlocksModel(QObject *parent = nullptr);

    QString text() const { return m_text; }
    void setText(const QString &text);
    QAbstractItemModel *source() const { return m_source; }
    void setSource(QAbstractItemModel *source);
    int sourceRow() const { return m_sourceRow; }
    void setSourceRow(int row);
    bool paused() const { return m_paused; }
    void setPaused(bool paused);
    QString messageRole() const { return m_role; }
    void setMessageRole(const QString &role);
    bool live() const { return m_live; }
    void setLive(bool live);
    QString reasoning() const { return m_reasoning; }
    void setReasoning(const QString &reasoning);
    QString toolCalls() const { return m_toolCallsText; }
    void setToolCalls(const QString &toolCalls);
    bool collapsible() const { return m_collapsible; }
    bool expanded() const { return m_expanded; }
    void setExpanded(bool expanded);
    int shown() const { return m_shown; }
    int total() const { return int(m_rows.size()); }
    bool complete() const;

    /** @brief The whole code of the code block that row @p row is a part of. */
    Q_INVOKABLE QString codeOf(int row) const;
    /** @brief Row @p row (shown or not yet), for tests. */
    const BlockRow &rowAt(int row) const { return m_rows.at(row); }

    void classBegin() override;
    void componentComplete() override;

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

Q_SIGNALS:
    void textChanged();
    void sourceChanged();
    void pausedChanged();
    void messageRoleChanged();
    void liveChanged();
    void reasoningChanged();
    void toolCallsChanged();
    void expandedChanged();
    void shownChanged();

private:
    bool markdown() const { return m_role != u"user"; }
    /** @brief Takes the text (and the tool calls) from the source's row. */
    void pullText();
    /** @brief The rows of the calls made before @p at (from call m_callsDone on), up to
     *  @p next. */
    void callRowsBefore(qsizetype at, qsizetype &next, QList<BlockRow> &rows) const;
    /** @brief Reads the text again from its start. */
    void rebuild();
    /** @brief Gives the splitter a step's worth of the text not yet fed; finishes it once a
     *  message that is not live has been fed whole. */
    void feed();
    /** @brief Rows for the blocks closed since, and the open tail's rows. */
    void syncRows();
    QList<BlockRow> tailRows(const render::Block &tail);
    void finishSplit();
    /** @brief Replaces @p count rows from @p from by @p rows, announcing only what changed. */
    void replaceRows(int from, int count, const QList<BlockRow> &rows);
    BlockRow thinkingRow() const;
    void updateThinking();
    void step();
    void afterChange(bool wasComplete);
    int targetShown() const;
    void setShown(int shown);

    QString m_text;
    QPointer<QAbstractItemModel> m_source;
    int m_sourceRow = -1;
    int m_sourceRole = -1;
    QString m_role;
    QString m_reasoning;
    QString m_toolCallsText;
    QList<domain::ToolCall> m_calls;
    int m_sourceCallsRole = -1;
    bool m_live = false;
    bool m_paused = false;
    bool m_stale = false;    ///< the source changed while paused
    bool m_building = false; ///< QML is still setting the properties: read once it is done
    bool m_expanded = false;
    bool m_collapsible = false;
    int m_shown = 0;
    QList<BlockRow> m_rows;
    int m_head = 0; ///< 1 when row 0 is the reasoning

    render::BlockSplitter m_splitter;
    qsizetype m_fed = 0;        ///< characters of m_text given to the splitter
    qsizetype m_blocksDone = 0; ///< closed blocks made into rows
    QList<int> m_blockRows;     ///< first row of each of those blocks, after the head
    QList<int> m_blockEnds;     ///< the row after each of those blocks' last, after the head
    qsizetype m_callsDone = 0;  ///< tool calls made into rows among the closed blocks
    int m_settled = 0;          ///< rows of closed blocks, head included: they never change
    /** @brief The open tail's parts so far: where it starts, its kind, where its parts start
     *  and their rows (the parts before the last one are final). */
    qsizetype m_tailStart = -1;
    render::Block::Kind m_tailKind = render::Block::Kind::Paragraph;
    QList<qsizetype> m_tailCuts;
    QList<BlockRow> m_tailRows;

    QTimer m_stepTimer;
};

} // namespace arbor::app
