#include "notifications.h"

#include "app.h"
#include "async.h"
#include "conversationlistmodel.h"
#include "uistate.h"

#include "batch/batchmonitor.h"
#include "batch/batchservice.h"
#include "chat/chatevents.h"
#include "chat/chatservice.h"
#include "core/backend.h"
#include "domain/message.h"
#include "llm/providerregistry.h"
#include "usage/usageservice.h"

#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcNotify)

namespace arbor::app {

namespace {

const QString kQueued = domain::toString(domain::MessageStatus::Queued);
const QString kComplete = domain::toString(domain::MessageStatus::Complete);
const QString kError = domain::toString(domain::MessageStatus::Error);
const QString kProviderKey = QStringLiteral("provider:"); // a provider's notice: its key's start
const QString kRunKey = QStringLiteral("run:");           // a batch run's notice

} // namespace

Notifications *Notifications::create(QQmlEngine *qmlEngine, QJSEngine *jsEngine)
{
    return App::singleton(qmlEngine, jsEngine, &App::notifications);
}

Notifications::Notifications(core::Backend *backend, ConversationListModel *list, UiState *state,
                             DesktopNotifier *notifier, QObject *parent)
    : QObject(parent)
    , m_backend(backend)
    , m_list(list)
    , m_state(state)
    , m_notifier(notifier)
{
    connect(m_notifier, &DesktopNotifier::activated, this, [this](const QString &key) {
        if (key.startsWith(kProviderKey))
            Q_EMIT settingsRequested();
        else if (!key.startsWith(kRunKey))
            Q_EMIT openRequested(key);
    });
    if (!m_backend)
        return;
    auto &events = m_backend->events();
    connect(&events, &chat::ChatEvents::messageCreated, this, &Notifications::onCreated);
    connect(&events, &chat::ChatEvents::messageStateChanged, this, &Notifications::onStateChanged);
    connect(&m_backend->batch().monitor(), &batch::BatchMonitor::runEnded, this,
            &Notifications::tellRun);
}

Notifications::~Notifications() = default;

void Notifications::setWindowActive(bool active)
{
    if (active == m_windowActive)
        return;
    m_windowActive = active;
    Q_EMIT windowActiveChanged();
}

bool Notifications::replyNotices() const
{
    return m_state->replyNotices();
}

void Notifications::setReplyNotices(bool on)
{
    if (on == replyNotices())
        return;
    m_state->setReplyNotices(on);
    Q_EMIT replyNoticesChanged();
}

bool Notifications::providerNotices() const
{
    return m_state->providerNotices();
}

void Notifications::setProviderNotices(bool on)
{
    if (on == providerNotices())
        return;
    m_state->setProviderNotices(on);
    Q_EMIT providerNoticesChanged();
}

QString Notifications::excerpt(const QString &text, qsizetype max)
{
    const QString line = text.simplified();
    if (line.size() <= max)
        return line;
    return line.left(max - 1).trimmed() + QChar(0x2026);
}

void Notifications::onCreated(const domain::Message &message)
{
    if (message.role != QLatin1String("assistant") || m_replies.contains(message.id))
        return;
    Reply reply{message.conversationId, {}};
    reply.since.start();
    m_replies.insert(message.id, reply);
}

void Notifications::onStateChanged(const QString &conversationId, const QString &messageId,
                                   const QString &status, const QString &error)
{
    auto it = m_replies.find(messageId);
    if (it == m_replies.end()) {
        // A reply this window did not see created (continued, or run by another process).
        Reply reply{conversationId, {}};
        reply.since.start();
        it = m_replies.insert(messageId, reply);
    }
    const bool retrying = status == kQueued && !error.isEmpty();
    const bool ended = status == kComplete || status == kError
        || status == domain::toString(domain::MessageStatus::Cancelled)
        || status == domain::toString(domain::MessageStatus::Interrupted);
    if (!retrying && !ended)
        return;
    const qint64 tookMs = it->since.elapsed();
    if (ended)
        m_replies.erase(it);
    if (status != kComplete && status != kError && !retrying)
        return; // cancelled or interrupted: nothing to tell
    // The provider, the model and the text come from the stored reply.
    whenDone(
        this, m_backend->chat().message(messageId),
        [this, status, error, tookMs](const std::optional<domain::Message> &message) {
            if (message)
                tell(*message, status, error, tookMs);
        },
        [](const QString &why) { qCInfo(lcNotify) << "cannot read a finished reply:" << why; });
}

void Notifications::tell(const domain::Message &message, const QString &status,
                         const QString &error, qint64 tookMs)
{
    const bool complete = status == kComplete;
    if (!message.provider.isEmpty())
        tellProvider(message.provider, !complete, error);
    if (status == kQueued || m_windowActive || tookMs < m_longReplyMs || !replyNotices())
        return;
    Notice notice;
    notice.key = message.conversationId;
    const QString title = conversationTitle(message.conversationId);
    if (complete) {
        notice.summary = title.isEmpty() ? tr("%1 replied").arg(message.author)
                                         : tr("%1 replied in “%2”").arg(message.author, title);
        notice.body = excerpt(message.content);
    } else {
        notice.summary = title.isEmpty()
            ? tr("A reply from %1 failed").arg(message.author)
            : tr("A reply from %1 failed in “%2”").arg(message.author, title);
        notice.body = excerpt(error.isEmpty() ? message.error : error);
        notice.urgent = true;
    }
    m_notifier->show(notice);
}

void Notifications::tellProvider(const QString &providerId, bool failing, const QString &error)
{
    const auto known = m_failing.constFind(providerId);
    const bool wasFailing = known != m_failing.cend() && *known;
    m_failing.insert(providerId, failing);
    if (failing == wasFailing)
        return; // no change (a provider not seen before starts out working)
    // A recovery is news only to whom the failure was told.
    if (!failing && !m_toldFailing.remove(providerId))
        return;
    if (!providerNotices())
        return;
    Notice notice;
    notice.key = kProviderKey + providerId;
    const QString name = providerName(providerId);
    if (failing) {
        m_toldFailing.insert(providerId);
        notice.summary = tr("%1 is failing").arg(name);
        notice.body = excerpt(error);
        notice.urgent = true;
    } else {
        notice.summary = tr("%1 works again").arg(name);
        notice.body = tr("Its last reply completed.");
    }
    m_notifier->show(notice);
}

void Notifications::tellRun(const batch::Run &run)
{
    if (!replyNotices())
        return;
    Notice notice;
    notice.key = kRunKey + QString::number(run.id);
    notice.summary = run.state == batch::RunState::Completed
        ? tr("Batch run “%1” completed").arg(run.name)
        : tr("Batch run “%1” was cancelled").arg(run.name);
    notice.body = run.failed > 0
        ? tr("%1 results, %2 failed")
              .arg(usage::countText(run.done + run.failed), usage::countText(run.failed))
        : tr("%1 results").arg(usage::countText(run.done));
    notice.urgent = run.failed > 0;
    m_notifier->show(notice);
}

QString Notifications::conversationTitle(const QString &conversationId) const
{
    const domain::Conversation *conversation = m_list ? m_list->find(conversationId) : nullptr;
    return conversation ? conversation->title : QString();
}

QString Notifications::providerName(const QString &providerId) const
{
    const std::shared_ptr<llm::Provider> provider = m_backend->providers().get(providerId);
    return provider ? provider->displayName() : providerId;
}

} // namespace arbor::app
