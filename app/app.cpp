#include "app.h"

#include "conversationlistmodel.h"
#include "modellistmodel.h"
#include "threadmodel.h"

#include "chat/chatevents.h"
#include "chat/chatservice.h"
#include "core/backend.h"
#include "llm/providerregistry.h"
#include "providers/providerservice.h"
#include "store/store.h"

#include <QCoreApplication>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QQmlEngine>
#include <QThread>
#include <QTimer>

Q_LOGGING_CATEGORY(lcApp, "arbor.app", QtInfoMsg)

namespace arbor::app {

using providers::ProviderService;

namespace {

AppConfig g_config;
App *g_instance = nullptr;

/** @brief The QML shape of a conversation's settings object. */
QVariantMap settingsMap(const QJsonObject &settings)
{
    return {{QStringLiteral("systemPrompt"), settings.value(u"system_prompt").toString()},
            {QStringLiteral("temperature"), settings.value(u"temperature").toDouble(-1)},
            {QStringLiteral("maxTokens"), settings.value(u"max_tokens").toInt(0)}};
}

QString messageOf(QFuture<void> f)
{
    try {
        f.waitForFinished();
    } catch (const std::exception &e) {
        return QString::fromUtf8(e.what());
    }
    return {};
}

} // namespace

void App::setConfig(const AppConfig &config)
{
    g_config = config;
}

App *App::create(QQmlEngine *qmlEngine, QJSEngine *)
{
    Q_ASSERT(QThread::currentThread() == qmlEngine->thread());
    Q_ASSERT(!g_instance);
    // The engine owns the singleton and deletes it (stopping the backend) when it goes.
    return new App(g_config);
}

App *App::instance()
{
    return g_instance;
}

App::App(const AppConfig &config, QObject *parent)
    : QObject(parent)
    , m_backend(std::make_unique<core::Backend>(
          core::BackendOptions{config.dbPath, config.demoRate, true, 4}))
    , m_conversations(new ConversationListModel(this))
    , m_thread(new ThreadModel(*m_backend, this))
    , m_models(new ModelListModel(this))
    , m_storePath(m_backend->store().path())
    , m_search(new SearchModel(this))
{
    g_instance = this;
    try {
        m_backend->open();
        m_ready = true;
    } catch (const std::exception &e) {
        setError(QStringLiteral("Arbor cannot open its store at %1: %2")
                     .arg(m_storePath, QString::fromUtf8(e.what())));
        qCWarning(lcApp) << m_errorText;
    }
    m_jobs = new JobsDashboard(m_ready ? m_backend.get() : nullptr, this);
    m_uiState = new UiState(config.uiStatePath, this);
    m_models->setModels(m_backend->providers().models());
    if (const QString last = m_uiState->lastModelKey(); m_models->indexOfKey(last) >= 0)
        m_modelKey = last;
    else if (m_models->rowCount() > 0)
        m_modelKey = m_models->models().first().key;
    m_providerSettings = new ProviderSettings(m_ready ? m_backend.get() : nullptr, this);
    // Providers added, edited or removed (or their keys arriving from the keychain at start):
    // the picker follows. The demo stands in until the user's default model shows up.
    connect(&m_backend->providerService(), &ProviderService::providersChanged, this, [this] {
        m_models->setModels(m_backend->providers().models());
        // The model used last, once its provider is back; else the user's default model.
        const QString last = m_uiState->lastModelKey();
        const QString preferred =
            m_models->indexOfKey(last) >= 0 ? last : m_backend->providerService().defaultModel();
        const bool onDemo = m_modelKey.isEmpty() || m_modelKey.startsWith(QLatin1String("demo/"));
        if (m_models->indexOfKey(m_modelKey) < 0
            || (onDemo && m_models->indexOfKey(preferred) >= 0)) {
            if (m_models->indexOfKey(preferred) >= 0)
                m_modelKey = preferred;
            else
                m_modelKey = m_models->rowCount() > 0 ? m_models->models().first().key : QString();
        }
        Q_EMIT currentModelKeyChanged();
    });

    connect(m_thread, &ThreadModel::hasLiveChanged, this, &App::busyChanged);
    connect(m_thread, &ThreadModel::loaded, this, &App::refreshLabels);
    connect(m_thread, &ThreadModel::loaded, this, [this] {
        if (!m_pendingScroll.isEmpty() && m_thread->rowOfId(m_pendingScroll) >= 0)
            Q_EMIT scrollToMessage(std::exchange(m_pendingScroll, QString()));
    });
    connect(&m_backend->events(), &chat::ChatEvents::conversationsChanged, this,
            &App::refreshConversations);
    connect(this, &App::currentConversationChanged, this, &App::loadConversationSettings);
    m_conversationSettings = settingsMap({});
    setUpSync();
    if (m_ready)
        refreshConversations();
}

void App::setUpSync()
{
    m_sync = new SyncController(m_ready ? m_backend.get() : nullptr, m_conversations, this);
    // Teammates' rows are in the store: the list and the open thread read them again. The thread
    // keeps its rows and changes only what differs (a teammate's reply grows in place).
    connect(m_sync, &SyncController::remoteChanges, this,
            [this](const QStringList &conversationIds, const QStringList &messageIds) {
                m_thread->noteRemote(
                    messageIds); // a teammate's reply streaming here is not ours to stop
                refreshConversations();
                if (conversationIds.contains(m_currentId))
                    m_thread->reload();
            });
    connect(m_sync, &SyncController::conversationsMoved, this, &App::refreshConversations);
    connect(m_sync, &SyncController::moveFinished, this, [this](bool ok, const QString &error) {
        if (!ok)
            setError(error);
    });
    connect(m_sync, &SyncController::currentWorkspaceChanged, this, [this] {
        const QString workspace = m_sync->currentWorkspace();
        m_conversations->setWorkspaceFilter(workspace);
        const domain::Conversation *current = m_conversations->find(m_currentId);
        if (!m_currentId.isEmpty() && (!current || current->workspaceId != workspace))
            setCurrent({});
    });
    if (m_ready)
        m_sync->start();
}

App::~App()
{
    if (g_instance == this)
        g_instance = nullptr;
    m_sync->shutdown(); // the sync thread uses the store: stop it first
    // Models hold a reference to the backend: disconnect them before it goes.
    m_backend->events().disconnect(m_thread);
    m_backend->close();
}

bool App::busy() const
{
    return m_thread->hasLive();
}

QString App::currentTitle() const
{
    const domain::Conversation *c = m_conversations->find(m_currentId);
    return c ? c->title : QStringLiteral("New conversation");
}

void App::setCurrentModelKey(const QString &key)
{
    if (key == m_modelKey || m_models->indexOfKey(key) < 0)
        return;
    m_modelKey = key;
    m_uiState->setLastModelKey(key);
    Q_EMIT currentModelKeyChanged();
}

QString App::currentModelName() const
{
    return m_models->displayNameOf(m_modelKey);
}

void App::refreshConversations()
{
    // Several changes in a row (send, rename, a reply finishing) cost one read.
    if (m_refreshQueued || !m_ready)
        return;
    m_refreshQueued = true;
    QTimer::singleShot(0, this, [this] {
        m_refreshQueued = false;
        m_backend->chat().conversations().then(
            this, [this](QFuture<QList<domain::Conversation>> f) {
                try {
                    m_conversations->setConversations(f.result());
                    m_sync->conversationsRefreshed();
                } catch (const std::exception &e) {
                    setError(QStringLiteral("Cannot read the conversation list: %1")
                                 .arg(QString::fromUtf8(e.what())));
                    return;
                }
                // The first list read reopens the conversation of the last run (unless one is
                // open).
                if (!std::exchange(m_restoredSession, true) && m_currentId.isEmpty()) {
                    if (const QString last = m_uiState->lastConversationId();
                        m_conversations->find(last))
                        setCurrent(last);
                }
                Q_EMIT currentTitleChanged();
            });
    });
}

void App::setCurrent(const QString &id)
{
    if (id == m_currentId)
        return;
    m_currentId = id;
    m_uiState->setLastConversationId(id);
    setHighlight({}, {});
    m_conversations->setCurrentId(id);
    m_thread->setConversation(id);
    m_sync->setCurrentConversation(id);
    Q_EMIT currentConversationChanged();
    Q_EMIT currentTitleChanged();
}

void App::newConversation()
{
    setCurrent({});
    // A new conversation starts with no parameters, also after another new one.
    m_pendingSettings = {};
    loadConversationSettings();
}

void App::selectConversation(const QString &id)
{
    setCurrent(id);
}

void App::renameConversation(const QString &id, const QString &title)
{
    if (!m_ready)
        return;
    m_backend->chat().rename(id, title).then(this, [this](QFuture<void> f) {
        if (const QString error = messageOf(f); !error.isEmpty())
            setError(QStringLiteral("Cannot rename: %1").arg(error));
    });
}

void App::deleteConversation(const QString &id)
{
    if (!m_ready)
        return;
    const bool wasCurrent = id == m_currentId;
    const domain::Conversation *conversation = m_conversations->find(id);
    const QString title = conversation ? conversation->title : QString();
    if (wasCurrent)
        setCurrent({});
    m_backend->chat().remove(id).then(this, [this, id, title, wasCurrent](QFuture<void> f) {
        if (const QString error = messageOf(f); !error.isEmpty()) {
            setError(QStringLiteral("Cannot delete: %1").arg(error));
            if (wasCurrent && m_currentId.isEmpty())
                setCurrent(id); // refused: the conversation is still there, so show it again
            return;
        }
        m_undo = UndoEntry{std::nullopt, id, title};
        Q_EMIT undoChanged();
    });
}

bool App::send(const QString &text)
{
    if (!m_ready)
        return false;
    if (const QString error = chat::ChatService::validate(text); !error.isEmpty()) {
        setError(error);
        return false;
    }
    chat::SendRequest request;
    request.conversationId = m_currentId;
    request.text = text;
    request.modelKey = m_modelKey;
    if (m_currentId.isEmpty())
        request.settings = m_pendingSettings; // set before the first message: stored with it
    // In a shared conversation the stored leaf may lag what teammates added (or be unset for a
    // conversation that came from them): the reply goes under what the person sees.
    if (m_sync->isShared(m_currentId) && m_thread->rowCount() > 0) {
        const domain::Message &last = m_thread->messageAt(m_thread->rowCount() - 1);
        if (last.conversationId == m_currentId)
            request.parentId = last.id;
    }
    // A new conversation started while a workspace is shown goes into it once stored.
    const QString workspace = m_currentId.isEmpty() ? m_sync->currentWorkspace() : QString();
    // Before then(): in Qt 6.4 a future that failed at once runs the continuation inside then(),
    // and its error must not be dismissed right after it was shown.
    if (!m_errorText.isEmpty())
        dismissError();
    m_backend->chat().send(request).then(
        this, [this, text, workspace, wasNew = m_currentId.isEmpty()](QFuture<chat::SendResult> f) {
            chat::SendResult result;
            try {
                result = f.result();
            } catch (const std::exception &e) {
                setError(QStringLiteral("Could not send: %1").arg(QString::fromUtf8(e.what())));
                Q_EMIT sendFailed(text);
                return;
            }
            if (!workspace.isEmpty())
                m_sync->moveToWorkspace(result.conversationId, workspace);
            // A first message creates the conversation: show it unless the user moved on.
            if (wasNew && m_currentId.isEmpty()) {
                m_pendingSettings = {};
                setCurrent(result.conversationId);
            }
        });
    return true;
}

void App::stop()
{
    const QString id = m_thread->liveMessageId();
    if (!m_ready || id.isEmpty())
        return;
    m_backend->chat().stop(id).then(this, [this](QFuture<bool> f) {
        try {
            if (!f.result())
                qCInfo(lcApp)
                    << "nothing to stop: the reply had already ended or runs in another process";
        } catch (const std::exception &e) {
            setError(
                QStringLiteral("Could not stop the reply: %1").arg(QString::fromUtf8(e.what())));
        }
    });
}

void App::switchSibling(const QString &messageId, int delta)
{
    if (!m_ready)
        return;
    m_backend->chat().switchSibling(messageId, delta).then(this, [this](QFuture<QString> f) {
        try {
            f.waitForFinished();
        } catch (const std::exception &e) {
            setError(QStringLiteral("Cannot switch branch: %1").arg(QString::fromUtf8(e.what())));
        }
    });
}

void App::regenerate(const QString &messageId, const QString &modelKey)
{
    if (!m_ready)
        return;
    m_backend->chat()
        .regenerate(messageId, modelKey)
        .then(this, [this](QFuture<chat::SendResult> f) {
            try {
                m_pendingScroll = f.result().assistant.id;
            } catch (const std::exception &e) {
                setError(QStringLiteral("Cannot regenerate: %1").arg(QString::fromUtf8(e.what())));
            }
        });
}

void App::continueReply(const QString &messageId)
{
    if (!m_ready)
        return;
    m_backend->chat().continueReply(messageId).then(this, [this](QFuture<chat::SendResult> f) {
        try {
            m_pendingScroll = f.result().assistant.id;
        } catch (const std::exception &e) {
            setError(QStringLiteral("Cannot continue: %1").arg(QString::fromUtf8(e.what())));
        }
    });
}

bool App::editMessage(const QString &messageId, const QString &text, bool reply)
{
    if (!m_ready)
        return false;
    if (const QString error = chat::ChatService::validate(text); !error.isEmpty()) {
        setError(error);
        return false;
    }
    m_backend->chat()
        .edit(messageId, text, reply, reply ? m_modelKey : QString())
        .then(this, [this](QFuture<chat::SendResult> f) {
            try {
                m_pendingScroll = f.result().user.id;
            } catch (const std::exception &e) {
                setError(
                    QStringLiteral("Cannot save the edit: %1").arg(QString::fromUtf8(e.what())));
            }
        });
    return true;
}

void App::showMessage(const QString &messageId)
{
    if (!m_ready)
        return;
    if (m_thread->rowOfId(messageId) >= 0) {
        Q_EMIT scrollToMessage(messageId);
        return;
    }
    m_pendingScroll = messageId;
    m_backend->chat().switchTo(messageId).then(this, [this](QFuture<QString> f) {
        try {
            f.waitForFinished();
        } catch (const std::exception &e) {
            setError(
                QStringLiteral("Cannot show that message: %1").arg(QString::fromUtf8(e.what())));
        }
    });
}

void App::deleteSubtree(const QString &messageId)
{
    if (!m_ready)
        return;
    m_backend->chat().removeSubtree(messageId).then(this, [this](QFuture<chat::RemovedSubtree> f) {
        try {
            m_undo = UndoEntry{f.result(), {}, {}};
        } catch (const std::exception &e) {
            setError(QStringLiteral("Cannot delete: %1").arg(QString::fromUtf8(e.what())));
            return;
        }
        Q_EMIT undoChanged();
    });
}

QString App::undoText() const
{
    if (!m_undo)
        return {};
    if (!m_undo->subtree) {
        return QStringLiteral("Deleted “%1”")
            .arg(m_undo->title.isEmpty() ? QStringLiteral("New conversation") : m_undo->title);
    }
    return m_undo->subtree->count == 1
        ? QStringLiteral("Deleted 1 message")
        : QStringLiteral("Deleted %1 messages").arg(m_undo->subtree->count);
}

void App::undo()
{
    if (!m_ready || !m_undo)
        return;
    const UndoEntry entry = *std::exchange(m_undo, std::nullopt);
    Q_EMIT undoChanged();
    if (!entry.subtree) {
        m_backend->chat()
            .restoreConversation(entry.conversationId)
            .then(this, [this, id = entry.conversationId](QFuture<void> f) {
                if (const QString error = messageOf(f); !error.isEmpty()) {
                    setError(QStringLiteral("Cannot undo: %1").arg(error));
                    return;
                }
                setCurrent(id);
            });
        return;
    }
    const chat::RemovedSubtree removed = *entry.subtree;
    if (removed.conversationId != m_currentId)
        setCurrent(removed.conversationId);
    m_backend->chat().restoreSubtree(removed).then(this, [this](QFuture<void> f) {
        if (const QString error = messageOf(f); !error.isEmpty())
            setError(QStringLiteral("Cannot undo: %1").arg(error));
    });
}

void App::setLabel(const QString &messageId, const QString &label)
{
    if (!m_ready)
        return;
    m_backend->chat().setLabel(messageId, label).then(this, [this](QFuture<void> f) {
        if (const QString error = messageOf(f); !error.isEmpty())
            setError(QStringLiteral("Cannot set the label: %1").arg(error));
    });
}

void App::fork(const QString &messageId)
{
    if (!m_ready)
        return;
    m_backend->chat().fork(messageId).then(this, [this](QFuture<QString> f) {
        try {
            setCurrent(f.result());
        } catch (const std::exception &e) {
            setError(QStringLiteral("Cannot fork: %1").arg(QString::fromUtf8(e.what())));
        }
    });
}

void App::search(const QString &text)
{
    const quint64 generation = ++m_searchGeneration;
    m_lastSearch = text;
    if (!m_ready || text.trimmed().isEmpty()) {
        m_search->setHits({});
        return;
    }
    m_backend->chat().search(text, 100).then(
        this, [this, generation](QFuture<QList<store::tree::SearchHit>> f) {
            if (generation != m_searchGeneration)
                return; // the user typed on
            try {
                m_search->setHits(f.result());
            } catch (const std::exception &e) {
                setError(QStringLiteral("Search failed: %1").arg(QString::fromUtf8(e.what())));
            }
        });
}

void App::openMessage(const QString &conversationId, const QString &messageId)
{
    setCurrent(conversationId);
    setHighlight(messageId, termsOf(m_lastSearch));
    m_pendingScroll = messageId;
    showMessage(messageId);
}

QStringList App::termsOf(const QString &query)
{
    static const QStringList operators{QStringLiteral("AND"), QStringLiteral("OR"),
                                       QStringLiteral("NOT"), QStringLiteral("NEAR")};
    QStringList terms;
    QString cleaned = query;
    for (QChar c : {u'"', u'*', u'(', u')', u'^', u':', u'+'})
        cleaned.replace(c, u' ');
    for (const QString &word : cleaned.split(u' ', Qt::SkipEmptyParts)) {
        if (!operators.contains(word) && !terms.contains(word, Qt::CaseInsensitive))
            terms.append(word);
    }
    return terms;
}

void App::setHighlight(const QString &messageId, const QStringList &terms)
{
    if (messageId == m_highlightMessageId && terms == m_highlightTerms)
        return;
    m_highlightMessageId = messageId;
    m_highlightTerms = terms;
    Q_EMIT highlightChanged();
}

void App::loadConversationSettings()
{
    if (!m_ready || m_currentId.isEmpty()) {
        setConversationSettings(settingsMap(m_pendingSettings));
        return;
    }
    m_backend->chat()
        .conversationSettings(m_currentId)
        .then(this, [this, id = m_currentId](QFuture<QJsonObject> f) {
            if (id != m_currentId)
                return; // the user moved on
            try {
                setConversationSettings(settingsMap(f.result()));
            } catch (const std::exception &e) {
                setError(QStringLiteral("Cannot read the conversation's parameters: %1")
                             .arg(QString::fromUtf8(e.what())));
            }
        });
}

bool App::saveConversationSettings(const QString &systemPrompt, double temperature, int maxTokens)
{
    if (!m_ready)
        return false;
    QJsonObject settings;
    if (!systemPrompt.trimmed().isEmpty())
        settings.insert(QStringLiteral("system_prompt"), systemPrompt);
    if (temperature >= 0)
        settings.insert(QStringLiteral("temperature"), temperature);
    if (maxTokens > 0)
        settings.insert(QStringLiteral("max_tokens"), maxTokens);
    if (const QString error = chat::ChatService::validateSettings(settings); !error.isEmpty()) {
        setError(error);
        return false;
    }
    // Before the call: in Qt 6.4 then() may run at once, and its error must stay.
    if (!m_errorText.isEmpty())
        dismissError();
    if (m_currentId.isEmpty()) {
        // Nothing is stored before the first message, which stores these with the conversation.
        m_pendingSettings = settings;
        setConversationSettings(settingsMap(settings));
        return true;
    }
    m_backend->chat()
        .setConversationSettings(m_currentId, settings)
        .then(this, [this, id = m_currentId](QFuture<void> f) {
            if (const QString error = messageOf(f); !error.isEmpty()) {
                setError(QStringLiteral("Cannot save the parameters: %1").arg(error));
                return;
            }
            if (id == m_currentId)
                loadConversationSettings();
        });
    return true;
}

void App::setConversationSettings(const QVariantMap &settings)
{
    if (settings == m_conversationSettings)
        return;
    m_conversationSettings = settings;
    Q_EMIT conversationSettingsChanged();
}

void App::refreshLabels()
{
    if (!m_ready || m_currentId.isEmpty()) {
        if (!m_labels.isEmpty()) {
            m_labels.clear();
            Q_EMIT labelsChanged();
        }
        return;
    }
    m_backend->chat()
        .labels(m_currentId)
        .then(this, [this, id = m_currentId](QFuture<QList<store::tree::TreeNode>> f) {
            if (id != m_currentId)
                return;
            QVariantList labels;
            try {
                for (const auto &n : f.result()) {
                    labels.append(QVariantMap{{QStringLiteral("messageId"), n.id},
                                              {QStringLiteral("label"), n.label},
                                              {QStringLiteral("preview"), n.preview},
                                              {QStringLiteral("messageRole"), n.role}});
                }
            } catch (const std::exception &e) {
                setError(
                    QStringLiteral("Cannot read the labels: %1").arg(QString::fromUtf8(e.what())));
                return;
            }
            if (labels != m_labels) {
                m_labels = labels;
                Q_EMIT labelsChanged();
            }
        });
}

void App::dismissError()
{
    setError({});
}

void App::setError(const QString &text)
{
    if (text == m_errorText)
        return;
    m_errorText = text;
    Q_EMIT errorTextChanged();
}

} // namespace arbor::app
