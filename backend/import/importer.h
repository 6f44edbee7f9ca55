#pragma once

#include "imported.h"
#include "jsonstream.h"
#include "zipsource.h"

#include <QString>

#include <functional>

namespace arbor::store {
class Store;
}

namespace arbor::imports {

/** @brief The limits an import holds a file to (tests make them small). */
struct ImportLimits
{
    StreamLimits stream;
    ZipLimits zip;
};

/** @brief How a run of an import ended. */
struct RunOutcome
{
    QString state; ///< done (read to the end), failed (the file stopped it), cancelled
    QString error; ///< what stopped the file, naming it and the place ("" when nothing did)
};

/**
 * @brief Works through one import run (import_runs) on the calling thread: counts the
 * conversations, then streams the file and writes each conversation in its own store task
 * (its own transaction: a failing one is rolled back alone and recorded as an error, with the
 * place), recording how far it got in the same transaction. A run that was stopped resumes
 * after the last conversation it finished. Blocks; for a worker thread.
 */
class Importer
{
public:
    Importer(store::Store &store, QString runId, ImportLimits limits = {});

    /** @brief Called after each conversation with (done, total). */
    using Progress = std::function<void(qint64 done, qint64 total)>;
    /** @brief Polled between conversations: true stops the run (state "cancelled"). */
    using StopCheck = std::function<bool()>;

    RunOutcome run(const Progress &progress = {}, const StopCheck &stop = {});

private:
    store::Store &m_store;
    QString m_runId;
    ImportLimits m_limits;
};

/** @brief The bytes of @p path: conversations.json inside a zip archive, or the file. */
std::unique_ptr<ByteSource> openSource(const QString &path, const ZipLimits &limits);

} // namespace arbor::imports
