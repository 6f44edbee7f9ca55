// `arbord tools`: the MCP servers of a store (add, remove, list, test) and their tools' policies.
#include "commands.h"
#include "common.h"
#include "providercommands.h"

#include "core/backend.h"
#include "tools/mcpclient.h"
#include "tools/toolservice.h"

#include <QCommandLineParser>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonObject>
#include <QTextStream>
#include <QTimer>

namespace arbor::cli {

namespace {

using tools::StoredToolServer;

const char *const ToolsUsage = R"(Usage: arbord tools SUBCOMMAND [OPTIONS]

MCP tool servers on this device (not shared with a team: a command and its secrets belong to
one machine). Secret values go to the system keychain, read from an environment variable
(--secret-env K=VAR, --secret-header K=VAR), never from an argument.

Subcommands:
  add NAME --command CMD [--arg A]... [--env K=V]... [--secret-env K=VAR]...
                                    A server started as a process (stdio).
  add NAME --url URL [--header 'K: V']... [--secret-header K=VAR]...
                                    A server over HTTP (Streamable HTTP, or HTTP+SSE).
  remove NAME                       Remove a server, its policies and its secrets.
  list [--json]                     The servers.
  test NAME [--json]                Connect and list the server's tools.
  policy NAME TOOL allow|ask|deny|default
                                    What happens when a model calls TOOL: run it, ask first,
                                    or refuse (default: from the tool's annotations).
  conversation ID [NAME on|off|default] [--json]
                                    The servers conversation ID uses (each server's global
                                    setting unless the conversation chose otherwise), or turn
                                    NAME on or off for it alone (default: back to the global).
Every subcommand takes --db PATH (default: $ARBOR_DB, else the data folder).
)";

/** @brief "K=V" → (K, V); nullopt when there is no '=' or no K. */
std::optional<std::pair<QString, QString>> splitPair(const QString &text, QChar sep)
{
    const qsizetype at = text.indexOf(sep);
    if (at <= 0)
        return std::nullopt;
    return std::pair{text.left(at).trimmed(), text.mid(at + 1).trimmed()};
}

int runAdd(tools::ToolService &service, const QString &dbPath, const QStringList &args)
{
    Q_UNUSED(dbPath);
    QCommandLineParser parser;
    const QCommandLineOption command(QStringLiteral("command"), QStringLiteral("The program."),
                                     QStringLiteral("CMD"));
    const QCommandLineOption arg(QStringLiteral("arg"), QStringLiteral("An argument (repeatable)."),
                                 QStringLiteral("A"));
    const QCommandLineOption env(QStringLiteral("env"),
                                 QStringLiteral("An environment variable (repeatable)."),
                                 QStringLiteral("K=V"));
    const QCommandLineOption secretEnv(
        QStringLiteral("secret-env"),
        QStringLiteral("A variable whose value is read from $VAR into the keychain."),
        QStringLiteral("K=VAR"));
    const QCommandLineOption url(QStringLiteral("url"), QStringLiteral("The endpoint."),
                                 QStringLiteral("URL"));
    const QCommandLineOption header(QStringLiteral("header"),
                                    QStringLiteral("A request header (repeatable)."),
                                    QStringLiteral("'K: V'"));
    const QCommandLineOption secretHeader(
        QStringLiteral("secret-header"),
        QStringLiteral("A header whose value is read from $VAR into the keychain."),
        QStringLiteral("K=VAR"));
    const QCommandLineOption disabled(QStringLiteral("disabled"),
                                      QStringLiteral("Do not offer its tools to every chat."));
    parser.addOptions({command, arg, env, secretEnv, url, header, secretHeader, disabled});
    if (!parser.parse(QStringList{QStringLiteral("arbord tools add")} + args)) {
        err() << "arbord tools add: " << parser.errorText() << "\n";
        return Usage;
    }
    if (parser.positionalArguments().size() != 1) {
        err() << "arbord tools add: give one NAME\n";
        return Usage;
    }
    if (parser.isSet(command) == parser.isSet(url)) {
        err() << "arbord tools add: give either --command (stdio) or --url (HTTP)\n";
        return Usage;
    }
    StoredToolServer s;
    s.name = parser.positionalArguments().constFirst();
    s.enabled = !parser.isSet(disabled);
    QMap<QString, QString> secrets;
    auto takeSecret = [&](const QString &value, const QString &prefix, QStringList &names) -> bool {
        const auto pair = splitPair(value, QLatin1Char('='));
        if (!pair) {
            err() << "arbord tools add: a secret is K=VAR (VAR: the environment variable that "
                     "holds the value)\n";
            return false;
        }
        const QByteArray var = pair->second.toLocal8Bit();
        if (!qEnvironmentVariableIsSet(var.constData())) {
            err() << "arbord tools add: the environment variable " << pair->second
                  << " is not set\n";
            return false;
        }
        names.append(pair->first);
        secrets.insert(prefix + pair->first, qEnvironmentVariable(var.constData()));
        return true;
    };
    if (parser.isSet(command)) {
        if (parser.isSet(header) || parser.isSet(secretHeader)) {
            err() << "arbord tools add: headers are for --url servers\n";
            return Usage;
        }
        s.transport = QStringLiteral("stdio");
        s.command = parser.value(command);
        s.args = parser.values(arg);
        for (const QString &e : parser.values(env)) {
            const auto pair = splitPair(e, QLatin1Char('='));
            if (!pair) {
                err() << "arbord tools add: --env takes K=V\n";
                return Usage;
            }
            s.env.insert(pair->first, pair->second);
        }
        for (const QString &e : parser.values(secretEnv)) {
            if (!takeSecret(e, QStringLiteral("env:"), s.secretEnv))
                return Usage;
        }
    } else {
        if (parser.isSet(arg) || parser.isSet(env) || parser.isSet(secretEnv)) {
            err() << "arbord tools add: arguments and environment are for --command servers\n";
            return Usage;
        }
        const QUrl u(parser.value(url), QUrl::StrictMode);
        if (!u.isValid() || (u.scheme() != u"http" && u.scheme() != u"https")) {
            err() << "arbord tools add: --url takes an http:// or https:// URL\n";
            return Usage;
        }
        if (!u.userInfo().isEmpty()) {
            err() << "arbord tools add: a URL with user:password@ would keep a secret in the "
                     "store; use --secret-header\n";
            return Usage;
        }
        s.transport = QStringLiteral("http");
        s.url = u.toString();
        for (const QString &h : parser.values(header)) {
            const auto pair = splitPair(h, QLatin1Char(':'));
            if (!pair) {
                err() << "arbord tools add: a header is 'K: V'\n";
                return Usage;
            }
            s.headers.insert(pair->first, pair->second);
        }
        for (const QString &h : parser.values(secretHeader)) {
            if (!takeSecret(h, QStringLiteral("header:"), s.secretHeaders))
                return Usage;
        }
    }
    const tools::ToolOutcome saved = awaitFuture(service.save(s, secrets)).result();
    if (!saved.ok) {
        err() << "arbord tools add: " << saved.error << "\n";
        return Failure;
    }
    out() << "added " << s.name << "\n";
    return Ok;
}

QJsonObject toJson(const StoredToolServer &s)
{
    QJsonObject o{{QStringLiteral("name"), s.name},
                  {QStringLiteral("transport"), s.transport},
                  {QStringLiteral("enabled"), s.enabled}};
    if (s.transport == u"stdio") {
        o.insert(QStringLiteral("command"), s.command);
        o.insert(QStringLiteral("args"), QJsonArray::fromStringList(s.args));
        QJsonObject env;
        for (auto it = s.env.cbegin(); it != s.env.cend(); ++it)
            env.insert(it.key(), it.value());
        for (const QString &k : s.secretEnv)
            env.insert(k, QStringLiteral("(secret)"));
        o.insert(QStringLiteral("env"), env);
    } else {
        o.insert(QStringLiteral("url"), s.url);
        QJsonObject headers;
        for (auto it = s.headers.cbegin(); it != s.headers.cend(); ++it)
            headers.insert(it.key(), it.value());
        for (const QString &k : s.secretHeaders)
            headers.insert(k, QStringLiteral("(secret)"));
        o.insert(QStringLiteral("headers"), headers);
    }
    return o;
}

/** @brief Connects to @p s and waits until it is ready or failed. */
tools::McpClient *connectServer(tools::ToolService &service, const StoredToolServer &s,
                                QObject *parent, QString *error)
{
    const tools::ResolvedServer resolved = awaitFuture(service.resolve(s)).result();
    if (!resolved.error.isEmpty()) {
        *error = resolved.error;
        return nullptr;
    }
    tools::McpClient *client = tools::ToolService::makeClient(resolved, parent);
    QEventLoop loop;
    QObject::connect(client, &tools::McpClient::ready, &loop, &QEventLoop::quit);
    QObject::connect(client, &tools::McpClient::failed, &loop, &QEventLoop::quit);
    client->connectToServer();
    if (client->state() == tools::McpClient::State::Starting)
        loop.exec();
    if (client->state() != tools::McpClient::State::Ready) {
        *error = client->error();
        return nullptr;
    }
    return client;
}

int runTest(tools::ToolService &service, const QString &name, bool json)
{
    const auto s = awaitFuture(service.server(name)).result();
    if (!s) {
        err() << "arbord tools test: no tool server “" << name << "” (see arbord tools list)\n";
        return Failure;
    }
    QObject owner;
    QString error;
    tools::McpClient *client = connectServer(service, *s, &owner, &error);
    if (!client) {
        err() << "arbord tools test: " << name << ": " << error << "\n";
        return Failure;
    }
    const QHash<QString, tools::Policy> stored = awaitFuture(service.policies(name)).result();
    if (json) {
        QJsonArray list;
        for (const tools::McpTool &t : client->tools())
            list.append(QJsonObject{
                {QStringLiteral("name"), t.name},
                {QStringLiteral("description"), t.description},
                {QStringLiteral("annotations"), t.annotations},
                {QStringLiteral("policy"),
                 tools::toString(stored.value(t.name, tools::defaultPolicy(t.annotations)))}});
        printJson(QJsonObject{{QStringLiteral("server"), name},
                              {QStringLiteral("protocol_version"), client->protocolVersion()},
                              {QStringLiteral("tools"), list}});
    } else {
        out() << name << ": " << client->tools().size() << " tools (MCP "
              << client->protocolVersion() << ")\n";
        for (const tools::McpTool &t : client->tools())
            out() << "  " << t.name << "  ["
                  << tools::toString(stored.value(t.name, tools::defaultPolicy(t.annotations)))
                  << "]  " << t.description.section(QLatin1Char('\n'), 0, 0) << "\n";
    }
    client->close();
    return Ok;
}

/** @brief `tools conversation ID [NAME on|off|default]`. */
int runConversation(tools::ToolService &service, const QStringList &own, bool json)
{
    const QString conversation = own.constFirst();
    if (own.size() == 3) {
        const QString &state = own.at(2);
        if (state != u"on" && state != u"off" && state != u"default") {
            err() << "arbord tools conversation: the state is on, off or default\n";
            return Usage;
        }
        if (!awaitFuture(service.server(own.at(1))).result()) {
            err() << "arbord tools conversation: no tool server “" << own.at(1) << "”\n";
            return Failure;
        }
        const std::optional<bool> enabled =
            state == u"default" ? std::nullopt : std::optional<bool>(state == u"on");
        try {
            awaitFuture(service.setForConversation(conversation, own.at(1), enabled))
                .waitForFinished();
        } catch (const std::exception &e) {
            err() << "arbord tools conversation: no conversation “" << conversation << "” ("
                  << e.what() << ")\n";
            return Failure;
        }
    } else if (own.size() != 1) {
        err() << "arbord tools conversation: give ID, or ID NAME on|off|default\n";
        return Usage;
    }
    const QList<tools::ConversationServer> servers =
        awaitFuture(service.forConversation(conversation)).result();
    if (json) {
        QJsonArray a;
        for (const tools::ConversationServer &s : servers)
            a.append(QJsonObject{{QStringLiteral("name"), s.name},
                                 {QStringLiteral("enabled"), s.enabled},
                                 {QStringLiteral("global"), s.global},
                                 {QStringLiteral("overridden"), s.overridden}});
        printJson(QJsonObject{{QStringLiteral("servers"), a}});
        return Ok;
    }
    for (const tools::ConversationServer &s : servers)
        out() << s.name << "\t" << (s.enabled ? "on" : "off") << "\t"
              << (s.overridden ? "(this conversation)" : "(global)") << "\n";
    return Ok;
}

} // namespace

int runTools(const QStringList &args)
{
    if (args.isEmpty() || args.constFirst() == u"--help" || args.constFirst() == u"-h") {
        (args.isEmpty() ? err() : out()) << ToolsUsage;
        return args.isEmpty() ? Usage : Ok;
    }
    const QString sub = args.constFirst();
    QString dbPath;
    bool json = false;
    QStringList own;
    const QStringList rest = args.mid(1);
    for (qsizetype i = 0; i < rest.size(); ++i) {
        if (rest.at(i) == u"--db" && i + 1 < rest.size())
            dbPath = rest.at(++i);
        else if (rest.at(i).startsWith(QLatin1String("--db=")))
            dbPath = rest.at(i).mid(5);
        else if (rest.at(i) == u"--json")
            json = true;
        else
            own.append(rest.at(i));
    }
    if (sub != u"add" && sub != u"remove" && sub != u"list" && sub != u"test" && sub != u"policy"
        && sub != u"conversation") {
        err() << "arbord tools: unknown subcommand “" << sub << "”\n\n" << ToolsUsage;
        return Usage;
    }
    core::BackendOptions options;
    options.dbPath = dbPath;
    options.runJobs = false;
    core::Backend backend(options);
    if (const auto code = openBackend(backend, QStringLiteral("tools")))
        return *code;
    tools::ToolService &service = backend.tools();
    if (sub == u"add")
        return runAdd(service, dbPath, own);
    if (sub == u"list") {
        const QList<StoredToolServer> all = awaitFuture(service.servers()).result();
        if (json) {
            QJsonArray a;
            for (const auto &s : all)
                a.append(toJson(s));
            printJson(QJsonObject{{QStringLiteral("servers"), a}});
            return Ok;
        }
        for (const auto &s : all) {
            out() << s.name << "\t" << s.transport << "\t"
                  << (s.transport == u"stdio"
                          ? QStringList(QStringList{s.command} + s.args).join(QLatin1Char(' '))
                          : s.url)
                  << (s.enabled ? "" : "\t(disabled)") << "\n";
        }
        return Ok;
    }
    if (own.isEmpty()) {
        err() << "arbord tools " << sub << ": give the server's NAME\n";
        return Usage;
    }
    const QString name = own.constFirst();
    if (sub == u"remove") {
        const tools::ToolOutcome removed = awaitFuture(service.remove(name)).result();
        if (!removed.ok) {
            err() << "arbord tools remove: " << removed.error << "\n";
            return Failure;
        }
        if (!removed.error.isEmpty())
            err() << "arbord tools remove: " << removed.error << "\n";
        out() << "removed " << name << "\n";
        return Ok;
    }
    if (sub == u"test")
        return runTest(service, name, json);
    if (sub == u"conversation")
        return runConversation(service, own, json);
    // policy NAME TOOL allow|ask|deny|default
    if (own.size() != 3) {
        err() << "arbord tools policy: give NAME TOOL allow|ask|deny|default\n";
        return Usage;
    }
    const auto policy = tools::policyFromString(own.at(2));
    if (!policy && own.at(2) != u"default") {
        err() << "arbord tools policy: the policy is allow, ask, deny or default\n";
        return Usage;
    }
    if (!awaitFuture(service.server(name)).result()) {
        err() << "arbord tools policy: no tool server “" << name << "”\n";
        return Failure;
    }
    awaitFuture(service.setPolicy(name, own.at(1), policy)).waitForFinished();
    out() << name << "/" << own.at(1) << ": " << own.at(2) << "\n";
    return Ok;
}

} // namespace arbor::cli
