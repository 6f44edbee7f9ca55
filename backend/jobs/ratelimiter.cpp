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

void VendorWindow::refill(qint64 now)
{
    if (now <= m_at || !known()) {
        m_at = std::max(m_at, now);
        return;
    }
    m_level = std::min(m_limit, m_level + double(now - m_at) * m_perMs);
    m_at = now;
}

void VendorWindow::observe(qint64 limit, qint64 remaining, qint64 resetMs, qint64 now)
{
    if (limit > 0)
        m_limit = double(limit);
    if (remaining < 0 || m_limit <= 0)
        return;
    const bool wasKnown = known();
    refill(now);
    // Below the limit, the reset is when the window is full again: that is its refill rate.
    if (resetMs > 0 && double(remaining) < m_limit)
        m_perMs = (m_limit - double(remaining)) / double(resetMs);
    if (!known())
        return;
    // The vendor's count never raises ours: requests started since it counted are charged here.
    m_level = wasKnown ? std::min(m_level, double(remaining)) : double(remaining);
    m_at = now;
}

double VendorWindow::available(qint64 now)
{
    if (!known())
        return -1;
    refill(now);
    return m_level;
}

qint64 VendorWindow::msUntil(double cost, qint64 now)
{
    if (!known())
        return 0;
    refill(now);
    const double need = std::min(cost, m_limit) - m_level;
    if (need <= 0)
        return 0;
    return qint64(std::ceil(need / m_perMs));
}

void VendorWindow::spend(double cost, qint64 now)
{
    if (!known())
        return;
    refill(now);
    m_level = std::min(m_limit, m_level - cost); // a negative cost returns an over-estimate
}

void StartWindow::configure(qint64 perMinute)
{
    const qint64 cap = perMinute > 0 ? std::max<qint64>(1, perMinute * ShareMs / 60000) : 0;
    if (cap != m_cap)
        m_starts.clear();
    m_cap = cap;
}

void StartWindow::expire(qint64 now)
{
    while (!m_starts.empty() && m_starts.front() <= now - WindowMs)
        m_starts.pop_front();
}

qint64 StartWindow::room(qint64 now)
{
    if (unlimited())
        return INT_MAX;
    expire(now);
    return std::max<qint64>(0, m_cap - qint64(m_starts.size()));
}

void StartWindow::note(qint64 now)
{
    if (unlimited())
        return;
    m_starts.push_back(now);
    expire(now);
}

qint64 StartWindow::msUntilRoom(qint64 now)
{
    if (room(now) > 0)
        return 0;
    // The oldest start that keeps the window full leaves it WindowMs after it began.
    return m_starts.at(m_starts.size() - size_t(m_cap)) + WindowMs - now;
}

QueueLimiter::QueueLimiter(const QueueSettings &settings, qint64 now)
{
    configure(settings, now);
}

void QueueLimiter::configure(const QueueSettings &settings, qint64 now)
{
    if (settings.requestsPerMinute != m_requests.perMinute()) {
        m_requests = TokenBucket(settings.requestsPerMinute, BurstMs, now);
        m_requestWindow.configure(settings.requestsPerMinute);
    }
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
    if (!m_requests.unlimited()) {
        n = std::min<qint64>(n, qint64(std::floor(std::max(0.0, m_requests.available(now)))));
        n = std::min<qint64>(n, m_requestWindow.room(now));
    }
    if (!m_tokens.unlimited() && !m_tokens.canSpend(1, now))
        n = 0;
    if (m_vendorRequests.known())
        n = std::min<qint64>(n, qint64(std::floor(std::max(0.0, m_vendorRequests.available(now)))));
    if (m_vendorTokens.msUntil(1, now) > 0)
        n = 0;
    return n;
}

bool QueueLimiter::tryStart(qint64 tokens, qint64 now)
{
    if (msUntilStart(tokens, now) != 0)
        return false;
    charge(tokens, now);
    return true;
}

void QueueLimiter::charge(qint64 tokens, qint64 now)
{
    m_requests.spend(1, now);
    m_requestWindow.note(now);
    m_tokens.spend(double(tokens), now);
    m_vendorRequests.spend(1, now);
    m_vendorTokens.spend(double(tokens), now);
}

void QueueLimiter::correctTokens(qint64 estimated, qint64 actual, qint64 now)
{
    m_tokens.adjust(double(actual - estimated), now);
    m_vendorTokens.spend(double(actual - estimated), now);
}

void QueueLimiter::applyVendorInfo(const RateLimitInfo &info, qint64 now)
{
    if (info.remainingRequests >= 0)
        m_requests.clampTo(double(info.remainingRequests), now);
    if (info.remainingTokens >= 0)
        m_tokens.clampTo(double(info.remainingTokens), now);
    // Not a hold until the reset: that froze a provider for minutes after a 429 on a tiny
    // request (an OpenAI token window reports "6m0s" until it is full again).
    m_vendorRequests.observe(info.limitRequests, info.remainingRequests, info.requestsResetMs, now);
    m_vendorTokens.observe(info.limitTokens, info.remainingTokens, info.tokensResetMs, now);
}

void QueueLimiter::holdUntil(qint64 until)
{
    m_blockedUntil = std::max(m_blockedUntil, until);
}

qint64 QueueLimiter::msUntilReady(qint64 now)
{
    if (m_settings.paused)
        return -1;
    return msUntilStart(1, now);
}

qint64 QueueLimiter::msUntilStart(qint64 tokens, qint64 now)
{
    if (m_settings.paused)
        return -1;
    qint64 wait = std::max<qint64>(0, m_blockedUntil - now);
    wait = std::max(wait, m_requests.msUntil(1, now));
    wait = std::max(wait, m_requestWindow.msUntilRoom(now));
    wait = std::max(wait, m_tokens.msUntil(double(tokens), now));
    wait = std::max(wait, m_vendorRequests.msUntil(1, now));
    wait = std::max(wait, m_vendorTokens.msUntil(double(tokens), now));
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
    const qint64 wait = msUntilReady(now);
    s.readyAt = wait < 0 ? -1 : now + wait;
    s.vendorRequestsAvailable = m_vendorRequests.available(now);
    s.vendorTokensAvailable = m_vendorTokens.available(now);
    return s;
}

} // namespace arbor::jobs
