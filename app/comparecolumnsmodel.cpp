#include "comparecolumnsmodel.h"

#include "statetypes.h"

#include "chat/compare.h"
#include "usage/usageservice.h"

#include <QLocale>
#include <QTimer>

#include <algorithm>
#include <utility>

namespace arbor::app {

namespace {

QString ttftText(const domain::Message &m)
{
    const qint64 ms = chat::compare::ttftMs(m);
    if (ms < 0)
        return QStringLiteral("—");
    if (ms < 1000)
        return QStringLiteral("%1 ms").arg(ms);
    return QStringLiteral("%1 s").arg(QLocale().toString(double(ms) / 1000.0, 'f', 1));
}

QString rateText(const domain::Message &m)
{
    const double rate = chat::compare::tokensPerSecond(m);
    if (rate < 0)
        return QStringLiteral("—");
    return QStringLiteral("%1 tok/s").arg(QLocale().toString(rate, 'f', 1));
}

} // namespace

CompareColumnsModel::CompareColumnsModel(QObject *parent)
    : QAbstractListModel(parent)
{
}

int CompareColumnsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_columns.size());
}

QHash<int, QByteArray> CompareColumnsModel::roleNames() const
{
    return {{MessageIdRole, "messageId"},
            {LabelRole, "label"},
            {ModelKeyRole, "modelKey"},
            {StatusRole, "status"},
            {MessageStatusRole, "messageStatus"},
            {IsLiveRole, "isLive"},
            {ContentRole, "messageContent"},
            {HasTextRole, "hasText"},
            {ErrorRole, "error"},
            {TtftRole, "ttft"},
            {RateRole, "rate"},
            {TokensRole, "tokens"},
            {CostRole, "cost"},
            {SourcesRole, "sources"},
            {IsCurrentRole, "isCurrent"}};
}

QVariant CompareColumnsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_columns.size())
        return {};
    const Column &c = m_columns.at(index.row());
    const domain::Message &m = c.message;
    switch (role) {
    case MessageIdRole:
        return m.id;
    case LabelRole:
        return c.label;
    case ModelKeyRole:
        return m.provider + QLatin1Char('/') + m.model;
    case StatusRole:
        return domain::toString(m.status);
    case MessageStatusRole:
        return int(MessageStatus::from(m.status));
    case IsLiveRole:
        return domain::isLive(m.status);
    case ContentRole:
        return m.content;
    case HasTextRole:
        return !m.content.isEmpty();
    case ErrorRole:
        return m.error;
    case TtftRole:
        return ttftText(m);
    case RateRole:
        return rateText(m);
    case TokensRole:
        return m.completionTokens < 0 ? QStringLiteral("—") : usage::countText(m.completionTokens);
    case CostRole:
        return m.costNanos < 0 ? QStringLiteral("—") : usage::costText(m.costNanos, m.currency);
    case SourcesRole: {
        QVariantList out;
        for (const QString &id : chat::compare::fusedFrom(m)) {
            const int row = rowOf(id);
            out.append(QVariantMap{{QStringLiteral("messageId"), id},
                                   {QStringLiteral("number"), row < 0 ? 0 : row + 1}});
        }
        return out;
    }
    case IsCurrentRole:
        return m.id == m_current;
    }
    return {};
}

void CompareColumnsModel::setReplies(const QList<domain::Message> &replies,
                                     const QHash<QString, QString> &labels)
{
    // Keep the view's order of the columns it already shows; new replies go last.
    QList<Column> next;
    QSet<QString> seen;
    QHash<QString, domain::Message> byId;
    for (const domain::Message &m : replies)
        byId.insert(m.id, m);
    for (const Column &c : std::as_const(m_columns)) {
        if (!byId.contains(c.message.id))
            continue;
        Column fresh{byId.value(c.message.id), labels.value(c.message.id, c.label)};
        // Live text taken from deltas may be ahead of the store's: keep the longer.
        if (domain::isLive(fresh.message.status)
            && c.message.content.size() > fresh.message.content.size())
            fresh.message.content = c.message.content;
        next.append(fresh);
        seen.insert(c.message.id);
    }
    for (const domain::Message &m : replies) {
        if (!seen.contains(m.id))
            next.append({m, labels.value(m.id, m.author)});
    }
    const bool sameRows = next.size() == m_columns.size()
        && std::equal(next.cbegin(), next.cend(), m_columns.cbegin(),
                      [](const Column &a, const Column &b) {
                          return a.message.id == b.message.id;
                      });
    if (sameRows) {
        m_columns = next;
        if (!m_columns.isEmpty())
            Q_EMIT dataChanged(index(0), index(int(m_columns.size()) - 1));
        updateLiveCount();
        return;
    }
    beginResetModel();
    m_columns = next;
    reindex();
    endResetModel();
    Q_EMIT countChanged();
    updateLiveCount();
}

void CompareColumnsModel::clear()
{
    if (m_columns.isEmpty())
        return;
    beginResetModel();
    m_columns.clear();
    m_rows.clear();
    m_dirty.clear();
    endResetModel();
    Q_EMIT countChanged();
    updateLiveCount();
}

void CompareColumnsModel::appendText(const QString &messageId, qsizetype offset,
                                     const QString &text)
{
    const int row = m_rows.value(messageId, -1);
    if (row < 0)
        return;
    QString &content = m_columns[row].message.content;
    if (offset > content.size())
        return; // a gap: the next read of the store fills it
    if (offset + text.size() <= content.size())
        return; // already taken
    content.append(QStringView(text).mid(content.size() - offset));
    if (m_columns[row].message.status == domain::MessageStatus::Queued)
        m_columns[row].message.status = domain::MessageStatus::Streaming;
    m_dirty.insert(messageId);
    if (std::exchange(m_flushQueued, true))
        return;
    // Once a frame for one live column; with more, each is shown less often, so the view lays
    // out about as much text per second as it does for one reply (six columns: ~10 times a
    // second each).
    int live = 0;
    for (const Column &c : std::as_const(m_columns))
        live += domain::isLive(c.message.status) ? 1 : 0;
    QTimer::singleShot(16 * std::clamp(live, 1, 6), this, &CompareColumnsModel::flush);
}

void CompareColumnsModel::flush()
{
    m_flushQueued = false;
    for (const QString &id : std::as_const(m_dirty)) {
        const int row = m_rows.value(id, -1);
        if (row >= 0)
            Q_EMIT dataChanged(
                index(row), index(row),
                {ContentRole, HasTextRole, StatusRole, MessageStatusRole, IsLiveRole});
    }
    m_dirty.clear();
}

void CompareColumnsModel::setStatus(const QString &messageId, const QString &status,
                                    const QString &error)
{
    const int row = m_rows.value(messageId, -1);
    if (row < 0)
        return;
    m_columns[row].message.status = domain::messageStatusFromString(status);
    m_columns[row].message.error = error;
    Q_EMIT dataChanged(index(row), index(row),
                       {StatusRole, MessageStatusRole, IsLiveRole, ErrorRole});
    updateLiveCount();
}

void CompareColumnsModel::updateLiveCount()
{
    int live = 0;
    for (const Column &c : std::as_const(m_columns))
        live += domain::isLive(c.message.status) ? 1 : 0;
    if (std::exchange(m_liveCount, live) != live)
        Q_EMIT liveCountChanged();
}

void CompareColumnsModel::setCurrent(const QString &messageId)
{
    if (m_current == messageId)
        return;
    m_current = messageId;
    if (!m_columns.isEmpty())
        Q_EMIT dataChanged(index(0), index(int(m_columns.size()) - 1), {IsCurrentRole});
}

QStringList CompareColumnsModel::ids() const
{
    QStringList out;
    for (const Column &c : m_columns)
        out.append(c.message.id);
    return out;
}

const domain::Message *CompareColumnsModel::find(const QString &messageId) const
{
    const int row = m_rows.value(messageId, -1);
    return row < 0 ? nullptr : &m_columns.at(row).message;
}

void CompareColumnsModel::moveColumn(int from, int to)
{
    const int n = int(m_columns.size());
    if (from < 0 || from >= n || to < 0 || to >= n || from == to)
        return;
    beginMoveRows({}, from, from, {}, to > from ? to + 1 : to);
    m_columns.move(from, to);
    reindex();
    endMoveRows();
    // Fused replies name their sources by column number.
    Q_EMIT dataChanged(index(0), index(n - 1), {SourcesRole});
}

QString CompareColumnsModel::textOf(int row) const
{
    return row >= 0 && row < m_columns.size() ? m_columns.at(row).message.content : QString();
}

int CompareColumnsModel::rowOf(const QString &messageId) const
{
    return m_rows.value(messageId, -1);
}

void CompareColumnsModel::reindex()
{
    m_rows.clear();
    for (int i = 0; i < m_columns.size(); ++i)
        m_rows.insert(m_columns.at(i).message.id, i);
}

} // namespace arbor::app
