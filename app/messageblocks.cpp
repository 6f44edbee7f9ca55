#include "messageblocks.h"

namespace arbor::app {

namespace {

bool isBlank(QStringView line)
{
    return line.trimmed().isEmpty();
}

/** @brief "```lang" or "~~~" (up to three spaces in): the fence, with the language in @p language.
 */
QString openingFence(QStringView line, QString *language)
{
    qsizetype i = 0;
    while (i < line.size() && i < 3 && line.at(i) == u' ')
        ++i;
    if (i >= line.size() || (line.at(i) != u'`' && line.at(i) != u'~'))
        return {};
    const QChar c = line.at(i);
    qsizetype j = i;
    while (j < line.size() && line.at(j) == c)
        ++j;
    if (j - i < 3)
        return {};
    const QStringView info = line.mid(j).trimmed();
    if (c == u'`' && info.contains(u'`'))
        return {}; // an inline code span, not a fence
    *language = info.split(u' ').value(0).toString();
    return line.mid(i, j - i).toString();
}

bool isClosingFence(QStringView line, const QString &fence)
{
    const QStringView t = line.trimmed();
    if (t.size() < fence.size() || line.size() - line.trimmed().size() > 6)
        return false;
    for (QChar c : t) {
        if (c != fence.at(0))
            return false;
    }
    return true;
}

/** @brief "- x", "* x", "+ x", "1. x", "1) x": a list item, which keeps its list together. */
bool isListItem(QStringView line)
{
    if (line.size() >= 2 && (line.at(0) == u'-' || line.at(0) == u'*' || line.at(0) == u'+')
        && line.at(1) == u' ')
        return true;
    qsizetype i = 0;
    while (i < line.size() && i < 9 && line.at(i).isDigit())
        ++i;
    return i > 0 && i + 1 < line.size() && (line.at(i) == u'.' || line.at(i) == u')')
        && line.at(i + 1) == u' ';
}

/** @brief A line after a blank one that still belongs to the block above (indented, a list item).
 */
bool continuesBlock(QStringView line)
{
    return line.startsWith(u' ') || line.startsWith(u'\t') || isListItem(line);
}

/** @brief Where to cut [from, from + limit) so that a surrogate pair stays whole. */
qsizetype hardCut(const QString &text, qsizetype from, qsizetype to, qsizetype limit)
{
    qsizetype cut = std::min(to, from + limit);
    if (cut < to && cut > from + 1 && text.at(cut - 1).isHighSurrogate())
        --cut;
    return cut;
}

/** @brief Plain blocks of [from, to): cut at line ends where possible. */
QList<MessageBlocks::Block> splitPlain(const QString &text, qsizetype from, qsizetype to,
                                       bool joinsFirst, MessageBlocks::Kind kind)
{
    QList<MessageBlocks::Block> out;
    qsizetype pos = from;
    const qsizetype n = to;
    bool joins = joinsFirst;
    while (pos < n || out.isEmpty()) {
        qsizetype end = n;
        qsizetype next = n;
        if (n - pos > MessageBlocks::PlainBlockChars) {
            // At a line end in the second half of the block if there is one, else anywhere.
            const qsizetype limit = pos + MessageBlocks::PlainBlockChars;
            const qsizetype half = pos + MessageBlocks::PlainBlockChars / 2;
            const qsizetype found = QStringView(text).sliced(half, limit - half).lastIndexOf(u'\n');
            const qsizetype nl = found < 0 ? -1 : half + found;
            if (nl >= half) {
                end = nl;
                next = nl + 1;
            } else {
                end = next = hardCut(text, pos, n, MessageBlocks::PlainBlockChars);
            }
        }
        MessageBlocks::Block b;
        b.start = pos;
        b.length = end - pos;
        b.kind = kind;
        b.joinsPrevious = joins;
        out.append(b);
        joins = true;
        pos = next;
        if (pos >= n)
            break;
    }
    return out;
}

} // namespace

QList<MessageBlocks::Block> MessageBlocks::split(const QString &text, bool markdown, qsizetype from,
                                                 const Block *resumeIn)
{
    if (!markdown)
        return splitPlain(text, from, text.size(), resumeIn && resumeIn->joinsPrevious,
                          Kind::Plain);

    QList<Block> out;
    const qsizetype n = text.size();
    Block cur;
    bool have = false;
    qsizetype contentEnd = from; // end of the last line that belongs to cur
    bool afterBlank = false;
    auto flush = [&] {
        if (!have)
            return;
        cur.length = std::max<qsizetype>(0, contentEnd - cur.start);
        out.append(cur);
        have = false;
    };
    auto startBlock = [&](qsizetype at, Kind kind, bool joins) {
        cur = Block{};
        cur.start = at;
        cur.kind = kind;
        cur.joinsPrevious = joins;
        contentEnd = at;
        have = true;
    };

    if (resumeIn && resumeIn->kind == Kind::Code && !resumeIn->fence.isEmpty()) {
        startBlock(from, Kind::Code, resumeIn->joinsPrevious);
        cur.fence = resumeIn->fence;
        cur.language = resumeIn->language;
        cur.closed = false;
    }
    // A block cut only because it grew too long joins the one before it (no gap between them).
    bool joinNext = resumeIn && resumeIn->joinsPrevious && resumeIn->kind != Kind::Code;

    qsizetype pos = from;
    while (pos < n) {
        qsizetype eol = text.indexOf(u'\n', pos);
        if (eol < 0)
            eol = n;
        const QStringView line(text.constData() + pos, eol - pos);

        if (have && cur.kind == Kind::Code && !cur.fence.isEmpty()) {
            if (isClosingFence(line, cur.fence)) {
                cur.closed = true;
                flush();
                pos = eol + 1;
                afterBlank = false;
                continue;
            }
            if (contentEnd - cur.start + line.size() > PlainBlockChars && contentEnd > cur.start) {
                // A long listing: go on in a new block that joins this one.
                Block next = cur;
                flush();
                startBlock(pos, Kind::Code, true);
                cur.fence = next.fence;
                cur.language = next.language;
                cur.closed = false;
            }
            contentEnd = eol;
            pos = eol + 1;
            continue;
        }

        QString language;
        if (const QString fence = openingFence(line, &language); !fence.isEmpty()) {
            flush();
            startBlock(std::min(eol + 1, n), Kind::Code, false);
            cur.fence = fence;
            cur.language = language;
            cur.closed = false;
            pos = eol + 1;
            afterBlank = false;
            continue;
        }
        if (isBlank(line)) {
            afterBlank = true;
            pos = eol + 1;
            continue;
        }

        if (have && afterBlank && !continuesBlock(line)) {
            flush();
        } else if (have && contentEnd - cur.start + line.size() > MarkdownBlockChars) {
            flush(); // a long run of lines with no blank one: cut at a line end
            joinNext = true;
        }
        afterBlank = false;

        if (line.size() > MarkdownBlockChars) {
            // One very long line: shown as plain pieces, since a cut may fall inside its markup.
            flush();
            const QList<Block> pieces = splitPlain(text, pos, eol, !out.isEmpty(), Kind::Plain);
            out.append(pieces);
            pos = eol + 1;
            continue;
        }
        if (!have) {
            startBlock(pos, Kind::Markdown, joinNext);
            joinNext = false;
        }
        contentEnd = eol;
        pos = eol + 1;
    }
    flush();
    return out;
}

MessageBlocks::MessageBlocks(QObject *parent)
    : QAbstractListModel(parent)
{
    m_revealTimer.setSingleShot(true);
    m_revealTimer.setInterval(16); // one step per frame
    connect(&m_revealTimer, &QTimer::timeout, this, &MessageBlocks::revealStep);
}

void MessageBlocks::setText(const QString &text)
{
    if (text == m_text)
        return;
    const bool appended = !m_text.isEmpty() && text.startsWith(m_text);
    m_text = text;
    Q_EMIT textChanged();
    rebuild(appended);
}

void MessageBlocks::setMessageRole(const QString &role)
{
    if (role == m_role)
        return;
    m_role = role;
    Q_EMIT messageRoleChanged();
    rebuild(false);
}

void MessageBlocks::setLive(bool live)
{
    if (live == m_live)
        return;
    m_live = live;
    Q_EMIT liveChanged();
    // The last block closes: a full split makes the settled message independent of how it
    // streamed in; only the rows that differ change.
    rebuild(false);
    if (m_shown > 0)
        Q_EMIT dataChanged(index(m_shown - 1), index(m_shown - 1), {BlockKindRole});
}

void MessageBlocks::setExpanded(bool expanded)
{
    if (expanded == m_expanded)
        return;
    m_expanded = expanded;
    Q_EMIT expandedChanged();
    if (m_collapsible && !expanded) {
        m_revealTimer.stop();
        setShown(std::min(total(), 1));
    } else {
        revealStep();
    }
}

void MessageBlocks::classBegin()
{
    m_building = true;
}

void MessageBlocks::componentComplete()
{
    // Text, role and liveness are all known now: one split, not one per property.
    m_building = false;
    rebuild(false);
}

void MessageBlocks::rebuild(bool appended)
{
    if (m_building)
        return;
    const bool markdown = m_role != u"user";
    // Appended text changes only the last block (and adds some): split again from there.
    qsizetype from = 0;
    qsizetype keep = 0;
    const Block *resume = nullptr;
    if (appended && !m_blocks.isEmpty()) {
        keep = m_blocks.size() - 1;
        resume = &m_blocks.last();
        from = resume->start;
        if (resume->kind == Kind::Code && !resume->joinsPrevious) {
            // Back to its fence line, so that the fence is read again.
            from = m_text.lastIndexOf(u'\n', std::max<qsizetype>(0, resume->start - 2)) + 1;
            resume = nullptr;
        }
    }
    const Block resumeCopy = resume ? *resume : Block{};
    QList<Block> fresh = m_blocks.mid(0, keep);
    fresh.append(split(m_text, markdown, from, resume ? &resumeCopy : nullptr));

    const bool wasComplete = m_shown == total();
    const bool collapsible = !markdown && (m_text.size() > CollapseChars || [this] {
        int lines = 0;
        for (QChar c : std::as_const(m_text)) {
            if (c == u'\n' && ++lines > CollapseLines)
                return true;
        }
        return false;
    }());
    m_collapsible = collapsible;

    // Rows (the shown blocks) that changed or went away; the rest stays as it is.
    const int rows = m_shown;
    // While live, the old last row is announced again: its kind shows whether it is still open.
    const int settledRows = m_live ? int(std::max<qsizetype>(0, m_blocks.size() - 1)) : rows;
    int common = 0;
    while (common < rows && common < settledRows && common < fresh.size()
           && fresh.at(common) == m_blocks.at(common))
        ++common;
    const int keptRows = int(std::min<qsizetype>(rows, fresh.size()));
    if (keptRows < rows) {
        beginRemoveRows({}, keptRows, rows - 1);
        m_blocks = fresh;
        m_shown = keptRows;
        endRemoveRows();
    } else {
        m_blocks = fresh;
    }
    if (common < keptRows)
        Q_EMIT dataChanged(index(common), index(keptRows - 1));

    const int target = targetShown();
    if (m_shown > target) {
        setShown(target);
    } else if (m_shown < target) {
        // A message still being written shows what arrives at once (a step at most); a new row
        // builds up step by step.
        if (wasComplete || m_shown == 0)
            revealStep();
        else if (!m_revealTimer.isActive())
            m_revealTimer.start();
    }
    Q_EMIT shownChanged();
}

int MessageBlocks::targetShown() const
{
    if (m_collapsible && !m_expanded)
        return std::min(total(), 1);
    return total();
}

void MessageBlocks::revealStep()
{
    const int target = targetShown();
    if (m_shown >= target) {
        setShown(target);
        return;
    }
    const auto cost = [](const Block &b) {
        return b.kind == Kind::Markdown ? b.length * MarkdownCost : b.length;
    };
    qsizetype spent = 0;
    int next = m_shown;
    while (next < target && (next == m_shown || spent + cost(m_blocks.at(next)) <= StepChars)) {
        spent += cost(m_blocks.at(next));
        ++next;
    }
    setShown(next);
    if (m_shown < target)
        m_revealTimer.start();
}

void MessageBlocks::setShown(int shown)
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
    Q_EMIT shownChanged();
}

QString MessageBlocks::blockText(const Block &b) const
{
    return m_text.mid(b.start, b.length);
}

int MessageBlocks::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_shown;
}

QVariant MessageBlocks::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Block &b = m_blocks.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case BlockTextRole:
        return blockText(b);
    case BlockKindRole:
        // The open tail of a live reply is plain until it closes: Markdown runs once per block.
        if (m_live && b.kind == Kind::Markdown && index.row() == m_blocks.size() - 1)
            return QVariant::fromValue(Kind::Plain);
        return QVariant::fromValue(b.kind);
    case JoinsPreviousRole:
        return b.joinsPrevious;
    case LanguageRole:
        return b.language;
    default:
        return {};
    }
}

QHash<int, QByteArray> MessageBlocks::roleNames() const
{
    return {{BlockTextRole, "blockText"},
            {BlockKindRole, "blockKind"},
            {JoinsPreviousRole, "joinsPrevious"},
            {LanguageRole, "blockLanguage"}};
}

} // namespace arbor::app
