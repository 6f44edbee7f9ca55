#include "chatservice.h"

#include "chatevents.h"
#include "chatjobhandler.h"
#include "replywrites.h"
#include "toolturns.h"

#include "domain/continuation.h"
#include "domain/ids.h"
#include "jobs/adminqueries.h"
#include "jobs/jobengine.h"
#include "jobs/jobqueries.h"
#include "llm/providerregistry.h"
#include "store/conversationqueries.h"
#include "store/messagequeries.h"
#include "store/store.h"
#include "store/treequeries.h"

#include <QHostInfo>
#include <QJsonDocument>
#include <QLocale>

#include <cmath>

namespace arbor::chat {

using domain::Message;
using domain::MessageStatus;
namespace messages = store::messages;
namespace conversations = store::conversations;

namespace {

struct StopOutcome
{
    bool live = false;
    bool stoppedHere = false; ///< cancelled in the store (the job had not started)
    qint64 runningJobId = 0;  ///< ask the engine to stop this one
    QString conversationId;
};

} // namespace

ChatService::ChatService(store::Store &store, jobs::JobEngine &engine,
                         llm::ProviderRegistry &providers, ChatEvents &events)
    : ChatReader(store::StoreReader(store))
    , m_store(store)
    , m_engine(engine)
    , m_providers(providers)
    , m_events(events)
{
}

QString ChatService::validate(const QString &text)
{
    if (text.trimmed().isEmpty())
        return QStringLiteral("Type a message first.");
    if (text.size() > MaxMessageLength) {
        const QLocale locale;
        return QStringLiteral(
                   "This message has %1 characters; Arbor sends at most %2. Attach long text as a "
                   "file or split it.")
            .arg(locale.toString(text.size()), locale.toString(MaxMessageLength));
    }
    return {};
}

QString ChatService::titleFor(const QString &text)
{
    constexpr qsizetype MaxTitle = 60;
    QString line = text.trimmed().section(QLatin1Char('\n'), 0, 0).simplified();
    if (line.size() > MaxTitle) {
        line.truncate(MaxTitle);
        const qsizetype space = line.lastIndexOf(QLatin1Char(' '));
        if (space > MaxTitle / 2)
            line.truncate(space);
        line += QChar(0x2026);
    }
    return line.isEmpty() ? QStringLiteral("New conversation") : line;
}

ChatService::ModelChoice ChatService::choose(const QString &modelKey) const
{
    const auto [providerId, modelId] = llm::ProviderRegistry::splitKey(modelKey);
    for (const llm::ModelEntry &m : m_providers.models()) {
        if (m.key == modelKey && m_providers.get(providerId))
            return {providerId, modelId, m.displayName};
    }
    throw store::StoreError(
        QStringLiteral("The model “%1” is not available. Pick another model.").arg(modelKey));
}

namespace {

/** @brief What a reply under @p parentId will cost against the provider's tokens/minute budget,
 *  charged when its job is claimed and corrected from the reported usage afterwards: the
 *  context (~4 characters a token) plus a typical answer. */
qint64 estimateTokens(const QSqlDatabase &db, const QString &parentId, const QString &prefix)
{
    constexpr qint64 TypicalAnswerTokens = 1024;
    const qint64 chars =
        prefix.size() + (parentId.isEmpty() ? 0 : messages::pathLength(db, parentId));
    return chars / 4 + TypicalAnswerTokens;
}

} // namespace

namespace writes {

namespace {

/** @brief messages.request of a reply sent with @p options and @p extras: the tool servers it
 *  is offered and a fused reply's prompt; "" when neither. */
QString requestOf(const QJsonObject &options, const ReplyExtras &extras)
{
    QJsonObject request;
    if (const QJsonValue tools = options.value(QLatin1String("tools")); !tools.isUndefined())
        request.insert(QStringLiteral("tools"), tools);
    if (!extras.prompt.isEmpty())
        request.insert(QStringLiteral("prompt"), extras.prompt);
    return request.isEmpty()
        ? QString()
        : QString::fromUtf8(QJsonDocument(request).toJson(QJsonDocument::Compact));
}

} // namespace

Message storeReply(const QSqlDatabase &db, const QString &conversationId, const QString &parentId,
                   const ChatService::ModelChoice &model, const QJsonObject &options, qint64 now,
                   qint64 *jobId, const Message *continued, const ReplyExtras &extras)
{
    Message m;
    if (continued) {
        // A continuation starts with the text it continues, and keeps the reasoning behind it
        // and the tool calls made in it (not what goes back to the vendor: that belongs to the
        // reply as it was).
        m.content = continued->content;
        m.reasoning = continued->reasoning;
        m.reasoningMs = continued->reasoningMs;
        m.toolCalls = continued->toolCalls; // made within the text it starts with
    }
    m.id = domain::newId();
    m.conversationId = conversationId;
    m.parentId = parentId;
    m.role = QStringLiteral("assistant");
    m.author = model.author;
    m.provider = model.providerId;
    m.model = model.modelId;
    m.status = MessageStatus::Queued;
    m.createdAt = now;
    m.fusedFrom = extras.fusedFrom;
    if (!extras.parameters.isEmpty())
        m.params =
            QString::fromUtf8(QJsonDocument(extras.parameters).toJson(QJsonDocument::Compact));
    m.request = requestOf(options, extras);
    messages::insert(db, m);

    jobs::JobSpec spec;
    // A reply with tools runs only where they can run and the user can be asked.
    spec.kind =
        QString::fromLatin1(options.contains(QLatin1String("tools")) ? ChatJobHandler::ToolsKind
                                                                     : ChatJobHandler::Kind);
    spec.queue = model.providerId;
    spec.priority = jobs::Priority::Interactive;
    // A reply that never produced text may run again (after a crash or a retryable error); one
    // with text is never silently redone (ChatJobHandler::recover).
    spec.maxAttempts = 3;
    spec.subjectId = m.id;
    spec.payload = {{QStringLiteral("message_id"), m.id},
                    {QStringLiteral("options"), options},
                    {QStringLiteral("tags"),
                     QJsonObject{{QStringLiteral("conversation"), conversationId},
                                 {QStringLiteral("model"), model.modelId}}}};
    if (!extras.prompt.isEmpty())
        spec.payload.insert(QStringLiteral("prompt"), extras.prompt);
    spec.tokensEstimate = estimateTokens(db, parentId, m.content);
    *jobId = jobs::queries::insert(db, spec, now);
    return m;
}

// A regenerated or continued reply is offered its sibling's servers; the job handler leaves out
// those the conversation turned off since.
QJsonObject toolOptionsOf(const ReplyExtras &extras)
{
    QJsonObject options;
    if (!extras.tools.isUndefined())
        options.insert(QStringLiteral("tools"), extras.tools);
    return options;
}

ReplyExtras extrasOf(const QSqlDatabase &db, const Message &reply)
{
    ReplyExtras extras;
    extras.fusedFrom = reply.fusedFrom;
    extras.parameters = QJsonDocument::fromJson(reply.params.toUtf8()).object();
    const QJsonObject request = QJsonDocument::fromJson(reply.request.toUtf8()).object();
    extras.prompt = request.value(QLatin1String("prompt")).toString();
    extras.tools = request.value(QLatin1String("tools"));
    if (!reply.params.isEmpty() && !reply.request.isEmpty())
        return extras;
    // A reply of an older Arbor kept them only on its job.
    const QList<jobs::Job> found = jobs::queries::forSubject(db, reply.id);
    if (!found.isEmpty()) {
        const QJsonObject &payload = found.constFirst().payload; // newest
        if (reply.params.isEmpty())
            extras.parameters = payload.value(QStringLiteral("parameters")).toObject();
        if (reply.request.isEmpty()) {
            extras.prompt = payload.value(QStringLiteral("prompt")).toString();
            extras.tools =
                payload.value(QStringLiteral("options")).toObject().value(QLatin1String("tools"));
        }
    }
    return extras;
}

Message storeUser(const QSqlDatabase &db, const QString &conversationId, const QString &parentId,
                  const QString &text, qint64 now)
{
    Message m;
    m.id = domain::newId();
    m.conversationId = conversationId;
    m.parentId = parentId;
    m.role = QStringLiteral("user");
    m.author = QStringLiteral("You");
    m.content = text;
    m.status = MessageStatus::Complete;
    m.createdAt = m.finishedAt = now;
    messages::insert(db, m);
    return m;
}

void showLeaf(const QSqlDatabase &db, SendResult &r, const QString &leaf, qint64 now)
{
    store::tree::switchTo(db, leaf, now);
    conversations::touch(db, r.conversationId);
    for (const Message &m : messages::pathTo(db, leaf)) {
        for (Message *mine : {&r.user, &r.assistant}) {
            if (mine->id == m.id) {
                mine->siblingIndex = m.siblingIndex;
                mine->siblingCount = m.siblingCount;
            }
        }
    }
}

} // namespace writes

namespace {

using writes::showLeaf;
using writes::storeReply;
using writes::storeUser;

std::exception_ptr userError(const QString &text)
{
    return std::make_exception_ptr(store::StoreError(text));
}

const QLatin1String kParameters[] = {QLatin1String("system_prompt"), QLatin1String("temperature"),
                                     QLatin1String("max_tokens"), QLatin1String("thinking_budget")};

/** @brief A user-facing error when @p patch holds anything but valid parameters, else "". */
QString validatePatch(const QJsonObject &patch)
{
    for (auto it = patch.begin(); it != patch.end(); ++it) {
        if (std::find(std::begin(kParameters), std::end(kParameters), it.key())
            == std::end(kParameters))
            return QStringLiteral("“%1” is not a conversation parameter.").arg(it.key());
    }
    return ChatService::validateSettings(patch);
}

/** @brief Stores the parameters of @p patch on the conversation (null: back to the default). */
void patchSettings(const QSqlDatabase &db, const QString &conversationId, const QJsonObject &patch)
{
    if (patch.isEmpty())
        return;
    const auto c = conversations::get(db, conversationId);
    if (!c)
        throw store::StoreError(
            QStringLiteral("Conversation %1 does not exist (or was deleted).").arg(conversationId));
    QJsonObject merged = QJsonDocument::fromJson(c->settings.toUtf8()).object();
    for (auto it = patch.begin(); it != patch.end(); ++it) {
        if (it.value().isNull())
            merged.remove(it.key());
        else
            merged.insert(it.key(), it.value());
    }
    conversations::setSettings(db, conversationId, merged);
}

} // namespace

template<class Work>
QFuture<SendResult> ChatService::announce(Work work)
{
    return m_store.write(std::move(work), [this](SendResult r) {
        // Runs after COMMIT: everything announced is durable.
        if (!r.user.id.isEmpty())
            Q_EMIT m_events.messageCreated(r.user);
        if (!r.assistant.id.isEmpty())
            Q_EMIT m_events.messageCreated(r.assistant);
        Q_EMIT m_events.conversationsChanged();
        if (r.jobId != 0)
            m_engine.wake();
        return r;
    });
}

QFuture<SendResult> ChatService::send(const SendRequest &request)
{
    if (const QString error = validate(request.text); !error.isEmpty())
        return QtFuture::makeExceptionalFuture<SendResult>(userError(error));
    if (const QString error = validatePatch(request.settings); !error.isEmpty())
        return QtFuture::makeExceptionalFuture<SendResult>(userError(error));
    ModelChoice model;
    try {
        model = choose(request.modelKey);
    } catch (const store::StoreError &) {
        return QtFuture::makeExceptionalFuture<SendResult>(std::current_exception());
    }

    return announce([request, model](QSqlDatabase &db) {
        const qint64 now = domain::nowMs();
        SendResult r;
        QString parentId = request.parentId;
        if (request.conversationId.isEmpty()) {
            if (!parentId.isEmpty()) {
                // A parent names its conversation.
                const auto parent = messages::get(db, parentId);
                if (!parent)
                    throw store::StoreError(
                        QStringLiteral("Message %1 does not exist.").arg(parentId));
                r.conversationId = parent->conversationId;
            } else {
                domain::Conversation c;
                c.id = domain::newId();
                c.title = titleFor(request.text);
                c.settings = QStringLiteral("{}");
                c.createdAt = c.updatedAt = now;
                conversations::insert(db, c);
                r.conversationId = c.id;
            }
        } else {
            const auto c = conversations::get(db, request.conversationId);
            if (!c)
                throw store::StoreError(
                    QStringLiteral("Conversation %1 does not exist (or was deleted).")
                        .arg(request.conversationId));
            r.conversationId = c->id;
            if (parentId.isEmpty())
                parentId = c->currentLeafId;
        }
        if (!parentId.isEmpty()) {
            const auto parent = messages::get(db, parentId);
            if (!parent || parent->conversationId != r.conversationId)
                throw store::StoreError(
                    QStringLiteral("Message %1 is not part of this conversation.").arg(parentId));
        }
        // The parameters first, in the same transaction: the reply's job reads them when it runs.
        patchSettings(db, r.conversationId, request.settings);
        r.user = storeUser(db, r.conversationId, parentId, request.text, now);
        r.assistant =
            storeReply(db, r.conversationId, r.user.id, model, request.options, now, &r.jobId);
        showLeaf(db, r, r.assistant.id, now);
        return r;
    });
}

QFuture<SendResult> ChatService::replyUnder(const QString &parentId, const QString &modelKey,
                                            const QJsonObject &options, const QJsonObject &settings)
{
    if (const QString error = validatePatch(settings); !error.isEmpty())
        return QtFuture::makeExceptionalFuture<SendResult>(userError(error));
    return announce([this, parentId, modelKey, options, settings](QSqlDatabase &db) {
        const auto parent = messages::get(db, parentId);
        if (!parent)
            throw store::StoreError(QStringLiteral("Message %1 does not exist.").arg(parentId));
        QString key = modelKey;
        if (key.isEmpty() && parent->role == u"assistant")
            key = parent->provider + QLatin1Char('/') + parent->model;
        const ModelChoice model = choose(key);
        const qint64 now = domain::nowMs();
        SendResult r;
        r.conversationId = parent->conversationId;
        patchSettings(db, r.conversationId, settings);
        r.assistant = storeReply(db, r.conversationId, parentId, model, options, now, &r.jobId);
        showLeaf(db, r, r.assistant.id, now);
        return r;
    });
}

QFuture<SendResult> ChatService::regenerate(const QString &assistantMessageId,
                                            const QString &modelKey)
{
    return announce([this, assistantMessageId, modelKey](QSqlDatabase &db) {
        const auto old = messages::get(db, assistantMessageId);
        if (!old || old->role != u"assistant")
            throw store::StoreError(QStringLiteral("Only a reply can be regenerated."));
        const ModelChoice model =
            choose(modelKey.isEmpty() ? old->provider + QLatin1Char('/') + old->model : modelKey);
        const qint64 now = domain::nowMs();
        SendResult r;
        r.conversationId = old->conversationId;
        const writes::ReplyExtras extras = writes::extrasOf(db, *old);
        r.assistant = storeReply(db, r.conversationId, old->parentId, model,
                                 writes::toolOptionsOf(extras), now, &r.jobId, nullptr, extras);
        showLeaf(db, r, r.assistant.id, now);
        return r;
    });
}

// A continuation is offered the tool servers the reply was (its job's options), and one of a
// reply that stopped at the limit on rounds of tool calls (domain::ToolRoundLimit) runs the
// calls of its last round first, then goes on for more rounds (ChatJobHandler).
QFuture<SendResult> ChatService::continueReply(const QString &assistantMessageId,
                                               const QJsonObject &settings)
{
    if (const QString error = validatePatch(settings); !error.isEmpty())
        return QtFuture::makeExceptionalFuture<SendResult>(userError(error));
    return announce([this, assistantMessageId, settings](QSqlDatabase &db) {
        const auto old = messages::get(db, assistantMessageId);
        if (!old || old->role != u"assistant")
            throw store::StoreError(QStringLiteral("Only a reply can be continued."));
        if (!domain::canContinue(*old))
            throw store::StoreError(QStringLiteral(
                "Only a reply that stopped early with some text, or at the limit on rounds of "
                "tool calls, can be continued."));
        const ModelChoice model = choose(old->provider + QLatin1Char('/') + old->model);
        const qint64 now = domain::nowMs();
        SendResult r;
        r.conversationId = old->conversationId;
        patchSettings(db, r.conversationId, settings);
        const writes::ReplyExtras extras = writes::extrasOf(db, *old);
        r.assistant = storeReply(db, r.conversationId, old->parentId, model,
                                 writes::toolOptionsOf(extras), now, &r.jobId, &*old, extras);
        showLeaf(db, r, r.assistant.id, now);
        return r;
    });
}

QFuture<SendResult> ChatService::edit(const QString &userMessageId, const QString &text, bool reply,
                                      const QString &modelKey)
{
    if (const QString error = validate(text); !error.isEmpty())
        return QtFuture::makeExceptionalFuture<SendResult>(userError(error));
    return announce([this, userMessageId, text, reply, modelKey](QSqlDatabase &db) {
        const auto old = messages::get(db, userMessageId);
        if (!old || old->role != u"user")
            throw store::StoreError(QStringLiteral("Only your own messages can be edited."));
        const qint64 now = domain::nowMs();
        SendResult r;
        r.conversationId = old->conversationId;
        r.user = storeUser(db, r.conversationId, old->parentId, text, now);
        if (reply) {
            // The reply uses the model that answered the original, unless told otherwise.
            QString key = modelKey;
            if (key.isEmpty())
                key = messages::latestReplyModel(db, userMessageId);
            if (key.isEmpty())
                key = QStringLiteral("demo/demo");
            r.assistant =
                storeReply(db, r.conversationId, r.user.id, choose(key), {}, now, &r.jobId);
        }
        showLeaf(db, r, reply ? r.assistant.id : r.user.id, now);
        return r;
    });
}

QFuture<QString> ChatService::switchTo(const QString &messageId)
{
    return m_store.write(
        [messageId](QSqlDatabase &db) {
            const QString leaf = store::tree::switchTo(db, messageId, domain::nowMs());
            if (leaf.isEmpty())
                throw store::StoreError(
                    QStringLiteral("Message %1 does not exist.").arg(messageId));
            return std::make_pair(messages::get(db, leaf)->conversationId, leaf);
        },
        [this](std::pair<QString, QString> r) {
            Q_EMIT m_events.pathChanged(r.first);
            return r.second;
        });
}

QFuture<QString> ChatService::switchSibling(const QString &messageId, int delta)
{
    struct Switched
    {
        QString conversationId;
        QString forkId;
        QString leaf;
    };
    return m_store.write(
        [messageId, delta](QSqlDatabase &db) {
            const auto message = messages::get(db, messageId);
            const QString sibling = store::tree::siblingAt(db, messageId, delta);
            if (!message || sibling.isEmpty())
                throw store::StoreError(
                    QStringLiteral("Message %1 does not exist.").arg(messageId));
            if (sibling == messageId)
                return Switched{message->conversationId, message->parentId, {}};
            const QString leaf = store::tree::switchToSibling(db, sibling, domain::nowMs());
            return Switched{message->conversationId, message->parentId, leaf};
        },
        [this](Switched r) {
            if (!r.leaf.isEmpty())
                Q_EMIT m_events.pathChanged(r.conversationId, r.forkId);
            return r.leaf;
        });
}

QFuture<RemovedSubtree> ChatService::removeSubtree(const QString &messageId)
{
    return m_store.write(
        [messageId](QSqlDatabase &db) {
            RemovedSubtree r;
            const auto node = messages::get(db, messageId);
            if (!node || !conversations::get(db, node->conversationId))
                throw store::StoreError(
                    QStringLiteral("Message %1 does not exist.").arg(messageId));
            r.conversationId = node->conversationId;
            r.previousLeaf = conversations::get(db, r.conversationId)->currentLeafId;
            const qint64 now = domain::nowMs();
            r.batch = store::tree::removeSubtree(db, messageId, now);
            // Replies still waiting in the removed part will not be wanted.
            QList<qint64> running;
            for (const QString &id : messages::idsInBatch(db, r.batch)) {
                ++r.count;
                for (const jobs::Job &job : jobs::queries::forSubject(db, id)) {
                    if (job.state == jobs::JobState::Queued)
                        jobs::queries::cancelQueued(db, job.id, now);
                    else if (job.state == jobs::JobState::Running)
                        running.append(job.id);
                }
            }
            return std::make_pair(r, running);
        },
        [this](std::pair<RemovedSubtree, QList<qint64>> r) {
            for (qint64 id : std::as_const(r.second))
                m_engine.cancelRunning(id, jobs::CancelReason::User);
            Q_EMIT m_events.pathChanged(r.first.conversationId);
            return r.first;
        });
}

QFuture<void> ChatService::restoreSubtree(const RemovedSubtree &removed)
{
    return m_store.write(
        [removed](QSqlDatabase &db) {
            store::tree::restore(db, removed.batch);
            if (!removed.previousLeaf.isEmpty())
                store::tree::switchTo(db, removed.previousLeaf, domain::nowMs());
        },
        [this, conversationId = removed.conversationId] {
            Q_EMIT m_events.pathChanged(conversationId);
        });
}

QFuture<void> ChatService::setLabel(const QString &messageId, const QString &label)
{
    return m_store.write(
        [messageId, label](QSqlDatabase &db) {
            store::tree::setLabel(db, messageId, label);
            return messages::get(db, messageId)->conversationId;
        },
        [this](QString conversationId) { Q_EMIT m_events.pathChanged(conversationId); });
}

QFuture<QString> ChatService::fork(const QString &messageId)
{
    return m_store.write(
        [messageId](QSqlDatabase &db) { return store::tree::fork(db, messageId, domain::nowMs()); },
        [this](QString id) {
            Q_EMIT m_events.conversationsChanged();
            return id;
        });
}

QFuture<bool> ChatService::stop(const QString &messageId)
{
    return m_store.write(
        [messageId](QSqlDatabase &db) {
            StopOutcome o;
            const auto message = messages::get(db, messageId);
            if (!message || !domain::isLive(message->status))
                return o;
            o.live = true;
            o.conversationId = message->conversationId;
            const qint64 now = domain::nowMs();
            bool jobActive = false;
            for (const jobs::Job &job : jobs::queries::forSubject(db, messageId)) {
                if (job.state == jobs::JobState::Queued) {
                    jobs::queries::cancelQueued(db, job.id, now);
                } else if (job.state == jobs::JobState::Running) {
                    // It may run in another process (arbord worker, another arbord chat, the
                    // app): that one stops it when it next polls; here it stops at once.
                    jobs::queries::requestCancel(db, job.id, now);
                    o.runningJobId = job.id;
                    jobActive = true;
                }
            }
            if (!jobActive) {
                messages::finish(db, messageId,
                                 {MessageStatus::Cancelled, {}, QStringLiteral("stopped"), -1, -1});
                o.stoppedHere = true;
            }
            return o;
        },
        [this, messageId](StopOutcome o) {
            if (o.stoppedHere)
                Q_EMIT m_events.messageStateChanged(o.conversationId, messageId,
                                                    QStringLiteral("cancelled"), {});
            if (o.runningJobId != 0)
                return m_engine.cancelRunning(o.runningJobId, jobs::CancelReason::User);
            return o.live;
        });
}

QFuture<void> ChatService::rename(const QString &conversationId, const QString &title)
{
    const QString clean = title.simplified();
    if (clean.isEmpty())
        return QtFuture::makeExceptionalFuture(std::make_exception_ptr(
            store::StoreError(QStringLiteral("A conversation needs a title."))));
    return m_store.write(
        [conversationId, clean](QSqlDatabase &db) {
            conversations::rename(db, conversationId, clean);
        },
        [this] { Q_EMIT m_events.conversationsChanged(); });
}

QString ChatService::validateSettings(const QJsonObject &settings)
{
    const QLocale locale;
    if (const QJsonValue t = settings.value(u"temperature"); !t.isUndefined() && !t.isNull()) {
        if (!t.isDouble() || t.toDouble() < 0.0 || t.toDouble() > 2.0)
            return QStringLiteral(
                "The temperature must be between 0 and 2 (or left at the model's default).");
    }
    if (const QJsonValue m = settings.value(u"max_tokens"); !m.isUndefined() && !m.isNull()) {
        const double v = m.toDouble(-1);
        if (!m.isDouble() || v < 1 || v > MaxTokensLimit || v != std::floor(v))
            return QStringLiteral("Max tokens must be a whole number from 1 to %1 (or left at the "
                                  "model's default).")
                .arg(locale.toString(MaxTokensLimit));
    }
    if (const QJsonValue b = settings.value(u"thinking_budget"); !b.isUndefined() && !b.isNull()) {
        const double v = b.toDouble(-1);
        if (!b.isDouble() || v < MinThinkingBudget || v > MaxTokensLimit || v != std::floor(v))
            return QStringLiteral("The thinking budget must be a whole number of tokens from %1 "
                                  "to %2 (or left off).")
                .arg(locale.toString(MinThinkingBudget), locale.toString(MaxTokensLimit));
    }
    if (const QJsonValue p = settings.value(u"system_prompt"); !p.isUndefined() && !p.isNull()) {
        if (!p.isString())
            return QStringLiteral("The system prompt must be text.");
        if (p.toString().size() > MaxSystemPromptLength)
            return QStringLiteral("The system prompt has %1 characters; Arbor accepts at most %2.")
                .arg(locale.toString(p.toString().size()), locale.toString(MaxSystemPromptLength));
    }
    return {};
}

QFuture<void> ChatService::setConversationSettings(const QString &conversationId,
                                                   const QJsonObject &settings)
{
    if (const QString error = validateSettings(settings); !error.isEmpty())
        return QtFuture::makeExceptionalFuture(userError(error));
    return m_store.write(
        [conversationId, settings](QSqlDatabase &db) {
            const auto c = conversations::get(db, conversationId);
            if (!c)
                throw store::StoreError(
                    QStringLiteral("Conversation %1 does not exist (or was deleted).")
                        .arg(conversationId));
            QJsonObject merged = QJsonDocument::fromJson(c->settings.toUtf8()).object();
            for (const QLatin1String key :
                 {QLatin1String("system_prompt"), QLatin1String("temperature"),
                  QLatin1String("max_tokens")}) {
                if (settings.contains(key) && !settings.value(key).isNull())
                    merged.insert(key, settings.value(key));
                else
                    merged.remove(key);
            }
            // Thinking changes only when named (the Parameters dialog does not know it yet).
            if (const QJsonValue budget = settings.value(u"thinking_budget"); budget.isNull())
                merged.remove(QStringLiteral("thinking_budget"));
            else if (!budget.isUndefined())
                merged.insert(QStringLiteral("thinking_budget"), budget);
            conversations::setSettings(db, conversationId, merged);
        },
        [this] { Q_EMIT m_events.conversationsChanged(); });
}

QFuture<void> ChatService::restoreConversation(const QString &conversationId)
{
    return m_store.write(
        [conversationId](QSqlDatabase &db) { conversations::restore(db, conversationId); },
        [this] { Q_EMIT m_events.conversationsChanged(); });
}

QFuture<void> ChatService::remove(const QString &conversationId)
{
    return m_store.write(
        [conversationId](QSqlDatabase &db) {
            // Live replies stop with the conversation: cancel what has not started.
            const QStringList live = messages::liveIds(db, conversationId);
            const qint64 now = domain::nowMs();
            for (const QString &id : std::as_const(live)) {
                for (const jobs::Job &job : jobs::queries::forSubject(db, id)) {
                    if (job.state == jobs::JobState::Queued)
                        jobs::queries::cancelQueued(db, job.id, now);
                }
            }
            conversations::remove(db, conversationId);
            QList<qint64> running;
            for (const QString &id : std::as_const(live)) {
                for (const jobs::Job &job : jobs::queries::forSubject(db, id)) {
                    if (job.state == jobs::JobState::Running)
                        running.append(job.id);
                }
            }
            return running;
        },
        [this](QList<qint64> running) {
            for (qint64 id : std::as_const(running))
                m_engine.cancelRunning(id, jobs::CancelReason::User);
            Q_EMIT m_events.conversationsChanged();
        });
}

int ChatService::sweepOrphanedMessages(const QSqlDatabase &db)
{
    const QList<messages::Unattended> found = messages::unattendedLive(db);
    for (const auto &[id, hasText] : found) {
        // A call that ran in the process that is gone (whose job was not recovered here: that
        // needs a process that runs tools) is interrupted with its reply.
        if (const QString calls = toolturns::interrupted(messages::toolCalls(db, id));
            !calls.isNull())
            messages::setToolCalls(db, id, calls);
        messages::finish(db, id,
                         {MessageStatus::Interrupted,
                          hasText
                              ? QStringLiteral("This reply stopped when Arbor closed; the text "
                                               "received so far is kept.")
                              : QStringLiteral("This reply stopped when Arbor closed, before "
                                               "any of it arrived. Regenerate it to try again."),
                          {},
                          -1,
                          -1});
    }
    return int(found.size());
}

} // namespace arbor::chat
