#include "batchjobhandler.h"

#include "batchinput.h"
#include "batchqueries.h"

#include "core/whenready.h"
#include "domain/ids.h"
#include "jobs/jobrun.h"
#include "llm/joberrorkind.h"
#include "llm/providerregistry.h"
#include "store/sql.h"
#include "store/store.h"

#include <QDateTime>
#include <QFuture>
#include <QJsonArray>
#include <QJsonDocument>

namespace arbor::batch {

namespace {

struct Context
{
    queries::Unit unit;
    std::shared_ptr<const BatchJobHandler::RunInfo> info;
};

std::shared_ptr<const BatchJobHandler::RunInfo> loadInfo(const QSqlDatabase &db, qint64 runId)
{
    const auto run = queries::get(db, runId);
    if (!run)
        return {};
    auto info = std::make_shared<BatchJobHandler::RunInfo>();
    info->prompt = BatchTemplate(run->templateText);
    info->prompt.bind(run->columns);
    info->systemPrompt = run->systemPrompt;
    info->maxTokens = run->maxTokens;
    info->models = run->models;
    return info;
}

/** @brief The text and usage a stream has delivered so far. */
struct Reply
{
    QString text;
    qint64 promptChars = 0;
};

} // namespace

BatchJobHandler::BatchJobHandler(store::Store &store, llm::ProviderRegistry &providers)
    : m_store(store)
    , m_providers(providers)
{
}

QString BatchJobHandler::kind() const
{
    return QString::fromLatin1(queries::JobKind);
}

int BatchJobHandler::maxAttempts() const
{
    return queries::MaxAttempts;
}

std::shared_ptr<const BatchJobHandler::RunInfo> BatchJobHandler::cachedInfo(qint64 runId)
{
    std::lock_guard lock(m_mutex);
    return m_runs.value(runId);
}

qint64 BatchJobHandler::costOf(const QSqlDatabase &db, const RunModel &model, qint64 input,
                               qint64 output, qint64 now, QString &currency)
{
    const QString day = QDateTime::fromMSecsSinceEpoch(now, Qt::UTC).date().toString(Qt::ISODate);
    const QString key = model.provider + QLatin1Char('\n') + model.model + QLatin1Char('\n') + day;
    std::optional<store::usage::Price> price;
    {
        std::lock_guard lock(m_mutex);
        const auto it = m_prices.constFind(key);
        if (it != m_prices.cend()) {
            price = *it;
        } else {
            price = store::usage::priceFor(db, model.provider, model.model, day);
            m_prices.insert(key, price);
        }
    }
    if (!price)
        return -1;
    currency = price->currency;
    return store::usage::costNanos(*price, {int(input), int(output), -1, -1});
}

void BatchJobHandler::start(jobs::JobRun *run)
{
    const QJsonObject &payload = run->job().payload;
    const qint64 runId = payload.value(QStringLiteral("run")).toInteger();
    const qint64 rowNo = payload.value(QStringLiteral("row")).toInteger();
    const int modelIdx = payload.value(QStringLiteral("model")).toInt();
    const qint64 jobId = run->job().id;
    auto info = cachedInfo(runId);
    core::whenReady(
        run, m_store.read([runId, rowNo, info](QSqlDatabase &db) {
            Context c;
            c.unit = queries::unit(db, runId, rowNo);
            c.info = info ? info : loadInfo(db, runId);
            return c;
        }),
        [this, run, runId, rowNo, modelIdx, jobId](QFuture<Context> f) {
            Context c;
            try {
                c = f.result();
            } catch (const std::exception &e) {
                run->fail({QStringLiteral("Cannot read the batch row: %1")
                               .arg(QString::fromUtf8(e.what())),
                           true, -1});
                return;
            }
            auto release = [runId, rowNo, modelIdx, jobId](const QSqlDatabase &db, jobs::JobState) {
                queries::releaseUnit(db, runId, rowNo, modelIdx, jobId);
            };
            if (!c.info || !c.unit.found || c.unit.state != RunState::Running || modelIdx < 0
                || modelIdx >= c.info->models.size()) {
                run->finishCancelled(QStringLiteral("the batch run is not running"), release);
                return;
            }
            {
                std::lock_guard lock(m_mutex);
                m_runs.insert(runId, c.info);
            }
            const RunModel model = c.info->models.at(modelIdx);
            auto record = [this, runId, rowNo, modelIdx, jobId,
                           model](queries::Outcome outcome) -> jobs::JobRun::Also {
                return [this, runId, rowNo, modelIdx, jobId, model,
                        outcome](const QSqlDatabase &db, jobs::JobState state) mutable {
                    if (state == jobs::JobState::Queued)
                        return; // tried again later
                    const qint64 now = domain::nowMs();
                    if (outcome.ok)
                        outcome.costNanos = costOf(db, model, outcome.inputTokens,
                                                   outcome.outputTokens, now, outcome.currency);
                    queries::recordResult(db, runId, rowNo, modelIdx, jobId, outcome, now);
                };
            };
            const auto provider = m_providers.get(model.provider);
            if (!provider) {
                queries::Outcome o;
                o.error = QStringLiteral("No provider “%1” is configured.").arg(model.provider);
                jobs::JobError e{o.error, false, -1};
                e.kind = jobs::ErrorKind::NotFound;
                run->fail(e, record(o));
                return;
            }
            llm::ChatRequest request;
            request.model = model.model;
            request.maxTokens = c.info->maxTokens;
            if (!c.info->systemPrompt.isEmpty())
                request.turns.append({QStringLiteral("system"), c.info->systemPrompt});
            const QString prompt = c.info->prompt.render(decodeInput(c.unit.input));
            request.turns.append({QStringLiteral("user"), prompt});
            auto reply = std::make_shared<Reply>();
            reply->promptChars = prompt.size() + c.info->systemPrompt.size();
            llm::ChatStream *stream = provider->startChat(request, run);
            QObject::connect(stream, &llm::ChatStream::delta, run,
                             [reply](const QString &text) { reply->text += text; });
            QObject::connect(
                stream, &llm::ChatStream::rateLimitSeen, run, [run](const llm::RateLimitInfo &i) {
                    run->reportRateLimit({i.remainingRequests, i.remainingTokens, i.resetRequestsMs,
                                          i.resetTokensMs, i.limitRequests, i.limitTokens});
                });
            QObject::connect(stream, &llm::ChatStream::finished, run,
                             [run, reply, record](const llm::ChatUsage &usage, const QString &) {
                                 queries::Outcome o;
                                 o.ok = true;
                                 o.text = reply->text;
                                 o.inputTokens = usage.promptTokens >= 0
                                     ? usage.promptTokens
                                     : store::usage::estimateTokens(reply->promptChars);
                                 o.outputTokens = usage.completionTokens >= 0
                                     ? usage.completionTokens
                                     : store::usage::estimateTokens(reply->text.size());
                                 run->reportUsage(o.inputTokens + o.outputTokens);
                                 run->succeed(record(o));
                             });
            QObject::connect(
                stream, &llm::ChatStream::failed, run, [run, record](const llm::ChatError &error) {
                    queries::Outcome o;
                    o.error = error.message;
                    jobs::JobError e{error.message, error.retryable(), error.retryAfterMs};
                    e.rateLimited = error.kind == llm::ChatError::Kind::RateLimited;
                    e.kind = llm::jobErrorKind(error.kind);
                    run->fail(e, record(o));
                });
            QObject::connect(run, &jobs::JobRun::cancelRequested, stream,
                             [run, stream, record, release](jobs::CancelReason reason) {
                                 stream->cancel();
                                 if (reason == jobs::CancelReason::User) {
                                     run->finishCancelled(QStringLiteral("stopped"), release);
                                     return;
                                 }
                                 // The worker stops: the row runs again in the next one.
                                 queries::Outcome o;
                                 o.error = QStringLiteral("the worker stopped");
                                 jobs::JobError e{o.error, true, 0};
                                 e.kind = jobs::ErrorKind::WorkerLost;
                                 run->fail(e, record(o));
                             });
        });
}

jobs::JobHandler::Recovery BatchJobHandler::recover(const QSqlDatabase &db, const jobs::Job &job,
                                                    bool canRetry)
{
    if (canRetry)
        return Recovery::Requeue;
    queries::Outcome o;
    o.error = QStringLiteral("the process running this row stopped %1 times").arg(job.attempts);
    queries::recordResult(db, job.payload.value(QStringLiteral("run")).toInteger(),
                          job.payload.value(QStringLiteral("row")).toInteger(),
                          job.payload.value(QStringLiteral("model")).toInt(), job.id, o,
                          domain::nowMs());
    return Recovery::Fail;
}

} // namespace arbor::batch
