#pragma once

#include "sql.h"

#include <QFuture>
#include <QPromise>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <vector>

namespace arbor::store {

/**
 * @brief Threads that each own one SQLite connection and run queued tasks on it.
 *
 * In Writer mode there is one thread and tasks are committed in groups: everything queued at
 * the moment the thread wakes runs in one transaction, each task inside its own savepoint so a
 * failing task rolls back alone. A task's future finishes only after the COMMIT, so a result
 * means the write is durable. Between groups the writer begins the next transaction early and
 * looks for work a few microseconds before it sleeps (see spinForWork). In Reader mode each
 * thread has a read-only connection (WAL lets readers run beside the writer) and tasks run
 * without a transaction.
 *
 * The writer's connection does not checkpoint the WAL itself (an automatic checkpoint would run
 * inside whichever commit crosses the threshold and stall it for milliseconds): a checkpointer
 * thread with its own connection copies committed pages to the database file beside it. Only
 * when the WAL has grown past a few thousand pages does the writer, between two groups, copy
 * the rest itself so that the WAL starts over (see restartWal()). The durability of a commit
 * does not change: it is in the WAL, with the store's synchronous setting, before the task's
 * future finishes.
 */
class SqlThreads
{
public:
    enum class Mode { Writer, Reader };
    using Task = std::function<void(QSqlDatabase &)>;
    using Done = std::function<void(std::exception_ptr)>;

    SqlThreads(QString path, Mode mode, int threadCount);
    ~SqlThreads();
    SqlThreads(const SqlThreads &) = delete;
    SqlThreads &operator=(const SqlThreads &) = delete;

    /** @brief Starts the threads and opens their connections; throws StoreError on failure. */
    void start();
    /** @brief Runs every queued task, then closes the connections and joins the threads. */
    void stop();

    /** @brief Queues @p task; @p done gets nullptr after success (after COMMIT for a writer). */
    void post(Task task, Done done);

    /** @brief submit()'s default second step: the task's result as it is. */
    struct Unchanged
    {};
    /** @brief What submit(f, then) answers: @p then's result (the task's with Unchanged). */
    template<class F, class Then>
    using Answer = typename std::conditional_t<
        std::is_same_v<Then, Unchanged>, std::invoke_result<F &, QSqlDatabase &>,
        std::conditional_t<
            std::is_void_v<std::invoke_result_t<F &, QSqlDatabase &>>, std::invoke_result<Then &>,
            std::invoke_result<Then &, std::invoke_result_t<F &, QSqlDatabase &>>>>::type;

    /**
     * @brief Queues @p f(db) and returns its result as a future (exceptions propagate).
     *
     * With @p then, the future answers then(result) (then() for a void task) instead: it runs
     * on this thread once the task succeeded (after COMMIT for a writer), before the future
     * finishes, and not at all when the task or its commit failed; its own exception is the
     * future's. The race-free form of `submit(f).then(then)` (see core/whenready.h: in Qt 6.4
     * a then() attached while this thread finishes the future can run twice).
     */
    template<class F, class Then = Unchanged>
    auto submit(F f, Then then = {}) -> QFuture<Answer<F, Then>>
    {
        using R = std::invoke_result_t<F &, QSqlDatabase &>;
        using A = Answer<F, Then>;
        auto promise = std::make_shared<QPromise<A>>();
        QFuture<A> future = promise->future();
        promise->start();
        // The answer, on this thread after the task (and COMMIT): then() of the task's value.
        auto answer = [promise, then = std::move(then)](auto &&...value) mutable {
            if constexpr (std::is_same_v<Then, Unchanged>) {
                if constexpr (!std::is_void_v<A>)
                    promise->addResult(std::move(value)...);
            } else if constexpr (std::is_void_v<A>) {
                then(std::move(value)...);
            } else {
                promise->addResult(then(std::move(value)...));
            }
        };
        if constexpr (std::is_void_v<R>) {
            post([f = std::move(f)](QSqlDatabase &db) mutable { f(db); },
                 [promise, answer](std::exception_ptr e) mutable {
                     if (!e) {
                         try {
                             answer();
                         } catch (...) {
                             e = std::current_exception();
                         }
                     }
                     if (e)
                         promise->setException(e);
                     promise->finish();
                 });
        } else {
            auto value = std::make_shared<std::optional<R>>();
            post([f = std::move(f), value](QSqlDatabase &db) mutable { value->emplace(f(db)); },
                 [promise, value, answer](std::exception_ptr e) mutable {
                     if (!e) {
                         try {
                             answer(std::move(**value));
                         } catch (...) {
                             e = std::current_exception();
                         }
                     }
                     if (e)
                         promise->setException(e);
                     promise->finish();
                 });
        }
        return future;
    }

    /** @brief Number of transactions committed (writer) — for benchmarks and tests. */
    quint64 commits() const;

private:
    struct Item
    {
        Task task;
        Done done;
    };
    void run(int index, std::promise<void> *opened);
    /** @brief Runs @p batch in one transaction (@p begun: already open, see spinForWork). */
    void runWriterBatch(QSqlDatabase &db, std::vector<Item> &batch, bool begun);
    void runCheckpointer(std::promise<void> *opened);
    /** @brief Writer, between groups: begins the next transaction and waits briefly for a task;
     *  returns whether a transaction is open. */
    bool spinForWork(QSqlDatabase &db, bool begun);
    /** @brief Writer, between groups, when the WAL has grown: copies what is left of it to the
     *  database file so that the next write starts it over; false when readers or the
     *  checkpointer kept it busy (then later). */
    bool restartWal(QSqlDatabase &db);

    const QString m_path;
    const Mode m_mode;
    const int m_threadCount;
    const QString m_namePrefix;
    std::vector<std::thread> m_threads;
    mutable std::mutex m_mutex;
    std::mutex m_closeMutex;      ///< connections close one at a time (see run())
    std::mutex m_checkpointMutex; ///< one checkpoint at a time (checkpointer, restartWal())
    std::condition_variable m_wake;
    std::condition_variable m_checkpointWake;
    std::atomic<quint64> m_posted{0}; ///< tasks ever posted (the writer's spin watches it)
    std::atomic<quint64> m_taken{0};  ///< tasks ever taken by the threads (written under m_mutex)
    quint64 m_checkpointedAt = 0;     ///< m_commits at the last checkpoint
    std::deque<Item> m_queue;
    bool m_stopping = false;
    bool m_started = false;
    quint64 m_commits = 0;
};

} // namespace arbor::store
