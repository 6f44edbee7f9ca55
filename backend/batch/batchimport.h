#pragma once

#include "batchinput.h"
#include "batchrun.h"

#include <functional>
#include <optional>

namespace arbor::store {
class Store;
}

namespace arbor::batch {

/** @brief What `arbord batch create` and the app's "New run" give. */
struct CreateSpec
{
    QString name;
    QString templateText;
    QString systemPrompt;
    QString inputPath;
    QList<RunModel> models;
    int maxConcurrency = 0; ///< the run's own cap on jobs at once (0 = none)
    int maxTokens = 0;
    bool stopOnBadRow = false;                 ///< else bad rows are skipped (and listed)
    std::optional<InputReader::Format> format; ///< default: from the file's suffix
};

/** @brief How far an import is. */
struct ImportProgress
{
    qint64 rows = 0;
    qint64 badRows = 0;
    qint64 bytesRead = 0;
    qint64 bytesTotal = 0;
};

struct CreateResult
{
    qint64 runId = 0;
    qint64 rows = 0;
    qint64 badRows = 0;
};

/** @brief Rows per store transaction while importing. */
inline constexpr int ImportBatchRows = 10000;
/** @brief Bad rows kept for the report (all are counted). */
inline constexpr int KeptBadRows = 10000;

/**
 * @brief Creates a draft run from @p spec: checks the template against the input's columns
 * before importing anything (a variable with no column is an error), then streams the file in
 * transactions of ImportBatchRows rows through the store writer (parsing the next batch while
 * the last one commits), calling @p progress after each and @p badRow for each bad row.
 * Blocks: run it on a worker thread. Throws store::StoreError with a message for people; a
 * stopped import (stopOnBadRow) leaves nothing behind.
 */
CreateResult importRun(store::Store &store, const CreateSpec &spec,
                       const std::function<void(const ImportProgress &)> &progress = {},
                       const std::function<void(const BadRow &)> &badRow = {});

} // namespace arbor::batch
