#pragma once

#include <QJsonObject>
#include <QMap>
#include <QMetaType>
#include <QString>

namespace arbor::jobs {

enum class JobState { Queued, Running, Done, Failed, Cancelled };
QString toString(JobState state);
JobState jobStateFromString(const QString &text);

/**
 * @brief What kind of failure a job's last error was, so that `arbord chat`, `arbord jobs` and
 * the app can say "rate limited by the vendor, retrying in 12 s" without reading the message.
 * Stored as toString() in jobs.last_error_kind.
 */
enum class ErrorKind {
    None,        ///< no error recorded
    RateLimited, ///< the vendor refused for a rate limit (429, rate_limit_error,
                 ///< RESOURCE_EXHAUSTED)
    Network,     ///< no answer: refused, unreachable, timeout, or cut before any of the reply
    Server,      ///< the vendor's server failed (5xx, server_error)
    Overloaded,  ///< the vendor is overloaded (529, 503, overloaded_error)
    Interrupted, ///< the connection was cut after part of the reply
    Protocol,    ///< a reply Arbor cannot read (malformed)
    Auth,        ///< the key was refused
    NotFound,    ///< no such model, endpoint or provider
    BadRequest,  ///< the vendor rejected the request
    Quota,       ///< the account's quota or billing is used up
    WorkerLost,  ///< the process running the job stopped
    Other,
};
/** @brief "rate_limited", "network", "server", ... ("" for None). */
QString toString(ErrorKind kind);
ErrorKind errorKindFromString(const QString &text);
/** @brief For a person, lower case: "rate limited by the vendor", "network error", ... */
QString describe(ErrorKind kind);

/** @brief Priorities: interactive chat before titles/summaries before batch work. */
namespace Priority {
inline constexpr int Interactive = 100;
inline constexpr int Background = 50;
inline constexpr int Batch = 10;
} // namespace Priority

/** @brief The queue of a job that only worker @p workerId may claim ("pin:ID"): a tool call,
 *  which only the process that runs its reply (and has its server) can run. */
inline QString pinnedQueue(const QString &workerId)
{
    return QStringLiteral("pin:") + workerId;
}

/** @brief What to enqueue: ids and parameters, never loaded objects. */
struct JobSpec
{
    QString kind;
    QString queue = QStringLiteral("default");
    int priority = 0;
    QJsonObject payload;
    QString subjectId;   ///< the row the job works on (e.g. the assistant message), for look-ups
    int maxAttempts = 0; ///< 0 = the kind's limit (JobEngine::enqueue; a direct insert makes it 1)
    qint64 runAt = 0;    ///< 0 = now
    qint64 tokensEstimate = 0; ///< charged to the queue's tokens/minute budget when claimed
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
    qint64 tokensEstimate = 0;
    ErrorKind lastErrorKind = ErrorKind::None; ///< the kind of lastError
    /** @brief Queued again after a failed attempt: runAt is when the next attempt starts. */
    bool waitingToRetry() const { return state == JobState::Queued && attempts > 0; }
};

/**
 * @brief A job's tags for the dashboard, by name: provider (its queue, when not "default"), run
 * (a batch run's id in the payload) and whatever the enqueuer put in the payload's "tags"
 * object (a chat reply: conversation, model). Jobs carry ids only; tags are ids and names too.
 */
QMap<QString, QString> tagsOf(const Job &job);

/** @brief How a run ended badly. */
struct JobError
{
    QString message;
    bool retryable = false;
    qint64 retryAfterMs = -1; ///< from the server (Retry-After); -1 = use backoff
    /** @brief The provider refused for a rate limit (429): the whole queue, not only this job,
     *  waits retryAfterMs before its next request. */
    bool rateLimited = false;
    ErrorKind kind = ErrorKind::Other; ///< stored with the message (Job::lastErrorKind)
};

/** @brief What a vendor said about its limits (x-ratelimit-*, anthropic-ratelimit-*); -1 = unknown.
 */
struct RateLimitInfo
{
    qint64 remainingRequests = -1;
    qint64 remainingTokens = -1;
    qint64 requestsResetMs = -1; ///< until the request budget is full again
    qint64 tokensResetMs = -1;
    qint64 limitRequests = -1; ///< the budget when full
    qint64 limitTokens = -1;
};

} // namespace arbor::jobs

Q_DECLARE_METATYPE(arbor::jobs::Job)
