#include "highlightwatchdog.h"

#include <QtGlobal>

#include <utility>

// A thread's CPU clock (POSIX; not on Apple systems, which lack pthread_getcpuclockid).
#if defined(Q_OS_UNIX) && !defined(Q_OS_DARWIN)
#define ARBOR_THREAD_CPU_CLOCK 1
#include <pthread.h>
#include <time.h>
#endif

namespace arbor::app {

namespace {

#if defined(ARBOR_THREAD_CPU_CLOCK)
std::optional<std::chrono::nanoseconds> cpuTime(clockid_t clock)
{
    timespec now{};
    if (clock_gettime(clock, &now) != 0)
        return std::nullopt;
    return std::chrono::seconds(now.tv_sec) + std::chrono::nanoseconds(now.tv_nsec);
}
#endif

} // namespace

HighlightWatchdog::HighlightWatchdog(std::function<void()> expire)
    : m_expire(std::move(expire))
    , m_thread([this] { run(); })
{
}

HighlightWatchdog::~HighlightWatchdog()
{
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_wake.notify_all();
    m_thread.join();
}

void HighlightWatchdog::arm(std::chrono::nanoseconds limit)
{
    {
        std::lock_guard lock(m_mutex);
        m_limit = limit;
        m_armedAt = Clock::now();
        m_deadline = m_armedAt + limit;
        m_cpuAtArm.reset();
#if defined(ARBOR_THREAD_CPU_CLOCK)
        clockid_t clock{};
        if (pthread_getcpuclockid(pthread_self(), &clock) == 0) {
            m_cpuClock = long(clock);
            m_cpuAtArm = cpuTime(clock);
        }
#endif
        m_fired = false;
    }
    m_wake.notify_all();
}

bool HighlightWatchdog::disarm()
{
    std::lock_guard lock(m_mutex);
    m_deadline.reset();
    return std::exchange(m_fired, false);
}

void HighlightWatchdog::expireNow()
{
    std::lock_guard lock(m_mutex);
    if (!m_deadline)
        return;
    m_deadline.reset();
    m_fired = true;
    m_expire();
}

std::chrono::nanoseconds HighlightWatchdog::used() const
{
    std::lock_guard lock(m_mutex);
    return usedLocked();
}

std::chrono::nanoseconds HighlightWatchdog::usedLocked() const
{
#if defined(ARBOR_THREAD_CPU_CLOCK)
    if (m_cpuAtArm) {
        if (const auto now = cpuTime(clockid_t(m_cpuClock)))
            return *now - *m_cpuAtArm;
    }
#endif
    return Clock::now() - m_armedAt;
}

void HighlightWatchdog::run()
{
    std::unique_lock lock(m_mutex);
    while (!m_stop) {
        if (!m_deadline) {
            m_wake.wait(lock);
            continue;
        }
        const Clock::time_point deadline = *m_deadline;
        if (Clock::now() < deadline) {
            m_wake.wait_until(lock, deadline);
            continue;
        }
        const std::chrono::nanoseconds spent = usedLocked();
        if (spent < m_limit) {
            // The thread was waiting for a CPU: look again when it could have used the rest.
            m_deadline = Clock::now() + (m_limit - spent);
            continue;
        }
        // Under the lock: disarm() cannot return in between, so a caller that has disarmed
        // never sees expire() afterwards.
        m_deadline.reset();
        m_fired = true;
        m_expire();
    }
}

} // namespace arbor::app
