// `arbord sync`: headless team sync of a local store (DESIGN §5).
#include "commands.h"

#include "store/store.h"
#include "sync/pgconnection.h"
#include "sync/syncclient.h"
#include "sync/syncengine.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSocketNotifier>
#include <QTextStream>

#ifdef Q_OS_UNIX
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#endif

namespace arbor::cli {

namespace {

const char *const SyncUsage = R"(Usage: arbord sync [--db PATH] [--dsn DSN] [--follow] [--json]
       arbord sync share CONVERSATION WORKSPACE [--db PATH]
       arbord sync status [--db PATH] [--json]

Synchronises the local store with a team server on PostgreSQL: pushes local changes to shared
conversations (the outbox), then pulls what teammates changed. Once by default; with --follow it
keeps going (listening for changes, reconnecting when the server goes away) until Ctrl+C.

  --dsn DSN   the server, as libpq takes it ("host=... port=... dbname=... user=... sslmode=...",
              or a postgresql:// URI); default $ARBOR_SYNC_DSN. The password comes from the
              DSN, $PGPASSWORD or ~/.pgpass, as with psql; it is never stored by arbord.
  share       moves a personal conversation into a workspace (name or id) of the last
              connected server; it is pushed at the next sync.
  status      the outbox (changes waiting, and those the server refused with its reason),
              rows a pull refused, and the known workspaces with how far each is pulled.
)";

int usageError(const QString &message)
{
    err() << "arbord sync: " << message << "\n\n" << SyncUsage;
    return Usage;
}

#ifdef Q_OS_UNIX
int g_signalFd[2] = {-1, -1};
void onSignal(int)
{
    const char c = 1;
    [[maybe_unused]] const auto n = ::write(g_signalFd[1], &c, 1);
}
#endif

int runStatus(store::Store &store, bool json)
{
    const int pending = sync::local::pendingChanges(store);
    const auto refused = sync::local::refusedChanges(store);
    const sync::PullPositions positions = sync::local::storedPositions(store);
    const QList<sync::Workspace> workspaces = sync::local::storedWorkspaces(store);
    const QList<sync::local::PullRefusal> pullRefusals = sync::local::pullRefusals(store);
    if (json) {
        QJsonArray ws;
        for (const sync::Workspace &w : workspaces)
            ws.append(QJsonObject{{QStringLiteral("id"), w.id},
                                  {QStringLiteral("name"), w.name},
                                  {QStringLiteral("role"), w.role},
                                  {QStringLiteral("position"), positions.value(w.id, 0)}});
        QJsonArray ref;
        for (const auto &[id, error] : refused)
            ref.append(QJsonObject{{QStringLiteral("id"), id}, {QStringLiteral("error"), error}});
        QJsonArray pulls;
        for (const sync::local::PullRefusal &r : pullRefusals)
            pulls.append(QJsonObject{{QStringLiteral("entity"), r.entity},
                                     {QStringLiteral("id"), r.entityId},
                                     {QStringLiteral("workspace_id"), r.workspaceId},
                                     {QStringLiteral("reason"), r.reason}});
        out() << QJsonDocument(QJsonObject{{QStringLiteral("pending"), pending},
                                           {QStringLiteral("refused"), ref},
                                           {QStringLiteral("pull_refused"), pulls},
                                           {QStringLiteral("workspaces"), ws}})
                     .toJson(QJsonDocument::Compact)
              << '\n';
        return Ok;
    }
    out() << "changes waiting to be pushed: " << pending << '\n';
    for (const auto &[id, error] : refused)
        out() << "  refused by the server: " << id << ": " << error << '\n';
    for (const sync::local::PullRefusal &r : pullRefusals)
        out() << "  refused from the server: " << r.entity << ' ' << r.entityId << ": " << r.reason
              << '\n';
    if (workspaces.isEmpty())
        out() << "workspaces: none known (run “arbord sync --dsn ...” once)\n";
    for (const sync::Workspace &w : workspaces)
        out() << "workspace " << w.name << "  " << w.id << "  (" << w.role << ", pulled to "
              << positions.value(w.id, 0) << ")\n";
    return Ok;
}

int runShare(store::Store &store, const QStringList &positional)
{
    if (positional.size() != 3)
        return usageError(QStringLiteral("share needs CONVERSATION and WORKSPACE"));
    QString workspace = positional.at(2);
    for (const sync::Workspace &w : sync::local::storedWorkspaces(store))
        if (w.name == workspace)
            workspace = w.id;
    sync::local::moveToWorkspace(store, positional.at(1), workspace);
    out() << "shared " << positional.at(1) << "; it is pushed at the next sync\n";
    return Ok;
}

int runOnce(store::Store &store, const QString &dsn, bool json)
{
    sync::SyncClient client(store, dsn);
    client.connect();
    const sync::PushResult pushed = client.push();
    const sync::PullResult pulled = client.pull();
    const sync::local::WorkspacesStored &left = client.lastWorkspaceChange();
    if (json) {
        out() << QJsonDocument(
                     QJsonObject{{QStringLiteral("server"), client.server()},
                                 {QStringLiteral("user"), client.user()},
                                 {QStringLiteral("pushed"), pushed.pushed},
                                 {QStringLiteral("refused"), pushed.refused},
                                 {QStringLiteral("pulled_changes"), pulled.changes},
                                 {QStringLiteral("pulled_messages"), pulled.messages},
                                 {QStringLiteral("pulled_conversations"), pulled.conversations},
                                 {QStringLiteral("pull_refused"), pulled.refused},
                                 {QStringLiteral("unshared"), left.detached},
                                 {QStringLiteral("pending"), sync::local::pendingChanges(store)}})
                     .toJson(QJsonDocument::Compact)
              << '\n';
    } else {
        out() << "synced " << store.path() << " with " << client.server() << " as " << client.user()
              << ": pushed " << pushed.pushed << ", pulled " << pulled.messages << " messages in "
              << pulled.conversations << " conversations";
        if (pushed.refused > 0)
            out() << "; " << pushed.refused
                  << " changes refused by the server (see “arbord sync "
                     "status”)";
        if (pulled.refused > 0)
            out() << "; " << pulled.refused
                  << " rows from the server refused here (see “arbord "
                     "sync status”)";
        out() << '\n';
        if (left.detached > 0)
            out() << "you are no longer a member of " << left.left.join(QStringLiteral(", "))
                  << ": " << left.detached << " conversations are no longer shared (kept here)\n";
    }
    return Ok;
}

int runFollow(store::Store &store, const QString &dsn)
{
    sync::SyncEngine engine(store, dsn);
    QString lastLine;
    QObject::connect(&engine, &sync::SyncEngine::statusChanged, &engine, [&] {
        const sync::SyncEngine::Status s = engine.status();
        QString line;
        switch (s.state) {
        case sync::SyncEngine::State::Connected:
            line = QStringLiteral("connected to %1 as %2; %3 changes waiting")
                       .arg(s.server, s.user)
                       .arg(s.pending);
            break;
        case sync::SyncEngine::State::Reconnecting:
            line = QStringLiteral("offline, %1 changes waiting; retrying in %2 ms: %3")
                       .arg(s.pending)
                       .arg(s.retryInMs)
                       .arg(s.error);
            break;
        case sync::SyncEngine::State::Connecting:
            line = QStringLiteral("connecting…");
            break;
        case sync::SyncEngine::State::Offline:
            line = QStringLiteral("stopped");
            break;
        }
        if (line != lastLine) {
            err() << "arbord sync: " << line << '\n';
            err().flush();
            lastLine = line;
        }
    });
    QObject::connect(&engine, &sync::SyncEngine::pulled, &engine,
                     [](const QStringList &conversations, const QStringList &messages) {
                         out() << "pulled " << messages.size() << " messages in "
                               << conversations.size() << " conversations\n";
                         out().flush();
                     });
    QObject::connect(&engine, &sync::SyncEngine::pushed, &engine, [](int rows) {
        out() << "pushed " << rows << " changes\n";
        out().flush();
    });
#ifdef Q_OS_UNIX
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, g_signalFd) == 0) {
        auto *notifier = new QSocketNotifier(g_signalFd[0], QSocketNotifier::Read, qApp);
        QObject::connect(notifier, &QSocketNotifier::activated, qApp, [] {
            char c;
            [[maybe_unused]] const auto n = ::read(g_signalFd[0], &c, 1);
            QCoreApplication::quit();
        });
        std::signal(SIGINT, onSignal);
        std::signal(SIGTERM, onSignal);
    }
#endif
    engine.start();
    QCoreApplication::exec();
    engine.stop();
    return Ok;
}

} // namespace

int runSync(const QStringList &args)
{
    QCommandLineParser parser;
    const QCommandLineOption db(QStringLiteral("db"), QStringLiteral("The store."),
                                QStringLiteral("PATH"));
    const QCommandLineOption dsn(QStringLiteral("dsn"), QStringLiteral("The team server."),
                                 QStringLiteral("DSN"));
    const QCommandLineOption follow(QStringLiteral("follow"), QStringLiteral("Keep syncing."));
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("JSON output."));
    const QCommandLineOption help(QStringList{QStringLiteral("h"), QStringLiteral("help")},
                                  QStringLiteral("Show this help."));
    parser.addOptions({db, dsn, follow, json, help});
    if (!parser.parse(QStringList{QStringLiteral("arbord sync")} + args))
        return usageError(parser.errorText());
    if (parser.isSet(help)) {
        out() << SyncUsage;
        return Ok;
    }
    const QStringList positional = parser.positionalArguments();
    const QString command = positional.value(0);
    if (!command.isEmpty() && command != u"share" && command != u"status")
        return usageError(QStringLiteral("unknown command “%1”").arg(command));

    store::Store store(store::Store::resolvePath(parser.value(db)));
    try {
        store.open();
        if (command == u"status")
            return runStatus(store, parser.isSet(json));
        if (command == u"share")
            return runShare(store, positional);
        const QString server =
            parser.isSet(dsn) ? parser.value(dsn) : qEnvironmentVariable("ARBOR_SYNC_DSN");
        if (server.isEmpty())
            return usageError(QStringLiteral("say which server with --dsn or $ARBOR_SYNC_DSN"));
        if (parser.isSet(follow))
            return runFollow(store, server);
        return runOnce(store, server, parser.isSet(json));
    } catch (const std::exception &e) {
        err() << "arbord sync: " << e.what() << '\n';
        return Failure;
    }
}

} // namespace arbor::cli
