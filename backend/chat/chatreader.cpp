#include "chatreader.h"

#include "domain/ids.h"
#include "jobs/adminqueries.h"
#include "jobs/jobengine.h"
#include "jobs/jobqueries.h"
#include "store/conversationqueries.h"
#include "store/messagequeries.h"
#include "store/treequeries.h"

#include <QHostInfo>
#include <QJsonDocument>

namespace arbor::chat {

namespace messages = store::messages;
namespace conversations = store::conversations;

ChatReader::ChatReader(store::StoreReader store)
    : m_reader(store)
{
}

QFuture<std::optional<domain::Message>> ChatReader::message(const QString &messageId)
{
    return m_reader.read([messageId](QSqlDatabase &db) { return messages::get(db, messageId); });
}

QFuture<QHash<QString, jobs::Job>> ChatReader::replyJobs(const QStringList &messageIds)
{
    return m_reader.read([messageIds](QSqlDatabase &db) {
        QHash<QString, jobs::Job> out;
        for (const QString &id : messageIds) {
            const QList<jobs::Job> found = jobs::queries::forSubject(db, id);
            if (!found.isEmpty())
                out.insert(id, found.first()); // the newest
        }
        return out;
    });
}

QFuture<QList<domain::Message>> ChatReader::visiblePathBelow(const QString &conversationId,
                                                             const QString &ancestorId)
{
    return m_reader.read([conversationId, ancestorId](QSqlDatabase &db) {
        return messages::pathBelow(db, ancestorId, messages::currentLeaf(db, conversationId));
    });
}

QFuture<QList<domain::TreeNode>> ChatReader::tree(const QString &conversationId, bool withPreview)
{
    return m_reader.read([conversationId, withPreview](QSqlDatabase &db) {
        return store::tree::nodes(db, conversationId, withPreview);
    });
}

QFuture<QList<domain::TreeNode>> ChatReader::labels(const QString &conversationId)
{
    return m_reader.read(
        [conversationId](QSqlDatabase &db) { return store::tree::labelled(db, conversationId); });
}

QFuture<QList<domain::SearchHit>> ChatReader::search(const QString &query, int limit)
{
    return m_reader.read(
        [query, limit](QSqlDatabase &db) { return store::tree::search(db, query, limit); });
}

QFuture<QJsonObject> ChatReader::conversationSettings(const QString &conversationId)
{
    return m_reader.read([conversationId](QSqlDatabase &db) {
        const auto c = conversations::get(db, conversationId);
        if (!c)
            throw store::StoreError(
                QStringLiteral("Conversation %1 does not exist (or was deleted).")
                    .arg(conversationId));
        return QJsonDocument::fromJson(c->settings.toUtf8()).object();
    });
}

QFuture<QList<domain::Conversation>> ChatReader::conversations()
{
    return m_reader.read([](QSqlDatabase &db) { return conversations::list(db); });
}

QFuture<ReplyProgress> ChatReader::progress(const QString &messageId, qsizetype from)
{
    return m_reader.read([messageId, from](QSqlDatabase &db) {
        ReplyProgress p;
        p.from = from;
        // The whole text, cut here: offsets count UTF-16 units, SQLite's substr() characters.
        const auto stored = messages::get(db, messageId);
        if (!stored)
            throw store::StoreError(QStringLiteral("Message %1 does not exist.").arg(messageId));
        p.status = stored->status;
        p.error = stored->error;
        p.text = stored->content.mid(from);
        p.reasoning = stored->reasoning;
        const QList<jobs::Job> jobs = jobs::queries::forSubject(db, messageId);
        if (!jobs.isEmpty()) {
            const jobs::Job &job = jobs.constFirst();
            p.hasJob = true;
            p.jobState = jobs::toString(job.state);
            p.attempts = job.attempts;
            p.maxAttempts = job.maxAttempts;
            p.runAt = job.runAt;
            p.lastError = job.lastError;
            p.queue = job.queue;
            for (const jobs::QueueSettings &q : jobs::admin::queueSettings(db))
                p.queuePaused = p.queuePaused || (q.name == job.queue && q.paused);
        }
        return p;
    });
}

QFuture<QList<domain::Message>> ChatReader::visiblePath(const QString &conversationId)
{
    return m_reader.read(
        [conversationId](QSqlDatabase &db) { return messages::visiblePath(db, conversationId); });
}

QSet<QString> ChatReader::orphanedReplies(const QSqlDatabase &db, const QStringList &messageIds)
{
    QSet<QString> out;
    if (messageIds.isEmpty())
        return out;
    QSet<QString> deadRuns;
    const qint64 staleBefore = domain::nowMs() - jobs::JobEngine::Options{}.staleAfterMs;
    for (const jobs::Job &job :
         jobs::queries::orphaned(db, QHostInfo::localHostName(), staleBefore))
        deadRuns.insert(job.subjectId);
    for (const QString &id : messageIds) {
        // A teammate's reply (synced) streams on their machine, not under a job here.
        if (!messages::isLocalLiveReply(db, id))
            continue;
        bool willRun = false;
        for (const jobs::Job &job : jobs::queries::forSubject(db, id))
            willRun = willRun || job.state == jobs::JobState::Queued
                || job.state == jobs::JobState::Running;
        if (!willRun || deadRuns.contains(id))
            out.insert(id);
    }
    return out;
}

QString ChatReader::orphanedNote(bool hasText)
{
    return hasText ? QStringLiteral("The process writing this reply stopped; the text received so "
                                    "far is kept. The next process that runs jobs settles it.")
                   : QStringLiteral("The process writing this reply stopped before any of it "
                                    "arrived. The next process that runs jobs settles it.");
}

} // namespace arbor::chat
