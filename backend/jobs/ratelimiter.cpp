#include "ratelimiter.h"

#include <algorithm>
#include <climits>
#include <cmath>

namespace arbor::jobs {

TokenBucket::TokenBucket(qint64 perMinute, qint64 burstMs, qint64 now)
    : m_perMinute(std::max<qint64>(0, perMinute))
    , m_capacity(std::max(1.0, double(m_perMinute) * double(burstMs) / 60000.0))
    , m_level(m_capacity)
    , m_at(now)
{
}

void TokenBucket::refill(qint64 now)
{
    if (now <= m_at)
        return;
    m_level = std::min(m_capacity, m_level + double(now - m_at) * double(m_perMinute) / 60000.0);
    m_at = now;
}

double TokenBucket::available(qint64 now)
{
    refill(now);
    return m_level;
}

bool TokenBucket::canSpend(double cost, qint64 now)
{
    if (unlimited())
        return true;
    refill(now);
    // A cost above the capacity could never fit: let it go when the bucket is full (it then
    // owes the difference, which delays what comes next).
    return m_level >= std::min(cost, m_capacity);
}

void TokenBucket::spend(double cost, qint64 now)
{
    if (unlimited())
        return;
    refill(now);
    m_level -= cost;
}

void TokenBucket::adjust(double delta, qint64 now)
{
    if (unlimited())
        return;
    refill(now);
    m_level = std::min(m_capacity, m_level - delta);
}

void TokenBucket::clampTo(double remaining, qint64 now)
{
    if (unlimited())
        return;
    refill(now);
    m_level = std::min(m_level, remaining);
}

qint64 TokenBucket::msUntil(double cost, qint64 now)
{
    if (unlimited())
        return 0;
    refill(now);
    const double need = std::min(cost, m_capacity) - m_level;
    if (need <= 0)
        return 0;
    return qint64(std::ceil(need * 60000.0 / double(m_perMinute)));
}

qint64 TokenBucket::msUntilFull(qint64 now)
{
    return msUntil(m_capacity, now);
}

QueueLimiter::QueueLimiter(const QueueSettings &settings, qint64 now)
{
    configure(settings, now);
}

void QueueLimiter::configure(const QueueSettings &settings, qint64 now)
{
    if (settings.requestsPerMinute != m_requests.perMinute())
        m_requests = TokenBucket(settings.requestsPerMinute, BurstMs, now);
    if (settings.tokensPerMinute != m_tokens.perMinute())
        m_tokens = TokenBucket(settings.tokensPerMinute, BurstMs, now);
    m_settings = settings;
}

int QueueLimiter::startable(int running, qint64 now)
{
    if (m_settings.paused || now < m_blockedUntil)
        return 0;
    int n = INT_MAX;
    if (m_settings.concurrency > 0)
        n = std::max(0, m_settings.concurrency - running);
    if (!m_requests.unlimited())
        n = std::min<qint64>(n, qint64(std::floor(std::max(0.0, m_requests.available(now)))));
    if (!m_tokens.unlimited() && !m_tokens.canSpend(1, now))
        n = 0;
    return n;
}

bool QueueLimiter::tryStart(qint64 tokens, qint64 now)
{
    if (!m_requests.canSpend(1, now) || !m_tokens.canSpend(double(tokens), now))
        return false;
    charge(tokens, now);
    return true;
}

void QueueLimiter::charge(qint64 tokens, qint64 now)
{
    m_requests.spend(1, now);
    m_tokens.spend(double(tokens), now);
}

void QueueLimiter::correctTokens(qint64 estimated, qint64 actual, qint64 now)
{
    m_tokens.adjust(double(actual - estimated), now);
}

void QueueLimiter::applyVendorInfo(const RateLimitInfo &info, qint64 now)
{
    if (info.remainingRequests >= 0)
        m_requests.clampTo(double(info.remainingRequests), now);
    if (info.remainingTokens >= 0)
        m_tokens.clampTo(double(info.remainingTokens), now);
    // Out of budget with a known reset: hold the queue until the vendor refills it.
    if (info.remainingRequests == 0 && info.requestsResetMs > 0)
        holdUntil(now + info.requestsResetMs);
    if (info.remainingTokens == 0 && info.tokensResetMs > 0)
        holdUntil(now + info.tokensResetMs);
}

void QueueLimiter::holdUntil(qint64 until)
{
    m_blockedUntil = std::max(m_blockedUntil, until);
}

qint64 QueueLimiter::msUntilReady(qint64 now)
{
    if (m_settings.paused)
        return -1;
    qint64 wait = std::max<qint64>(0, m_blockedUntil - now);
    wait = std::max(wait, m_requests.msUntil(1, now));
    wait = std::max(wait, m_tokens.msUntil(1, now));
    return wait;
}

QueueLimitState QueueLimiter::state(int running, qint64 now)
{
    QueueLimitState s;
    s.name = m_settings.name;
    s.paused = m_settings.paused;
    s.running = running;
    s.concurrency = m_settings.concurrency;
    s.requestsPerMinute = m_settings.requestsPerMinute;
    s.tokensPerMinute = m_settings.tokensPerMinute;
    s.requestsAvailable = m_requests.unlimited() ? -1 : m_requests.available(now);
    s.tokensAvailable = m_tokens.unlimited() ? -1 : m_tokens.available(now);
    s.refillMs = std::max(m_requests.unlimited() ? 0 : m_requests.msUntilFull(now),
                          m_tokens.unlimited() ? 0 : m_tokens.msUntilFull(now));
    s.blockedUntil = m_blockedUntil > now ? m_blockedUntil : 0;
    return s;
}

} // namespace arbor::jobs
