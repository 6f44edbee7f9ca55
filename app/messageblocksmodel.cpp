#include "messageblocksmodel.h"

#include "blockkind.h"

#include <limits>
#include <utility>

namespace arbor::app {

namespace {

/** @brief @p text continues what was fed of @p old (@p fed characters): checked at both ends
 *  of what was fed, which a streaming reply never changes, in O(1). */
bool continues(const QString &text, const QString &old, qsizetype fed)
{
    if (fed <= 0 || text.size() < old.size() || old.size() < fed)
        return false;
    constexpr qsizetype Probe = 64;
    const qsizetype head = std::min(fed, Probe);
    const qsizetype tail = std::max<qsizetype>(0, fed - Probe);
    return QStringView(text).first(head) == QStringView(old).first(head)
        && QStringView(text).sliced(tail, fed - tail) == QStringView(old).sliced(tail, fed - tail);
}

bool longUserText(const QString &text)
{
    if (text.size() > MessageBlocksModel::CollapseChars)
        return true;
    int lines = 0;
    for (const QChar c : text) {
        if (c == u'\n' && ++lines > MessageBlocksModel::CollapseLines)
            return true;
    }
    return false;
}

} // namespace

MessageBlocksModel::MessageBlocksModel(QObject *parent)
    : QAbstractListModel(parent)
{
    m_stepTimer.setSingleShot(true);
    m_stepTimer.setInterval(16); // one step per frame
    connect(&m_stepTimer, &QTimer::timeout, this, &MessageBlocksModel::step);
}

void MessageBlocksModel::setText(const QString &text)
{
    if (text.size() == m_text.size() && text == m_text)
        return;
    const bool appended = markdown() && !m_splitter.isFinished() && continues(text, m_text, m_fed);
    const bool wasComplete = complete();
    m_text = text;
    Q_EMIT textChanged();
    if (m_building)
        return;
    if (!appended) {
        rebuild();
        return;
    }
    // Streaming: only the new text is read, only the open block's rows change.
    feed();
    updateThinking();
    afterChange(wasComplete);
}

void MessageBlocksModel::setSource(QAbstractItemModel *source)
{
    if (source == m_source)
        return;
    if (m_source)
        disconnect(m_source, nullptr, this, nullptr);
    m_source = source;
    m_sourceRole = source ? int(source->roleNames().key("messageContent", -1)) : -1;
    m_sourceCallsRole = source ? int(source->roleNames().key("toolCalls", -1)) : -1;
    if (source) {
        connect(source, &QAbstractItemModel::dataChanged, this,
                [this](const QModelIndex &from, const QModelIndex &to, const QList<int> &roles) {
                    if (m_sourceRow >= from.row() && m_sourceRow <= to.row()
                        && (roles.isEmpty() || roles.contains(m_sourceRole)
                            || (m_sourceCallsRole >= 0 && roles.contains(m_sourceCallsRole)))) {
                        if (m_paused)
                            m_stale = true;
                        else
                            pullText();
                    }
                });
        connect(source, &QAbstractItemModel::modelReset, this, &MessageBlocksModel::pullText);
    }
    Q_EMIT sourceChanged();
    pullText();
}

void MessageBlocksModel::setSourceRow(int row)
{
    if (row == m_sourceRow)
        return;
    m_sourceRow = row;
    Q_EMIT sourceChanged();
    pullText();
}

void MessageBlocksModel::setPaused(bool paused)
{
    if (paused == m_paused)
        return;
    m_paused = paused;
    Q_EMIT pausedChanged();
    if (!m_paused && std::exchange(m_stale, false))
        pullText();
}

void MessageBlocksModel::pullText()
{
    if (!m_source || m_sourceRole < 0 || m_sourceRow < 0 || m_sourceRow >= m_source->rowCount())
        return;
    const QModelIndex row = m_source->index(m_sourceRow, 0);
    // The calls first: text that arrives with them is read once, with them in place.
    if (m_sourceCallsRole >= 0)
        setToolCalls(m_source->data(row, m_sourceCallsRole).toString());
    setText(m_source->data(row, m_sourceRole).toString());
}

void MessageBlocksModel::setMessageRole(const QString &role)
{
    if (role == m_role)
        return;
    m_role = role;
    Q_EMIT messageRoleChanged();
    rebuild();
}

void MessageBlocksModel::setLive(bool live)
{
    if (live == m_live)
        return;
    m_live = live;
    Q_EMIT liveChanged();
    if (m_building)
        return;
    updateThinking();
    if (live && m_splitter.isFinished()) {
        rebuild();
    } else if (!live && markdown()) {
        // The splitter finishes on the next step, once the last text has arrived too (the
        // view may hear of the end before it hears of the last words).
        m_stepTimer.start();
        Q_EMIT shownChanged();
    }
}

void MessageBlocksModel::setReasoning(const QString &reasoning)
{
    if (reasoning == m_reasoning)
        return;
    m_reasoning = reasoning;
    Q_EMIT reasoningChanged();
    if (!m_building)
        updateThinking();
}

void MessageBlocksModel::setToolCalls(const QString &toolCalls)
{
    if (toolCalls == m_toolCallsText)
        return;
    const QList<domain::ToolCall> calls = domain::toolcalls::parse(toolCalls);
    m_toolCallsText = toolCalls;
    Q_EMIT toolCallsChanged();
    // Calls made into rows among the closed blocks never change while a reply streams, and a
    // new call is made after all the text so far: then only the rows after them are made again.
    // Anything else (calls of a finished text, a call's result) reads the text again.
    const QList<render::Block> &closed = m_splitter.closedBlocks();
    const qsizetype settledStart = m_blocksDone > 0 ? closed.at(m_blocksDone - 1).start : -1;
    const bool appended = calls.size() >= m_callsDone
        && std::equal(m_calls.cbegin(), m_calls.cbegin() + m_callsDone, calls.cbegin())
        && std::all_of(calls.cbegin() + m_callsDone, calls.cend(),
                       [settledStart](const domain::ToolCall &c) { return c.at > settledStart; });
    m_calls = calls;
    if (m_building || !markdown())
        return;
    if (!appended) {
        rebuild();
        return;
    }
    const bool wasComplete = complete();
    syncRows();
    updateThinking();
    afterChange(wasComplete);
}

void MessageBlocksModel::setExpanded(bool expanded)
{
    if (expanded == m_expanded)
        return;
    m_expanded = expanded;
    Q_EMIT expandedChanged();
    if (m_collapsible && !expanded) {
        m_stepTimer.stop();
        setShown(std::min(total(), m_head + 1));
        Q_EMIT shownChanged();
    } else {
        step();
    }
}

bool MessageBlocksModel::complete() const
{
    if (m_shown != targetShown())
        return false;
    if (!markdown())
        return true;
    return m_fed == m_text.size() && (m_live || m_splitter.isFinished());
}

void MessageBlocksModel::classBegin()
{
    m_building = true;
}

void MessageBlocksModel::componentComplete()
{
    // Text, role and liveness are all known now: one reading, not one per property.
    pullText();
    m_building = false;
    updateThinking();
    rebuild();
}

void MessageBlocksModel::rebuild()
{
    if (m_building)
        return;
    const bool wasComplete = complete();
    m_stepTimer.stop();
    m_splitter = render::BlockSplitter();
    m_fed = 0;
    m_blocksDone = 0;
    m_blockRows.clear();
    m_blockEnds.clear();
    m_callsDone = 0;
    m_settled = m_head;
    m_tailStart = -1;
    m_tailCuts.clear();
    m_tailRows.clear();
    m_collapsible = !markdown() && longUserText(m_text);
    updateThinking();
    if (markdown()) {
        feed();
    } else {
        replaceRows(m_head, int(m_rows.size()) - m_head, BlockRows::plain(m_text));
        m_settled = int(m_rows.size());
    }
    afterChange(wasComplete);
}

void MessageBlocksModel::feed()
{
    const qsizetype n = std::min(m_text.size() - m_fed, FeedChars);
    if (n > 0) {
        m_splitter.append(QStringView(m_text).sliced(m_fed, n));
        m_fed += n;
    }
    if (!m_live && m_fed == m_text.size() && !m_splitter.isFinished())
        finishSplit();
    else
        syncRows();
}

void MessageBlocksModel::callRowsBefore(qsizetype at, qsizetype &next, QList<BlockRow> &rows) const
{
    for (; next < m_calls.size() && m_calls.at(next).at <= at; ++next)
        rows.append(BlockRows::toolCall(m_calls.at(next), int(next)));
}

void MessageBlocksModel::syncRows()
{
    const QList<render::Block> &closed = m_splitter.closedBlocks();
    QList<BlockRow> fresh;
    for (; m_blocksDone < closed.size(); ++m_blocksDone) {
        // The calls made before this block's text come before it.
        callRowsBefore(closed.at(m_blocksDone).start, m_callsDone, fresh);
        m_blockRows.append(m_settled - m_head + int(fresh.size()));
        fresh += BlockRows::rows(closed.at(m_blocksDone));
        m_blockEnds.append(m_settled - m_head + int(fresh.size()));
    }
    const int settled = m_settled + int(fresh.size());
    qsizetype next = m_callsDone;
    const std::optional<render::Block> tail = m_splitter.openTail();
    if (tail)
        callRowsBefore(tail->start, next, fresh);
    if (tail) {
        fresh += tailRows(*tail);
    } else {
        m_tailStart = -1;
        m_tailCuts.clear();
        m_tailRows.clear();
    }
    // Calls made after the text so far (or within the open block) come after it, until the
    // text that follows them shows where they belong.
    callRowsBefore(std::numeric_limits<qsizetype>::max(), next, fresh);
    replaceRows(m_settled, int(m_rows.size()) - m_settled, fresh);
    m_settled = settled;
}

QList<BlockRow> MessageBlocksModel::tailRows(const render::Block &tail)
{
    if (tail.start != m_tailStart || tail.kind != m_tailKind) {
        m_tailStart = tail.start;
        m_tailKind = tail.kind;
        m_tailCuts = {0};
        m_tailRows.clear();
    }
    // The parts before the last one are final: only the last one and any new ones are made.
    const qsizetype keep = m_tailCuts.size() - 1;
    BlockRows::cut(tail.source, tail.kind, m_tailCuts);
    m_tailRows.resize(keep);
    for (qsizetype i = keep; i < m_tailCuts.size(); ++i)
        m_tailRows.append(BlockRows::part(tail, m_tailCuts, i));
    return m_tailRows;
}

void MessageBlocksModel::finishSplit()
{
    const qsizetype reported = m_blocksDone;
    m_splitter.finish();
    syncRows();
    // Blocks made into rows before that finish() gave link definitions to.
    const QList<render::Block> &closed = m_splitter.closedBlocks();
    for (qsizetype i = 0; i < reported; ++i) {
        if (!closed.at(i).changed)
            continue;
        const int from = m_head + m_blockRows.at(i);
        const int to = m_head + m_blockEnds.at(i);
        const QList<BlockRow> rows = BlockRows::rows(closed.at(i));
        const int delta = int(rows.size()) - (to - from);
        replaceRows(from, to - from, rows);
        m_blockEnds[i] += delta;
        for (qsizetype j = i + 1; j < m_blockRows.size(); ++j) {
            m_blockRows[j] += delta;
            m_blockEnds[j] += delta;
        }
        m_settled += delta;
    }
}

void MessageBlocksModel::replaceRows(int from, int count, const QList<BlockRow> &rows)
{
    const int fresh = int(rows.size());
    const int common = std::min(count, fresh);
    // Changed rows, announced run by run (rows that did not change hear nothing).
    for (int i = 0; i < common;) {
        const int r = from + i;
        if (m_rows.at(r) == rows.at(i)) {
            ++i;
        } else if (m_rows.at(r).kind != rows.at(i).kind && r < m_shown) {
            // Another kind is another delegate (a DelegateChooser chooses once): the open
            // block's row goes and comes back, e.g. a paragraph whose second line made it a
            // table.
            beginRemoveRows({}, r, r);
            m_rows.removeAt(r);
            --m_shown;
            endRemoveRows();
            beginInsertRows({}, r, r);
            m_rows.insert(r, rows.at(i));
            ++m_shown;
            endInsertRows();
            ++i;
        } else {
            const int first = i;
            while (i < common && !(m_rows.at(from + i) == rows.at(i))
                   && (m_rows.at(from + i).kind == rows.at(i).kind || from + i >= m_shown)) {
                m_rows[from + i] = rows.at(i);
                ++i;
            }
            const int last = std::min(from + i - 1, m_shown - 1);
            if (from + first <= last)
                Q_EMIT dataChanged(index(from + first), index(last));
        }
    }
    if (fresh < count) {
        const int lo = from + fresh;
        const int hi = from + count - 1;
        if (lo < m_shown) {
            const int shownHi = std::min(hi, m_shown - 1);
            beginRemoveRows({}, lo, shownHi);
            m_rows.remove(lo, count - fresh);
            m_shown -= shownHi - lo + 1;
            endRemoveRows();
        } else {
            m_rows.remove(lo, count - fresh);
        }
    } else if (fresh > count) {
        const int at = from + count;
        const QList<BlockRow> added = rows.mid(count);
        if (at < m_shown) {
            beginInsertRows({}, at, at + int(added.size()) - 1);
            m_rows.insert(at, added.size(), BlockRow{});
            std::copy(added.begin(), added.end(), m_rows.begin() + at);
            m_shown += int(added.size());
            endInsertRows();
        } else {
            m_rows.append(added); // shown by the next steps
        }
    }
}

BlockRow MessageBlocksModel::thinkingRow() const
{
    BlockRow row;
    row.kind = render::Block::Kind::Thinking;
    row.markdown = m_reasoning;
    row.closed = !m_live || !m_text.isEmpty() || !m_calls.isEmpty();
    return row;
}

void MessageBlocksModel::updateThinking()
{
    const bool wanted = !m_reasoning.isEmpty();
    if (wanted && m_head == 0) {
        beginInsertRows({}, 0, 0);
        m_rows.prepend(thinkingRow());
        m_head = 1;
        ++m_settled;
        ++m_shown;
        endInsertRows();
    } else if (!wanted && m_head == 1) {
        beginRemoveRows({}, 0, 0);
        m_rows.removeFirst();
        m_head = 0;
        --m_settled;
        --m_shown;
        endRemoveRows();
    } else if (wanted) {
        const BlockRow row = thinkingRow();
        if (!(row == m_rows.constFirst())) {
            m_rows.first() = row;
            Q_EMIT dataChanged(index(0), index(0));
        }
        return;
    } else {
        return;
    }
    Q_EMIT shownChanged();
}

void MessageBlocksModel::step()
{
    const bool reading =
        markdown() && (m_fed < m_text.size() || (!m_live && !m_splitter.isFinished()));
    if (reading)
        feed();
    const int target = targetShown();
    if (m_shown > target) {
        setShown(target);
    } else if (m_shown < target) {
        qsizetype spent = 0;
        int next = m_shown;
        while (next < target && (next == m_shown || spent + m_rows.at(next).cost() <= StepChars)) {
            spent += m_rows.at(next).cost();
            ++next;
        }
        setShown(next);
    }
    if (!complete())
        m_stepTimer.start();
    Q_EMIT shownChanged();
}

void MessageBlocksModel::afterChange(bool wasComplete)
{
    const int target = targetShown();
    if (m_shown > target) {
        setShown(target);
    } else if (m_shown < target || !complete()) {
        // What arrives in a message that was all shown shows at once (a step at most); a new
        // message builds up step by step.
        if ((wasComplete || m_shown <= m_head) && !m_stepTimer.isActive())
            step();
        else if (!m_stepTimer.isActive())
            m_stepTimer.start();
    }
    Q_EMIT shownChanged();
}

int MessageBlocksModel::targetShown() const
{
    if (m_collapsible && !m_expanded)
        return std::min(total(), m_head + 1);
    return total();
}

void MessageBlocksModel::setShown(int shown)
{
    if (shown == m_shown)
        return;
    if (shown > m_shown) {
        beginInsertRows({}, m_shown, shown - 1);
        m_shown = shown;
        endInsertRows();
    } else {
        beginRemoveRows({}, shown, m_shown - 1);
        m_shown = shown;
        endRemoveRows();
    }
}

QString MessageBlocksModel::codeOf(int row) const
{
    if (row < 0 || row >= m_rows.size() || m_rows.at(row).kind != render::Block::Kind::Code)
        return {};
    int first = row;
    while (first > 0 && m_rows.at(first).continued)
        --first;
    QStringList parts;
    for (int i = first; i < m_rows.size() && (i == first || m_rows.at(i).continued); ++i) {
        if (!m_rows.at(i).text.isEmpty() || i == first)
            parts.append(m_rows.at(i).text);
    }
    return parts.join(u'\n');
}

int MessageBlocksModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_shown;
}

QVariant MessageBlocksModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const BlockRow &row = m_rows.at(index.row());
    switch (role) {
    case KindRole:
        return int(BlockKind::from(row.kind));
    case Qt::DisplayRole:
        return row.asTyped || row.kind == render::Block::Kind::Code ? row.text : row.markdown;
    case MarkdownRole:
        return row.markdown;
    case BlockTextRole:
        return row.text;
    case LanguageRole:
        return row.language;
    case LevelRole:
        return row.level;
    case OrderedRole:
        return row.ordered;
    case RowsRole: {
        QVariantList rows;
        rows.reserve(row.cells.size());
        for (const QStringList &cells : row.cells)
            rows.append(QVariant(cells));
        return rows;
    }
    case AlignmentsRole: {
        QVariantList alignments;
        for (const int a : row.alignments)
            alignments.append(a);
        return alignments;
    }
    case ClosedRole:
        return row.closed;
    case ToolNameRole:
        return row.toolName;
    case AsTypedRole:
        return row.asTyped;
    case ContinuedRole:
        return row.continued;
    case LastPartRole:
        return row.lastPart;
    case ToolIdRole:
        return row.toolId;
    case ToolStatusRole:
        return row.toolStatus;
    case ToolResultRole:
        return row.toolResult;
    case ToolErrorRole:
        return row.toolError;
    case ToolIndexRole:
        return row.toolIndex;
    case ToolDurationRole:
        return row.toolMs;
    case ToolServerRole:
        return row.toolServer;
    case ToolImagesRole:
        return row.toolImages;
    default:
        return {};
    }
}

QHash<int, QByteArray> MessageBlocksModel::roleNames() const
{
    return {{KindRole, "kind"},
            {MarkdownRole, "markdown"},
            {BlockTextRole, "blockText"},
            {LanguageRole, "language"},
            {LevelRole, "level"},
            {OrderedRole, "ordered"},
            {RowsRole, "rows"},
            {AlignmentsRole, "alignments"},
            {ClosedRole, "closed"},
            {ToolNameRole, "toolName"},
            {AsTypedRole, "asTyped"},
            {ContinuedRole, "continued"},
            {LastPartRole, "lastPart"},
            {ToolIdRole, "toolId"},
            {ToolStatusRole, "toolStatus"},
            {ToolResultRole, "toolResult"},
            {ToolErrorRole, "toolError"},
            {ToolIndexRole, "toolIndex"},
            {ToolDurationRole, "toolDurationMs"},
            {ToolServerRole, "toolServer"},
            {ToolImagesRole, "toolImages"}};
}

} // namespace arbor::app
