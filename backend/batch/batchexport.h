#pragma once

#include <QString>

#include <functional>

class QIODevice;

namespace arbor::store {
class StoreReader;
}

namespace arbor::batch {

enum class ExportFormat { Csv, Jsonl };

/** @brief Rows per page read while exporting. */
inline constexpr int ExportPageRows = 10000;

/**
 * @brief Writes run @p runId's rows to @p out, one line (CSV record or JSON object) per input
 * row in file order: the input columns under their names, then per model (named
 * "provider/model") its text, status, input and output tokens, cost (in the price's currency;
 * empty or null when unknown) and error. CSV (RFC 4180, a header line): the model's text in a
 * column named after it and the rest in "provider/model status", "... input_tokens",
 * "... output_tokens", "... cost", "... error". JSONL: the model's key holds an object
 * {"text", "status", "input_tokens", "output_tokens", "cost", "currency", "error"}.
 * Pages of ExportPageRows rows are read on a store reader and encoded there while the last
 * page is written, so memory stays bounded whatever the run's size. Blocks; returns the rows
 * written. Throws store::StoreError.
 */
qint64 exportRun(store::StoreReader store, qint64 runId, ExportFormat format, QIODevice *out,
                 const std::function<void(qint64 rows, qint64 total)> &progress = {});

} // namespace arbor::batch
