#include "conversationcontroller.h"

#include "app.h"
#include "async.h"
#include "errorcontroller.h"
#include "threadmodel.h"
#include "uistate.h"
#include "undocontroller.h"

#include "chat/chatevents.h"
#include "chat/chatservice.h"
#include "core/backend.h"

#include <QTimer>

namespace arbor::app {

namespace {

/** @brief The QML shape of a conversation's settings object. */
QVariantMap settingsMap(const QJsonObject &settings)
{
    return {{QStringLiteral("systemPrompt"), settings.value(u"system_prompt").toString()},
            {QStringLiteral("temperature"), settings.value(u"temperature").toDouble(-1)},
            {QStringLiteral("maxTokens"), settings.value(u"max_tokens").toInt(0)},
            {QStringLiteral("thinkingBudget"), settings.value(u"thinking_budget").toInt(0)}};
}

} // namespace

ConversationController *ConversationController::create(QQmlEngine *qmlEngine, QJSEngine *jsEngine)
{
    return App::singleton(qmlEngine, jsEngine, &App::conversationController);
}

ConversationController::ConversationController(core::Backend *backend, ConversationListModel *list,
                                               ThreadModel *thread, UiState *uiState,
                                               ErrorController *errors, UndoController *undo,
                                               QObject *parent)
    : QObject(parent)
    , m_backend(backend)
    , m_list(list)
    , m_thread(thread)
    , m_uiState(uiState)
    , m_errors(errors)
    , m_undo(undo)
    , m_settings(settingsMap({}))
{
    connect(m_thread, &ThreadModel::loaded, this, &ConversationController::refreshLabels);
    connect(this, &ConversationController::currentChanged, this,
            &ConversationController::loadSettings);
    if (m_backend) {
        connect(&m_backend->events(), &chat::ChatEvents::conversationsChanged, this,
                &ConversationController::refresh);
        refresh();
    }
}

QString ConversationController::currentTitle() const
{
    const domain::Conversation *c = m_list->find(m_currentId);
    return c ? c->title : tr("New conversation");
}

void ConversationController::refresh()
{
    // Several changes in a row (send, rename, a reply finishing) cost one read.
    if (m_refreshQueued || !m_backend)
        return;
    m_refreshQueued = true;
    QTimer::singleShot(0, this, [this] {
        m_refreshQueued = false;
        // A change while a read runs reads again, and readers answer in any order: only the
        // latest read's list counts (an older one would bring back a deleted conversation).
        const quint64 generation = ++m_listGeneration;
        whenDone(
            this, m_backend->chat().conversations(),
            [this, generation](const QList<domain::Conversation> &conversations) {
                if (generation != m_listGeneration)
                    return;
                m_list->setConversations(conversations);
                Q_EMIT listRefreshed();
                // The first read reopens the conversation of the last run (unless one is open).
                if (!std::exchange(m_restoredSession, true) && m_currentId.isEmpty()) {
                    if (const QString last = m_uiState->lastConversationId(); m_list->find(last))
                        select(last);
                }
                Q_EMIT currentTitleChanged();
            },
            [this](const QString &error) {
                m_errors->show(tr("Cannot read the conversation list: %1").arg(error));
            });
    });
}

void ConversationController::select(const QString &id)
{
    if (id == m_currentId)
        return;
    m_currentId = id;
    m_uiState->setLastConversationId(id);
    m_list->setCurrentId(id);
    m_thread->setConversation(id);
    Q_EMIT currentChanged();
    Q_EMIT currentTitleChanged();
}

void ConversationController::newConversation()
{
    select({});
    // A new conversation starts with no parameters, also after another new one.
    m_pendingSettings = {};
    loadSettings();
}

void ConversationController::adoptNew(const QString &id)
{
    if (!m_currentId.isEmpty())
        return; // the user moved on: the new conversation waits in the list
    m_pendingSettings = {};
    select(id);
}

void ConversationController::rename(const QString &id, const QString &title)
{
    if (!m_backend)
        return;
    whenFailed(this, m_backend->chat().rename(id, title), [this](const QString &error) {
        m_errors->show(tr("Cannot rename: %1").arg(error));
    });
}

void ConversationController::remove(const QString &id)
{
    if (!m_backend)
        return;
    const bool wasCurrent = id == m_currentId;
    const domain::Conversation *conversation = m_list->find(id);
    const QString title = conversation ? conversation->title : QString();
    if (wasCurrent)
        select({});
    whenDone(
        this, m_backend->chat().remove(id),
        [this, id, title] { m_undo->rememberConversation(id, title); },
        [this, id, wasCurrent](const QString &error) {
            m_errors->show(tr("Cannot delete: %1").arg(error));
            if (wasCurrent && m_currentId.isEmpty())
                select(id); // refused: the conversation is still there, so show it again
        });
}

void ConversationController::loadSettings()
{
    if (!m_backend || m_currentId.isEmpty()) {
        ++m_settingsGeneration;
        setSettings(settingsMap(m_pendingSettings));
        return;
    }
    // Only the latest read counts: the user moved on, or a save read again (readers answer in
    // any order, and an older read has the settings from before the save).
    const quint64 generation = ++m_settingsGeneration;
    whenDone(
        this, m_backend->chat().conversationSettings(m_currentId),
        [this, generation](const QJsonObject &settings) {
            if (generation == m_settingsGeneration)
                setSettings(settingsMap(settings));
        },
        [this](const QString &error) {
            m_errors->show(tr("Cannot read the conversation's parameters: %1").arg(error));
        });
}

bool ConversationController::saveSettings(const QString &systemPrompt, double temperature,
                                          int maxTokens, int thinkingBudget)
{
    if (!m_backend)
        return false;
    QJsonObject settings;
    if (!systemPrompt.trimmed().isEmpty())
        settings.insert(QStringLiteral("system_prompt"), systemPrompt);
    if (temperature >= 0)
        settings.insert(QStringLiteral("temperature"), temperature);
    if (maxTokens > 0)
        settings.insert(QStringLiteral("max_tokens"), maxTokens);
    // Named either way: null turns thinking off (setConversationSettings keeps it otherwise).
    settings.insert(QStringLiteral("thinking_budget"),
                    thinkingBudget > 0 ? QJsonValue(thinkingBudget) : QJsonValue());
    if (const QString error = chat::ChatService::validateSettings(settings); !error.isEmpty()) {
        m_errors->show(error);
        return false;
    }
    m_errors->dismiss();
    if (m_currentId.isEmpty()) {
        // Nothing is stored before the first message, which stores these with the conversation.
        m_pendingSettings = settings;
        if (thinkingBudget <= 0)
            m_pendingSettings.remove(QStringLiteral("thinking_budget"));
        setSettings(settingsMap(settings));
        return true;
    }
    whenDone(
        this, m_backend->chat().setConversationSettings(m_currentId, settings),
        [this, id = m_currentId] {
            if (id == m_currentId)
                loadSettings();
        },
        [this](const QString &error) {
            m_errors->show(tr("Cannot save the parameters: %1").arg(error));
        });
    return true;
}

void ConversationController::setSettings(const QVariantMap &settings)
{
    if (settings == m_settings)
        return;
    m_settings = settings;
    Q_EMIT settingsChanged();
}

void ConversationController::refreshLabels()
{
    // Only the latest read counts: the user moved on, or a label changed since an older read.
    const quint64 generation = ++m_labelsGeneration;
    if (!m_backend || m_currentId.isEmpty()) {
        if (!m_labels.isEmpty()) {
            m_labels.clear();
            Q_EMIT labelsChanged();
        }
        return;
    }
    whenDone(
        this, m_backend->chat().labels(m_currentId),
        [this, generation](const QList<domain::TreeNode> &nodes) {
            if (generation != m_labelsGeneration)
                return;
            QVariantList labels;
            for (const auto &n : nodes) {
                labels.append(QVariantMap{{QStringLiteral("messageId"), n.id},
                                          {QStringLiteral("label"), n.label},
                                          {QStringLiteral("preview"), n.preview},
                                          {QStringLiteral("messageRole"), n.role}});
            }
            if (labels != m_labels) {
                m_labels = labels;
                Q_EMIT labelsChanged();
            }
        },
        [this](const QString &error) {
            m_errors->show(tr("Cannot read the labels: %1").arg(error));
        });
}

} // namespace arbor::app
