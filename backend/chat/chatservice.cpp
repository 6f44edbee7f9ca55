#include "chatservice.h"

#include "chatevents.h"
#include "chatjobhandler.h"

#include "domain/ids.h"
#include "jobs/jobengine.h"
#include "jobs/jobqueries.h"
#include "llm/providerregistry.h"
#include "store/conversationqueries.h"
#include "store/messagequeries.h"
#include "store/sql.h"
#include "store/store.h"

#include <QLocale>
#include <QSqlQuery>

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

ChatService::ChatService(store::Store &store, jobs::JobEngine &engine, llm::ProviderRegistry &providers,
                         ChatEvents &events)
    : m_store(store)
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
        return QStringLiteral("This message has %1 characters; Arbor sends at most %2. Attach long text as a "
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

QFuture<SendResult> ChatService::send(const SendRequest &request)
{
    if (const QString error = validate(request.text); !error.isEmpty())
        return QtFuture::makeExceptionalFuture<SendResult>(std::make_exception_ptr(store::StoreError(error)));

    const auto [providerId, modelId] = llm::ProviderRegistry::splitKey(request.modelKey);
    QString author;
    for (const llm::ModelEntry &m : m_providers.models()) {
        if (m.key == request.modelKey)
            author = m.displayName;
    }
    if (author.isEmpty() || !m_providers.get(providerId)) {
        return QtFuture::makeExceptionalFuture<SendResult>(std::make_exception_ptr(store::StoreError(
            QStringLiteral("The model “%1” is not available. Pick another model.").arg(request.modelKey))));
    }

    return m_store
        .write([request, providerId = providerId, modelId = modelId, author](QSqlDatabase &db) {
            const qint64 now = domain::nowMs();
            SendResult r;
            QString parentId = request.parentId;
            if (request.conversationId.isEmpty()) {
                domain::Conversation c;
                c.id = domain::newId();
                c.title = titleFor(request.text);
                c.settings = QStringLiteral("{}");
                c.createdAt = c.updatedAt = now;
                conversations::insert(db, c);
                r.conversationId = c.id;
                if (!parentId.isEmpty())
                    throw store::StoreError(QStringLiteral("A new conversation cannot continue another one's message."));
            } else {
                const auto c = conversations::get(db, request.conversationId);
                if (!c)
                    throw store::StoreError(
                        QStringLiteral("Conversation %1 does not exist (or was deleted).").arg(request.conversationId));
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

            r.user.id = domain::newId();
            r.user.conversationId = r.conversationId;
            r.user.parentId = parentId;
            r.user.role = QStringLiteral("user");
            r.user.author = QStringLiteral("You");
            r.user.content = request.text;
            r.user.status = MessageStatus::Complete;
            r.user.createdAt = r.user.finishedAt = now;
            messages::insert(db, r.user);

            r.assistant.id = domain::newId();
            r.assistant.conversationId = r.conversationId;
            r.assistant.parentId = r.user.id;
            r.assistant.role = QStringLiteral("assistant");
            r.assistant.author = author;
            r.assistant.provider = providerId;
            r.assistant.model = modelId;
            r.assistant.status = MessageStatus::Queued;
            r.assistant.createdAt = now;
            messages::insert(db, r.assistant);

            conversations::setCurrentLeaf(db, r.conversationId, r.assistant.id);
            conversations::touch(db, r.conversationId);

            jobs::JobSpec spec;
            spec.kind = QString::fromLatin1(ChatJobHandler::Kind);
            spec.queue = providerId;
            spec.priority = jobs::Priority::Interactive;
            spec.subjectId = r.assistant.id;
            spec.payload = {{QStringLiteral("message_id"), r.assistant.id},
                            {QStringLiteral("options"), request.options}};
            r.jobId = jobs::queries::insert(db, spec, now);

            // Sibling position among the parent's children, for the view.
            const QList<Message> path = messages::pathTo(db, r.assistant.id);
            if (path.size() >= 2) {
                r.user.siblingIndex = path.at(path.size() - 2).siblingIndex;
                r.user.siblingCount = path.at(path.size() - 2).siblingCount;
            }
            return r;
        })
        .then([this](SendResult r) {
            // Runs after COMMIT: everything announced is durable.
            Q_EMIT m_events.messageCreated(r.user);
            Q_EMIT m_events.messageCreated(r.assistant);
            Q_EMIT m_events.conversationsChanged();
            m_engine.wake();
            return r;
        });
}

QFuture<bool> ChatService::stop(const QString &messageId)
{
    return m_store
        .write([messageId](QSqlDatabase &db) {
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
                    o.runningJobId = job.id;
                    jobActive = true;
                }
            }
            if (!jobActive) {
                messages::finish(db, messageId, {MessageStatus::Cancelled, {}, QStringLiteral("stopped"), -1, -1});
                o.stoppedHere = true;
            }
            return o;
        })
        .then([this, messageId](StopOutcome o) {
            if (o.stoppedHere)
                Q_EMIT m_events.messageStateChanged(o.conversationId, messageId, QStringLiteral("cancelled"), {});
            if (o.runningJobId != 0)
                return m_engine.cancelRunning(o.runningJobId, jobs::CancelReason::User);
            return o.live;
        });
}

QFuture<void> ChatService::rename(const QString &conversationId, const QString &title)
{
    const QString clean = title.simplified();
    if (clean.isEmpty())
        return QtFuture::makeExceptionalFuture(std::make_exception_ptr(store::StoreError(
            QStringLiteral("A conversation needs a title."))));
    return m_store
        .write([conversationId, clean](QSqlDatabase &db) { conversations::rename(db, conversationId, clean); })
        .then([this] { Q_EMIT m_events.conversationsChanged(); });
}

QFuture<void> ChatService::remove(const QString &conversationId)
{
    return m_store
        .write([conversationId](QSqlDatabase &db) {
            // Live replies stop with the conversation: cancel what has not started.
            QSqlQuery q = store::exec(db,
                                      QStringLiteral("SELECT id FROM messages WHERE conversation_id = ? AND "
                                                     "status IN ('queued','streaming')"),
                                      {conversationId});
            QStringList live;
            while (q.next())
                live.append(q.value(0).toString());
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
        })
        .then([this](QList<qint64> running) {
            for (qint64 id : std::as_const(running))
                m_engine.cancelRunning(id, jobs::CancelReason::User);
            Q_EMIT m_events.conversationsChanged();
        });
}

QFuture<QList<domain::Conversation>> ChatService::conversations()
{
    return m_store.read([](QSqlDatabase &db) { return conversations::list(db); });
}

QFuture<QList<domain::Message>> ChatService::visiblePath(const QString &conversationId)
{
    return m_store.read([conversationId](QSqlDatabase &db) { return messages::visiblePath(db, conversationId); });
}

int ChatService::sweepOrphanedMessages(const QSqlDatabase &db)
{
    QSqlQuery q = store::exec(db, QStringLiteral(R"sql(
        SELECT m.id FROM messages m
        WHERE m.status IN ('queued', 'streaming')
          AND NOT EXISTS (SELECT 1 FROM jobs j
                          WHERE j.subject_id = m.id AND j.state IN ('queued', 'running')))sql"));
    QStringList ids;
    while (q.next())
        ids.append(q.value(0).toString());
    for (const QString &id : std::as_const(ids)) {
        messages::finish(db, id,
                         {MessageStatus::Interrupted,
                          QStringLiteral("This reply stopped when Arbor closed; the text received so far is kept."),
                          {}, -1, -1});
    }
    return int(ids.size());
}

} // namespace arbor::chat
