#include "threadmodel.h"

#include "async.h"
#include "messagepolicy.h"
#include "replyparameters.h"

#include "chat/chatevents.h"
#include "chat/chatservice.h"
#include "chat/livetexts.h"
#include "chat/replysession.h"
#include "core/backend.h"
#include "domain/continuation.h"
#include "usage/usageservice.h"

#include <QLoggingCategory>

#include <limits>

Q_LOGGING_CATEGORY(lcThread, "arbor.app.thread", QtInfoMsg)

namespace arbor::app {

using domain::Message;

namespace {

/** @brief The roles that follow a message's status (and its job's): the state and what the
 *  policy allows in it. */
const QList<int> &stateRoles()
{
    static const QList<int> roles{ThreadModel::StatusRole,        ThreadModel::MessageStatusRole,
                                  ThreadModel::IsLiveRole,        ThreadModel::IsRetryingRole,
                                  ThreadModel::RetryAtRole,       ThreadModel::AttemptRole,
                                  ThreadModel::MaxAttemptsRole,   ThreadModel::CanRetryRole,
                                  ThreadModel::NeedsSettingsRole, ThreadModel::CanEditRole,
                                  ThreadModel::CanRegenerateRole, ThreadModel::CanContinueRole,
                                  ThreadModel::CanLabelRole,      ThreadModel::CanForkRole,
                                  ThreadModel::CanDeleteRole,     ThreadModel::NoticeRole};
    return roles;
}

QList<int> withStateRoles(QList<int> roles)
{
    for (int role : stateRoles()) {
        if (!roles.contains(role))
            roles.append(role);
    }
    return roles;
}

} // namespace

ThreadModel::ThreadModel(core::Backend &backend, QObject *parent)
    : QAbstractListModel(parent)
    , m_backend(backend)
{
    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(CoalesceMs);
    m_flushTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_flushTimer, &QTimer::timeout, this, &ThreadModel::flushDeltas);

    auto &events = backend.events();
    connect(&events, &chat::ChatEvents::messageCreated, this, &ThreadModel::onCreated);
    connect(&events, &chat::ChatEvents::messageDelta, this, &ThreadModel::onDelta);
    connect(&events, &chat::ChatEvents::reasoningDelta, this, &ThreadModel::onReasoningDelta);
    connect(&events, &chat::ChatEvents::reasoningTimed, this, &ThreadModel::onReasoningTimed);
    connect(&events, &chat::ChatEvents::toolCallsChanged, this, &ThreadModel::onToolCallsChanged);
    connect(&events, &chat::ChatEvents::messageStateChanged, this, &ThreadModel::onStateChanged);
    connect(&events, &chat::ChatEvents::pathChanged, this,
            [this](const QString &conversationId, const QString &forkId) {
                if (conversationId != m_conversationId)
                    return;
                if (!forkId.isEmpty() && rowOf(forkId) >= 0)
                    reloadBelow(forkId);
                else
                    reload();
            });
}

void ThreadModel::setConversation(const QString &conversationId)
{
    if (conversationId == m_conversationId)
        return;
    m_conversationId = conversationId;
    Q_EMIT conversationIdChanged();
    reload();
}

void ThreadModel::reload()
{
    const quint64 generation = ++m_generation;
    if (m_conversationId.isEmpty()) {
        applyPath({});
        return;
    }
    whenDone(
        this, m_backend.chat().visiblePath(m_conversationId),
        [this, generation](const QList<Message> &path) {
            if (generation == m_generation) // else a newer load (or conversation) superseded it
                applyPath(path);
        },
        [](const QString &error) {
            qCWarning(lcThread) << "loading the conversation failed:" << error;
        });
}

void ThreadModel::reloadBelow(const QString &forkId)
{
    // Only the rows under the fork changed: read those, keep the rest (STYLE rule 6).
    const quint64 generation = ++m_generation;
    whenDone(
        this, m_backend.chat().visiblePathBelow(m_conversationId, forkId),
        [this, generation, forkId](const QList<Message> &below) {
            if (generation != m_generation)
                return;
            const int forkRow = rowOf(forkId);
            if (forkRow < 0 || (!below.isEmpty() && below.first().parentId != forkId)) {
                reload(); // the path moved elsewhere meanwhile
                return;
            }
            applyPath(m_rows.mid(0, forkRow + 1) + below);
        },
        [](const QString &error) { qCWarning(lcThread) << "loading the branch failed:" << error; });
}

void ThreadModel::applyPath(const QList<Message> &stored)
{
    const bool liveBefore = hasLive();
    QList<Message> path = stored;
    for (Message &m : path) {
        // The store lags the stream by up to a flush interval; the live text does not.
        if (domain::isLive(m.status)) {
            if (const auto live = m_backend.liveTexts().text(m.id);
                live && live->size() > m.content.size())
                m.content = *live;
            if (const auto live = m_backend.liveTexts().reasoning(m.id);
                live && live->size() > m.reasoning.size())
                m.reasoning = *live;
            if (const auto live = m_backend.liveTexts().toolCalls(m.id))
                m.toolCalls = *live;
        }
    }

    // Keep the common prefix (a branch switch only touches rows below the fork).
    qsizetype common = 0;
    while (common < path.size() && common < m_rows.size()
           && path.at(common).id == m_rows.at(common).id)
        ++common;
    for (qsizetype i = 0; i < common; ++i) {
        Message &mine = m_rows[i];
        const Message &fresh = path.at(i);
        // A live row may be ahead of what was just read; never move its text backwards.
        const QString content =
            fresh.content.size() >= mine.content.size() || !domain::isLive(mine.status)
            ? fresh.content
            : mine.content;
        const QString reasoning =
            fresh.reasoning.size() >= mine.reasoning.size() || !domain::isLive(mine.status)
            ? fresh.reasoning
            : mine.reasoning;
        const qint64 reasoningMs = fresh.reasoningMs >= 0 ? fresh.reasoningMs : mine.reasoningMs;
        // Only the roles that changed: a teammate's reply reloads here with every checkpoint, and
        // a delegate must not rebuild more than its text for that (STYLE rule 4).
        QList<int> roles;
        if (mine.content != content) {
            roles << ContentRole;
            if (!domain::isLive(fresh.status))
                roles << CanContinueRole; // continuing needs some text
        }
        if (mine.error != fresh.error)
            roles << ErrorRole << IsRetryingRole;
        if (mine.status != fresh.status)
            roles = withStateRoles(roles);
        if (mine.siblingIndex != fresh.siblingIndex || mine.siblingCount != fresh.siblingCount)
            roles << SiblingIndexRole << SiblingCountRole;
        if (mine.label != fresh.label)
            roles << LabelRole;
        if (mine.reasoning != reasoning)
            roles << ReasoningRole;
        if (mine.reasoningMs != reasoningMs)
            roles << ReasoningMsRole;
        if (reasoningLive(mine) != reasoningLive(fresh.status, content, reasoning))
            roles << ReasoningLiveRole;
        if (mine.toolCalls != fresh.toolCalls)
            roles << ToolCallsRole;
        if (usage::messageUsageText(mine) != usage::messageUsageText(fresh))
            roles << UsageRole;
        if (!roles.isEmpty()) {
            mine = fresh;
            mine.content = content;
            mine.reasoning = reasoning;
            mine.reasoningMs = reasoningMs;
            if (roles.contains(ReasoningRole))
                m_reasoningDirty.remove(mine.id);
            if (roles.contains(ContentRole))
                m_dirty.remove(mine.id); // announced here, not again at the next flush
            Q_EMIT dataChanged(index(int(i)), index(int(i)), roles);
        }
    }
    const qsizetype oldCount = m_rows.size();
    if (common < m_rows.size()) {
        beginRemoveRows({}, int(common), int(m_rows.size() - 1));
        m_rows.resize(common);
        endRemoveRows();
    }
    if (common < path.size()) {
        beginInsertRows({}, int(common), int(path.size() - 1));
        m_rows.append(path.mid(common));
        endInsertRows();
    }
    if (oldCount != m_rows.size())
        Q_EMIT countChanged();
    updateLive(liveBefore);
    QStringList withJobs;
    for (const Message &m : std::as_const(m_rows)) {
        if (wantsJob(m))
            withJobs.append(m.id);
    }
    readJobs(withJobs);
    Q_EMIT loaded();
}

void ThreadModel::onCreated(const Message &message)
{
    if (message.conversationId != m_conversationId || m_conversationId.isEmpty()
        || rowOf(message.id) >= 0)
        return;
    const bool continuesPath =
        m_rows.isEmpty() ? message.parentId.isEmpty() : message.parentId == m_rows.last().id;
    if (!continuesPath) {
        reload(); // a new branch: the store knows where the visible path now goes
        return;
    }
    const bool liveBefore = hasLive();
    const int row = int(m_rows.size());
    beginInsertRows({}, row, row);
    m_rows.append(message);
    endInsertRows();
    Q_EMIT countChanged();
    updateLive(liveBefore);
}

void ThreadModel::onDelta(const QString &conversationId, const QString &messageId, qsizetype offset,
                          const QString &text)
{
    if (conversationId != m_conversationId)
        return;
    const int row = rowOf(messageId);
    if (row < 0)
        return;
    Message &m = m_rows[row];
    const bool reasoningBefore = reasoningLive(m);
    const qsizetype have = m.content.size();
    if (offset > have) {
        // A piece is missing (the row was loaded from a store that lagged): take the full text.
        if (const auto live = m_backend.liveTexts().text(messageId))
            m.content = *live;
        else
            refreshMessage(messageId);
    } else if (offset + text.size() > have) {
        m.content.append(QStringView(text).mid(have - offset));
    } else {
        return; // already have it
    }
    if (m.status == domain::MessageStatus::Queued) {
        m.status = domain::MessageStatus::Streaming;
        Q_EMIT dataChanged(index(row), index(row), stateRoles());
    }
    if (reasoningLive(m) != reasoningBefore) // once per reply: the answer began
        Q_EMIT dataChanged(index(row), index(row), {ReasoningLiveRole});
    m_dirty.insert(messageId);
    if (!m_flushTimer.isActive())
        m_flushTimer.start();
}

void ThreadModel::onReasoningDelta(const QString &conversationId, const QString &messageId,
                                   qsizetype offset, const QString &text)
{
    if (conversationId != m_conversationId)
        return;
    const int row = rowOf(messageId);
    if (row < 0)
        return;
    Message &m = m_rows[row];
    const qsizetype have = m.reasoning.size();
    if (offset > have) {
        if (const auto live = m_backend.liveTexts().reasoning(messageId))
            m.reasoning = *live;
        else
            refreshMessage(messageId);
    } else if (offset + text.size() > have) {
        m.reasoning.append(QStringView(text).mid(have - offset));
    } else {
        return;
    }
    if (m.status == domain::MessageStatus::Queued) {
        m.status = domain::MessageStatus::Streaming;
        Q_EMIT dataChanged(index(row), index(row), stateRoles());
    }
    m_reasoningDirty.insert(messageId);
    if (!m_flushTimer.isActive())
        m_flushTimer.start();
}

void ThreadModel::onReasoningTimed(const QString &conversationId, const QString &messageId,
                                   qint64 ms)
{
    if (conversationId != m_conversationId)
        return;
    const int row = rowOf(messageId);
    if (row < 0 || m_rows.at(row).reasoningMs == ms)
        return;
    m_rows[row].reasoningMs = ms;
    Q_EMIT dataChanged(index(row), index(row), {ReasoningMsRole});
}

void ThreadModel::onToolCallsChanged(const QString &conversationId, const QString &messageId,
                                     const QString &toolCalls)
{
    if (conversationId != m_conversationId)
        return;
    const int row = rowOf(messageId);
    if (row < 0 || m_rows.at(row).toolCalls == toolCalls)
        return;
    // The text before the call first: the call shows after it, not before it.
    if (m_dirty.contains(messageId))
        flushDeltas();
    m_rows[row].toolCalls = toolCalls;
    Q_EMIT dataChanged(index(row), index(row), {ToolCallsRole});
}

void ThreadModel::flushDeltas()
{
    for (const QString &id : std::as_const(m_reasoningDirty)) {
        if (const int row = rowOf(id); row >= 0)
            Q_EMIT dataChanged(index(row), index(row), {ReasoningRole, ReasoningLiveRole});
    }
    m_reasoningDirty.clear();
    for (const QString &id : std::as_const(m_dirty)) {
        if (const int row = rowOf(id); row >= 0)
            Q_EMIT dataChanged(index(row), index(row), {ContentRole});
    }
    m_dirty.clear();
}

void ThreadModel::onStateChanged(const QString &conversationId, const QString &messageId,
                                 const QString &status, const QString &error)
{
    if (conversationId != m_conversationId)
        return;
    const int row = rowOf(messageId);
    if (row < 0)
        return;
    const bool liveBefore = hasLive();
    // Text first, then the state: a view renders the final text once, not twice.
    if (m_dirty.contains(messageId) || m_reasoningDirty.contains(messageId))
        flushDeltas();
    Message &m = m_rows[row];
    m.status = domain::messageStatusFromString(status);
    m.error = error;
    m_jobs.remove(messageId); // read again below: the attempt that just ended changed it
    Q_EMIT dataChanged(index(row), index(row), withStateRoles({ErrorRole}));
    if (wantsJob(m))
        readJobs({messageId});
    if (!domain::isLive(m.status)) {
        // The final text is what was stored with the final state; deltas may be in flight.
        refreshMessage(messageId);
    }
    updateLive(liveBefore);
}

void ThreadModel::refreshMessage(const QString &messageId)
{
    whenDone(
        this, m_backend.chat().message(messageId),
        [this, messageId](const std::optional<Message> &stored) {
            const int row = rowOf(messageId);
            if (!stored || row < 0)
                return;
            const bool liveBefore = hasLive();
            Message &m = m_rows[row];
            if (domain::isLive(stored->status)) {
                if (stored->content.size() <= m.content.size()
                    && stored->reasoning.size() <= m.reasoning.size()
                    && stored->toolCalls.size() <= m.toolCalls.size())
                    return;
                if (stored->toolCalls.size() > m.toolCalls.size())
                    m.toolCalls = stored->toolCalls;
                if (stored->content.size() > m.content.size())
                    m.content = stored->content;
                if (stored->reasoning.size() > m.reasoning.size())
                    m.reasoning = stored->reasoning;
            } else {
                const int siblingIndex = m.siblingIndex;
                const int siblingCount = m.siblingCount;
                m = *stored;
                m.siblingIndex = siblingIndex;
                m.siblingCount = siblingCount;
            }
            m_dirty.remove(messageId);
            m_reasoningDirty.remove(messageId);
            Q_EMIT dataChanged(
                index(row), index(row),
                withStateRoles({ContentRole, ErrorRole, ReasoningRole, ReasoningMsRole,
                                ReasoningLiveRole, ToolCallsRole, UsageRole}));
            updateLive(liveBefore);
        },
        [messageId](const QString &error) {
            qCWarning(lcThread) << "reading message" << messageId << "failed:" << error;
        });
}

bool ThreadModel::reasoningLive(domain::MessageStatus status, const QString &content,
                                const QString &reasoning)
{
    return domain::isLive(status) && !reasoning.isEmpty() && content.isEmpty();
}

bool ThreadModel::wantsJob(const Message &m)
{
    // A reply waiting after a failed attempt, or one that failed for good.
    return m.role == u"assistant" && !m.error.isEmpty()
        && (m.status == domain::MessageStatus::Queued || m.status == domain::MessageStatus::Error);
}

void ThreadModel::readJobs(const QStringList &messageIds)
{
    if (messageIds.isEmpty())
        return;
    // Readers answer in any order: for each reply only the answer of the latest read counts.
    const quint64 generation = ++m_jobsGeneration;
    for (const QString &id : messageIds)
        m_jobsAsked.insert(id, generation);
    auto settle = [this, messageIds, generation] {
        for (const QString &id : messageIds) {
            if (m_jobsAsked.value(id) == generation)
                m_jobsAsked.remove(id);
        }
    };
    whenDone(
        this, m_backend.chat().replyJobs(messageIds),
        [this, generation, settle](const QHash<QString, jobs::Job> &found) {
            for (auto it = found.cbegin(); it != found.cend(); ++it) {
                const int row = rowOf(it.key());
                if (row < 0 || m_jobsAsked.value(it.key()) != generation)
                    continue;
                const jobs::Job &job = it.value(); // the newest
                m_jobs.insert(it.key(),
                              {job.runAt, job.attempts, job.maxAttempts,
                               job.state == jobs::JobState::Queued, job.lastErrorKind});
                Q_EMIT dataChanged(index(row), index(row),
                                   {RetryAtRole, AttemptRole, MaxAttemptsRole, NeedsSettingsRole});
            }
            settle();
        },
        [settle](const QString &error) {
            settle();
            qCWarning(lcThread) << "reading reply jobs failed:" << error;
        });
}

int ThreadModel::rowOf(const QString &messageId) const
{
    // Live rows are at the end of the path: search backwards.
    for (qsizetype i = m_rows.size() - 1; i >= 0; --i) {
        if (m_rows.at(i).id == messageId)
            return int(i);
    }
    return -1;
}

bool ThreadModel::hasLive() const
{
    return !liveMessageId().isEmpty();
}

void ThreadModel::noteRemote(const QStringList &messageIds)
{
    const bool liveBefore = hasLive();
    for (const QString &id : messageIds)
        m_remote.insert(id);
    updateLive(liveBefore);
}

QString ThreadModel::liveMessageId() const
{
    for (qsizetype i = m_rows.size() - 1; i >= 0; --i) {
        if (domain::isLive(m_rows.at(i).status) && !m_remote.contains(m_rows.at(i).id))
            return m_rows.at(i).id;
    }
    return {};
}

void ThreadModel::updateLive(bool before)
{
    if (hasLive() != before)
        Q_EMIT hasLiveChanged();
}

int ThreadModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant ThreadModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Message &m = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case ContentRole:
        return m.content;
    case IdRole:
        return m.id;
    case RoleRole:
        return m.role;
    case AuthorRole:
        // A compare column's own parameters follow its model's name, as in the compare view.
        return m.author + parametersSuffix(m.params);
    case StatusRole:
        return domain::toString(m.status);
    case ErrorRole:
        return m.error;
    case ModelRole:
        return m.provider.isEmpty() ? QString() : m.provider + QLatin1Char('/') + m.model;
    case IsLiveRole:
        return domain::isLive(m.status);
    case SiblingIndexRole:
        return m.siblingIndex;
    case SiblingCountRole:
        return m.siblingCount;
    case LabelRole:
        return m.label;
    case IsRetryingRole:
        return MessagePolicy::isRetrying(m);
    case RetryAtRole: {
        const auto it = m_jobs.constFind(m.id);
        return it != m_jobs.cend() && it->queued && m.status == domain::MessageStatus::Queued
            ? it->runAt
            : qint64(0);
    }
    case AttemptRole:
        return m_jobs.value(m.id).attempts;
    case MaxAttemptsRole:
        return m_jobs.value(m.id).maxAttempts;
    case MessageStatusRole:
        return int(MessageStatus::from(m.status));
    case CanRetryRole:
        return actionsOf(m).testFlag(MessageAction::Retry);
    case NeedsSettingsRole:
        return actionsOf(m).testFlag(MessageAction::OpenSettings);
    case CanEditRole:
        return actionsOf(m).testFlag(MessageAction::Edit);
    case CanRegenerateRole:
        return actionsOf(m).testFlag(MessageAction::Regenerate);
    case CanContinueRole:
        return actionsOf(m).testFlag(MessageAction::Continue);
    case CanLabelRole:
        return actionsOf(m).testFlag(MessageAction::Label);
    case CanForkRole:
        return actionsOf(m).testFlag(MessageAction::Fork);
    case CanDeleteRole:
        return actionsOf(m).testFlag(MessageAction::Delete);
    case ReasoningRole:
        return m.reasoning;
    case ReasoningMsRole:
        return int(std::min<qint64>(m.reasoningMs, std::numeric_limits<int>::max()));
    case ReasoningLiveRole:
        return reasoningLive(m);
    case ToolCallsRole:
        return m.toolCalls;
    case UsageRole:
        return usage::messageUsageText(m);
    case FusedFromRole:
        return chat::compare::fusedFrom(m);
    case NoticeRole:
        return domain::stoppedAtToolRoundLimit(m) ? chat::ReplySession::roundLimitNote()
                                                  : QString();
    default:
        return {};
    }
}

MessageAction::Actions ThreadModel::actionsOf(const Message &m) const
{
    const auto it = m_jobs.constFind(m.id);
    return MessagePolicy::allowed(
        m, it != m_jobs.cend() ? std::optional(it->lastErrorKind) : std::nullopt);
}

bool ThreadModel::allows(const QString &messageId, MessageAction::Action action) const
{
    const int row = rowOf(messageId);
    return row >= 0 && actionsOf(m_rows.at(row)).testFlag(action);
}

QHash<int, QByteArray> ThreadModel::roleNames() const
{
    return {{IdRole, "messageId"},
            {RoleRole, "messageRole"},
            {AuthorRole, "messageAuthor"},
            {ContentRole, "messageContent"},
            {MessageStatusRole, "messageStatus"},
            {ErrorRole, "messageError"},
            {ModelRole, "messageModel"},
            {IsLiveRole, "isLive"},
            {SiblingIndexRole, "siblingIndex"},
            {SiblingCountRole, "siblingCount"},
            {LabelRole, "messageLabel"},
            {IsRetryingRole, "isRetrying"},
            {RetryAtRole, "retryAt"},
            {AttemptRole, "attempt"},
            {MaxAttemptsRole, "maxAttempts"},
            {CanRetryRole, "canRetry"},
            {NeedsSettingsRole, "needsSettings"},
            {CanEditRole, "canEdit"},
            {CanRegenerateRole, "canRegenerate"},
            {CanContinueRole, "canContinue"},
            {CanLabelRole, "canLabel"},
            {CanForkRole, "canFork"},
            {CanDeleteRole, "canDelete"},
            {ReasoningRole, "reasoning"},
            {ReasoningMsRole, "reasoningMs"},
            {ReasoningLiveRole, "reasoningLive"},
            {ToolCallsRole, "toolCalls"},
            {UsageRole, "messageUsage"},
            {FusedFromRole, "fusedFrom"},
            {NoticeRole, "messageNotice"}};
}

} // namespace arbor::app
