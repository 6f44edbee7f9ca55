// `arbord sync`: team sync of a local store (DESIGN §5) through the backend's SyncService, the
// same service the window uses: the configured server, its password in the keychain.
#include "commands.h"
#include "common.h"
#include "providercommands.h"

#include "core/backend.h"
#include "core/readonlybackend.h"
#include "store/store.h"
#include "sync/syncservice.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>

namespace arbor::cli {

namespace {

const char *const SyncUsage = R"(Usage: arbord sync [--db PATH] [--dsn DSN] [--follow] [--json]
       arbord sync connect --dsn DSN [--password-stdin | --password-env VAR] [--db PATH]
       arbord sync disconnect [--db PATH]
       arbord sync share CONVERSATION WORKSPACE [--db PATH]
       arbord sync status [--db PATH] [--json]

Synchronises the local store with a team server on PostgreSQL: pushes local changes to shared
conversations (the outbox), then pulls what teammates changed. Once by default; with --follow it
keeps going (listening for changes, reconnecting when the server goes away) until Ctrl+C.

The server is the one configured for the store (sync connect here, or the app's "Connect to a
team server"), with its password from the system keychain. --dsn DSN (or $ARBOR_SYNC_DSN) syncs
with another server once, storing nothing; its password comes from the DSN, $PGPASSWORD or
~/.pgpass, as with psql.

  connect     configures the team server as the app's dialog does: host, port, dbname, user
              and sslmode from DSN ("host=... user=..." or a postgresql:// URI, without a
              password), the password from standard input (--password-stdin) or an environment
              variable (--password-env VAR) into the system keychain (none given: the one
              stored for that server and user stays); then connects once to check.
  disconnect  forgets the team server and its stored password; shared conversations stay.
  share       moves a personal conversation into a workspace (name or id) of the configured
              server; it is pushed at the next sync.
  status      the configured server, the outbox (changes waiting, and those the server refused
              with its reason), rows a pull refused, and the known workspaces with how far each
              is pulled. Reads only.
)";

int usageError(const QString &message)
{
    err() << "arbord sync: " << message << "\n\n" << SyncUsage;
    return Usage;
}

int failure(const QString &message)
{
    err() << "arbord sync: " << message << '\n';
    return Failure;
}

int runStatus(const QString &dbPath, bool json)
{
    core::ReadOnlyBackend reader(dbPath);
    reader.open();
    const sync::SyncOverview o = reader.sync().overview().result();
    if (json) {
        QJsonArray ws;
        for (const sync::Workspace &w : o.workspaces)
            ws.append(QJsonObject{{QStringLiteral("id"), w.id},
                                  {QStringLiteral("name"), w.name},
                                  {QStringLiteral("role"), w.role},
                                  {QStringLiteral("position"), o.positions.value(w.id, 0)}});
        QJsonArray ref;
        for (const auto &[id, error] : o.refused)
            ref.append(QJsonObject{{QStringLiteral("id"), id}, {QStringLiteral("error"), error}});
        QJsonArray pulls;
        for (const sync::local::PullRefusal &r : o.pullRefused)
            pulls.append(QJsonObject{{QStringLiteral("entity"), r.entity},
                                     {QStringLiteral("id"), r.entityId},
                                     {QStringLiteral("workspace_id"), r.workspaceId},
                                     {QStringLiteral("reason"), r.reason}});
        const QJsonValue server = o.server.isEmpty()
            ? QJsonValue()
            : QJsonObject{{QStringLiteral("host"), o.server.host},
                          {QStringLiteral("port"), o.server.port},
                          {QStringLiteral("dbname"), o.server.database},
                          {QStringLiteral("user"), o.server.user},
                          {QStringLiteral("sslmode"), o.server.sslmode}};
        out() << QJsonDocument(QJsonObject{{QStringLiteral("server"), server},
                                           {QStringLiteral("pending"), o.pending},
                                           {QStringLiteral("refused"), ref},
                                           {QStringLiteral("pull_refused"), pulls},
                                           {QStringLiteral("workspaces"), ws}})
                     .toJson(QJsonDocument::Compact)
              << '\n';
        return Ok;
    }
    if (o.server.isEmpty())
        out() << "team server: none configured (arbord sync connect --dsn ...)\n";
    else
        out() << "team server: " << o.server.server() << " as " << o.server.user << " (sslmode "
              << o.server.sslmode << ")\n";
    out() << "changes waiting to be pushed: " << o.pending << '\n';
    for (const auto &[id, error] : o.refused)
        out() << "  refused by the server: " << id << ": " << error << '\n';
    for (const sync::local::PullRefusal &r : o.pullRefused)
        out() << "  refused from the server: " << r.entity << ' ' << r.entityId << ": " << r.reason
              << '\n';
    if (o.workspaces.isEmpty())
        out() << "workspaces: none known (run “arbord sync” once)\n";
    for (const sync::Workspace &w : o.workspaces)
        out() << "workspace " << w.name << "  " << w.id << "  (" << w.role << ", pulled to "
              << o.positions.value(w.id, 0) << ")\n";
    return Ok;
}

/** @brief The password --password-stdin or --password-env names; nullopt when neither. */
std::optional<QString> readPassword(const QCommandLineParser &parser,
                                    const QCommandLineOption &fromStdin,
                                    const QCommandLineOption &fromEnv, QString *error)
{
    if (parser.isSet(fromStdin) && parser.isSet(fromEnv)) {
        *error = QStringLiteral("give the password on standard input or in an environment "
                                "variable, not both");
        return std::nullopt;
    }
    if (parser.isSet(fromStdin)) {
        QFile in;
        if (!in.open(stdin, QIODevice::ReadOnly)) {
            *error = QStringLiteral("cannot read standard input");
            return std::nullopt;
        }
        QString password = QString::fromUtf8(in.readAll());
        // One line, as `echo "$PW" |` writes it: the line end is not part of the password.
        if (password.endsWith(QLatin1Char('\n')))
            password.chop(1);
        if (password.endsWith(QLatin1Char('\r')))
            password.chop(1);
        return password;
    }
    if (parser.isSet(fromEnv)) {
        const QByteArray name = parser.value(fromEnv).toLocal8Bit();
        if (!qEnvironmentVariableIsSet(name.constData())) {
            *error =
                QStringLiteral("the environment variable %1 is not set").arg(parser.value(fromEnv));
            return std::nullopt;
        }
        return qEnvironmentVariable(name.constData());
    }
    return std::nullopt;
}

int runConnect(core::Backend &backend, const sync::TeamServerConfig &config,
               const std::optional<QString> &password)
{
    sync::SyncService &service = backend.sync();
    const sync::SyncOutcome saved = awaitFuture(service.configure(config, password)).result();
    if (!saved.ok)
        return failure(saved.error);
    const sync::Login login = awaitFuture(service.login()).result();
    if (!login.error.isEmpty())
        return failure(login.error);
    // One connection, as the app's dialog makes: the server says whether it takes the login,
    // and the workspaces become known here (for share and status).
    try {
        sync::SyncClient client(backend.store(), login.dsn);
        client.connect();
        out() << "connected to " << client.server() << " as " << client.user()
              << "; the password is in the "
              << (password ? QStringLiteral("system keychain")
                           : QStringLiteral("keychain as before"))
              << '\n';
        for (const sync::Workspace &w : client.workspaces())
            out() << "workspace " << w.name << "  (" << w.role << ")\n";
    } catch (const std::exception &e) {
        return failure(QStringLiteral("saved %1 for %2, but the server did not take the login: %3")
                           .arg(config.server(), config.user, QString::fromUtf8(e.what())));
    }
    return Ok;
}

int runDisconnect(core::Backend &backend)
{
    sync::SyncService &service = backend.sync();
    const sync::TeamServerConfig config = awaitFuture(service.server()).result();
    const sync::SyncOutcome forgotten = awaitFuture(service.forget()).result();
    if (!forgotten.ok)
        return failure(forgotten.error);
    if (config.isEmpty())
        out() << "no team server was configured\n";
    else
        out() << "forgot " << config.server() << " and the password of " << config.user
              << "; shared conversations stay in this store\n";
    return Ok;
}

int runShare(core::Backend &backend, const QStringList &positional)
{
    if (positional.size() != 3)
        return usageError(QStringLiteral("share needs CONVERSATION and WORKSPACE"));
    QString workspace = positional.at(2);
    for (const sync::Workspace &w : awaitFuture(backend.sync().overview()).result().workspaces)
        if (w.name == workspace)
            workspace = w.id;
    awaitFuture(backend.sync().moveToWorkspace(positional.at(1), workspace)).waitForFinished();
    out() << "shared " << positional.at(1) << "; it is pushed at the next sync\n";
    return Ok;
}

int runOnce(store::Store &store, const QString &dsn, bool json)
{
    const sync::SyncRun run = sync::SyncService::runOnce(store, dsn);
    if (json) {
        out() << QJsonDocument(
                     QJsonObject{{QStringLiteral("server"), run.server},
                                 {QStringLiteral("user"), run.user},
                                 {QStringLiteral("pushed"), run.pushed.pushed},
                                 {QStringLiteral("refused"), run.pushed.refused},
                                 {QStringLiteral("pulled_changes"), run.pulled.changes},
                                 {QStringLiteral("pulled_messages"), run.pulled.messages},
                                 {QStringLiteral("pulled_conversations"), run.pulled.conversations},
                                 {QStringLiteral("pull_refused"), run.pulled.refused},
                                 {QStringLiteral("unshared"), run.workspaces.detached},
                                 {QStringLiteral("pending"), run.pending}})
                     .toJson(QJsonDocument::Compact)
              << '\n';
        return Ok;
    }
    out() << "synced " << store.path() << " with " << run.server << " as " << run.user
          << ": pushed " << run.pushed.pushed << ", pulled " << run.pulled.messages
          << " messages in " << run.pulled.conversations << " conversations";
    if (run.pushed.refused > 0)
        out() << "; " << run.pushed.refused
              << " changes refused by the server (see “arbord sync status”)";
    if (run.pulled.refused > 0)
        out() << "; " << run.pulled.refused
              << " rows from the server refused here (see “arbord sync status”)";
    out() << '\n';
    if (run.workspaces.detached > 0)
        out() << "you are no longer a member of " << run.workspaces.left.join(QStringLiteral(", "))
              << ": " << run.workspaces.detached
              << " conversations are no longer shared (kept here)\n";
    return Ok;
}

/** @brief Syncs with @p dsn until SIGINT/SIGTERM, one line per change of state on stderr. */
int runFollow(core::Backend &backend, const QString &dsn)
{
    sync::SyncService &service = backend.sync();
    QString lastLine;
    QObject::connect(&service, &sync::SyncService::statusChanged, &service, [&] {
        QString line = service.stateText();
        if (service.state() == sync::SyncService::State::Reconnecting
            && !service.errorText().isEmpty())
            line += QStringLiteral(": ") + service.errorText();
        if (line != lastLine) {
            err() << "arbord sync: " << line << '\n';
            err().flush();
            lastLine = line;
        }
    });
    QObject::connect(&service, &sync::SyncService::remoteChanges, &service,
                     [](const QStringList &conversations, const QStringList &messages) {
                         out() << "pulled " << messages.size() << " messages in "
                               << conversations.size() << " conversations\n";
                         out().flush();
                     });
    QObject::connect(&service, &sync::SyncService::pushed, &service, [](int rows) {
        out() << "pushed " << rows << " changes\n";
        out().flush();
    });
    onInterrupt(qApp, [] { QCoreApplication::quit(); });
    service.startWith(dsn);
    QCoreApplication::exec();
    service.stop();
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
    const QCommandLineOption passwordStdin(QStringLiteral("password-stdin"),
                                           QStringLiteral("connect: the password on stdin."));
    const QCommandLineOption passwordEnv(QStringLiteral("password-env"),
                                         QStringLiteral("connect: the password in VAR."),
                                         QStringLiteral("VAR"));
    const QCommandLineOption help(QStringList{QStringLiteral("h"), QStringLiteral("help")},
                                  QStringLiteral("Show this help."));
    parser.addOptions({db, dsn, follow, json, passwordStdin, passwordEnv, help});
    if (!parser.parse(QStringList{QStringLiteral("arbord sync")} + args))
        return usageError(parser.errorText());
    if (parser.isSet(help)) {
        out() << SyncUsage;
        return Ok;
    }
    const QStringList positional = parser.positionalArguments();
    const QString command = positional.value(0);
    static const QStringList commands{QStringLiteral("connect"), QStringLiteral("disconnect"),
                                      QStringLiteral("share"), QStringLiteral("status")};
    if (!command.isEmpty() && !commands.contains(command))
        return usageError(QStringLiteral("unknown command “%1”").arg(command));
    if (command != u"connect" && (parser.isSet(passwordStdin) || parser.isSet(passwordEnv)))
        return usageError(QStringLiteral("--password-stdin and --password-env are for connect"));

    try {
        if (command == u"status")
            return runStatus(parser.value(db), parser.isSet(json));

        std::optional<sync::TeamServerConfig> config;
        std::optional<QString> password;
        if (command == u"connect") {
            if (!parser.isSet(dsn))
                return usageError(QStringLiteral("connect needs --dsn DSN"));
            QString error;
            config = sync::TeamServerConfig::fromDsn(parser.value(dsn), &error);
            if (!config)
                return usageError(error);
            password = readPassword(parser, passwordStdin, passwordEnv, &error);
            if (!error.isEmpty())
                return usageError(error);
        }

        core::BackendOptions options;
        options.dbPath = parser.value(db);
        options.runJobs = false; // syncing never runs replies
        core::Backend backend(options);
        if (const auto code = openBackend(backend, QStringLiteral("sync")))
            return *code;
        if (command == u"connect")
            return runConnect(backend, *config, password);
        if (command == u"disconnect")
            return runDisconnect(backend);
        if (command == u"share")
            return runShare(backend, positional);

        // Another server, once or followed, when one is named; else the configured one.
        QString server =
            parser.isSet(dsn) ? parser.value(dsn) : qEnvironmentVariable("ARBOR_SYNC_DSN");
        if (server.isEmpty()) {
            const sync::Login login = awaitFuture(backend.sync().login()).result();
            if (!login.error.isEmpty())
                return failure(login.error);
            server = login.dsn;
        }
        if (parser.isSet(follow))
            return runFollow(backend, server);
        return runOnce(backend.store(), server, parser.isSet(json));
    } catch (const std::exception &e) {
        return failure(QString::fromUtf8(e.what()));
    }
}

} // namespace arbor::cli
