#include "importservice.h"

#include "importjobhandler.h"

#include "domain/ids.h"
#include "jobs/jobengine.h"
#include "jobs/jobqueries.h"
#include "store/store.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>

namespace arbor::imports {

QJsonObject toJson(const Summary &s)
{
    QJsonArray conversations;
    QJsonArray skipped;
    QJsonArray errors;
    for (const queries::Result &r : s.results) {
        if (r.outcome == u"imported")
            conversations.append(QJsonObject{{QStringLiteral("id"), r.conversationId},
                                             {QStringLiteral("source_id"), r.sourceId},
                                             {QStringLiteral("title"), r.title},
                                             {QStringLiteral("messages"), r.messages},
                                             {QStringLiteral("messages_added"), r.added}});
        else if (r.outcome == u"skipped")
            skipped.append(QJsonObject{{QStringLiteral("source_id"), r.sourceId},
                                       {QStringLiteral("title"), r.title},
                                       {QStringLiteral("reason"), r.reason}});
        else
            errors.append(QJsonObject{{QStringLiteral("where"), r.place},
                                      {QStringLiteral("message"), r.reason}});
    }
    if (!s.run.error.isEmpty())
        errors.append(QJsonObject{{QStringLiteral("where"), s.run.path},
                                  {QStringLiteral("message"), s.run.error}});
    return {{QStringLiteral("conversations"), conversations},
            {QStringLiteral("skipped"), skipped},
            {QStringLiteral("errors"), errors}};
}

QString describe(const Summary &s)
{
    qsizetype imported = 0, added = 0, skipped = 0, errors = s.run.error.isEmpty() ? 0 : 1;
    for (const queries::Result &r : s.results) {
        if (r.outcome == u"imported") {
            ++imported;
            added += r.added;
        } else if (r.outcome == u"skipped") {
            ++skipped;
        } else {
            ++errors;
        }
    }
    return QStringLiteral("imported %1 conversations (%2 new messages), skipped %3, %4 errors")
        .arg(imported)
        .arg(added)
        .arg(skipped)
        .arg(errors);
}

bool hasErrors(const Summary &s)
{
    if (!s.run.error.isEmpty() || s.run.state == u"failed")
        return true;
    for (const queries::Result &r : s.results) {
        if (r.outcome == u"error")
            return true;
    }
    return false;
}

ImportService::ImportService(store::Store &store, jobs::JobEngine &engine)
    : m_store(store)
    , m_engine(engine)
    , m_handler(std::make_shared<ImportJobHandler>(store, *this))
{
}

ImportService::~ImportService()
{
    static_cast<ImportJobHandler *>(m_handler.get())->waitForDone();
}

QFuture<QString> ImportService::start(const QString &path, Format format)
{
    queries::Run run;
    run.id = domain::newId();
    run.path = QFileInfo(path).absoluteFilePath();
    run.format = toString(format);
    run.state = QStringLiteral("queued");
    run.createdAt = domain::nowMs();
    jobs::JobSpec spec;
    spec.kind = JobKind;
    spec.queue = QStringLiteral("import");
    spec.priority = jobs::Priority::Batch;
    spec.payload = {{QStringLiteral("run_id"), run.id}};
    spec.subjectId = run.id;
    spec.maxAttempts = m_handler ? m_handler->maxAttempts() : 1;
    jobs::JobEngine *engine = &m_engine;
    return m_store.write(
        [run, spec](QSqlDatabase &db) {
            for (const queries::Run &r : queries::unfinished(db)) {
                if (r.path == run.path && (r.format == run.format || run.format == u"auto"))
                    return r.id;
            }
            queries::insertRun(db, run);
            jobs::queries::insert(db, spec, run.createdAt);
            return run.id;
        },
        [engine](const QString &id) {
            engine->wake();
            return id;
        });
}

QFuture<Summary> ImportService::summary(const QString &runId)
{
    return m_store.read([runId](QSqlDatabase &db) {
        Summary s;
        if (auto r = queries::run(db, runId))
            s.run = *r;
        s.results = queries::results(db, runId);
        return s;
    });
}

void ImportService::setLimits(const ImportLimits &limits)
{
    static_cast<ImportJobHandler *>(m_handler.get())->setLimits(limits);
}

ImportLimits ImportService::limits() const
{
    return static_cast<ImportJobHandler *>(m_handler.get())->limits();
}

} // namespace arbor::imports
