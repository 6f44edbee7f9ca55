#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

namespace arbor::app {

/**
 * @brief A time limit for one piece of work at a time, kept on a thread of its own: when the
 * limit passes before disarm(), it calls the expiry function there (for the highlighter:
 * QJSEngine::setInterrupted(true), which is thread-safe).
 *
 * The limit counts the CPU time of the thread that armed it (Linux and the BSDs; elsewhere the
 * time on the clock), so a machine busy with other work does not cut a block short, while a
 * block that keeps the worker busy is stopped after the limit all the same.
 *
 * Once disarm() has returned, the function is not called for that piece of work any more, so
 * the caller can clear what it did without a race. arm() and disarm() come from the thread
 * doing the work; expireNow() from any.
 */
class HighlightWatchdog
{
public:
    using Clock = std::chrono::steady_clock;

    explicit HighlightWatchdog(std::function<void()> expire);
    ~HighlightWatchdog();
    HighlightWatchdog(const HighlightWatchdog &) = delete;
    HighlightWatchdog &operator=(const HighlightWatchdog &) = delete;

    /** @brief Starts timing the calling thread: expire() runs once it has used @p limit
     *  before disarm(). */
    void arm(std::chrono::nanoseconds limit);
    /** @brief Stops timing. @return whether the limit passed and expire() ran. */
    bool disarm();
    /** @brief Time the armed thread has used since arm() (CPU time where it counts that). */
    std::chrono::nanoseconds used() const;
    /** @brief Expires the armed limit now (shutting down); nothing when none is armed. */
    void expireNow();

private:
    void run();
    std::chrono::nanoseconds usedLocked() const;

    std::function<void()> m_expire;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::optional<Clock::time_point> m_deadline; // when to look again
    std::chrono::nanoseconds m_limit{};
    Clock::time_point m_armedAt;
    std::optional<std::chrono::nanoseconds> m_cpuAtArm; // set when the thread's CPU clock is read
    long m_cpuClock = 0;                                // clockid_t of the armed thread
    bool m_fired = false;
    bool m_stop = false;
    std::thread m_thread;
};

} // namespace arbor::app
