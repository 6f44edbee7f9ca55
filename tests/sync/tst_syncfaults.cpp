// Team sync under faults (issue #6, items 4 and 5): two live clients keep writing while
// PostgreSQL crashes (`pg_ctl stop -m immediate`) and restarts 20 times; an `arbord sync`
// killed with SIGKILL in the middle of a push; a client that never reads a notification.
// Afterwards every copy holds the same tree, with nothing lost and nothing duplicated.
#include "domain/ids.h"
#include "domain/message.h"
#include "store/conversationqueries.h"
#include "store/messagequeries.h"
#include "store/sql.h"
#include "store/store.h"
#include "store/treequeries.h"
#include "support/pgserver.h"
#include "support/syncdigest.h"
#include "sync/admin.h"
#include "sync/changelog.h"
#include "sync/pgconnection.h"
#include "sync/remotequeries.h"
#include "sync/syncclient.h"
#include "sync/syncengine.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QRandomGenerator>
#include <QSet>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <thread>

using namespace arbor;
using namespace arbor::testsupport;
using domain::Message;
using domain::MessageStatus;

namespace {

QString password(const QString &user)
{
    return user + QStringLiteral("-pw");
}

/** @brief A local store in its own temporary folder, written like the app writes it. */
struct Device
{
    explicit Device(const QString &name)
        : path(dir.filePath(name + QStringLiteral(".db")))
        , store(path)
    {
        store.open();
    }

    QString newConversation(const QString &workspace)
    {
        domain::Conversation c;
        c.id = domain::newId();
        c.title = QStringLiteral("conversation ") + c.id.right(6);
        c.settings = QStringLiteral("{}");
        c.createdAt = c.updatedAt = domain::nowMs();
        store.write([c](QSqlDatabase &db) { store::conversations::insert(db, c); })
            .waitForFinished();
        sync::local::moveToWorkspace(store, c.id, workspace);
        return c.id;
    }

    static Message message(const QString &conversation, const QString &parent, const QString &text,
                           MessageStatus status = MessageStatus::Complete)
    {
        Message m;
        m.id = domain::newId();
        m.conversationId = conversation;
        m.parentId = parent;
        m.role = parent.isEmpty() ? QStringLiteral("user") : QStringLiteral("assistant");
        m.author = QStringLiteral("You");
        m.content = text;
        m.status = status;
        m.createdAt = domain::nowMs();
        return m;
    }

    QString addMessage(const QString &conversation, const QString &parent, const QString &text,
                       MessageStatus status = MessageStatus::Complete)
    {
        const Message m = message(conversation, parent, text, status);
        store.write([m](QSqlDatabase &db) { store::messages::insert(db, m); }).waitForFinished();
        return m.id;
    }

    QString scalar(const QString &sql)
    {
        return store
            .read([sql](QSqlDatabase &db) {
                QSqlQuery q = store::exec(db, sql);
                return q.next() ? q.value(0).toString() : QString();
            })
            .result();
    }

    QSet<QString> sharedMessageIds()
    {
        return store
            .read([](QSqlDatabase &db) {
                QSet<QString> ids;
                QSqlQuery q =
                    store::exec(db,
                                QStringLiteral("SELECT m.id FROM messages m JOIN conversations c "
                                               "ON c.id = m.conversation_id "
                                               "WHERE c.workspace_id IS NOT NULL"));
                while (q.next())
                    ids.insert(q.value(0).toString());
                return ids;
            })
            .result();
    }

    int outbox() { return sync::local::pendingChanges(store); }

    QString refused()
    {
        QStringList out;
        for (const auto &[id, error] : sync::local::refusedChanges(store))
            out << id + QStringLiteral(": ") + error;
        return out.join(u'\n');
    }

    QTemporaryDir dir;
    QString path;
    store::Store store;
};

/**
 * @brief Keeps writing a person's trees on its own thread until stopped: new conversations,
 * new roots, replies (also under the teammate's roots), streamed replies (chunks, then finish)
 * and tombstones. Remembers every message it wrote.
 */
class Writer
{
public:
    Writer(Device &device, QString workspace, quint32 seed)
        : m_device(device)
        , m_workspace(std::move(workspace))
        , m_rng(seed)
    {
    }
    ~Writer() { stop(); }

    void start()
    {
        m_thread = std::thread([this] {
            try {
                while (!m_stop.load())
                    writeOnce();
            } catch (const std::exception &e) {
                const std::lock_guard lock(m_mutex);
                m_error = QString::fromUtf8(e.what());
            }
        });
    }
    void stop()
    {
        m_stop = true;
        if (m_thread.joinable())
            m_thread.join();
    }

    // Read after stop().
    const QStringList &written() const { return m_written; }
    const QStringList &tombstoned() const { return m_tombstoned; }
    int streamed() const { return m_streamed; }
    int crossReplies() const { return m_crossReplies; }
    int steps() const { return m_steps.load(); }
    QString error() const
    {
        const std::lock_guard lock(m_mutex);
        return m_error;
    }

private:
    void pause(int minMs, int maxMs)
    {
        std::this_thread::sleep_for(std::chrono::milliseconds(m_rng.bounded(minMs, maxMs)));
    }

    QString add(const QString &conversation, const QString &parent, MessageStatus status,
                const QString &text)
    {
        const QString id = m_device.addMessage(conversation, parent, text, status);
        m_written.append(id);
        return id;
    }

    void writeOnce()
    {
        const int step = ++m_steps;
        if (m_conversations.isEmpty() || step % 10 == 0)
            m_conversations.append(m_device.newConversation(m_workspace));
        const QString conversation = m_conversations.last();
        const QString root =
            add(conversation, {}, MessageStatus::Complete, QStringLiteral("question %1").arg(step));
        m_roots.append({conversation, root});

        // A reply under one of my older roots (a branch when that root already has one).
        const auto &[olderConversation, olderRoot] =
            m_roots.at(int(m_rng.bounded(int(m_roots.size()))));
        add(olderConversation, olderRoot, MessageStatus::Complete,
            QStringLiteral("answer %1").arg(step));

        if (step % 2 == 0) {
            // A reply under a root of the teammate that has arrived here (user roots only,
            // so nobody's tombstone ever covers another person's message).
            const QString theirs = m_device.scalar(QStringLiteral(
                "SELECT id || '|' || conversation_id FROM messages WHERE synced_at IS NOT NULL "
                "AND parent_id IS NULL AND role = 'user' ORDER BY random() LIMIT 1"));
            if (!theirs.isEmpty()) {
                const QStringList parts = theirs.split(u'|');
                add(parts.at(1), parts.at(0), MessageStatus::Complete,
                    QStringLiteral("comment %1").arg(step));
                ++m_crossReplies;
            }
        }

        if (step % 3 == 0) {
            // A streamed reply: chunk by chunk (each a checkpoint teammates may see), then final.
            const QString id = add(conversation, root, MessageStatus::Streaming, {});
            const int pieces = 2 + int(m_rng.bounded(4));
            for (int seq = 0; seq < pieces; ++seq) {
                m_device.store
                    .write([id, seq](QSqlDatabase &db) {
                        store::messages::appendChunk(db, id, seq,
                                                     QStringLiteral("piece %1 ").arg(seq));
                    })
                    .waitForFinished();
                pause(2, 12);
            }
            m_device.store
                .write([id](QSqlDatabase &db) {
                    store::messages::Finish f;
                    f.finishReason = QStringLiteral("stop");
                    f.promptTokens = 7;
                    f.completionTokens = 11;
                    store::messages::finish(db, id, f);
                })
                .waitForFinished();
            ++m_streamed;
        }

        if (step % 4 == 0) {
            // A reply that is tombstoned a moment later (nobody replies under it).
            const QString id = add(conversation, root, MessageStatus::Complete,
                                   QStringLiteral("regretted %1").arg(step));
            pause(1, 20);
            m_device.store
                .write(
                    [id](QSqlDatabase &db) { store::tree::removeSubtree(db, id, domain::nowMs()); })
                .waitForFinished();
            m_tombstoned.append(id);
        }
        pause(5, 25);
    }

    Device &m_device;
    QString m_workspace;
    QRandomGenerator m_rng;
    std::thread m_thread;
    std::atomic<bool> m_stop{false};
    mutable std::mutex m_mutex;
    QString m_error;
    QStringList m_conversations;
    QList<QPair<QString, QString>> m_roots;
    QStringList m_written;
    QStringList m_tombstoned;
    int m_streamed = 0;
    int m_crossReplies = 0;
    std::atomic<int> m_steps{0};
};

QString quotedList(const QStringList &ids)
{
    QStringList quoted;
    for (const QString &id : ids)
        quoted << u'\'' + id + u'\'';
    return quoted.join(u',');
}

} // namespace

class TestSyncFaults : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void twoClientsSurviveTwentyCrashes();
    void killedPushLosesNothing();
    void missedNotificationsStillConverge();
    void positionsOrderNumerically();

private:
    /** @brief A database of its own with the team schema, one workspace and @p members, so
     *  that the superuser's server digest covers exactly one scenario. Returns the workspace. */
    QString prepareDatabase(const QString &database, const QStringList &members);
    QString dsn(const QString &user, const QString &database) const
    {
        return m_pg->dsn(user, password(user), database);
    }
    std::unique_ptr<sync::PgConnection> superuser(const QString &database)
    {
        return std::make_unique<sync::PgConnection>(m_pg->superuserDsn(database));
    }

    std::unique_ptr<PgServer> m_pg;
};

void TestSyncFaults::initTestCase()
{
    try {
        m_pg = std::make_unique<PgServer>();
    } catch (const std::exception &e) {
        QFAIL(e.what());
    }
}

QString TestSyncFaults::prepareDatabase(const QString &database, const QStringList &members)
{
    superuser(QStringLiteral("postgres"))
        ->execScript(QStringLiteral("CREATE DATABASE ") + database);
    auto super = superuser(database);
    sync::Admin admin(*super);
    admin.init();
    const QString ws = admin.addWorkspace(QStringLiteral("team")).id;
    for (const QString &user : members) {
        admin.addUser(user, password(user));
        admin.addMember(QStringLiteral("team"), user, QStringLiteral("member"));
    }
    return ws;
}

void TestSyncFaults::twoClientsSurviveTwentyCrashes()
{
    const QString database = QStringLiteral("crashes");
    QString ws;
    try {
        ws = prepareDatabase(database, {QStringLiteral("alice"), QStringLiteral("bob")});
    } catch (const std::exception &e) {
        QFAIL(e.what());
    }

    Device a(QStringLiteral("alice"));
    Device b(QStringLiteral("bob"));
    sync::SyncEngine::Options options;
    options.pollIntervalMs = 500;
    options.outboxCheckMs = 100;
    options.maxRetryMs = 400;
    sync::SyncEngine engineA(a.store, dsn(QStringLiteral("alice"), database), options);
    sync::SyncEngine engineB(b.store, dsn(QStringLiteral("bob"), database), options);
    int reconnectingA = 0;
    int reconnectingB = 0;
    auto countReconnects = [](sync::SyncEngine &engine, int &counter) {
        QObject::connect(&engine, &sync::SyncEngine::statusChanged, &engine, [&engine, &counter] {
            if (engine.status().state == sync::SyncEngine::State::Reconnecting)
                ++counter;
        });
    };
    countReconnects(engineA, reconnectingA);
    countReconnects(engineB, reconnectingB);
    engineA.start();
    engineB.start();
    QTRY_VERIFY_WITH_TIMEOUT(engineA.status().state == sync::SyncEngine::State::Connected
                                 && engineB.status().state == sync::SyncEngine::State::Connected,
                             30000);

    Writer writerA(a, ws, 1);
    Writer writerB(b, ws, 2);
    writerA.start();
    writerB.start();

    // 20 crashes while both keep writing: the server is up for 0.3–0.8 s, then killed, then down
    // for 0.1–0.4 s (writes go to the outbox), then recovers.
    QRandomGenerator rng(42);
    QElapsedTimer faults;
    faults.start();
    const int Crashes = 20;
    int stepsAtFirstCrash = -1;
    try {
        QTest::qWait(500);
        for (int i = 0; i < Crashes; ++i) {
            QTest::qWait(int(rng.bounded(300, 800)));
            m_pg->stop(true);
            if (i == 0)
                stepsAtFirstCrash = writerA.steps() + writerB.steps();
            QTest::qWait(int(rng.bounded(100, 400)));
            m_pg->start();
        }
        QTest::qWait(500);
    } catch (const std::exception &e) {
        writerA.stop();
        writerB.stop();
        QFAIL(e.what());
    }
    writerA.stop();
    writerB.stop();
    const qint64 faultMs = faults.elapsed();
    QVERIFY2(writerA.error().isEmpty(), qPrintable(writerA.error()));
    QVERIFY2(writerB.error().isEmpty(), qPrintable(writerB.error()));
    // The writers really wrote through the crashes, not only before or after them.
    QVERIFY(stepsAtFirstCrash > 0);
    QVERIFY2(writerA.steps() + writerB.steps() > stepsAtFirstCrash + 5 * Crashes,
             qPrintable(QStringLiteral("only %1 write steps, %2 before the first crash")
                            .arg(writerA.steps() + writerB.steps())
                            .arg(stepsAtFirstCrash)));

    QSet<QString> written;
    for (const QString &id : writerA.written() + writerB.written())
        written.insert(id);
    QCOMPARE(written.size(), writerA.written().size() + writerB.written().size());

    std::unique_ptr<sync::PgConnection> super;
    QByteArray serverDigest;
    auto serverCount = [&] {
        try {
            if (super && super->isOk())
                return super->scalar(QStringLiteral("SELECT count(*) FROM arbor.messages"));
        } catch (const std::exception &) {
        }
        return QStringLiteral("?");
    };
    auto report = [&] {
        QString text =
            QStringLiteral(
                "written: alice %1, bob %2 (%3 streamed, %4 tombstoned, %5 cross "
                "replies); alice has %6 shared messages and %7 waiting (%8 refused), bob "
                "%9 and %10 waiting (%11 refused); server: %12 messages; alice saw %13 "
                "reconnects, bob %14; engine errors: alice “%15”, bob “%16”\n")
                .arg(writerA.written().size())
                .arg(writerB.written().size())
                .arg(writerA.streamed() + writerB.streamed())
                .arg(writerA.tombstoned().size() + writerB.tombstoned().size())
                .arg(writerA.crossReplies() + writerB.crossReplies())
                .arg(a.sharedMessageIds().size())
                .arg(a.outbox())
                .arg(sync::local::refusedChanges(a.store).size())
                .arg(b.sharedMessageIds().size())
                .arg(b.outbox())
                .arg(sync::local::refusedChanges(b.store).size())
                .arg(serverCount())
                .arg(reconnectingA)
                .arg(reconnectingB)
                .arg(engineA.status().error, engineB.status().error);
        const QString refused = a.refused() + b.refused();
        if (!refused.isEmpty())
            text += QStringLiteral("refused rows:\n") + refused + u'\n';
        // Where a missing message sits in the change log, against the client's cursor.
        for (Device *device : {&a, &b}) {
            try {
                if (!super || !super->isOk())
                    break;
                const QSet<QString> local = device->sharedMessageIds();
                const sync::PgResult all =
                    super->exec(QStringLiteral("SELECT id FROM arbor.messages"));
                QStringList missing;
                for (int i = 0; i < all.rows() && missing.size() < 3; ++i)
                    if (!local.contains(all.text(i, 0)))
                        missing << all.text(i, 0);
                const sync::PullPositions positions = sync::local::storedPositions(device->store);
                QStringList where;
                for (auto it = positions.begin(); it != positions.end(); ++it)
                    where << QStringLiteral("%1 at %2").arg(it.key()).arg(it.value());
                text += QStringLiteral("%1: %2 server messages missing here, positions %3\n")
                            .arg(device == &a ? QStringLiteral("alice") : QStringLiteral("bob"))
                            .arg(all.rows() - local.size())
                            .arg(where.join(QStringLiteral(", ")));
                for (const QString &id : std::as_const(missing)) {
                    const sync::PgResult log = super->exec(
                        QStringLiteral("SELECT position, op FROM arbor.changes WHERE entity_id "
                                       "= $1 ORDER BY position"),
                        {id});
                    text += QStringLiteral("  %1 logged at").arg(id);
                    for (int i = 0; i < log.rows(); ++i)
                        text += QStringLiteral(" (%1, %2)").arg(log.text(i, 0), log.text(i, 1));
                    text += u'\n';
                }
            } catch (const std::exception &e) {
                text += QStringLiteral("(cannot list missing messages: %1)\n")
                            .arg(QString::fromUtf8(e.what()));
            }
        }
        return text + QStringLiteral("PostgreSQL log (end):\n") + m_pg->log();
    };

    // Both caught up: nothing waits in an outbox, and all three copies agree.
    QElapsedTimer settle;
    settle.start();
    auto converged = [&] {
        try {
            if (!super || !super->isOk())
                super = superuser(database);
            if (a.outbox() != 0 || b.outbox() != 0)
                return false;
            serverDigest = testsupport::serverDigest(*super);
            return testsupport::syncDigest(a.store) == serverDigest
                && testsupport::syncDigest(b.store) == serverDigest;
        } catch (const std::exception &e) {
            qWarning("while waiting for convergence: %s", e.what());
            return false;
        }
    };
    QTRY_VERIFY2_WITH_TIMEOUT(converged(), qPrintable(report()), 60000);
    qInfo("%lld messages written during %d crashes in %lld ms; converged %lld ms after the writers "
          "stopped; reconnects seen: alice %d, bob %d",
          qint64(written.size()), Crashes, faultMs, settle.elapsed(), reconnectingA, reconnectingB);

    // The engines really went through the faults.
    QVERIFY2(reconnectingA >= Crashes / 2 && reconnectingB >= Crashes / 2, qPrintable(report()));

    // Nothing lost, nothing extra, nothing twice.
    QSet<QString> onServer;
    const sync::PgResult ids = super->exec(QStringLiteral("SELECT id FROM arbor.messages"));
    for (int i = 0; i < ids.rows(); ++i)
        onServer.insert(ids.text(i, 0));
    QCOMPARE(ids.rows(), onServer.size());
    const QSet<QString> lost = written - onServer;
    QVERIFY2(lost.isEmpty(),
             qPrintable(QStringLiteral("%1 messages lost, e.g. %2\n")
                            .arg(lost.size())
                            .arg(lost.isEmpty() ? QString() : *lost.begin())
                        + report()));
    QCOMPARE(onServer.size(), written.size());
    for (Device *device : {&a, &b}) {
        const QSet<QString> local = device->sharedMessageIds();
        QCOMPARE(local.size(), written.size());
        QVERIFY(local == written);
    }
    // A batch committed just before a crash is pushed again on reconnect: that must not log
    // (and so deliver) any message a second time.
    QCOMPARE(super->scalar(QStringLiteral("SELECT count(*) FROM (SELECT entity_id FROM "
                                          "arbor.changes WHERE op = 'insert' GROUP BY entity_id "
                                          "HAVING count(*) > 1) twice")),
             QStringLiteral("0"));
    QCOMPARE(super
                 ->scalar(QStringLiteral("SELECT count(*) FROM arbor.changes WHERE op = 'insert' "
                                         "AND entity = 'message'"))
                 .toInt(),
             written.size());

    // Every stream ended on the server and every tombstone arrived.
    QCOMPARE(super->scalar(QStringLiteral("SELECT count(*) FROM arbor.messages WHERE status <> "
                                          "'complete'")),
             QStringLiteral("0"));
    const QStringList tombstoned = writerA.tombstoned() + writerB.tombstoned();
    QVERIFY(!tombstoned.isEmpty());
    QCOMPARE(super
                 ->scalar(QStringLiteral("SELECT count(*) FROM arbor.messages WHERE deleted_at IS "
                                         "NOT NULL"))
                 .toInt(),
             tombstoned.size());
    QCOMPARE(super
                 ->scalar(QStringLiteral("SELECT count(*) FROM arbor.messages WHERE deleted_at IS "
                                         "NOT NULL AND id IN (%1)")
                              .arg(quotedList(tombstoned)))
                 .toInt(),
             tombstoned.size());
    QVERIFY(writerA.crossReplies() + writerB.crossReplies() > 0);

    engineA.stop();
    engineB.stop();
}

void TestSyncFaults::killedPushLosesNothing()
{
    const QString database = QStringLiteral("killed");
    const QString user = QStringLiteral("carol");
    QString ws;
    try {
        ws = prepareDatabase(database, {user});
    } catch (const std::exception &e) {
        QFAIL(e.what());
    }
    const int Messages = 20000;

    // A store whose outbox holds 20,000 messages of one shared conversation (a chain of
    // 100 replies under each of 200 roots), written like the app writes them.
    auto device = std::make_unique<Device>(user);
    QStringList ids;
    {
        sync::SyncClient client(device->store, dsn(user, database));
        client.connect(); // learns the workspace, pushes nothing yet
        const QString conversation = device->newConversation(ws);
        QString parent;
        QList<Message> batch;
        for (int i = 0; i < Messages; ++i) {
            const Message m = Device::message(conversation, i % 100 == 0 ? QString() : parent,
                                              QStringLiteral("message %1").arg(i));
            parent = m.id;
            ids.append(m.id);
            batch.append(m);
            if (batch.size() == 2000 || i == Messages - 1) {
                device->store
                    .write([batch](QSqlDatabase &db) {
                        for (const Message &one : batch)
                            store::messages::insert(db, one);
                    })
                    .waitForFinished();
                batch.clear();
            }
        }
    }
    QCOMPARE(device->outbox(), Messages + 1);
    const QString dbPath = device->path;
    device->store.close();

    auto super = superuser(database);
    auto serverMessages = [&super] {
        return super->scalar(QStringLiteral("SELECT count(*) FROM arbor.messages")).toInt();
    };
    const QStringList syncArgs{QStringLiteral("sync"), QStringLiteral("--db"), dbPath,
                               QStringLiteral("--dsn"), dsn(user, database)};

    // Kill the push once the server has some of the rows but not all.
    QProcess first;
    first.setProcessChannelMode(QProcess::MergedChannels);
    first.start(QStringLiteral(ARBORD_PATH), syncArgs);
    QVERIFY2(first.waitForStarted(), qPrintable(first.errorString()));
    int seen = 0;
    QElapsedTimer waited;
    waited.start();
    while (waited.elapsed() < 60000 && first.state() == QProcess::Running) {
        seen = serverMessages();
        if (seen > 0)
            break;
        QThread::msleep(2);
    }
    first.kill(); // SIGKILL
    first.waitForFinished(10000);
    const int afterKill = serverMessages();
    QVERIFY2(seen > 0 && afterKill < Messages,
             qPrintable(QStringLiteral("could not kill arbord sync in the middle of its push: "
                                       "the server had %1 of %2 messages when it was killed, "
                                       "%3 after; its output:\n%4")
                            .arg(seen)
                            .arg(Messages)
                            .arg(afterKill)
                            .arg(QString::fromUtf8(first.readAll()))));
    QCOMPARE(first.exitStatus(), QProcess::CrashExit);
    qInfo("arbord sync killed with %d of %d messages on the server", afterKill, Messages);

    // A fresh run finishes the job.
    QProcess second;
    second.setProcessChannelMode(QProcess::MergedChannels);
    second.start(QStringLiteral(ARBORD_PATH), syncArgs + QStringList{QStringLiteral("--json")});
    QVERIFY(second.waitForStarted());
    QVERIFY2(second.waitForFinished(120000), "the second arbord sync did not finish in 2 minutes");
    const QString output = QString::fromUtf8(second.readAll());
    QVERIFY2(second.exitStatus() == QProcess::NormalExit && second.exitCode() == 0,
             qPrintable(output + m_pg->log()));

    // Exactly the written rows, each once, each logged (and so delivered) once.
    QCOMPARE(serverMessages(), Messages);
    QCOMPARE(super
                 ->scalar(QStringLiteral("SELECT count(*) FROM arbor.messages WHERE id::text = "
                                         "ANY($1::text[])"),
                          {u'{' + ids.join(u',') + u'}'})
                 .toInt(),
             Messages);
    QCOMPARE(super
                 ->scalar(QStringLiteral("SELECT count(*) FROM arbor.changes WHERE entity = "
                                         "'message'"))
                 .toInt(),
             Messages);
    QCOMPARE(super
                 ->scalar(QStringLiteral("SELECT count(DISTINCT entity_id) FROM arbor.changes "
                                         "WHERE entity = 'message'"))
                 .toInt(),
             Messages);

    store::Store reopened(dbPath);
    reopened.open();
    QCOMPARE(sync::local::pendingChanges(reopened), 0);
    QCOMPARE(testsupport::syncDigest(reopened), testsupport::serverDigest(*super));
    reopened.close();
}

void TestSyncFaults::missedNotificationsStillConverge()
{
    const QString database = QStringLiteral("quiet");
    QString ws;
    try {
        ws = prepareDatabase(database, {QStringLiteral("dave"), QStringLiteral("erin")});
    } catch (const std::exception &e) {
        QFAIL(e.what());
    }
    Device dave(QStringLiteral("dave"));
    Device erin(QStringLiteral("erin"));
    sync::SyncClient daveClient(dave.store, dsn(QStringLiteral("dave"), database));
    sync::SyncClient erinClient(erin.store, dsn(QStringLiteral("erin"), database));
    daveClient.connect();
    erinClient.connect(); // LISTENs, but nobody ever reads its socket

    // Dave writes a tree in several pushes (each a burst of notifications erin never reads).
    const QString conversation = dave.newConversation(ws);
    const QString root = dave.addMessage(conversation, {}, QStringLiteral("root"));
    daveClient.push();
    const QString reply = dave.addMessage(conversation, root, QStringLiteral("reply"));
    dave.addMessage(conversation, reply, QStringLiteral("follow-up"));
    dave.addMessage(conversation, root, QStringLiteral("branch"));
    daveClient.push();
    const QString streamed = dave.addMessage(conversation, root, {}, MessageStatus::Streaming);
    for (int seq = 0; seq < 3; ++seq) {
        dave.store
            .write([streamed, seq](QSqlDatabase &db) {
                store::messages::appendChunk(db, streamed, seq, QStringLiteral("tok%1 ").arg(seq));
            })
            .waitForFinished();
        daveClient.push();
    }
    dave.store
        .write([streamed](QSqlDatabase &db) {
            store::messages::finish(db, streamed, store::messages::Finish{});
        })
        .waitForFinished();
    dave.store
        .write(
            [reply](QSqlDatabase &db) { store::tree::removeSubtree(db, reply, domain::nowMs()); })
        .waitForFinished();
    daveClient.push();
    QCOMPARE(dave.outbox(), 0);

    // One pull, and erin has everything.
    const sync::PullResult pulled = erinClient.pull();
    QCOMPARE(pulled.messages, 5);
    auto super = superuser(database);
    const QByteArray server = testsupport::serverDigest(*super);
    QCOMPARE(testsupport::syncDigest(dave.store), server);
    QCOMPARE(testsupport::syncDigest(erin.store), server);
    QCOMPARE(erin.scalar(QStringLiteral("SELECT count(*) FROM messages WHERE deleted_at IS NOT "
                                        "NULL")),
             QStringLiteral("2"));
    // The notifications were sent, and were still unread when erin converged.
    QVERIFY(!erinClient.connection()->takeNotifications().isEmpty());
}

void TestSyncFaults::positionsOrderNumerically()
{
    // Positions grow past 9, 99, ... while clients pull: a position compared as text ('10' <
    // '9') would take a later change first at the LIMIT and skip the earlier one for good. Two
    // change rows at positions 9 and 10, and a whole pull that starts at 8.
    const QString database = QStringLiteral("digits");
    QString ws;
    try {
        ws = prepareDatabase(database, {QStringLiteral("frank")});
        superuser(database)->exec(
            QStringLiteral("INSERT INTO arbor.changes (position, workspace_id, entity, entity_id, "
                           "conversation_id, op) VALUES (10, $1, 'message', gen_random_uuid(), "
                           "gen_random_uuid(), 'insert'), (9, $1, 'message', gen_random_uuid(), "
                           "gen_random_uuid(), 'insert')"),
            {ws});
    } catch (const std::exception &e) {
        QFAIL(e.what());
    }
    sync::PgConnection frank(dsn(QStringLiteral("frank"), database));
    const QList<sync::Change> first = sync::remote::changes(frank, ws, 0, 1);
    QCOMPARE(first.size(), 1);
    QCOMPARE(first[0].position, 9);
    const QList<sync::Change> second = sync::remote::changes(frank, ws, 9, 1);
    QCOMPARE(second.size(), 1);
    QCOMPARE(second[0].position, 10);
    QVERIFY(sync::remote::changes(frank, ws, 10, 1).isEmpty());
    const sync::PullPage page = sync::remote::pull(frank, {{ws, 8}}, 1);
    QCOMPARE(page.next, (sync::PullPositions{{ws, 9}}));
    QVERIFY(page.more);
    QCOMPARE(sync::remote::pull(frank, page.next, 1).next, (sync::PullPositions{{ws, 10}}));
}

QTEST_GUILESS_MAIN(TestSyncFaults)
#include "tst_syncfaults.moc"
