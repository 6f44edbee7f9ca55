// ReadOnlyBackend (core/): what a command that only looks gets. By type it offers no job
// engine, no chat writes, no sync or job actions and no store writer (checked at compile time
// below, next to the read-write Backend that has them all, so the checks are known to see what
// they look for). On a real file it reads and changes nothing: the bytes stay, no -wal or -shm
// is left, an older store is not migrated, a missing one is not created.
#include "chat/chatreader.h"
#include "chat/chatservice.h"
#include "core/backend.h"
#include "core/readonlybackend.h"
#include "jobs/jobsmonitor.h"
#include "jobs/jobsservice.h"
#include "store/migrator.h"
#include "store/sql.h"
#include "store/store.h"
#include "support/dbconnection.h"
#include "support/storefiles.h"
#include "sync/syncmonitor.h"
#include "sync/syncservice.h"

#include <QDir>
#include <QTemporaryDir>
#include <QTest>

using namespace arbor;
using testsupport::entriesOf;
using testsupport::fileBytes;

namespace {

// What writing looks like on a backend, as code would spell it.
template<class B>
concept HasEngine = requires(B &b)
{
    b.engine();
};
template<class B>
concept WritesTheStore = requires(B &b)
{
    b.store().write([](QSqlDatabase &) {});
};
template<class B>
concept PostsToTheStore = requires(B &b)
{
    b.store().post([](QSqlDatabase &) {});
};
template<class B>
concept SendsMessages = requires(B &b)
{
    b.chat().send(chat::SendRequest{});
};
template<class B>
concept RenamesConversations = requires(B &b)
{
    b.chat().rename(QString(), QString());
};
template<class B>
concept RetriesJobs = requires(B &b)
{
    b.jobs().retry(qint64(1));
};
template<class B>
concept PausesQueues = requires(B &b)
{
    b.jobs().setPaused(QString(), true);
};
template<class B>
concept ConfiguresSync = requires(B &b)
{
    b.sync().configure(sync::TeamServerConfig{}, {});
};
template<class B>
concept StartsSync = requires(B &b)
{
    b.sync().start();
};
template<class B>
concept HasProviderSettings = requires(B &b)
{
    b.providerService();
};
template<class B>
concept Reads = requires(B &b)
{
    b.chat().conversations();
    b.jobs().snapshot();
    b.sync().overview();
};

static_assert(HasEngine<core::Backend> && !HasEngine<core::ReadOnlyBackend>);
static_assert(WritesTheStore<core::Backend> && !WritesTheStore<core::ReadOnlyBackend>);
static_assert(PostsToTheStore<core::Backend> && !PostsToTheStore<core::ReadOnlyBackend>);
static_assert(SendsMessages<core::Backend> && !SendsMessages<core::ReadOnlyBackend>);
static_assert(RenamesConversations<core::Backend> && !RenamesConversations<core::ReadOnlyBackend>);
static_assert(RetriesJobs<core::Backend> && !RetriesJobs<core::ReadOnlyBackend>);
static_assert(PausesQueues<core::Backend> && !PausesQueues<core::ReadOnlyBackend>);
static_assert(ConfiguresSync<core::Backend> && !ConfiguresSync<core::ReadOnlyBackend>);
static_assert(StartsSync<core::Backend> && !StartsSync<core::ReadOnlyBackend>);
static_assert(HasProviderSettings<core::Backend> && !HasProviderSettings<core::ReadOnlyBackend>);
static_assert(Reads<core::Backend> && Reads<core::ReadOnlyBackend>);
// Nothing it hands out leads to a writer: the store reader has no way to one.
static_assert(
    !WritesTheStore<
        store::StoreReader> && !std::is_convertible_v<store::StoreReader &, store::Store &>);

} // namespace

class TestReadOnlyBackend : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    QString folder() const { return m_dir->filePath(QStringLiteral("data")); }
    QString dbPath() const { return QDir(folder()).filePath(QStringLiteral("arbor.db")); }

    /** @brief A store with one conversation, a failed job and a team server configured,
     *  closed (its WAL folded in, only the file left). */
    void makeStore()
    {
        core::BackendOptions options;
        options.dbPath = dbPath();
        options.runJobs = false;
        core::Backend backend(options);
        backend.open();
        backend.store()
            .write([](QSqlDatabase &db) {
                store::exec(db,
                            QStringLiteral("INSERT INTO conversations (id, title, created_at, "
                                           "updated_at) VALUES ('c1', 'Kept', 1, 1)"));
                store::exec(db,
                            QStringLiteral("INSERT INTO jobs (kind, queue, state, payload, "
                                           "run_at, created_at, attempts, max_attempts, "
                                           "last_error) VALUES ('k', 'vendor', 'failed', "
                                           "'{}', 1, 1, 1, 1, 'gone')"));
            })
            .waitForFinished();
        const sync::TeamServerConfig server{QStringLiteral("db.example.org"), 5432,
                                            QStringLiteral("team"), QStringLiteral("alice"),
                                            QStringLiteral("require")};
        backend.store()
            .write([server](QSqlDatabase &db) { sync::local::saveTeamServerConfig(db, server); })
            .waitForFinished();
    }

private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
    }

    void readsAndChangesNothing()
    {
        makeStore();
        QCOMPARE(entriesOf(folder()), QStringList{QStringLiteral("arbor.db")});
        const QByteArray before = fileBytes(dbPath());
        {
            core::ReadOnlyBackend backend(dbPath());
            backend.open();
            const QList<domain::Conversation> list = backend.chat().conversations().result();
            QCOMPARE(list.size(), 1);
            QCOMPARE(list.first().title, QStringLiteral("Kept"));
            const jobs::JobsSnapshot jobs = backend.jobs().snapshot().result();
            QCOMPARE(jobs.failed.size(), 1);
            QCOMPARE(jobs.failed.first().job.lastError, QStringLiteral("gone"));
            const sync::SyncOverview sync = backend.sync().overview().result();
            QCOMPARE(sync.server.server(), QStringLiteral("db.example.org:5432/team"));
            // Even SQL that tries is refused by the read-only connections.
            QVERIFY_THROWS_EXCEPTION(store::StoreError,
                                     backend.store()
                                         .read([](QSqlDatabase &db) {
                                             store::exec(
                                                 db, QStringLiteral("DELETE FROM conversations"));
                                         })
                                         .waitForFinished());
        }
        QCOMPARE(entriesOf(folder()), QStringList{QStringLiteral("arbor.db")});
        QCOMPARE(fileBytes(dbPath()), before);
    }

    void neverMigratesAnOlderStore()
    {
        // A store as the previous Arbor left it: every migration but the last.
        QVERIFY(QDir().mkpath(folder()));
        QCOMPARE(testsupport::makeOlderStore(dbPath()), store::Migrator::latestVersion() - 1);
        QCOMPARE(entriesOf(folder()), QStringList{QStringLiteral("arbor.db")});
        const QByteArray before = fileBytes(dbPath());
        core::ReadOnlyBackend backend(dbPath());
        try {
            backend.open();
            QFAIL("an older store was opened read-only");
        } catch (const store::StoreError &e) {
            QCOMPARE(e.kind(), store::StoreError::Kind::Older);
            QVERIFY2(e.message().contains(QLatin1String("older version of Arbor")),
                     qPrintable(e.message()));
        }
        QCOMPARE(entriesOf(folder()), QStringList{QStringLiteral("arbor.db")});
        QCOMPARE(fileBytes(dbPath()), before);
        // A command that writes upgrades it.
        core::BackendOptions options;
        options.dbPath = dbPath();
        options.runJobs = false;
        core::Backend writer(options);
        writer.open();
    }

    void neverCreatesAStore()
    {
        core::ReadOnlyBackend backend(dbPath());
        QVERIFY_THROWS_EXCEPTION(store::StoreError, backend.open());
        QCOMPARE(entriesOf(m_dir->path()), QStringList());
    }
};

QTEST_GUILESS_MAIN(TestReadOnlyBackend)
#include "tst_readonlybackend.moc"
