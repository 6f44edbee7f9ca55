#include "providercommands.h"

#include "commands.h"

#include "core/backend.h"
#include "llm/localdiscovery.h"
#include "llm/providerfactory.h"
#include "llm/providerpresets.h"
#include "llm/providerregistry.h"
#include "providers/providerservice.h"
#include "store/providerqueries.h"

#include <QCommandLineParser>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>

namespace arbor::cli {

namespace {

using store::providers::StoredProvider;

const char *const ProvidersUsage = R"(Usage: arbord providers SUBCOMMAND [OPTIONS]

The model providers of a store. API keys go to the system keychain, never to the store; a key is
read from standard input (--key-stdin) or an environment variable (--key-env VAR), never from an
argument, so it does not show in the process list or the shell history.

Subcommands:
  list [--json]                     The configured providers.
  add NAME [--preset P | --kind K --base-url URL] [--header 'Name: value']...
      [--models a,b] [--key-stdin | --key-env VAR] [--id ID]
                                    Add a provider (or replace the one with that id).
                                    Presets: openai openrouter groq mistral deepseek anthropic
                                    gemini ollama lmstudio llamacpp jan vllm custom.
  remove NAME                       Remove a provider and its key.
  models NAME [--save] [--json]     Ask the provider for its models (--save: offer them).
  discover [--json]                 Look for model servers on this computer (127.0.0.1).
  default [MODEL_KEY]               Show or set the default model ("provider/model").
Every subcommand takes --db PATH (default: $ARBOR_DB, else the data folder).
)";

/** @brief The provider called @p nameOrId (its id, or its name ignoring case). */
std::optional<StoredProvider> find(providers::ProviderService &service, const QString &nameOrId)
{
    if (auto byId = service.config(nameOrId))
        return byId;
    for (const auto &c : service.configs())
        if (c.name.compare(nameOrId, Qt::CaseInsensitive) == 0)
            return c;
    return std::nullopt;
}

/** @brief Where @p p holds a credential ("the header “X”", "the base URL"), or "". */
QString credentialPlace(const StoredProvider &p)
{
    for (auto it = p.headers.cbegin(); it != p.headers.cend(); ++it) {
        if (store::providers::isCredentialHeader(it.key()))
            return QStringLiteral("the header “%1”").arg(it.key());
    }
    return p.baseUrl.userInfo().isEmpty() ? QString() : QStringLiteral("the base URL (user:key@)");
}

/** @brief The base URL without a user name or password (stored before Arbor refused them). */
QString shownUrl(const StoredProvider &p)
{
    return p.baseUrl.toString(QUrl::RemoveUserInfo);
}

QJsonObject toJson(providers::ProviderService &service, const StoredProvider &p)
{
    QJsonObject headers;
    for (auto it = p.headers.cbegin(); it != p.headers.cend(); ++it)
        headers.insert(it.key(),
                       store::providers::isCredentialHeader(it.key()) ? QStringLiteral("(hidden)")
                                                                      : it.value());
    return {{QStringLiteral("id"), p.id},
            {QStringLiteral("name"), p.name},
            {QStringLiteral("kind"), p.kind},
            {QStringLiteral("base_url"), shownUrl(p)},
            {QStringLiteral("headers"), headers},
            {QStringLiteral("models"), QJsonArray::fromStringList(p.models)},
            {QStringLiteral("enabled"), p.enabled},
            {QStringLiteral("has_key"), service.hasKey(p.id)}};
}

void printJson(const QJsonDocument &doc)
{
    out() << doc.toJson(QJsonDocument::Indented);
    out().flush();
}

/** @brief The key from stdin or the environment; nullopt when neither was asked for. */
std::optional<QString> readKey(const QCommandLineParser &parser, const QCommandLineOption &keyStdin,
                               const QCommandLineOption &keyEnv, QString *error)
{
    if (parser.isSet(keyStdin) && parser.isSet(keyEnv)) {
        *error = QStringLiteral(
            "give the key either on standard input or in an environment variable, not both");
        return std::nullopt;
    }
    QString key;
    if (parser.isSet(keyStdin)) {
        QFile in;
        if (!in.open(stdin, QIODevice::ReadOnly)) {
            *error = QStringLiteral("cannot read standard input");
            return std::nullopt;
        }
        key = QString::fromUtf8(in.readAll()).trimmed();
    } else if (parser.isSet(keyEnv)) {
        const QByteArray name = parser.value(keyEnv).toLocal8Bit();
        if (!qEnvironmentVariableIsSet(name.constData())) {
            *error =
                QStringLiteral("the environment variable %1 is not set").arg(parser.value(keyEnv));
            return std::nullopt;
        }
        key = qEnvironmentVariable(name.constData()).trimmed();
    } else {
        return std::nullopt;
    }
    if (key.isEmpty())
        *error = QStringLiteral("the API key is empty");
    return key;
}

int runAdd(providers::ProviderService &service, const QStringList &args)
{
    QCommandLineParser parser;
    const QCommandLineOption preset(QStringLiteral("preset"),
                                    QStringLiteral("A known vendor (see arbord providers --help)."),
                                    QStringLiteral("P"));
    const QCommandLineOption kind(
        QStringLiteral("kind"), QStringLiteral("Wire protocol: openai, anthropic, gemini, ollama."),
        QStringLiteral("K"));
    const QCommandLineOption baseUrl(QStringLiteral("base-url"), QStringLiteral("The API root."),
                                     QStringLiteral("URL"));
    const QCommandLineOption header(QStringLiteral("header"),
                                    QStringLiteral("An extra request header (repeatable)."),
                                    QStringLiteral("'Name: value'"));
    const QCommandLineOption models(QStringLiteral("models"),
                                    QStringLiteral("Model ids to offer, comma-separated."),
                                    QStringLiteral("LIST"));
    const QCommandLineOption keyStdin(QStringLiteral("key-stdin"),
                                      QStringLiteral("Read the API key from standard input."));
    const QCommandLineOption keyEnv(
        QStringLiteral("key-env"),
        QStringLiteral("Read the API key from this environment variable."), QStringLiteral("VAR"));
    const QCommandLineOption id(QStringLiteral("id"),
                                QStringLiteral("The provider id (default: made from NAME)."),
                                QStringLiteral("ID"));
    const QCommandLineOption db(QStringLiteral("db"), QStringLiteral("The store."),
                                QStringLiteral("PATH"));
    parser.addOptions({preset, kind, baseUrl, header, models, keyStdin, keyEnv, id, db});
    if (!parser.parse(QStringList{QStringLiteral("arbord providers add")} + args)) {
        err() << "arbord providers add: " << parser.errorText() << "\n";
        return Usage;
    }
    if (parser.positionalArguments().size() != 1) {
        err() << "arbord providers add: give one NAME (an API key is never an argument: use "
                 "--key-stdin or --key-env)\n";
        return Usage;
    }
    StoredProvider cfg;
    cfg.name = parser.positionalArguments().constFirst();
    cfg.id = parser.value(id);
    if (const auto existing = service.config(cfg.id.isEmpty() ? cfg.name : cfg.id);
        existing && !cfg.id.isEmpty())
        cfg.createdAt = existing->createdAt;
    if (parser.isSet(preset)) {
        const auto p = llm::providerPreset(parser.value(preset));
        if (!p) {
            err() << "arbord providers add: unknown preset “" << parser.value(preset) << "”\n";
            return Usage;
        }
        cfg.kind = p->kind;
        cfg.baseUrl = p->baseUrl;
    }
    if (parser.isSet(kind))
        cfg.kind = parser.value(kind);
    if (cfg.kind.isEmpty())
        cfg.kind = QStringLiteral("openai");
    if (parser.isSet(baseUrl))
        cfg.baseUrl = QUrl(parser.value(baseUrl), QUrl::StrictMode);
    for (const QString &h : parser.values(header)) {
        const qsizetype colon = h.indexOf(QLatin1Char(':'));
        if (colon <= 0) {
            err() << "arbord providers add: a header is 'Name: value'\n";
            return Usage;
        }
        cfg.headers.insert(h.left(colon).trimmed(), h.mid(colon + 1).trimmed());
    }
    for (const QString &m : parser.value(models).split(QLatin1Char(','), Qt::SkipEmptyParts))
        cfg.models.append(m.trimmed());
    // Refused before the key is read: nothing reaches the keychain or the store. The value is
    // not repeated, so it does not land in a terminal's scrollback or a CI log either.
    if (const QString where = credentialPlace(cfg); !where.isEmpty()) {
        err() << "arbord providers add: " << where
              << " holds a credential, which Arbor never stores; give the API "
              << "key with --key-stdin or --key-env (it goes to the system keychain)\n";
        return Usage;
    }
    QString keyError;
    const std::optional<QString> key = readKey(parser, keyStdin, keyEnv, &keyError);
    if (!keyError.isEmpty()) {
        err() << "arbord providers add: " << keyError << "\n";
        return Usage;
    }
    const providers::SettingsOutcome saved = awaitFuture(service.save(cfg, key)).result();
    if (!saved.ok) {
        err() << "arbord providers add: " << saved.error << "\n";
        return Failure;
    }
    const QString savedId = cfg.id.isEmpty() ? service.configs().constLast().id : cfg.id;
    out() << "added " << savedId
          << (key ? " (key in the " + QStringLiteral("system keychain") + ")" : QString()) << "\n";
    out().flush();
    return Ok;
}

int runModels(providers::ProviderService &service, const StoredProvider &p, bool save, bool json)
{
    const llm::ModelList listed = awaitFuture(service.listModels(p.id)).result();
    if (listed.error) {
        err() << "arbord providers models: " << p.name << ": " << listed.error->message << "\n";
        return Failure;
    }
    QStringList ids;
    for (const auto &m : listed.models)
        ids.append(m.id);
    if (json) {
        QJsonArray a;
        for (const auto &m : listed.models)
            a.append(
                QJsonObject{{QStringLiteral("id"), m.id}, {QStringLiteral("name"), m.displayName}});
        printJson(QJsonDocument(a));
    } else {
        for (const QString &m : std::as_const(ids))
            out() << m << "\n";
        out().flush();
    }
    if (save) {
        StoredProvider updated = p;
        updated.models = ids;
        const providers::SettingsOutcome saved =
            awaitFuture(service.save(updated, std::nullopt)).result();
        if (!saved.ok) {
            err() << "arbord providers models: " << saved.error << "\n";
            return Failure;
        }
    }
    return Ok;
}

} // namespace

int runProviders(const QStringList &args)
{
    if (args.isEmpty() || args.constFirst() == u"--help" || args.constFirst() == u"-h") {
        (args.isEmpty() ? err() : out()) << ProvidersUsage;
        return args.isEmpty() ? Usage : Ok;
    }
    const QString sub = args.constFirst();
    const QStringList rest = args.mid(1);
    if (sub == u"discover") {
        const bool json = rest.contains(QStringLiteral("--json"));
        const auto servers = awaitFuture(llm::LocalDiscovery::discover()).result();
        QJsonArray a;
        for (const auto &s : servers) {
            if (json)
                a.append(
                    QJsonObject{{QStringLiteral("name"), s.name},
                                {QStringLiteral("kind"), s.kind},
                                {QStringLiteral("base_url"), s.baseUrl.toString()},
                                {QStringLiteral("models"), QJsonArray::fromStringList(s.models)}});
            else
                out() << s.name << "\t" << s.kind << "\t" << s.baseUrl.toString() << "\t"
                      << s.models.join(QLatin1Char(',')) << "\n";
        }
        if (json)
            printJson(QJsonDocument(a));
        out().flush();
        return Ok;
    }
    if (sub == u"add" || sub == u"list" || sub == u"remove" || sub == u"models"
        || sub == u"default") {
        // --db and --json are common; pull them out here, the rest is per subcommand.
        QString dbPath;
        bool json = false;
        bool save = false;
        QStringList own;
        for (qsizetype i = 0; i < rest.size(); ++i) {
            if (rest.at(i) == u"--db" && i + 1 < rest.size())
                dbPath = rest.at(++i);
            else if (rest.at(i).startsWith(QLatin1String("--db=")))
                dbPath = rest.at(i).mid(5);
            else if (rest.at(i) == u"--json")
                json = true;
            else if (rest.at(i) == u"--save" && sub == u"models")
                save = true;
            else
                own.append(rest.at(i));
        }
        core::BackendOptions options;
        options.dbPath = dbPath;
        options.runJobs = false;
        core::Backend backend(options);
        try {
            backend.open();
        } catch (const std::exception &e) {
            err() << "arbord: " << e.what() << "\n";
            return Failure;
        }
        auto &service = backend.providerService();
        awaitFuture(service.load());
        if (sub == u"add")
            return runAdd(service, own);
        if (sub == u"list") {
            // A credential stored before Arbor refused them is never shown; its owner is told.
            for (const auto &p : service.configs()) {
                if (const QString where = credentialPlace(p); !where.isEmpty())
                    err() << "arbord providers: “" << p.name
                          << "” keeps a credential in the store (" << where
                          << "); remove it and add it again with --key-stdin or --key-env\n";
            }
            if (json) {
                QJsonArray a;
                for (const auto &p : service.configs())
                    a.append(toJson(service, p));
                printJson(QJsonDocument(a));
                return Ok;
            }
            for (const auto &p : service.configs()) {
                out() << p.id << "\t" << p.name << "\t" << p.kind << "\t" << shownUrl(p) << "\t"
                      << (service.hasKey(p.id) ? "key" : "no key") << "\t"
                      << p.models.join(QLatin1Char(',')) << "\n";
            }
            if (!service.keychainAvailable())
                err() << "arbord providers: no system keychain is available; stored keys cannot be "
                         "read\n";
            out().flush();
            return Ok;
        }
        if (sub == u"default") {
            if (own.isEmpty()) {
                out() << service.defaultModel() << "\n";
                return Ok;
            }
            const QString key = own.constFirst();
            const auto [providerId, modelId] = llm::ProviderRegistry::splitKey(key);
            if (providerId != u"demo" && !service.config(providerId)) {
                err() << "arbord providers default: no provider “" << providerId << "”\n";
                return Failure;
            }
            const auto r = awaitFuture(service.setDefaultModel(key)).result();
            if (!r.ok) {
                err() << "arbord providers default: " << r.error << "\n";
                return Failure;
            }
            return Ok;
        }
        if (own.size() != 1) {
            err() << "arbord providers " << sub << ": give one provider NAME\n";
            return Usage;
        }
        const auto p = find(service, own.constFirst());
        if (!p) {
            err() << "arbord providers " << sub << ": no provider “" << own.constFirst() << "”\n";
            return Failure;
        }
        if (sub == u"models")
            return runModels(service, *p, save, json);
        const providers::SettingsOutcome removed = awaitFuture(service.remove(p->id)).result();
        if (!removed.ok) {
            err() << "arbord providers remove: " << removed.error << "\n";
            return Failure;
        }
        out() << "removed " << p->id << "\n";
        return Ok;
    }
    err() << "arbord providers: unknown subcommand “" << sub << "”\n\n" << ProvidersUsage;
    return Usage;
}

void awaitProviders(core::Backend &backend)
{
    auto &service = backend.providerService();
    // Backend::open() started loading (keys come from the keychain one at a time).
    while (!service.loaded()) {
        QEventLoop loop;
        QObject::connect(&service, &providers::ProviderService::providersChanged, &loop,
                         &QEventLoop::quit);
        if (!service.loaded())
            loop.exec();
    }
}

std::optional<QString> resolveChatModel(core::Backend &backend, QString &provider, QString &model)
{
    auto &service = backend.providerService();
    if (provider == u"demo" || provider.isEmpty())
        return std::nullopt;
    awaitProviders(backend);
    const auto p = find(service, provider);
    if (!p)
        return QStringLiteral("no provider “%1” (see arbord providers list)").arg(provider);
    provider = p->id;
    if (model.isEmpty()) {
        const auto [defaultProvider, defaultModel] =
            llm::ProviderRegistry::splitKey(service.defaultModel());
        if (defaultProvider == p->id)
            model = defaultModel;
        else if (!p->models.isEmpty())
            model = p->models.constFirst();
        else
            return QStringLiteral("provider “%1” has no models yet; give --model (see arbord "
                                  "providers models)")
                .arg(p->name);
    }
    if (!p->enabled)
        return QStringLiteral("provider “%1” is disabled").arg(p->name);
    service.ensureModel(p->id, model);
    return std::nullopt;
}

} // namespace arbor::cli
