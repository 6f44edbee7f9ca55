// arbord bench sync: team sync latency and throughput against a real PostgreSQL (issue #6,
// item 7). The DSN is an administrator's: the bench makes its own workspaces and login role
// (random names), N clients with temporary stores, and removes its server objects at the end.
#include "commands.h"
#include "common.h"

#include "domain/ids.h"
#include "domain/message.h"
#include "store/conversationqueries.h"
#include "store/messagequeries.h"
#include "store/store.h"
#include "sync/admin.h"
#include "sync/pgconnection.h"
#include "sync/pgschema.h"
#include "sync/syncclient.h"
#include "sync/syncengine.h"

#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTextStream>
#include <QTimer>

#include <libpq-fe.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <vector>

namespace arbor::cli {

namespace {

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point t0)
{
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    const size_t i = std::min(v.size() - 1, size_t(p * double(v.size() - 1) + 0.5));
    return v[i];
}

/** @brief Runs the event loop (the engines' signals arrive here) until @p done or timeout. */
bool waitUntil(const std::function<bool()> &done, int timeoutMs)
{
    QElapsedTimer t;
    t.start();
    while (!done()) {
        if (t.elapsed() > timeoutMs)
            return false;
        QEventLoop loop;
        QTimer::singleShot(2, &loop, &QEventLoop::quit);
        loop.exec();
    }
    return true;
}

QString randomText(int length, const char *alphabet = "abcdefghijkmnpqrstuvwxyz23456789")
{
    const int n = int(qstrlen(alphabet));
    QString s;
    for (int i = 0; i < length; ++i)
        s += QLatin1Char(alphabet[QRandomGenerator::system()->bounded(n)]);
    return s;
}

/** @brief The admin connection's own parameters with another login: the clients reach the
 *  same server, database and TLS settings as the administrator. */
QString loginDsn(sync::PgConnection &admin, const QString &user, const QString &password)
{
    auto quote = [](QString value) {
        value.replace(u'\\', QStringLiteral("\\\\")).replace(u'\'', QStringLiteral("\\'"));
        return u'\'' + value + u'\'';
    };
    QStringList parts;
    PQconninfoOption *options = PQconninfo(admin.handle());
    for (PQconninfoOption *o = options; o && o->keyword; ++o) {
        const QString keyword = QString::fromUtf8(o->keyword);
        if (!o->val || !*o->val || keyword == u"user" || keyword == u"password"
            || keyword == u"passfile")
            continue;
        parts << keyword + u'=' + quote(QString::fromUtf8(o->val));
    }
    PQconninfoFree(options);
    parts << QStringLiteral("user=") + quote(user) << QStringLiteral("password=") + quote(password);
    return parts.join(u' ');
}

/** @brief One bench client: a temporary store and its engine (own thread and connection). */
struct Client
{
    Client(const QString &path, const QString &dsn)
        : store(path, 1)
    {
        store.open();
        engine = std::make_unique<sync::SyncEngine>(store, dsn);
    }
    ~Client()
    {
        engine.reset();
        store.close();
    }

    store::Store store;
    std::unique_ptr<sync::SyncEngine> engine;
};

domain::Message benchMessage(const QString &conversation, const QString &parent, int i)
{
    domain::Message m;
    m.id = domain::newId();
    m.conversationId = conversation;
    m.parentId = parent;
    m.role = parent.isEmpty() ? QStringLiteral("user") : QStringLiteral("assistant");
    m.author = QStringLiteral("You");
    m.content =
        QStringLiteral("bench message %1: the quick brown fox jumps over the lazy dog").arg(i);
    m.status = domain::MessageStatus::Complete;
    m.createdAt = domain::nowMs();
    return m;
}

struct Figures
{
    double p50 = 0;
    double p99 = 0;
    double max = 0;
    int samples = 0;
    int missing = 0;
    double pushPerS = 0;
    double pushS = 0;
    double seedS = 0;
    int initialMessages = 0;
    double initialS = 0;
};

} // namespace

int runBenchSync(const QStringList &args)
{
    QTextStream out(stdout);
    QTextStream err(stderr);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "arbord bench sync: notify-to-visible latency across N live clients, push throughput and "
        "the initial pull of a 100,000-message workspace, against a real PostgreSQL."));
    const QCommandLineOption dsnOption(
        QStringLiteral("dsn"),
        QStringLiteral("An administrator's connection (default $ARBOR_BENCH_DSN). The bench "
                       "creates and drops its own workspaces and login role."),
        QStringLiteral("DSN"));
    const QCommandLineOption clientsOption(QStringLiteral("clients"),
                                           QStringLiteral("Live clients (default 20)."),
                                           QStringLiteral("N"), QStringLiteral("20"));
    const QCommandLineOption messagesOption(
        QStringLiteral("messages"), QStringLiteral("Latency samples: messages sent (default 200)."),
        QStringLiteral("M"), QStringLiteral("200"));
    const QCommandLineOption intervalOption(
        QStringLiteral("interval-ms"),
        QStringLiteral("Time between two sent messages (default 10)."), QStringLiteral("MS"),
        QStringLiteral("10"));
    const QCommandLineOption pushOption(
        QStringLiteral("push"), QStringLiteral("Outbox size of the push phase (default 10000)."),
        QStringLiteral("N"), QStringLiteral("10000"));
    const QCommandLineOption seedOption(
        QStringLiteral("initial"),
        QStringLiteral("Messages of the workspace a new client pulls (default 100000)."),
        QStringLiteral("N"), QStringLiteral("100000"));
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print JSON."));
    const QCommandLineOption help(QStringList{QStringLiteral("h"), QStringLiteral("help")},
                                  QStringLiteral("Show this help."));
    parser.addOptions({dsnOption, clientsOption, messagesOption, intervalOption, pushOption,
                       seedOption, json, help});
    if (!parser.parse(QStringList{QStringLiteral("arbord bench sync")} + args)) {
        err << "arbord bench sync: " << parser.errorText() << "\n";
        return Usage;
    }
    if (parser.isSet(help)) {
        out << parser.helpText();
        return Ok;
    }
    const QString dsn =
        parser.isSet(dsnOption) ? parser.value(dsnOption) : qEnvironmentVariable("ARBOR_BENCH_DSN");
    if (dsn.isEmpty()) {
        err << "arbord bench sync: say which server with --dsn (an administrator's connection) "
               "or $ARBOR_BENCH_DSN; `scripts/dev bench sync` starts a throwaway one\n";
        return Usage;
    }
    const QString command = QStringLiteral("bench sync");
    const auto clientsValue = wholeOption(parser, clientsOption, 2, 1000, command);
    const auto samplesValue = wholeOption(parser, messagesOption, 1, 1'000'000, command);
    const auto intervalValue = wholeOption(parser, intervalOption, 0, 60'000, command);
    const auto pushValue = wholeOption(parser, pushOption, 1, 100'000'000, command);
    const auto seedValue = wholeOption(parser, seedOption, 1, 100'000'000, command);
    if (!clientsValue || !samplesValue || !intervalValue || !pushValue || !seedValue)
        return Usage;
    const int clients = int(*clientsValue);
    const int samples = int(*samplesValue);
    const int intervalMs = int(*intervalValue);
    const int pushCount = int(*pushValue);
    const int seedCount = int(*seedValue);

    const QString suffix = randomText(8);
    const QString workspace = QStringLiteral("arbor-bench-") + suffix;
    const QString seedWorkspace = workspace + QStringLiteral("-initial");
    const QString role = QStringLiteral("arbor_bench_") + suffix;
    const QString rolePassword = randomText(24);
    std::unique_ptr<sync::PgConnection> admin;
    QString workspaceId;
    QString seedWorkspaceId;
    Figures f;
    QTemporaryDir dir;
    std::vector<std::unique_ptr<Client>> fleet;

    // Best effort: the server keeps nothing of the bench, whatever happened.
    auto cleanUp = [&] {
        fleet.clear();
        if (!admin || !admin->isOk())
            return;
        try {
            QStringList ids;
            for (const QString &id : {workspaceId, seedWorkspaceId})
                if (!id.isEmpty())
                    ids << id;
            if (!ids.isEmpty()) {
                const QString array = u'{' + ids.join(u',') + u'}';
                admin->exec(QStringLiteral("BEGIN"));
                // Each deleted message looks for children by (parent_id, workspace_id), which no
                // index covers: quadratic. A superuser skips those checks (every row goes).
                if (admin->scalar(QStringLiteral("SELECT rolsuper FROM pg_roles WHERE rolname = "
                                                 "current_user"))
                    == u"t")
                    admin->exec(QStringLiteral("SET LOCAL session_replication_role = replica"));
                for (const char *table : {"changes", "messages", "conversations", "workspaces"})
                    admin->exec(QStringLiteral("DELETE FROM arbor.%1 WHERE %2 = ANY($1::uuid[])")
                                    .arg(QLatin1String(table),
                                         qstrcmp(table, "workspaces") == 0
                                             ? QStringLiteral("id")
                                             : QStringLiteral("workspace_id")),
                                {array});
                admin->exec(QStringLiteral("COMMIT"));
            }
            admin->exec(QStringLiteral("DROP ROLE IF EXISTS ") + admin->quoteIdentifier(role));
        } catch (const sync::PgError &e) {
            err << "arbord bench sync: cleaning up the server failed: " << e.message() << "\n";
        }
    };

    const auto benchStart = Clock::now();
    auto progress = [&](const QString &what) {
        err << "arbord bench sync: " << QString::number(msSince(benchStart) / 1000, 'f', 1)
            << " s: " << what << "\n";
        err.flush();
    };
    try {
        admin = std::make_unique<sync::PgConnection>(dsn);
        sync::Admin a(*admin);
        if (sync::PgSchema::currentVersion(*admin) == 0)
            a.init();
        workspaceId = a.addWorkspace(workspace).id;
        seedWorkspaceId = a.addWorkspace(seedWorkspace).id;
        a.addUser(role, rolePassword);
        a.addMember(workspace, role, QStringLiteral("member"));
        const QString clientDsn = loginDsn(*admin, role, rolePassword);

        // N live clients, each its own thread and connection.
        for (int i = 0; i < clients; ++i)
            fleet.push_back(std::make_unique<Client>(
                dir.filePath(QStringLiteral("client-%1.db").arg(i)), clientDsn));
        for (auto &c : fleet)
            c->engine->start();
        if (!waitUntil(
                [&] {
                    return std::all_of(fleet.begin(), fleet.end(), [](const auto &c) {
                        return c->engine->status().state == sync::SyncEngine::State::Connected;
                    });
                },
                60000))
            throw std::runtime_error("the clients did not all connect within 60 s: "
                                     + fleet.front()->engine->status().error.toStdString());

        progress(QStringLiteral("%1 clients connected").arg(clients));

        // 1. Notify to visible: client 0 writes, the others report the id committed locally.
        Client &writer = *fleet.front();
        QHash<QString, Clock::time_point> sentAt;
        std::vector<double> latencies;
        QHash<QString, int> arrivals; // conversation or message id -> clients that have it
        QList<QMetaObject::Connection> listeners;
        for (size_t i = 1; i < fleet.size(); ++i)
            listeners << QObject::connect(
                fleet[i]->engine.get(), &sync::SyncEngine::pulled, fleet[i]->engine.get(),
                [&](const QStringList &conversations, const QStringList &messages) {
                    const auto now = Clock::now();
                    for (const QString &id : conversations)
                        ++arrivals[id];
                    for (const QString &id : messages) {
                        const auto it = sentAt.constFind(id);
                        if (it != sentAt.cend()) {
                            latencies.push_back(
                                std::chrono::duration<double, std::milli>(now - *it).count());
                            ++arrivals[id];
                        }
                    }
                });
        domain::Conversation conversation;
        conversation.id = domain::newId();
        conversation.title = QStringLiteral("bench");
        conversation.settings = QStringLiteral("{}");
        conversation.createdAt = conversation.updatedAt = domain::nowMs();
        writer.store
            .write([conversation](QSqlDatabase &db) {
                store::conversations::insert(db, conversation);
            })
            .waitForFinished();
        sync::local::moveToWorkspace(writer.store, conversation.id, workspaceId);
        writer.engine->poke();
        const int others = clients - 1;
        if (!waitUntil([&] { return arrivals.value(conversation.id) >= others; }, 30000))
            throw std::runtime_error("the shared conversation did not reach every client");

        QString parent;
        for (int i = 0; i < samples; ++i) {
            const domain::Message m =
                benchMessage(conversation.id, i % 20 == 0 ? QString() : parent, i);
            parent = m.id;
            sentAt.insert(m.id, Clock::now());
            writer.store.write([m](QSqlDatabase &db) { store::messages::insert(db, m); })
                .waitForFinished();
            writer.engine->poke();
            const auto next = Clock::now() + std::chrono::milliseconds(intervalMs);
            waitUntil([&] { return Clock::now() >= next; }, intervalMs + 1000);
        }
        const int expected = samples * others;
        waitUntil([&] { return int(latencies.size()) >= expected; }, 30000);
        f.samples = int(latencies.size());
        f.missing = expected - f.samples;
        f.p50 = percentile(latencies, 0.50);
        f.p99 = percentile(latencies, 0.99);
        f.max = latencies.empty() ? 0 : *std::max_element(latencies.begin(), latencies.end());
        for (const QMetaObject::Connection &c : std::as_const(listeners))
            QObject::disconnect(c);

        progress(QStringLiteral("notify-to-visible measured"));

        // 2. Push: one client (the others stopped) empties an outbox of pushCount messages.
        for (size_t i = 1; i < fleet.size(); ++i)
            fleet[i]->engine->stop();
        QList<domain::Message> batch;
        for (int i = 0; i < pushCount; ++i) {
            const domain::Message m =
                benchMessage(conversation.id, i % 50 == 0 ? QString() : parent, i);
            parent = m.id;
            batch.append(m);
        }
        writer.store
            .write([batch](QSqlDatabase &db) {
                for (const domain::Message &m : batch)
                    store::messages::insert(db, m);
            })
            .waitForFinished();
        const auto pushStart = Clock::now();
        writer.engine->poke();
        if (!waitUntil([&] { return sync::local::pendingChanges(writer.store) == 0; }, 600000))
            throw std::runtime_error("the push did not finish within 10 minutes");
        f.pushS = msSince(pushStart) / 1000;
        f.pushPerS = pushCount / f.pushS;
        fleet.clear();

        progress(QStringLiteral("push measured"));

        // 3. Initial sync: the role now belongs to a second workspace only, seeded on the server
        //    with seedCount messages (100 conversations of chains); a brand-new store pulls it.
        a.removeMember(workspace, role);
        a.addMember(seedWorkspace, role, QStringLiteral("member"));
        const auto seedStart = Clock::now();
        const int perConversation = std::max(1, (seedCount + 99) / 100);
        admin->exec(QStringLiteral("BEGIN"));
        admin->exec(
            QStringLiteral("INSERT INTO arbor.conversations (id, workspace_id, title, created_by, "
                           "created_at, updated_at) SELECT md5($1 || '-c-' || c)::uuid, $2, "
                           "'bench ' || c, $3, $4::bigint + c, $4::bigint + c "
                           "FROM generate_series(0, ($5::int - 1) / $6::int) c"),
            {suffix, seedWorkspaceId, role, QString::number(domain::nowMs()),
             QString::number(seedCount), QString::number(perConversation)});
        admin->exec(
            QStringLiteral(
                "INSERT INTO arbor.messages (id, workspace_id, conversation_id, parent_id, role, "
                "author, content, status, created_at, finished_at) "
                "SELECT md5($1 || '-m-' || i)::uuid, $2, md5($1 || '-c-' || (i / $6::int))::uuid, "
                "CASE WHEN i % $6::int = 0 THEN NULL ELSE md5($1 || '-m-' || (i - 1))::uuid END, "
                "CASE WHEN i % 2 = 0 THEN 'user' ELSE 'assistant' END, $3, "
                "'seeded message ' || i || ': the quick brown fox jumps over the lazy dog, "
                "twice: the quick brown fox jumps over the lazy dog', 'complete', "
                "$4::bigint + i, $4::bigint + i FROM generate_series(0, $5::int - 1) i"),
            {suffix, seedWorkspaceId, role, QString::number(domain::nowMs()),
             QString::number(seedCount), QString::number(perConversation)});
        admin->exec(QStringLiteral("COMMIT"));
        f.seedS = msSince(seedStart) / 1000;
        progress(QStringLiteral("seeded %1 messages").arg(seedCount));

        store::Store fresh(dir.filePath(QStringLiteral("new-client.db")), 1);
        fresh.open();
        const auto initialStart = Clock::now();
        {
            sync::SyncClient client(fresh, clientDsn);
            client.connect();
            f.initialMessages = client.pull().messages;
        }
        f.initialS = msSince(initialStart) / 1000;
        fresh.close();
        progress(QStringLiteral("initial sync measured"));
    } catch (const std::exception &e) {
        err << "arbord bench sync: " << e.what() << "\n";
        cleanUp();
        return Failure;
    }
    cleanUp();
    progress(QStringLiteral("server objects removed"));

    if (parser.isSet(json)) {
        out << QJsonDocument(QJsonObject{
                                 {QStringLiteral("clients"), clients},
                                 {QStringLiteral("messages"), samples},
                                 {QStringLiteral("interval_ms"), intervalMs},
                                 {QStringLiteral("notify_to_visible_p50_ms"), f.p50},
                                 {QStringLiteral("notify_to_visible_p99_ms"), f.p99},
                                 {QStringLiteral("notify_to_visible_max_ms"), f.max},
                                 {QStringLiteral("notify_samples"), f.samples},
                                 {QStringLiteral("notify_missing"), f.missing},
                                 {QStringLiteral("push_messages"), pushCount},
                                 {QStringLiteral("push_msgs_per_s"), qRound(f.pushPerS)},
                                 {QStringLiteral("initial_messages"), f.initialMessages},
                                 {QStringLiteral("initial_seed_s"), f.seedS},
                                 {QStringLiteral("initial_sync_100k_s"), f.initialS},
                             })
                   .toJson(QJsonDocument::Compact)
            << "\n";
    } else {
        out << "sync bench: " << clients << " clients, " << samples << " messages " << intervalMs
            << " ms apart\n"
            << "  notify_to_visible_p50_ms " << QString::number(f.p50, 'f', 1)
            << "  (commit on one client -> pulled and committed on another)\n"
            << "  notify_to_visible_p99_ms " << QString::number(f.p99, 'f', 1) << "  (max "
            << QString::number(f.max, 'f', 1) << "; " << f.samples << " samples, " << f.missing
            << " missing)\n"
            << "  push_msgs_per_s          " << qRound(f.pushPerS) << "  (" << pushCount
            << "-message outbox emptied in " << QString::number(f.pushS, 'f', 2)
            << " s, other clients stopped)\n"
            << "  initial_sync_100k_s      " << QString::number(f.initialS, 'f', 2) << "  ("
            << f.initialMessages << " messages pulled by a new client; seeding took "
            << QString::number(f.seedS, 'f', 1) << " s)\n";
    }
    return f.missing == 0 && f.initialMessages == seedCount ? Ok : Failure;
}

} // namespace arbor::cli
