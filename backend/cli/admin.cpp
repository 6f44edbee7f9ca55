// `arbord admin ...`: administration of a team server on PostgreSQL (DESIGN §5).
#include "sync/admin.h"

#include "commands.h"

#include "sync/pgconnection.h"

#include <QCommandLineParser>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>

#include <cstdio>
#include <optional>

namespace arbor::cli {

namespace {

using sync::Admin;

const char *const AdminUsage = R"(Usage: arbord admin COMMAND [--dsn DSN] [--json]

Administration of a team server on PostgreSQL. Every command is idempotent.

Commands:
  init                         Create the group role arbor_user, the schema, row-level
                               security, the change log and NOTIFY triggers (needs a
                               superuser or CREATEROLE plus CREATE on the database).
  migrate                      Apply missing schema migrations.
  status                       Schema version, users, workspaces and their members.
  workspace add NAME           Create a workspace.
  user add NAME [--password-stdin]
                               Create a LOGIN role for a person. The password is read from
                               the first line of stdin, or generated and printed once.
  member add WORKSPACE USER --role admin|member|viewer
                               Give USER a role in WORKSPACE (or change it).
  member remove WORKSPACE USER Take USER out of WORKSPACE.

--dsn takes anything libpq accepts ("host=... dbname=... user=..." or postgresql://...);
without it the PG* environment variables apply (PGHOST, PGPORT, PGDATABASE, PGUSER, ...).
)";

QString outcomeText(Admin::Outcome outcome)
{
    switch (outcome) {
    case Admin::Outcome::Created:
        return QStringLiteral("created");
    case Admin::Outcome::Changed:
        return QStringLiteral("changed");
    case Admin::Outcome::Unchanged:
        break;
    }
    return QStringLiteral("unchanged");
}

void printJson(const QJsonObject &object)
{
    out() << QJsonDocument(object).toJson(QJsonDocument::Compact) << '\n';
}

QJsonObject migrateJson(const Admin::MigrateResult &r)
{
    return {{QStringLiteral("from"), r.from},
            {QStringLiteral("to"), r.to},
            {QStringLiteral("applied"), QJsonArray::fromStringList(r.applied)},
            {QStringLiteral("created_group_role"), r.createdGroupRole}};
}

void printMigrate(const Admin::MigrateResult &r, bool json)
{
    if (json)
        return printJson(migrateJson(r));
    if (r.createdGroupRole)
        out() << "created group role " << Admin::GroupRole << '\n';
    for (const QString &file : r.applied)
        out() << "applied " << file << '\n';
    if (r.applied.isEmpty())
        out() << "schema is up to date (version " << r.to << ")\n";
    else
        out() << "schema version " << r.from << " → " << r.to << '\n';
}

void printStatus(const Admin::Status &s, bool json)
{
    if (json) {
        QJsonArray workspaces;
        for (const auto &w : s.workspaces)
            workspaces.append(QJsonObject{{QStringLiteral("id"), w.id},
                                          {QStringLiteral("name"), w.name},
                                          {QStringLiteral("admins"), w.admins},
                                          {QStringLiteral("members"), w.members},
                                          {QStringLiteral("viewers"), w.viewers}});
        return printJson({{QStringLiteral("server"), s.server},
                          {QStringLiteral("connected_as"), s.connectedAs},
                          {QStringLiteral("server_version"), s.serverVersion},
                          {QStringLiteral("schema_version"), s.schemaVersion},
                          {QStringLiteral("known_version"), s.knownVersion},
                          {QStringLiteral("group_role"), s.groupRoleExists},
                          {QStringLiteral("users"), s.users},
                          {QStringLiteral("workspaces"), workspaces}});
    }
    out() << "server: " << s.server << " (PostgreSQL " << s.serverVersion << "), connected as "
          << s.connectedAs << '\n';
    if (s.schemaVersion == 0) {
        out() << "schema: none (run “arbord admin init”)\n";
        return;
    }
    out() << "schema: version " << s.schemaVersion;
    if (s.schemaVersion < s.knownVersion)
        out() << " (this arbord knows " << s.knownVersion << ": run “arbord admin migrate”)";
    else if (s.schemaVersion > s.knownVersion)
        out() << " (newer than this arbord, which knows " << s.knownVersion << ")";
    out() << '\n' << "users: " << s.users << '\n' << "workspaces: " << s.workspaces.size() << '\n';
    for (const auto &w : s.workspaces)
        out() << "  " << w.name << "  " << w.id << "  admins " << w.admins << ", members "
              << w.members << ", viewers " << w.viewers << '\n';
}

int usageError(const QString &message)
{
    err() << "arbord admin: " << message << "\n\n" << AdminUsage;
    return Usage;
}

} // namespace

int runAdmin(const QStringList &args)
{
    if (args.isEmpty())
        return usageError(QStringLiteral("which command?"));
    if (args.first() == u"--help" || args.first() == u"-h" || args.first() == u"help") {
        out() << AdminUsage;
        return Ok;
    }
    QStringList rest = args;
    QString command = rest.takeFirst();
    if (command == u"workspace" || command == u"user" || command == u"member") {
        if (rest.isEmpty() || rest.first().startsWith(u'-'))
            return usageError(QStringLiteral("“%1” needs add or remove").arg(command));
        command += u' ' + rest.takeFirst();
    }
    struct Spec
    {
        const char *name;
        int positionals;
    };
    static const Spec Specs[] = {{"init", 0},          {"migrate", 0},  {"status", 0},
                                 {"workspace add", 1}, {"user add", 1}, {"member add", 2},
                                 {"member remove", 2}};
    const Spec *spec = nullptr;
    for (const Spec &s : Specs)
        if (command == QLatin1String(s.name))
            spec = &s;
    if (!spec)
        return usageError(QStringLiteral("unknown command “%1”").arg(command));

    QCommandLineParser parser;
    const QCommandLineOption dsnOption(QStringLiteral("dsn"),
                                       QStringLiteral("Server to administer (libpq DSN)."),
                                       QStringLiteral("DSN"));
    const QCommandLineOption jsonOption(QStringLiteral("json"), QStringLiteral("Print JSON."));
    const QCommandLineOption roleOption(
        QStringLiteral("role"), QStringLiteral("admin, member or viewer."), QStringLiteral("ROLE"));
    const QCommandLineOption stdinOption(
        QStringLiteral("password-stdin"),
        QStringLiteral("Read the new user's password from stdin."));
    const QCommandLineOption helpOption(QStringList{QStringLiteral("h"), QStringLiteral("help")},
                                        QStringLiteral("Show this help."));
    parser.addOptions({dsnOption, jsonOption, helpOption});
    if (command == u"member add")
        parser.addOption(roleOption);
    if (command == u"user add")
        parser.addOption(stdinOption);
    if (!parser.parse(QStringList{QStringLiteral("arbord admin ") + command} + rest)) {
        err() << "arbord admin " << command << ": " << parser.errorText() << '\n';
        return Usage;
    }
    if (parser.isSet(helpOption)) {
        out() << AdminUsage;
        return Ok;
    }
    const QStringList positionals = parser.positionalArguments();
    if (positionals.size() != spec->positionals)
        return usageError(QStringLiteral("“%1” takes %2 argument(s), got %3")
                              .arg(command)
                              .arg(spec->positionals)
                              .arg(positionals.size()));
    if (command == u"member add" && !parser.isSet(roleOption))
        return usageError(QStringLiteral("“member add” needs --role admin|member|viewer"));
    const bool json = parser.isSet(jsonOption);

    std::optional<QString> password;
    if (command == u"user add" && parser.isSet(stdinOption)) {
        QTextStream in(stdin);
        password = in.readLine();
        if (password->isEmpty())
            return usageError(QStringLiteral("--password-stdin: stdin gave no password"));
    }

    try {
        sync::PgConnection conn(parser.value(dsnOption));
        Admin admin(conn);
        if (command == u"init") {
            printMigrate(admin.init(), json);
        } else if (command == u"migrate") {
            printMigrate(admin.migrate(), json);
        } else if (command == u"status") {
            printStatus(admin.status(), json);
        } else if (command == u"workspace add") {
            const auto r = admin.addWorkspace(positionals[0]);
            if (json)
                printJson({{QStringLiteral("id"), r.id},
                           {QStringLiteral("name"), positionals[0]},
                           {QStringLiteral("result"), outcomeText(r.outcome)}});
            else
                out() << "workspace “" << positionals[0] << "” " << r.id << ": "
                      << outcomeText(r.outcome) << '\n';
        } else if (command == u"user add") {
            const auto r = admin.addUser(positionals[0], password);
            if (json) {
                QJsonObject o{{QStringLiteral("user"), positionals[0]},
                              {QStringLiteral("result"), outcomeText(r.outcome)}};
                if (!r.generatedPassword.isEmpty())
                    o.insert(QStringLiteral("password"), r.generatedPassword);
                printJson(o);
            } else {
                out() << "user “" << positionals[0] << "”: " << outcomeText(r.outcome);
                if (r.outcome == Admin::Outcome::Unchanged)
                    out() << " (password unchanged)";
                out() << '\n';
                if (!r.generatedPassword.isEmpty())
                    out() << "password (shown only now): " << r.generatedPassword << '\n';
            }
        } else if (command == u"member add") {
            const auto r =
                admin.addMember(positionals[0], positionals[1], parser.value(roleOption));
            if (json)
                printJson({{QStringLiteral("workspace"), positionals[0]},
                           {QStringLiteral("user"), positionals[1]},
                           {QStringLiteral("role"), parser.value(roleOption)},
                           {QStringLiteral("result"), outcomeText(r)}});
            else
                out() << "“" << positionals[1] << "” is " << parser.value(roleOption) << " of “"
                      << positionals[0] << "”: " << outcomeText(r) << '\n';
        } else if (command == u"member remove") {
            const auto r = admin.removeMember(positionals[0], positionals[1]);
            if (json) {
                printJson({{QStringLiteral("workspace"), positionals[0]},
                           {QStringLiteral("user"), positionals[1]},
                           {QStringLiteral("result"),
                            r.removed ? QStringLiteral("removed") : QStringLiteral("unchanged")},
                           {QStringLiteral("sessions_ended"), r.sessionsEnded},
                           {QStringLiteral("warning"), r.warning}});
            } else {
                out() << "“" << positionals[1] << "” in “" << positionals[0]
                      << "”: " << (r.removed ? "removed" : "was not a member (unchanged)");
                if (r.sessionsEnded > 0)
                    out() << "; ended " << r.sessionsEnded << " open session(s)";
                out() << '\n';
            }
            if (!r.warning.isEmpty())
                err() << "arbord admin member remove: " << r.warning << '\n';
        }
    } catch (const sync::PgError &e) {
        out().flush();
        err() << "arbord admin " << command << ": " << e.message() << '\n';
        return Failure;
    }
    out().flush();
    return Ok;
}

} // namespace arbor::cli
