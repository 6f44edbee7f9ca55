#pragma once

#include "statetypes.h"

#include "domain/message.h"
#include "jobs/job.h"

#include <QAbstractListModel>
#include <QSet>
#include <QTimer>
#include <QtQml/qqml.h>

namespace arbor::core {
class Backend;
}

namespace arbor::app {

/**
 * @brief The visible path (root → current leaf) of one conversation, one row per message.
 *
 * Lives on the GUI thread. Backend events arrive queued; stream deltas are buffered and
 * announced at most once per frame as one dataChanged(ContentRole) per changed row (reasoning:
 * ReasoningRole), so a fast stream costs one repaint per frame however many tokens arrive
 * (STYLE rule 4). Text and reasoning of a streaming message are taken from LiveTexts when
 * loading, then only deltas past that length are applied, so nothing is lost or doubled.
 */
class ThreadModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Use Chat.thread")
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)
    Q_PROPERTY(bool hasLive READ hasLive NOTIFY hasLiveChanged)
    Q_PROPERTY(QString conversationId READ conversationId NOTIFY conversationIdChanged)

public:
    enum Roles {
        IdRole = Qt::UserRole + 1, ///< the message's UUID
        RoleRole,                  ///< "user", "assistant" or "system"
        AuthorRole,                ///< display name: "You" or the model's name
        ContentRole,               ///< the text (live while streaming)
        /** @brief The stored status word ("complete", ...), for C++ callers only: not a QML
         *  role. HACK: kept for tst_synccontroller's threadStatus() until it reads
         *  MessageStatusRole; QML gets the enum. */
        StatusRole,
        ErrorRole,         ///< why it failed or stopped, for the user
        ModelRole,         ///< "provider/model" that wrote it (assistant only)
        IsLiveRole,        ///< true while text may still arrive
        SiblingIndexRole,  ///< 0-based position among its parent's children
        SiblingCountRole,  ///< number of children of its parent
        LabelRole,         ///< the user's bookmark label, "" when none
        IsRetryingRole,    ///< a reply whose last attempt failed and that will be tried again
        RetryAtRole,       ///< when that next attempt runs, ms since the epoch (0 = not known)
        AttemptRole,       ///< attempts its job has made so far (0 = not known)
        MaxAttemptsRole,   ///< attempts its job may make (0 = not known)
        CanRetryRole,      ///< MessageAction::Retry: a failed reply can be asked for again
        NeedsSettingsRole, ///< MessageAction::OpenSettings: a failure whose fix is in Settings
        MessageStatusRole, ///< its status, a MessageStatus value (MessageStatus.Complete, ...)
        CanEditRole,       ///< MessageAction::Edit
        CanRegenerateRole, ///< MessageAction::Regenerate
        CanContinueRole,   ///< MessageAction::Continue
        CanLabelRole,      ///< MessageAction::Label
        CanForkRole,       ///< MessageAction::Fork
        CanDeleteRole,     ///< MessageAction::Delete
        ReasoningRole,     ///< the model's reasoning ("thinking"), live while it streams
        ReasoningMsRole,   ///< how long the model reasoned, ms; -1 unknown (or still reasoning)
        ReasoningLiveRole, ///< reasoning is arriving and no answer text yet
        /// The tools the reply asked to call: JSON (domain/toolcall.h), "" when none; a call
        /// shows here as soon as it is whole, while the reply streams.
        ToolCallsRole,
        UsageRole,     ///< its tokens and cost for people; "" when it has no usage
        FusedFromRole, ///< a fused reply's sources (ids of its siblings); empty for the rest
        /// A note on a reply that is not an error ("" when none): it stopped at the limit on
        /// rounds of tool calls, and Continue (CanContinueRole) goes on.
        NoticeRole,
    };
    Q_ENUM(Roles)

    /** @brief How long deltas are buffered before the view hears of them. */
    static constexpr int CoalesceMs = 16;

    explicit ThreadModel(core::Backend &backend, QObject *parent = nullptr);

    /** @brief Shows @p conversationId ("" = empty thread); loads asynchronously. */
    void setConversation(const QString &conversationId);
    /** @brief Reloads the current conversation's path from the store. */
    void reload();
    /** @brief Reloads only the rows below @p forkId (which stays on the path). */
    void reloadBelow(const QString &forkId);
    /** @brief These messages came from teammates (team sync): they stream on another computer,
     *  so they never make this window busy (hasLive, liveMessageId) nor can it stop them. */
    void noteRemote(const QStringList &messageIds);
    QString conversationId() const { return m_conversationId; }
    bool hasLive() const;
    /** @brief The last live message's id, or "". */
    QString liveMessageId() const;
    const domain::Message &messageAt(int row) const { return m_rows.at(row); }
    /** @brief Row of @p messageId on the visible path, or -1. */
    Q_INVOKABLE int rowOfId(const QString &messageId) const { return rowOf(messageId); }
    /** @brief Whether the message @p messageId of the visible path allows @p action (false when
     *  it is not on the path). The controllers ask this before acting. */
    bool allows(const QString &messageId, MessageAction::Action action) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

Q_SIGNALS:
    void countChanged();
    void hasLiveChanged();
    void conversationIdChanged();
    /** @brief A load finished (the rows now show the stored path). */
    void loaded();

private:
    void applyPath(const QList<domain::Message> &path);
    void onCreated(const domain::Message &message);
    void onDelta(const QString &conversationId, const QString &messageId, qsizetype offset,
                 const QString &text);
    void onReasoningDelta(const QString &conversationId, const QString &messageId, qsizetype offset,
                          const QString &text);
    void onReasoningTimed(const QString &conversationId, const QString &messageId, qint64 ms);
    void onToolCallsChanged(const QString &conversationId, const QString &messageId,
                            const QString &toolCalls);
    void onStateChanged(const QString &conversationId, const QString &messageId,
                        const QString &status, const QString &error);
    void refreshMessage(const QString &messageId);
    void flushDeltas();
    int rowOf(const QString &messageId) const;
    void updateLive(bool before);
    /** @brief Reads the reply jobs of the rows that failed or wait for a retry. */
    void readJobs(const QStringList &messageIds);
    static bool wantsJob(const domain::Message &m);
    /** @brief ReasoningLiveRole: still reasoning, no answer yet. */
    static bool reasoningLive(domain::MessageStatus status, const QString &content,
                              const QString &reasoning);
    static bool reasoningLive(const domain::Message &m)
    {
        return reasoningLive(m.status, m.content, m.reasoning);
    }
    /** @brief What the policy allows for row @p m (its job's last failure, when read). */
    MessageAction::Actions actionsOf(const domain::Message &m) const;

    /** @brief What the job of a reply says about its attempts. */
    struct JobInfo
    {
        qint64 runAt = 0;
        int attempts = 0;
        int maxAttempts = 0;
        bool queued = false;
        jobs::ErrorKind lastErrorKind = jobs::ErrorKind::None;
    };

    core::Backend &m_backend;
    QString m_conversationId;
    QList<domain::Message> m_rows;
    quint64 m_generation = 0;       ///< drops answers to loads that a newer load superseded
    QSet<QString> m_dirty;          ///< rows whose content changed since the last flush
    QSet<QString> m_reasoningDirty; ///< rows whose reasoning changed since the last flush
    QSet<QString> m_remote;         ///< messages written by teammates (see noteRemote())
    QHash<QString, JobInfo> m_jobs; ///< reply jobs of the rows for which wantsJob()
    QTimer m_flushTimer;

    quint64 m_jobsGeneration = 0;        ///< of the latest read of reply jobs
    QHash<QString, quint64> m_jobsAsked; ///< each reply's latest job read (until it answers)
};

} // namespace arbor::app
