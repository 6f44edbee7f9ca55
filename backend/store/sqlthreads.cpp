#include "sqlthreads.h"

#include <QLoggingCategory>
#include <QSqlError>
#include <QUuid>

#include <chrono>
#include <future>
#include <utility>

Q_LOGGING_CATEGORY(lcWriter, "arbor.store.writer", QtInfoMsg)

namespace arbor::store {

namespace {
constexpr size_t kMaxGroup = 4096;
/** @brief The checkpointer runs this long after the first commit since its last run, or after
 *  this many commits if sooner. */
constexpr quint64 kCheckpointCommits = 512;
constexpr auto kCheckpointInterval = std::chrono::milliseconds(50);
/** @brief How long the writer looks for the next write before it sleeps. */
constexpr auto kSpin = std::chrono::microseconds(50);
/** @brief WAL frames (pages of 4 KiB) past which the writer makes the WAL start over; a
 *  restarted WAL file is cut back to kWalSizeLimit bytes. */
constexpr int kWalRestartFrames = 4096;
constexpr qint64 kWalSizeLimit = 32 * 1024 * 1024;
/** @brief Commits between two of the writer's attempts: at first, and at most after failed ones
 *  (each failure doubles the wait, so a long reader costs the writer little). */
constexpr quint64 kWalRestartEvery = 16;
constexpr quint64 kWalRestartEveryMost = 512;
/** @brief How long one attempt may wait for the checkpointer and for readers (ms). */
constexpr int kWalRestartWaitMs = 20;
} // namespace

SqlThreads::SqlThreads(QString path, Mode mode, int threadCount)
    : m_path(std::move(path))
    , m_mode(mode)
    , m_threadCount(mode == Mode::Writer ? 1 : std::max(1, threadCount))
    , m_namePrefix(QStringLiteral("arbor-%1-%2")
                       .arg(mode == Mode::Writer ? QStringLiteral("write") : QStringLiteral("read"),
                            QUuid::createUuid().toString(QUuid::WithoutBraces)))
{
}

SqlThreads::~SqlThreads()
{
    stop();
}

void SqlThreads::start()
{
    const bool checkpointer = m_mode == Mode::Writer;
    std::vector<std::promise<void>> opened(
        static_cast<size_t>(m_threadCount + (checkpointer ? 1 : 0)));
    for (int i = 0; i < m_threadCount; ++i)
        m_threads.emplace_back([this, i, p = &opened[size_t(i)]] { run(i, p); });
    if (checkpointer)
        m_threads.emplace_back([this, p = &opened.back()] { runCheckpointer(p); });
    std::exception_ptr failure;
    for (auto &p : opened) {
        try {
            p.get_future().get();
        } catch (...) {
            failure = std::current_exception();
        }
    }
    {
        std::lock_guard lock(m_mutex);
        m_started = true;
    }
    if (failure) {
        stop();
        std::rethrow_exception(failure);
    }
}

void SqlThreads::stop()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    m_checkpointWake.notify_all();
    for (auto &t : m_threads)
        if (t.joinable())
            t.join();
    m_threads.clear();
    // Tasks posted after the threads ended still get an answer.
    std::deque<Item> rest;
    {
        std::lock_guard lock(m_mutex);
        rest.swap(m_queue);
    }
    for (auto &item : rest)
        if (item.done)
            item.done(std::make_exception_ptr(StoreError(QStringLiteral("The store is closed."))));
}

void SqlThreads::post(Task task, Done done)
{
    {
        std::lock_guard lock(m_mutex);
        if (!m_stopping) {
            m_queue.push_back(Item{std::move(task), std::move(done)});
            m_posted.fetch_add(1, std::memory_order_release);
            m_wake.notify_one();
            return;
        }
    }
    if (done)
        done(std::make_exception_ptr(StoreError(QStringLiteral("The store is closed."))));
}

quint64 SqlThreads::commits() const
{
    std::lock_guard lock(m_mutex);
    return m_commits;
}

void SqlThreads::run(int index, std::promise<void> *opened)
{
    const QString name = QStringLiteral("%1-%2").arg(m_namePrefix).arg(index);
    {
        QSqlDatabase db;
        int walFrames = 0;             ///< in the WAL after the last commit (writer)
        quint64 walRestartTriedAt = 0; ///< m_commits at the writer's last attempt
        quint64 walRestartEvery = kWalRestartEvery;
        try {
            db = openConnection(m_path, name, m_mode == Mode::Reader);
            if (m_mode == Mode::Writer) {
                exec(db, QStringLiteral("PRAGMA wal_autocheckpoint=0")); // the checkpointer's job
                exec(db, QStringLiteral("PRAGMA journal_size_limit=%1").arg(kWalSizeLimit));
                countWalFrames(db, &walFrames);
            }
            opened->set_value();
        } catch (...) {
            opened->set_exception(std::current_exception());
            return;
        }
        // Prepared once, run many times: BEGIN/COMMIT and the hot queries (execCached,
        // NativeQuery).
        std::optional<StatementCache> statements(std::in_place, name);

        std::vector<Item> batch;
        bool begun = false; // the writer's next transaction is open already (see spinForWork)
        for (;;) {
            if (m_mode == Mode::Writer) {
                if (!begun && walFrames >= kWalRestartFrames) {
                    const quint64 commits = this->commits();
                    if (commits - walRestartTriedAt >= walRestartEvery) {
                        walRestartTriedAt = commits;
                        walRestartEvery = restartWal(db)
                            ? kWalRestartEvery
                            : std::min(walRestartEvery * 2, kWalRestartEveryMost);
                    }
                }
                begun = spinForWork(db, begun);
            }
            {
                std::unique_lock lock(m_mutex);
                if (begun && m_queue.empty()) {
                    // Nothing came: the early transaction holds the write lock, end it before
                    // sleeping.
                    lock.unlock();
                    begun = false;
                    QSqlQuery(db).exec(QStringLiteral("ROLLBACK"));
                    lock.lock();
                }
                m_wake.wait(lock, [this] { return m_stopping || !m_queue.empty(); });
                if (m_queue.empty())
                    break; // stopping and drained
                const size_t take =
                    m_mode == Mode::Writer ? std::min(m_queue.size(), kMaxGroup) : 1;
                for (size_t i = 0; i < take; ++i) {
                    batch.push_back(std::move(m_queue.front()));
                    m_queue.pop_front();
                }
                m_taken.store(m_taken.load(std::memory_order_relaxed) + take,
                              std::memory_order_relaxed);
            }
            if (m_mode == Mode::Writer) {
                runWriterBatch(db, batch, std::exchange(begun, false));
            } else {
                for (auto &item : batch) {
                    std::exception_ptr error;
                    try {
                        item.task(db);
                    } catch (...) {
                        error = std::current_exception();
                    }
                    if (item.done)
                        item.done(error);
                }
            }
            batch.clear();
        }
        statements.reset();
    }
    // One connection closes at a time: the last one to close folds the WAL in and removes the
    // -wal and -shm files, which two closing at the same moment would each leave to the other.
    std::lock_guard closing(m_closeMutex);
    closeConnection(name);
}

bool SqlThreads::restartWal(QSqlDatabase &db)
{
    // SQLite starts the WAL over (and cuts its file to journal_size_limit) at the first write
    // after every frame was copied to the database file and no reader still reads one. The
    // checkpointer alone never gets there while writes keep coming: the writer begins its next
    // transaction right after each commit (spinForWork), before any checkpoint ran, so the WAL
    // grew for as long as writes came (a million-row batch left a gigabyte of WAL beside a
    // database a fifth of that). So the writer, now and then, between two groups, checkpoints
    // in RESTART mode itself: it copies what the checkpointer has not yet and waits for the
    // readers of older snapshots, briefly (a reader that stays longer only delays the restart).
    // Not beside the checkpointer's run (SQLite lets one checkpoint run at a time): after it.
    std::lock_guard checkpointing(m_checkpointMutex);
    QSqlQuery q(db);
    int busyMs = 5000;
    if (q.exec(QStringLiteral("PRAGMA busy_timeout")) && q.next())
        busyMs = q.value(0).toInt();
    q.exec(QStringLiteral("PRAGMA busy_timeout=%1").arg(kWalRestartWaitMs));
    bool restarted = false;
    if (q.exec(QStringLiteral("PRAGMA wal_checkpoint(RESTART)")) && q.next())
        restarted = q.value(0).toInt() == 0; // not busy: the next write starts the WAL over
    else
        qCDebug(lcWriter) << "WAL restart failed (tried again later):" << q.lastError().text();
    q.exec(QStringLiteral("PRAGMA busy_timeout=%1").arg(busyMs));
    return restarted;
}

bool SqlThreads::spinForWork(QSqlDatabase &db, bool begun)
{
    // Tasks already waiting (posted during the last group): no need to look for them.
    if (m_posted.load(std::memory_order_acquire) != m_taken.load(std::memory_order_relaxed))
        return begun;
    // The next group's BEGIN now, while nothing waits: its locks (a WAL read mark and the write
    // lock, several fcntl calls) are then taken off the path of the write that comes next. It
    // holds the write lock only while this looks for work; when nothing comes it is rolled back
    // before the thread sleeps. No other writer shares this process, and another process's
    // writer waits on the busy timeout as it would behind a write, so the snapshot it reads
    // stays the latest.
    if (!begun) {
        static const QByteArray begin = QByteArrayLiteral("BEGIN IMMEDIATE");
        try {
            NativeQuery q(db, begin);
            q.step();
            begun = true;
        } catch (const StoreError &e) {
            qCDebug(lcWriter) << "early BEGIN failed; the next group begins its own:"
                              << e.message();
        }
    }
    // A caller that awaits each write posts the next one a few microseconds after the last
    // answer: catching it here saves a sleep and a wake-up (a futex round trip, and the
    // scheduler's latency) per write. Bounded, and it yields to other threads between looks.
    const quint64 seen = m_taken.load(std::memory_order_relaxed);
    const auto until = std::chrono::steady_clock::now() + kSpin;
    while (m_posted.load(std::memory_order_acquire) == seen
           && std::chrono::steady_clock::now() < until)
        std::this_thread::yield();
    return begun;
}

void SqlThreads::runCheckpointer(std::promise<void> *opened)
{
    const QString name = QStringLiteral("%1-checkpoint").arg(m_namePrefix);
    {
        QSqlDatabase db;
        try {
            db = openConnection(m_path, name, false);
            opened->set_value();
        } catch (...) {
            opened->set_exception(std::current_exception());
            return;
        }
        std::unique_lock lock(m_mutex);
        for (;;) {
            // Asleep while nothing was committed (no idle wake-ups); then at most the interval,
            // or less after many commits.
            m_checkpointWake.wait(lock,
                                  [this] { return m_stopping || m_commits != m_checkpointedAt; });
            m_checkpointWake.wait_for(lock, kCheckpointInterval, [this] {
                return m_stopping || m_commits - m_checkpointedAt >= kCheckpointCommits;
            });
            if (m_stopping)
                break;
            m_checkpointedAt = m_commits;
            lock.unlock();
            // PASSIVE: copies what no reader still needs, never waits for or blocks the writer.
            {
                std::lock_guard checkpointing(m_checkpointMutex);
                QSqlQuery q(db);
                if (!q.exec(QStringLiteral("PRAGMA wal_checkpoint(PASSIVE)")))
                    qCWarning(lcWriter) << "WAL checkpoint failed:" << q.lastError().text();
            }
            lock.lock();
        }
        lock.unlock();
        // The last commits too, so the WAL does not outgrow the database between runs.
        QSqlQuery q(db);
        q.exec(QStringLiteral("PRAGMA wal_checkpoint(PASSIVE)"));
    }
    closeConnection(name);
}

namespace {

/** @brief Runs a statement without values or rows (BEGIN, COMMIT, SAVEPOINT...), prepared once:
 *  every commit runs two of them, on the C API so that they cost SQLite's work alone. */
void runNative(const QSqlDatabase &db, const QByteArray &sql)
{
    NativeQuery q(db, sql);
    q.step();
}

} // namespace

void SqlThreads::runWriterBatch(QSqlDatabase &db, std::vector<Item> &batch, bool begun)
{
    static const QByteArray begin = QByteArrayLiteral("BEGIN IMMEDIATE");
    static const QByteArray commit = QByteArrayLiteral("COMMIT");
    static const QByteArray savepoint = QByteArrayLiteral("SAVEPOINT task");
    static const QByteArray release = QByteArrayLiteral("RELEASE task");
    std::vector<std::exception_ptr> errors(batch.size());
    std::exception_ptr commitError;
    try {
        if (!begun)
            runNative(db, begin);
        if (batch.size() == 1) {
            // Alone in its group: the transaction itself is the task's savepoint.
            try {
                batch[0].task(db);
            } catch (...) {
                errors[0] = std::current_exception();
            }
        } else {
            for (size_t i = 0; i < batch.size(); ++i) {
                // A savepoint per task: one failing task must not undo the others of its group.
                runNative(db, savepoint);
                try {
                    batch[i].task(db);
                    runNative(db, release);
                } catch (...) {
                    errors[i] = std::current_exception();
                    execCached(db, QStringLiteral("ROLLBACK TO task"));
                    execCached(db, QStringLiteral("RELEASE task"));
                }
            }
        }
        if (batch.size() == 1 && errors[0]) {
            // SQLite may have ended the transaction already (some errors roll back by themselves).
            QSqlQuery rollback(db);
            rollback.exec(QStringLiteral("ROLLBACK"));
        } else {
            runNative(db, commit);
            bool checkpoint = false;
            {
                std::lock_guard lock(m_mutex);
                ++m_commits;
                // The first commit since the last checkpoint starts its timer; many more hurry it.
                const quint64 pending = m_commits - m_checkpointedAt;
                checkpoint = pending == 1 || pending == kCheckpointCommits;
            }
            if (checkpoint)
                m_checkpointWake.notify_one();
        }
    } catch (...) {
        commitError = std::current_exception();
        QSqlQuery rollback(db);
        rollback.exec(QStringLiteral("ROLLBACK"));
        qCWarning(lcWriter) << "group commit failed; every task of the group is reported failed";
    }
    for (size_t i = 0; i < batch.size(); ++i)
        if (batch[i].done)
            batch[i].done(commitError ? commitError : errors[i]);
}

} // namespace arbor::store
