#pragma once

#include "sqlthreads.h"

#include <QFuture>
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

    /** @brief ReadWrite creates and migrates the store as needed; ReadOnly (commands that only
     *  look) never creates a file or a folder, never migrates and never writes: an older Arbor
     *  store is refused as it is. Neither touches a file that is not an Arbor store. */
    enum class Access { ReadWrite, ReadOnly };

    explicit Store(QString path, int readerThreads = 2, Access access = Access::ReadWrite);
    ~Store();

    /** @brief Checks the file is an Arbor store (or a new one, when ReadWrite: then the folder
     *  and file are created), migrates it (ReadWrite), starts the threads. Throws StoreError
     *  with a message fit for a user, having changed nothing when the file is missing or older
     *  than this build (ReadOnly), not an Arbor store, or newer than this build. */
    void open();
    void close();
    const QString &path() const { return m_path; }
    Access access() const { return m_access; }

    /** @brief Runs @p f on a reader; with @p then, answers then(result), run on that reader
     *  (SqlThreads::submit: the race-free form of `read(f).then(then)`). */
    template<class F, class Then = SqlThreads::Unchanged>
    auto read(F f, Then then = {})
    {
        return m_readers->submit(std::move(f), std::move(then));
    }
    /** @brief Runs @p f on the writer; a ReadOnly store answers with a StoreError. With
     *  @p then, answers then(result), run on the writer after COMMIT (SqlThreads::submit: the
     *  race-free form of `write(f).then(then)`). */
    template<class F, class Then = SqlThreads::Unchanged>
    auto write(F f, Then then = {}) -> QFuture<SqlThreads::Answer<F, Then>>
    {
        if (!m_writer)
            return QtFuture::makeExceptionalFuture<SqlThreads::Answer<F, Then>>(noWriter());
        return m_writer->submit(std::move(f), std::move(then));
    }
    /** @brief Fire-and-forget write; @p done (optional) runs on the writer thread after COMMIT. */
    void post(SqlThreads::Task task, SqlThreads::Done done = {});
    /** @brief A read task whose @p done runs on its reader after it (with its exception). */
    void postRead(SqlThreads::Task task, SqlThreads::Done done)
    {
        m_readers->post(std::move(task), std::move(done));
    }

    SqlThreads &writer() { return *m_writer; }

private:
    /** @brief Looks at the file without writing, then migrates it if it is new or older. */
    void prepare();
    /** @brief Rebuilds the usage day totals when they were made in another time zone. */
    void bucketUsageDays();
    std::exception_ptr noWriter() const;

    QString m_path;
    int m_readerThreads;
    Access m_access;
    std::unique_ptr<SqlThreads> m_writer;
    std::unique_ptr<SqlThreads> m_readers;
};

/**
 * @brief The reading half of a Store: read tasks only, no writer, no way to reach one. What the
 * read services and core::ReadOnlyBackend hand out, so that code which only looks cannot write
 * by mistake (the reader connections are read-only too).
 */
class StoreReader
{
public:
    explicit StoreReader(Store &store)
        : m_store(&store)
    {
    }

    template<class F, class Then = SqlThreads::Unchanged>
    auto read(F f, Then then = {})
    {
        return m_store->read(std::move(f), std::move(then));
    }
    void post(SqlThreads::Task task, SqlThreads::Done done)
    {
        m_store->postRead(std::move(task), std::move(done));
    }
    const QString &path() const { return m_store->path(); }

private:
    Store *m_store;
};

} // namespace arbor::store
