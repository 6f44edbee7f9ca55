#pragma once

#include "sqlthreads.h"

#include <QString>

#include <memory>

namespace arbor::store {

/**
 * @brief The local SQLite store: one writer thread (group commit) and a few reader threads.
 *
 * Every access is a task run on one of those threads and answered by a QFuture, so the GUI
 * thread never runs SQL; command-line code may simply wait on the future.
 */
class Store
{
public:
    /** @brief The store used when neither --db nor ARBOR_DB says otherwise. */
    static QString defaultPath();
    /** @brief @p explicitPath if given, else $ARBOR_DB, else defaultPath(). */
    static QString resolvePath(const QString &explicitPath);

    explicit Store(QString path, int readerThreads = 2);
    ~Store();

    /** @brief Creates the folder and file if needed, migrates, starts the threads.
     *  Throws StoreError with a message fit for a user. */
    void open();
    void close();
    const QString &path() const { return m_path; }

    template<class F>
    auto read(F f)
    {
        return m_readers->submit(std::move(f));
    }
    template<class F>
    auto write(F f)
    {
        return m_writer->submit(std::move(f));
    }
    /** @brief Fire-and-forget write; @p done (optional) runs on the writer thread after COMMIT. */
    void post(SqlThreads::Task task, SqlThreads::Done done = {});

    SqlThreads &writer() { return *m_writer; }

private:
    QString m_path;
    int m_readerThreads;
    std::unique_ptr<SqlThreads> m_writer;
    std::unique_ptr<SqlThreads> m_readers;
};

} // namespace arbor::store
