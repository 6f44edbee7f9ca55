#pragma once

#include <QString>

#include <memory>

namespace arbor::store {
class Store;
class StoreReader;
} // namespace arbor::store
namespace arbor::chat {
class ChatReader;
}
namespace arbor::jobs {
class JobsMonitor;
}
namespace arbor::sync {
class SyncMonitor;
}

namespace arbor::usage {
class UsageMonitor;
}

namespace arbor::core {

/**
 * @brief The backend of a command that only looks (arbord list, show, the jobs listing, sync
 * status): the store opened read-only and the read services, and nothing else. It has no job
 * engine, no chat writes, no sync engine and no path to the store's writer, by type: what only
 * reads cannot start jobs, recover them, migrate the store or write it, whoever forgets what.
 * The store is never created, migrated or changed (no -wal or -shm files are left behind).
 * Create and destroy it on one thread.
 */
class ReadOnlyBackend
{
public:
    /** @param dbPath empty: $ARBOR_DB, else the platform data folder. */
    explicit ReadOnlyBackend(QString dbPath = {});
    ~ReadOnlyBackend();
    ReadOnlyBackend(const ReadOnlyBackend &) = delete;
    ReadOnlyBackend &operator=(const ReadOnlyBackend &) = delete;

    /** @brief Opens the store read-only. Throws StoreError with a user-facing message, having
     *  changed nothing, when it is missing, not an Arbor store, older or newer than this build. */
    void open();
    void close();

    const QString &path() const;
    /** @brief Read tasks on the store (no writer behind them). */
    store::StoreReader store();
    chat::ChatReader &chat() { return *m_chat; }
    jobs::JobsMonitor &jobs() { return *m_jobs; }
    sync::SyncMonitor &sync() { return *m_sync; }
    usage::UsageMonitor &usage() { return *m_usage; }

private:
    std::unique_ptr<store::Store> m_store;
    std::unique_ptr<chat::ChatReader> m_chat;
    std::unique_ptr<jobs::JobsMonitor> m_jobs;
    std::unique_ptr<sync::SyncMonitor> m_sync;
    std::unique_ptr<usage::UsageMonitor> m_usage;
};

} // namespace arbor::core
