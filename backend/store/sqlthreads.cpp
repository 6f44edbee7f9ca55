#include "sqlthreads.h"

#include <QLoggingCategory>
#include <QUuid>

#include <future>

Q_LOGGING_CATEGORY(lcWriter, "arbor.store.writer", QtInfoMsg)

namespace arbor::store {

namespace {
constexpr size_t kMaxGroup = 4096;
}

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
    std::vector<std::promise<void>> opened(static_cast<size_t>(m_threadCount));
    for (int i = 0; i < m_threadCount; ++i)
        m_threads.emplace_back([this, i, p = &opened[size_t(i)]] { run(i, p); });
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
        try {
            db = openConnection(m_path, name, m_mode == Mode::Reader);
            opened->set_value();
        } catch (...) {
            opened->set_exception(std::current_exception());
            return;
        }

        std::vector<Item> batch;
        for (;;) {
            {
                std::unique_lock lock(m_mutex);
                m_wake.wait(lock, [this] { return m_stopping || !m_queue.empty(); });
                if (m_queue.empty())
                    break; // stopping and drained
                const size_t take = m_mode == Mode::Writer ? std::min(m_queue.size(), kMaxGroup) : 1;
                for (size_t i = 0; i < take; ++i) {
                    batch.push_back(std::move(m_queue.front()));
                    m_queue.pop_front();
                }
            }
            if (m_mode == Mode::Writer) {
                runWriterBatch(db, batch);
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
    }
    closeConnection(name);
}

void SqlThreads::runWriterBatch(QSqlDatabase &db, std::vector<Item> &batch)
{
    std::vector<std::exception_ptr> errors(batch.size());
    std::exception_ptr commitError;
    try {
        exec(db, QStringLiteral("BEGIN IMMEDIATE"));
        for (size_t i = 0; i < batch.size(); ++i) {
            // A savepoint per task: one failing task must not undo the others of its group.
            exec(db, QStringLiteral("SAVEPOINT task"));
            try {
                batch[i].task(db);
                exec(db, QStringLiteral("RELEASE task"));
            } catch (...) {
                errors[i] = std::current_exception();
                exec(db, QStringLiteral("ROLLBACK TO task"));
                exec(db, QStringLiteral("RELEASE task"));
            }
        }
        exec(db, QStringLiteral("COMMIT"));
        std::lock_guard lock(m_mutex);
        ++m_commits;
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
