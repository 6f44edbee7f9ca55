#include "comparecontroller.h"

#include "async.h"
#include "conversationcontroller.h"
#include "errorcontroller.h"
#include "modelcontroller.h"
#include "modellistmodel.h"
#include "replyparameters.h"

#include "chat/chatevents.h"
#include "chat/chatservice.h"
#include "core/backend.h"

#include <QJsonDocument>

namespace arbor::app {

namespace {

/** @brief The specs of @p text, or the error that says why they are not. */
std::pair<QList<chat::CompareModel>, QString> parse(const QStringList &specs)
{
    QList<chat::CompareModel> models;
    try {
        for (const QString &spec : specs)
            models.append(chat::compare::parseSpec(spec));
    } catch (const std::exception &e) {
        return {{}, QString::fromUtf8(e.what())};
    }
    return {models, chat::compare::validate(models)};
}

} // namespace

CompareController::CompareController(core::Backend *backend, ConversationController *conversations,
                                     ModelController *models, ErrorController *errors,
                                     QObject *parent)
    : QObject(parent)
    , m_backend(backend)
    , m_conversations(conversations)
    , m_models(models)
    , m_errors(errors)
    , m_columns(new CompareColumnsModel(this))
{
    if (!m_backend)
        return;
    auto &events = m_backend->events();
    connect(&events, &chat::ChatEvents::messageDelta, this,
            [this](const QString &, const QString &id, qsizetype offset, const QString &text) {
                m_columns->appendText(id, offset, text);
            });
    connect(
        &events, &chat::ChatEvents::messageStateChanged, this,
        [this](const QString &, const QString &id, const QString &status, const QString &error) {
            if (!m_columns->contains(id))
                return;
            m_columns->setStatus(id, status, error);
            if (!domain::isLive(domain::messageStatusFromString(status)))
                reload(); // the stored figures: first token, usage, cost
        });
    connect(&events, &chat::ChatEvents::messageCreated, this, [this](const domain::Message &m) {
        if (active() && m.parentId == m_userMessageId && m.role == u"assistant")
            reload();
    });
    connect(&events, &chat::ChatEvents::modelSetsChanged, this, &CompareController::loadSets);
    loadSets();
}

QString CompareController::defaultFusePrompt() const
{
    return chat::compare::defaultFusePrompt();
}

int CompareController::minModels() const
{
    return chat::compare::MinModels;
}

int CompareController::maxModels() const
{
    return chat::compare::MaxModels;
}

void CompareController::setSelection(const QStringList &specs)
{
    if (specs == m_selection)
        return;
    m_selection = specs;
    Q_EMIT selectionChanged();
}

QString CompareController::checkSelection(const QStringList &specs) const
{
    return parse(specs).second;
}

QString CompareController::labelFor(const QString &provider, const QString &model,
                                    const QJsonObject &parameters) const
{
    const QString key = provider + QLatin1Char('/') + model;
    QString name = m_models->list()->displayNameOf(key);
    if (name.isEmpty())
        name = key;
    return name + parametersSuffix(parameters);
}

QHash<QString, QString> CompareController::labelsOf(const QList<domain::Message> &replies) const
{
    QHash<QString, QString> labels;
    for (const domain::Message &m : replies) {
        const QString label =
            labelFor(m.provider, m.model, QJsonDocument::fromJson(m.params.toUtf8()).object());
        labels.insert(m.id, m.fusedFrom.isEmpty() ? label : tr("Fused · %1").arg(label));
    }
    return labels;
}

QString CompareController::labelOf(const QString &spec) const
{
    try {
        const chat::CompareModel m = chat::compare::parseSpec(spec);
        return labelFor(m.provider, m.model, m.parameters);
    } catch (const std::exception &) {
        return spec;
    }
}

bool CompareController::send(const QString &text)
{
    if (!m_backend)
        return false;
    if (const QString error = chat::ChatService::validate(text); !error.isEmpty()) {
        m_errors->show(error);
        return false;
    }
    const auto parsed = parse(m_selection);
    const QList<chat::CompareModel> models = parsed.first;
    if (!parsed.second.isEmpty()) {
        m_errors->show(tr("Choose %1 to %2 models to compare: %3")
                           .arg(minModels())
                           .arg(maxModels())
                           .arg(parsed.second));
        return false;
    }
    chat::CompareRequest request;
    request.conversationId = m_conversations->currentId();
    request.text = text;
    request.models = models;
    m_errors->dismiss();
    whenDone(
        this, m_backend->chat().compare(request),
        [this, wasNew = request.conversationId.isEmpty()](const chat::CompareResult &r) {
            if (wasNew)
                m_conversations->adoptNew(r.conversationId);
            ++m_openGeneration; // the new compare shows, not one opened before it
            m_columns->clear();
            m_conversationId = r.conversationId;
            m_userMessageId = r.user.id;
            m_question = r.user.content;
            m_columns->setReplies(r.replies, labelsOf(r.replies));
            m_columns->setCurrent(r.replies.constFirst().id);
            Q_EMIT activeChanged();
            reload();
        },
        [this](const QString &e) { m_errors->show(tr("Could not send: %1").arg(e)); });
    return true;
}

bool CompareController::saveSet(const QString &name, const QStringList &specs)
{
    if (!m_backend)
        return false;
    const auto parsed = parse(specs);
    if (!parsed.second.isEmpty()) {
        m_errors->show(parsed.second);
        return false;
    }
    whenDone(
        this, m_backend->chat().saveModelSet(name, parsed.first), [] {},
        [this](const QString &e) { m_errors->show(tr("Could not save the set: %1").arg(e)); });
    return true;
}

void CompareController::removeSet(const QString &name)
{
    if (!m_backend)
        return;
    whenDone(
        this, m_backend->chat().removeModelSet(name), [](bool) {},
        [this](const QString &e) { m_errors->show(tr("Could not remove the set: %1").arg(e)); });
}

void CompareController::chooseSet(const QString &name)
{
    for (const QVariant &v : std::as_const(m_sets)) {
        const QVariantMap set = v.toMap();
        if (set.value(QStringLiteral("name")).toString() == name)
            setSelection(set.value(QStringLiteral("specs")).toStringList());
    }
}

void CompareController::loadSets()
{
    if (!m_backend)
        return;
    // Saving and removing sets read again; readers answer in any order, so only the latest
    // read's sets count (an older one would bring back a removed set).
    const quint64 generation = ++m_setsGeneration;
    whenDone(
        this, m_backend->chat().modelSets(),
        [this, generation](const QList<chat::ModelSet> &sets) {
            if (generation != m_setsGeneration)
                return;
            m_sets.clear();
            for (const chat::ModelSet &s : sets) {
                QStringList specs, labels;
                for (const chat::CompareModel &m : s.models) {
                    specs.append(m.spec());
                    labels.append(labelFor(m.provider, m.model, m.parameters));
                }
                m_sets.append(QVariantMap{{QStringLiteral("name"), s.name},
                                          {QStringLiteral("specs"), specs},
                                          {QStringLiteral("text"), labels.join(u", ")}});
            }
            Q_EMIT modelSetsChanged();
        },
        [this](const QString &e) { m_errors->show(tr("Could not read model sets: %1").arg(e)); });
}

void CompareController::open(const QString &messageId)
{
    if (!m_backend || messageId.isEmpty())
        return;
    // Two reads in a row: the user may open another compare (or close this one) meanwhile, and
    // readers answer in any order. Only the latest open() shows.
    const quint64 generation = ++m_openGeneration;
    whenDone(
        this, m_backend->chat().message(messageId),
        [this, messageId, generation](const std::optional<domain::Message> &m) {
            if (!m || generation != m_openGeneration)
                return;
            const bool reply = m->role == u"assistant";
            const QString userId = reply ? m->parentId : m->id;
            whenDone(
                this, m_backend->chat().message(userId),
                [this, userId, generation, current = reply ? messageId : QString()](
                    const std::optional<domain::Message> &user) {
                    if (generation != m_openGeneration)
                        return;
                    m_columns->clear();
                    m_userMessageId = userId;
                    m_conversationId = user ? user->conversationId : QString();
                    m_question = user ? user->content : QString();
                    m_columns->setCurrent(current);
                    Q_EMIT activeChanged();
                    reload();
                },
                [this](const QString &e) { m_errors->show(e); });
        },
        [this](const QString &e) { m_errors->show(e); });
}

void CompareController::close()
{
    ++m_openGeneration; // an open() still reading does not show after this
    if (!active())
        return;
    m_userMessageId.clear();
    m_question.clear();
    m_columns->clear();
    Q_EMIT activeChanged();
}

void CompareController::reload()
{
    if (!m_backend || !active())
        return;
    // One read at a time; asked again meanwhile (a column ended while it ran), one more after
    // it, so that the last state is always read.
    if (std::exchange(m_reloadQueued, true)) {
        m_reloadAgain = true;
        return;
    }
    const QString userId = m_userMessageId;
    whenDone(
        this, m_backend->chat().replies(userId),
        [this, userId](const QList<domain::Message> &replies) {
            m_reloadQueued = false;
            if (std::exchange(m_reloadAgain, false))
                reload();
            if (userId != m_userMessageId)
                return;
            m_columns->setReplies(replies, labelsOf(replies));
        },
        [this](const QString &e) {
            m_reloadQueued = false;
            m_reloadAgain = false;
            m_errors->show(e);
        });
}

void CompareController::continueWith(const QString &messageId)
{
    if (!m_backend)
        return;
    whenDone(
        this, m_backend->chat().switchTo(messageId),
        [this, messageId](const QString &) {
            m_columns->setCurrent(messageId);
            close();
        },
        [this](const QString &e) { m_errors->show(tr("Could not switch: %1").arg(e)); });
}

void CompareController::stop(const QString &messageId)
{
    if (!m_backend)
        return;
    whenDone(
        this, m_backend->chat().stop(messageId), [](bool) {},
        [this](const QString &e) { m_errors->show(tr("Could not stop the reply: %1").arg(e)); });
}

int CompareController::stopAll()
{
    int asked = 0;
    for (const QString &id : m_columns->ids()) {
        const domain::Message *m = m_columns->find(id);
        if (m && domain::isLive(m->status)) {
            stop(id);
            ++asked;
        }
    }
    return asked;
}

void CompareController::regenerate(const QString &messageId)
{
    if (!m_backend)
        return;
    whenDone(
        this, m_backend->chat().regenerate(messageId),
        [this](const chat::SendResult &) { reload(); },
        [this](const QString &e) { m_errors->show(tr("Could not regenerate: %1").arg(e)); });
}

bool CompareController::fuse(const QStringList &sourceIds, const QString &modelKey,
                             const QString &prompt)
{
    if (!m_backend || !active())
        return false;
    chat::FuseRequest request;
    request.userMessageId = m_userMessageId;
    request.sourceIds = sourceIds;
    request.modelKey = modelKey;
    request.promptTemplate = prompt;
    whenDone(
        this, m_backend->chat().fuse(request), [this](const chat::SendResult &) { reload(); },
        [this](const QString &e) { m_errors->show(tr("Could not fuse: %1").arg(e)); });
    return true;
}

} // namespace arbor::app
