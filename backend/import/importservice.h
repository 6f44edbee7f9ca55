#pragma once

#include "importer.h"
#include "importqueries.h"

#include <QFuture>
#include <QJsonObject>
#include <QObject>
#include <QString>

#include <memory>

namespace arbor::store {
class Store;
}
namespace arbor::jobs {
class JobEngine;
class JobHandler;
} // namespace arbor::jobs

namespace arbor::imports {

/** @brief A run with what became of each conversation: the summary the window and arbord show. */
struct Summary
{
    queries::Run run;
    QList<queries::Result> results;
};

/** @brief The summary as `arbord import --json` prints it: {"conversations": [{id, source_id,
 *  title, messages, messages_added}], "skipped": [{source_id, title, reason}], "errors":
 *  [{where, message}]}. */
QJsonObject toJson(const Summary &summary);
/** @brief One line for people: "imported 12 conversations (340 new messages), skipped 1,
 *  2 errors". */
QString describe(const Summary &summary);
/** @brief True when errors stopped some or all of the file (a conversation or the file). */
bool hasErrors(const Summary &summary);

/**
 * @brief Imports conversations from export files (issue 18) as durable jobs (kind "import",
 * queue "import", batch priority): the window and `arbord import` both start them here.
 * Progress and the end of each run are signalled from a worker thread (connect queued).
 */
class ImportService : public QObject
{
    Q_OBJECT

public:
    static constexpr QLatin1StringView JobKind{"import"};

    ImportService(store::Store &store, jobs::JobEngine &engine);
    ~ImportService() override;

    /** @brief The job handler the engine runs imports with (registered by core::Backend). */
    std::shared_ptr<jobs::JobHandler> handler() const { return m_handler; }

    /** @brief Records a run for @p path and enqueues its job; resolves with the run's id once
     *  both are durable. An unfinished run of the same file and format (a killed import) is
     *  resumed instead: its id is returned and its job goes on. */
    QFuture<QString> start(const QString &path, Format format = Format::Auto);
    /** @brief The run @p runId and its results so far. */
    QFuture<Summary> summary(const QString &runId);
    /** @brief Limits for the runs started from now on (tests make them small). */
    void setLimits(const ImportLimits &limits);
    ImportLimits limits() const;

Q_SIGNALS:
    /** @brief @p done of @p total conversations of @p runId are handled. */
    void progress(const QString &runId, qint64 done, qint64 total);
    /** @brief The run ended: done, failed (then @p error names the file and place) or cancelled.
     *  Not emitted when the process stops during a run: it resumes in the next. */
    void finished(const QString &runId, const QString &state, const QString &error);

private:
    store::Store &m_store;
    jobs::JobEngine &m_engine;
    std::shared_ptr<jobs::JobHandler> m_handler;
};

} // namespace arbor::imports
