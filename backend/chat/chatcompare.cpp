// ChatService: compare (one message to several models), fuse, model sets.
#include "chatevents.h"
#include "chatservice.h"
#include "replywrites.h"

#include "domain/ids.h"
#include "jobs/jobengine.h"
#include "store/conversationqueries.h"
#include "store/messagequeries.h"
#include "store/modelsetqueries.h"
#include "store/store.h"
#include "store/treequeries.h"

#include <QJsonDocument>

namespace arbor::chat {

namespace messages = store::messages;
namespace conversations = store::conversations;

namespace {

std::exception_ptr userError(const QString &text)
{
    return std::make_exception_ptr(store::StoreError(text));
}

/** @brief The conversation a compare goes into (created when new) and the parent. */
std::pair<QString, QString> placeFor(const QSqlDatabase &db, const CompareRequest &request,
                                     qint64 now)
{
    QString parentId = request.parentId;
    if (!parentId.isEmpty()) {
        const auto parent = messages::get(db, parentId);
        if (!parent
            || (!request.conversationId.isEmpty()
                && parent->conversationId != request.conversationId))
            throw store::StoreError(
                QStringLiteral("Message %1 is not part of this conversation.").arg(parentId));
        return {parent->conversationId, parentId};
    }
    if (!request.conversationId.isEmpty()) {
        const auto c = conversations::get(db, request.conversationId);
        if (!c)
            throw store::StoreError(
                QStringLiteral("Conversation %1 does not exist (or was deleted).")
                    .arg(request.conversationId));
        return {c->id, c->currentLeafId};
    }
    domain::Conversation c;
    c.id = domain::newId();
    c.title = ChatService::titleFor(request.text);
    c.settings = QStringLiteral("{}");
    c.createdAt = c.updatedAt = now;
    conversations::insert(db, c);
    return {c.id, {}};
}

} // namespace

QFuture<CompareResult> ChatService::compare(const CompareRequest &request)
{
    if (const QString error = validate(request.text); !error.isEmpty())
        return QtFuture::makeExceptionalFuture<CompareResult>(userError(error));
    if (const QString error = compare::validate(request.models); !error.isEmpty())
        return QtFuture::makeExceptionalFuture<CompareResult>(userError(error));
    QList<ModelChoice> choices;
    try {
        for (const CompareModel &m : request.models)
            choices.append(choose(m.key()));
    } catch (const store::StoreError &) {
        return QtFuture::makeExceptionalFuture<CompareResult>(std::current_exception());
    }
    return m_store.write(
        [request, choices](QSqlDatabase &db) {
            const qint64 now = domain::nowMs();
            CompareResult r;
            const auto [conversationId, parentId] = placeFor(db, request, now);
            r.conversationId = conversationId;
            r.user = writes::storeUser(db, conversationId, parentId, request.text, now);
            for (qsizetype i = 0; i < choices.size(); ++i) {
                writes::ReplyExtras extras;
                extras.parameters = request.models.at(i).parameters;
                qint64 jobId = 0;
                r.replies.append(writes::storeReply(db, conversationId, r.user.id, choices.at(i),
                                                    request.options, now, &jobId, nullptr, extras));
                r.jobIds.append(jobId);
            }
            store::tree::switchTo(db, r.replies.constFirst().id, now);
            conversations::touch(db, conversationId);
            for (qsizetype i = 0; i < r.replies.size(); ++i) {
                r.replies[i].siblingIndex = int(i);
                r.replies[i].siblingCount = int(r.replies.size());
            }
            return r;
        },
        [this](CompareResult r) {
            Q_EMIT m_events.messageCreated(r.user);
            for (const domain::Message &m : std::as_const(r.replies))
                Q_EMIT m_events.messageCreated(m);
            Q_EMIT m_events.pathChanged(r.conversationId);
            Q_EMIT m_events.conversationsChanged();
            m_engine.wake();
            return r;
        });
}

QFuture<SendResult> ChatService::fuse(const FuseRequest &request)
{
    if (request.sourceIds.isEmpty())
        return QtFuture::makeExceptionalFuture<SendResult>(
            userError(QStringLiteral("Choose at least one reply to fuse.")));
    ModelChoice model;
    try {
        model = choose(request.modelKey);
    } catch (const store::StoreError &) {
        return QtFuture::makeExceptionalFuture<SendResult>(std::current_exception());
    }
    const QString templ = request.promptTemplate.trimmed().isEmpty() ? compare::defaultFusePrompt()
                                                                     : request.promptTemplate;
    return m_store.write(
        [request, model, templ](QSqlDatabase &db) {
            const auto user = messages::get(db, request.userMessageId);
            if (!user || user->role != u"user")
                throw store::StoreError(QStringLiteral("Fuse works on the replies to a message "
                                                       "of yours."));
            QList<domain::Message> sources;
            QJsonArray ids;
            for (const QString &id : request.sourceIds) {
                const auto m = messages::get(db, id);
                if (!m || m->parentId != user->id || m->role != u"assistant")
                    throw store::StoreError(
                        QStringLiteral("Message %1 is not a reply to this message.").arg(id));
                if (m->content.trimmed().isEmpty())
                    throw store::StoreError(
                        QStringLiteral("The reply of %1 has no text to fuse.").arg(m->author));
                sources.append(*m);
                ids.append(id);
            }
            writes::ReplyExtras extras;
            extras.prompt = compare::renderFusePrompt(templ, user->content, sources);
            extras.fusedFrom = QString::fromUtf8(QJsonDocument(ids).toJson(QJsonDocument::Compact));
            const qint64 now = domain::nowMs();
            SendResult r;
            r.conversationId = user->conversationId;
            r.assistant = writes::storeReply(db, r.conversationId, user->id, model, request.options,
                                             now, &r.jobId, nullptr, extras);
            writes::showLeaf(db, r, r.assistant.id, now);
            return r;
        },
        [this](SendResult r) {
            Q_EMIT m_events.messageCreated(r.assistant);
            Q_EMIT m_events.conversationsChanged();
            m_engine.wake();
            return r;
        });
}

QFuture<QList<domain::Message>> ChatService::replies(const QString &userMessageId)
{
    return m_reader.read([userMessageId](QSqlDatabase &db) {
        QList<domain::Message> out;
        for (const domain::Message &m : messages::children(db, userMessageId)) {
            if (m.role == u"assistant")
                out.append(m);
        }
        return out;
    });
}

QFuture<QList<ModelSet>> ChatService::modelSets()
{
    return m_reader.read([](QSqlDatabase &db) {
        QList<ModelSet> out;
        for (const store::modelsets::Row &row : store::modelsets::list(db))
            out.append({row.name,
                        compare::fromJson(QJsonDocument::fromJson(row.models.toUtf8()).array()),
                        row.updatedAt});
        return out;
    });
}

QFuture<void> ChatService::saveModelSet(const QString &name, const QList<CompareModel> &models)
{
    const QString clean = name.simplified();
    if (clean.isEmpty())
        return QtFuture::makeExceptionalFuture(
            userError(QStringLiteral("A model set needs a name.")));
    if (const QString error = compare::validate(models); !error.isEmpty())
        return QtFuture::makeExceptionalFuture(userError(error));
    const QString json =
        QString::fromUtf8(QJsonDocument(compare::toJson(models)).toJson(QJsonDocument::Compact));
    return m_store.write(
        [clean, json](QSqlDatabase &db) {
            store::modelsets::save(db, clean, json, domain::nowMs());
        },
        [this] { Q_EMIT m_events.modelSetsChanged(); });
}

QFuture<bool> ChatService::removeModelSet(const QString &name)
{
    return m_store.write([name](QSqlDatabase &db) { return store::modelsets::remove(db, name); },
                         [this](bool removed) {
                             if (removed)
                                 Q_EMIT m_events.modelSetsChanged();
                             return removed;
                         });
}

} // namespace arbor::chat
