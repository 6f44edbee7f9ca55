#pragma once

#include "job.h"

#include <QString>
#include <QtGlobal>

#include <deque>

namespace arbor::jobs {

/**
 * @brief A token bucket refilled continuously at perMinute/60000 tokens per ms, holding at most
 * a short burst (capacity). A cost larger than the capacity passes when the bucket is full and
 * leaves it in debt, so a big request is delayed, never refused forever. Time comes from the
 * caller (the engine's injectable clock). Not thread-safe: the dispatcher owns it.
 */
class TokenBucket
{
public:
    TokenBucket() = default;
    /** @brief @p perMinute 0 = unlimited. @p burstMs: how much time's worth of refill the bucket
     *  holds (capacity = perMinute * burstMs / 60000, at least 1). */
    TokenBucket(qint64 perMinute, qint64 burstMs, qint64 now);

    bool unlimited() const { return m_perMinute <= 0; }
    qint64 perMinute() const { return m_perMinute; }
    double capacity() const { return m_capacity; }
    /** @brief Tokens available at @p now (may be negative: debt). */
    double available(qint64 now);
    /** @brief Whether @p cost may be spent at @p now. */
    bool canSpend(double cost, qint64 now);
    void spend(double cost, qint64 now);
    /** @brief Returns or charges the difference between an estimate and the real cost. */
    void adjust(double delta, qint64 now);
    /** @brief The vendor says only @p remaining are left (never raises the level). */
    void clampTo(double remaining, qint64 now);
    /** @brief Ms from @p now until @p cost can be spent (0 = now). */
    qint64 msUntil(double cost, qint64 now);
    /** @brief Ms from @p now until the bucket is full. */
    qint64 msUntilFull(qint64 now);

private:
    void refill(qint64 now);
    qint64 m_perMinute = 0;
    double m_capacity = 0;
    double m_level = 0;
    qint64 m_at = 0;
};

/**
 * @brief A vendor's own budget (requests or tokens) as its rate-limit headers describe it:
 * `remaining` of `limit` now, refilled continuously to the full limit by the reset time, which
 * is how OpenAI and Anthropic document their limits. A request costing c after an exhausted
 * window therefore waits c × reset / limit, not the window's whole reset. Unknown until a
 * response states a limit (remembered) and a reset while below it; unknown, it holds nothing.
 */
class VendorWindow
{
public:
    /** @brief What one response said (-1 = not sent). */
    void observe(qint64 limit, qint64 remaining, qint64 resetMs, qint64 now);
    /** @brief Whether the refill rate is known (only then does the window pace anything). */
    bool known() const { return m_perMs > 0; }
    /** @brief The vendor's budget left at @p now, as far as Arbor knows (-1 = unknown). */
    double available(qint64 now);
    /** @brief Ms from @p now until @p cost fits (a cost above the limit waits for a full
     *  window); 0 while unknown. */
    qint64 msUntil(double cost, qint64 now);
    void spend(double cost, qint64 now);

private:
    void refill(qint64 now);
    double m_limit = 0;
    double m_perMs = 0;
    double m_level = 0;
    qint64 m_at = 0;
};

/**
 * @brief The starts of the last WindowMs: at most `cap` of them in any window of that length.
 * What a token bucket cannot promise on its own: a full bucket's burst plus the refill during a
 * window exceeds the rate, so "6,000 per minute" could mean 1,300 in ten seconds. With this
 * beside the bucket, 6,000 per minute is at most 1,000 starts in any 10.5 s — so at most 1,000
 * reach the vendor in any 10 s even when the way there takes half a second more for some
 * requests than for others, and at most 6,000 in any minute — while a short burst still goes out
 * at once. The half second costs up to 5% of the rate over a long run: never above the limit.
 */
class StartWindow
{
public:
    static constexpr qint64 ShareMs = 10000; ///< the window whose share of the rate is the cap
    static constexpr qint64 WindowMs = ShareMs + 500;

    /** @brief @p perMinute 0 = unlimited. */
    void configure(qint64 perMinute);
    bool unlimited() const { return m_cap <= 0; }
    /** @brief How many more may start at @p now. */
    qint64 room(qint64 now);
    void note(qint64 now);
    /** @brief Ms from @p now until one more may start (0 = now). */
    qint64 msUntilRoom(qint64 now);

private:
    void expire(qint64 now);
    qint64 m_cap = 0;
    std::deque<qint64> m_starts;
};

/** @brief A queue's settings, as stored in job_queues. */
struct QueueSettings
{
    QString name;
    bool paused = false;
    int concurrency = 0;          ///< 0 = only the engine's limit
    qint64 requestsPerMinute = 0; ///< 0 = unlimited
    qint64 tokensPerMinute = 0;   ///< 0 = unlimited
};

/** @brief A queue's live limit state, for the dashboard. */
struct QueueLimitState
{
    QString name;
    bool paused = false;
    int running = 0;
    int concurrency = 0;
    qint64 requestsPerMinute = 0;
    qint64 tokensPerMinute = 0;
    double requestsAvailable = -1; ///< -1 = unlimited
    double tokensAvailable = -1;
    qint64 refillMs = 0;     ///< until both buckets are full again
    qint64 blockedUntil = 0; ///< a Retry-After holds the queue until then (ms since epoch)
    /** @brief When the next job may start, all limits together (ms since epoch; the moment of
     *  the reading when nothing holds the queue; -1 = paused). */
    qint64 readyAt = 0;
    /** @brief The vendor's budgets as its headers said (refilled since); -1 = unknown. */
    double vendorRequestsAvailable = -1;
    double vendorTokensAvailable = -1;
};

/**
 * @brief Everything that limits one queue: concurrency, the configured requests/min and
 * tokens/min buckets, the vendor's own windows (VendorWindow, from its rate-limit headers),
 * and a hold for a 429's Retry-After. Owned by the dispatcher thread.
 */
class QueueLimiter
{
public:
    /** @brief Burst of each bucket: 3 s worth of refill, so over minutes the rate stays within
     *  a few per cent of the limit while short bursts still go out at once (requests are also
     *  held to their share of any 10 s window: StartWindow). */
    static constexpr qint64 BurstMs = 3000;

    QueueLimiter() = default;
    QueueLimiter(const QueueSettings &settings, qint64 now);
    /** @brief Applies new settings, keeping the buckets' levels where the rate is unchanged. */
    void configure(const QueueSettings &settings, qint64 now);
    const QueueSettings &settings() const { return m_settings; }

    /** @brief How many more jobs may start now (ignoring token costs); INT_MAX = no limit. */
    int startable(int running, qint64 now);
    /** @brief Whether a job costing @p tokens may start now; charges it if so. */
    bool tryStart(qint64 tokens, qint64 now);
    /** @brief Charges a job that started anyway (claimed in a batch). */
    void charge(qint64 tokens, qint64 now);
    /** @brief Corrects the tokens charged for a job once its real usage is known. */
    void correctTokens(qint64 estimated, qint64 actual, qint64 now);
    /** @brief A response's rate-limit headers: the configured buckets never hold more than the
     *  vendor says is left, and the vendor's windows pace what follows in proportion to each
     *  request's cost. An exhausted window never freezes the queue until its reset. */
    void applyVendorInfo(const RateLimitInfo &info, qint64 now);
    /** @brief A 429 with Retry-After: nothing starts before @p until. */
    void holdUntil(qint64 until);
    qint64 blockedUntil() const { return m_blockedUntil; }
    /** @brief Ms until something may start again (0 = now; -1 = only a finished job frees it). */
    qint64 msUntilReady(qint64 now);
    /** @brief Ms until a job costing @p tokens may start (0 = now; -1 = paused). */
    qint64 msUntilStart(qint64 tokens, qint64 now);
    /** @brief Whether starts are paced by tokens (configured or the vendor's): the cost of a job
     *  is known only once it is claimed, so jobs are claimed one at a time. */
    bool pacesTokens() const { return m_settings.tokensPerMinute > 0 || m_vendorTokens.known(); }

    QueueLimitState state(int running, qint64 now);

private:
    QueueSettings m_settings;
    TokenBucket m_requests;
    StartWindow m_requestWindow;
    TokenBucket m_tokens;
    VendorWindow m_vendorRequests;
    VendorWindow m_vendorTokens;
    qint64 m_blockedUntil = 0;
};

} // namespace arbor::jobs
