#pragma once

#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

namespace arbor::batch {

/** @brief draft → running ⇄ paused → completed, or cancelled. */
enum class RunState { Draft, Running, Paused, Completed, Cancelled };
QString toString(RunState state);
RunState runStateFromString(const QString &text);

/** @brief One model of a run ("provider/model"). */
struct RunModel
{
    int idx = 0;
    QString provider;
    QString model;
    QString key() const { return provider + QLatin1Char('/') + model; }
};

/** @brief A batch run as stored, with its counts. Counts are of results (row × model). */
struct Run
{
    qint64 id = 0;
    QString name;
    QString templateText;
    QString systemPrompt;
    QStringList columns;
    RunState state = RunState::Draft;
    int maxConcurrency = 0; ///< 0 = no cap of its own
    int maxTokens = 0;      ///< 0 = the model's default
    QList<RunModel> models;
    qint64 rowCount = 0;
    qint64 badRows = 0;
    qint64 done = 0;
    qint64 failed = 0;
    qint64 queued = 0; ///< results whose job is queued or running
    qint64 inputTokens = 0;
    qint64 outputTokens = 0;
    qint64 costNanos = 0; ///< of the priced results, in currency
    QString currency;     ///< "" when no result had a price
    qint64 createdAt = 0;
    qint64 startedAt = 0; ///< the latest start or resume (0 while not running)
    qint64 finishedAt = 0;
    qint64 activeMs = 0; ///< running time before the latest start

    qint64 total() const { return rowCount * qint64(models.size()); }
    qint64 pending() const { return total() - done - failed; }
    /** @brief Results per second over the time the run has been running, at @p now. */
    double resultsPerSecond(qint64 now) const;
    /** @brief Rows per second (results per second / models). */
    double rowsPerSecond(qint64 now) const;
    /** @brief Seconds until every result is in at the current rate; -1 unknown, 0 done. */
    qint64 etaSeconds(qint64 now) const;
};

/** @brief A bad input row met at import. */
struct BadRow
{
    qint64 line = 0;
    QString reason;
};

/** @brief One result of a row and model. */
struct RowResult
{
    QString status; ///< "" (none yet), queued, done, failed
    QString text;
    QString error;
    qint64 inputTokens = -1;
    qint64 outputTokens = -1;
    qint64 costNanos = -1; ///< -1 = unknown (no price)
    QString currency;
    QString conversationId;
};

/** @brief An input row with its results, one per model (in the run's model order). */
struct RowView
{
    qint64 rowNo = 0;
    qint64 line = 0;
    QByteArray input; ///< JSON array of strings, in the run's column order
    QList<RowResult> results;
};

} // namespace arbor::batch

Q_DECLARE_METATYPE(arbor::batch::Run)
