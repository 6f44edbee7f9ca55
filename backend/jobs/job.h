#pragma once

#include <QJsonObject>
#include <QMetaType>
#include <QString>

namespace arbor::jobs {

enum class JobState { Queued, Running, Done, Failed, Cancelled };
QString toString(JobState state);
JobState jobStateFromString(const QString &text);

/** @brief Priorities: interactive chat before titles/summaries before batch work. */
namespace Priority {
inline constexpr int Interactive = 100;
inline constexpr int Background = 50;
inline constexpr int Batch = 10;
} // namespace Priority

/** @brief What to enqueue: ids and parameters, never loaded objects. */
struct JobSpec
{
    QString kind;
    QString queue = QStringLiteral("default");
    int priority = 0;
    QJsonObject payload;
    QString subjectId; ///< the row the job works on (e.g. the assistant message), for look-ups
    int maxAttempts = 1;
    qint64 runAt = 0; ///< 0 = now
};

/** @brief A job row. */
struct Job
{
    qint64 id = 0;
    QString kind;
    QString queue;
    int priority = 0;
    QJsonObject payload;
    QString subjectId;
    JobState state = JobState::Queued;
    int attempts = 0;
    int maxAttempts = 1;
    qint64 runAt = 0;
    QString leaseOwner;
    QString lastError;
    qint64 createdAt = 0;
    qint64 startedAt = 0;
    qint64 finishedAt = 0;
};

/** @brief How a run ended badly. */
struct JobError
{
    QString message;
    bool retryable = false;
    qint64 retryAfterMs = -1; ///< from the server (Retry-After); -1 = use backoff
};

} // namespace arbor::jobs

Q_DECLARE_METATYPE(arbor::jobs::Job)
