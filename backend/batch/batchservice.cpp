#include "batchservice.h"

#include "batchinput.h"
#include "batchjobhandler.h"
#include "batchmonitor.h"
#include "batchqueries.h"
#include "batchtemplate.h"

#include "domain/ids.h"
#include "jobs/jobengine.h"
#include "llm/providerregistry.h"
#include "store/conversationqueries.h"
#include "store/messagequeries.h"
#include "store/providerqueries.h"
#include "store/sql.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtConcurrent>

namespace arbor::batch {

BatchService::BatchService(store::Store &store, jobs::JobEngine &engine,
                           llm::ProviderRegistry &providers)
    : m_store(store)
    , m_engine(engine)
    , m_providers(providers)
    , m_handler(std::make_shared<BatchJobHandler>(store, providers))
    , m_monitor(new BatchMonitor(store, this))
{
    qRegisterMetaType<Run>();
    m_pool.setMaxThreadCount(2); // an import and an export at once
}

BatchService::~BatchService()
{
    m_pool.waitForDone();
}

std::optional<RunModel> BatchService::parseModel(const QString &key, const QStringList &providers,
                                                 QString &error)
{
    const qsizetype slash = key.indexOf(QLatin1Char('/'));
    if (slash <= 0 || slash == key.size() - 1) {
        error = QStringLiteral("“%1” is not provider/model (for example demo/demo).").arg(key);
        return std::nullopt;
    }
    RunModel m;
    m.provider = key.left(slash).trimmed();
    m.model = key.mid(slash + 1).trimmed();
    if (!providers.contains(m.provider)) {
        error = QStringLiteral("No provider “%1” is configured (see arbord providers list).")
                    .arg(m.provider);
        return std::nullopt;
    }
    return m;
}

QFuture<QStringList> BatchService::providerIds()
{
    QStringList registered;
    for (const llm::ModelEntry &m : m_providers.models())
        if (!registered.contains(m.providerId))
            registered.append(m.providerId);
    return m_store.read([registered](QSqlDatabase &db) {
        QStringList ids = registered;
        for (const auto &p : store::providers::list(db))
            if (!ids.contains(p.id))
                ids.append(p.id);
        return ids;
    });
}

QFuture<CreateResult> BatchService::create(CreateSpec spec,
                                           std::function<void(const ImportProgress &)> progress,
                                           std::function<void(const BadRow &)> badRow)
{
    for (int i = 0; i < spec.models.size(); ++i)
        spec.models[i].idx = i;
    return QtConcurrent::run(&m_pool, [this, spec, progress, badRow] {
        CreateResult r = importRun(m_store, spec, progress, badRow);
        Q_EMIT runChanged(r.runId);
        return r;
    });
}

QFuture<Run> BatchService::transition(qint64 runId, Run (*op)(const QSqlDatabase &, qint64, qint64))
{
    return m_store.write([runId, op](QSqlDatabase &db) { return op(db, runId, domain::nowMs()); },
                         [this, runId](Run run) {
                             // Its jobs were added in their own transaction: look for them now.
                             m_engine.wake();
                             Q_EMIT runChanged(runId);
                             return run;
                         });
}

QFuture<Run> BatchService::start(qint64 runId)
{
    return transition(runId, &queries::start);
}

QFuture<Run> BatchService::pause(qint64 runId)
{
    return transition(runId, &queries::pause);
}

QFuture<Run> BatchService::resume(qint64 runId)
{
    return transition(runId, &queries::resume);
}

QFuture<Run> BatchService::cancel(qint64 runId)
{
    return transition(runId, &queries::cancel);
}

QFuture<Run> BatchService::retryFailed(qint64 runId)
{
    return transition(runId, [](const QSqlDatabase &db, qint64 id, qint64 now) {
        return queries::retryFailed(db, id, now);
    });
}

QFuture<std::optional<Run>> BatchService::run(qint64 runId)
{
    return m_store.read([runId](QSqlDatabase &db) { return queries::get(db, runId); });
}

QFuture<QList<Run>> BatchService::runs()
{
    return m_store.read([](QSqlDatabase &db) { return queries::list(db); });
}

QFuture<QList<RowView>> BatchService::rows(qint64 runId, qint64 fromRow, int limit, int filter,
                                           QString search)
{
    return m_store.read([=](QSqlDatabase &db) {
        const auto run = queries::get(db, runId);
        if (!run)
            return QList<RowView>();
        return queries::rows(db, *run, fromRow, limit, filter, search);
    });
}

QFuture<QList<BadRow>> BatchService::badRows(qint64 runId, int limit)
{
    return m_store.read(
        [runId, limit](QSqlDatabase &db) { return queries::badRows(db, runId, limit); });
}

QFuture<qint64> BatchService::exportTo(qint64 runId, ExportFormat format, QString path)
{
    return QtConcurrent::run(&m_pool, [this, runId, format, path] {
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
            throw store::StoreError(
                QStringLiteral("Cannot write %1: %2").arg(path, file.errorString()));
        const qint64 n = exportRun(store::StoreReader(m_store), runId, format, &file);
        if (!file.flush())
            throw store::StoreError(
                QStringLiteral("Writing %1 failed: %2").arg(path, file.errorString()));
        return n;
    });
}

QFuture<QString> BatchService::openAsConversation(qint64 runId, qint64 rowNo, int modelIdx)
{
    return m_store.write([runId, rowNo, modelIdx](QSqlDatabase &db) {
        const auto run = queries::get(db, runId);
        if (!run || modelIdx < 0 || modelIdx >= run->models.size())
            throw store::StoreError(QStringLiteral("There is no such batch result."));
        const QList<RowView> rows = queries::rows(db, *run, rowNo, 1);
        if (rows.isEmpty() || rows.first().rowNo != rowNo)
            throw store::StoreError(
                QStringLiteral("Batch run %1 has no row %2.").arg(runId).arg(rowNo));
        const RowResult &result = rows.first().results.at(modelIdx);
        if (!result.conversationId.isEmpty()
            && store::conversations::get(db, result.conversationId))
            return result.conversationId;
        if (result.status != u"done" && result.status != u"failed")
            throw store::StoreError(QStringLiteral("Row %1 has no result from %2 yet.")
                                        .arg(rowNo + 1)
                                        .arg(run->models.at(modelIdx).key()));
        BatchTemplate prompt(run->templateText);
        prompt.bind(run->columns);
        const RunModel &model = run->models.at(modelIdx);
        const qint64 now = domain::nowMs();
        domain::Conversation c;
        c.id = domain::newId();
        c.title = QStringLiteral("%1 · row %2").arg(run->name).arg(rowNo + 1);
        QJsonObject settings;
        if (!run->systemPrompt.isEmpty())
            settings.insert(QStringLiteral("system_prompt"), run->systemPrompt);
        if (run->maxTokens > 0)
            settings.insert(QStringLiteral("max_tokens"), run->maxTokens);
        c.settings = QString::fromUtf8(QJsonDocument(settings).toJson(QJsonDocument::Compact));
        c.createdAt = now;
        c.updatedAt = now;
        store::conversations::insert(db, c);
        domain::Message user;
        user.id = domain::newId();
        user.conversationId = c.id;
        user.role = QStringLiteral("user");
        user.author = QStringLiteral("You");
        user.content = prompt.render(decodeInput(rows.first().input));
        user.createdAt = now;
        store::messages::insert(db, user);
        domain::Message reply;
        reply.id = domain::newId();
        reply.conversationId = c.id;
        reply.parentId = user.id;
        reply.role = QStringLiteral("assistant");
        reply.author = model.model;
        reply.provider = model.provider;
        reply.model = model.model;
        reply.status = domain::MessageStatus::Streaming;
        reply.createdAt = now + 1;
        store::messages::insert(db, reply);
        if (!result.text.isEmpty())
            store::messages::appendChunk(db, reply.id, 0, result.text);
        store::messages::Finish finish;
        finish.status = result.status == u"done" ? domain::MessageStatus::Complete
                                                 : domain::MessageStatus::Error;
        finish.error = result.error;
        finish.finishReason = result.status == u"done" ? QStringLiteral("stop") : QString();
        finish.promptTokens = int(result.inputTokens);
        finish.completionTokens = int(result.outputTokens);
        store::messages::finish(db, reply.id, finish);
        store::conversations::setCurrentLeaf(db, c.id, reply.id);
        queries::setConversation(db, runId, rowNo, modelIdx, c.id);
        return c.id;
    });
}

} // namespace arbor::batch
