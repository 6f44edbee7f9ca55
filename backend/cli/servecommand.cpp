// `arbord serve`: the backend as an HTTP/WebSocket server, and its bearer tokens.
#include "commands.h"
#include "common.h"

#include "core/backend.h"
#include "core/whenready.h"
#include "jobs/jobengine.h"
#include "serve/apiserver.h"
#include "serve/httpserver.h"
#include "store/servequeries.h"
#include "store/store.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QSslCertificate>
#include <QSslKey>
#include <QTextStream>
#include <QTimer>

namespace arbor::cli {

namespace {

const char *const TokenUsage =
    R"(Usage: arbord serve token add NAME [--quota-tokens-per-day N] [--models P/M,...]
       arbord serve token list [--json]
       arbord serve token revoke NAME
Options: --db PATH (the store of the server).

add prints the token once; only its SHA-256 is stored. --models limits the token to those
models ("provider/model", or "provider/*"); --quota-tokens-per-day to that many input and
output tokens per UTC day (then requests get 429 until 00:00 UTC).
)";

int runToken(const QStringList &args)
{
    QCommandLineParser parser;
    const QCommandLineOption db = dbOption();
    const QCommandLineOption json = jsonOption();
    const QCommandLineOption quota(QStringLiteral("quota-tokens-per-day"),
                                   QStringLiteral("Daily quota (tokens, UTC days)."),
                                   QStringLiteral("N"));
    const QCommandLineOption models(QStringLiteral("models"),
                                    QStringLiteral("Models the token may use (comma-separated)."),
                                    QStringLiteral("P/M,..."));
    parser.addOptions({db, json, quota, models});
    if (const auto code = parse(parser, QStringLiteral("serve token"), args))
        return *code;
    const QStringList rest = parser.positionalArguments();
    const QString action = rest.value(0);
    if (action.isEmpty() || (action != u"list" && rest.size() != 2)) {
        err() << TokenUsage;
        return Usage;
    }
    qint64 quotaTokens = 0;
    if (parser.isSet(quota)) {
        const auto n = wholeNumber(parser.value(quota), 1, qint64(1) << 50);
        if (!n) {
            err() << "arbord serve token: --quota-tokens-per-day takes a whole number above 0\n";
            return Usage;
        }
        quotaTokens = *n;
    }
    QStringList modelList;
    for (const QString &m : parser.value(models).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        if (!m.trimmed().contains(QLatin1Char('/'))) {
            err() << "arbord serve token: --models takes provider/model keys (or provider/*)\n";
            return Usage;
        }
        modelList.append(m.trimmed());
    }
    core::BackendOptions options;
    options.dbPath = parser.value(db);
    options.runJobs = false;
    core::Backend backend(options);
    if (const auto code = openBackend(backend, QStringLiteral("serve token")))
        return *code;
    const QString name = rest.value(1);
    try {
        if (action == u"add") {
            if (name.trimmed().isEmpty() || name.size() > 100) {
                err() << "arbord serve token: a name of 1 to 100 characters, please\n";
                return Usage;
            }
            const QString secret = serve::ApiServer::newSecret();
            backend.store()
                .write([name, hash = serve::ApiServer::hashOf(secret), quotaTokens,
                        modelList](QSqlDatabase &d) {
                    return store::serve::addToken(d, name, hash, quotaTokens, modelList);
                })
                .waitForFinished();
            out() << secret << "\n";
            err() << "arbord serve token: added “" << name
                  << "”; the token above is shown only this once\n";
            return Ok;
        }
        if (action == u"revoke") {
            const bool done =
                backend.store()
                    .write([name](QSqlDatabase &d) { return store::serve::revokeToken(d, name); })
                    .result();
            if (!done) {
                err() << "arbord serve token: no valid token named “" << name << "”\n";
                return Failure;
            }
            err() << "arbord serve token: revoked “" << name << "”\n";
            return Ok;
        }
        if (action == u"list") {
            const QString day = QDateTime::currentDateTimeUtc().date().toString(Qt::ISODate);
            const auto all = backend.store()
                                 .read([day](QSqlDatabase &d) {
                                     QList<std::pair<store::serve::Token, qint64>> rows;
                                     for (const auto &t : store::serve::tokens(d))
                                         rows.append({t, store::serve::usedOn(d, t.id, day)});
                                     return rows;
                                 })
                                 .result();
            if (parser.isSet(json)) {
                QJsonArray array;
                for (const auto &[t, used] : all)
                    array.append(QJsonObject{
                        {QStringLiteral("name"), t.name},
                        {QStringLiteral("created_at"), t.createdAt},
                        {QStringLiteral("revoked"), t.revokedAt > 0},
                        {QStringLiteral("quota_tokens_per_day"),
                         t.quotaTokensPerDay > 0 ? QJsonValue(t.quotaTokensPerDay) : QJsonValue()},
                        {QStringLiteral("models"), QJsonArray::fromStringList(t.models)},
                        {QStringLiteral("used_today"), used}});
                printJson(array);
                return Ok;
            }
            for (const auto &[t, used] : all)
                out() << t.name << (t.revokedAt > 0 ? " (revoked)" : "") << "  quota "
                      << (t.quotaTokensPerDay > 0 ? QString::number(t.quotaTokensPerDay)
                                                  : QStringLiteral("none"))
                      << "  used today " << used << "  models "
                      << (t.models.isEmpty() ? QStringLiteral("all") : t.models.join(u',')) << "\n";
            return Ok;
        }
    } catch (const std::exception &e) {
        err() << "arbord serve token: " << e.what() << "\n";
        return Failure;
    }
    err() << TokenUsage;
    return Usage;
}

} // namespace

int runServe(const QStringList &args)
{
    if (!args.isEmpty() && args.constFirst() == u"token")
        return runToken(args.mid(1));
    QCommandLineParser parser;
    const QCommandLineOption db = dbOption();
    const QCommandLineOption listen(
        QStringLiteral("listen"),
        QStringLiteral("Address and port (default 127.0.0.1:8484; port 0: any free one)."),
        QStringLiteral("ADDR:PORT"), QStringLiteral("127.0.0.1:8484"));
    const QCommandLineOption cert(QStringLiteral("tls-cert"),
                                  QStringLiteral("TLS certificate chain (PEM)."),
                                  QStringLiteral("FILE"));
    const QCommandLineOption key(QStringLiteral("tls-key"),
                                 QStringLiteral("TLS private key (PEM)."), QStringLiteral("FILE"));
    const QCommandLineOption concurrency(QStringLiteral("concurrency"),
                                         QStringLiteral("Replies run at once (default 16)."),
                                         QStringLiteral("N"), QStringLiteral("16"));
    const QCommandLineOption rate(
        QStringLiteral("rate"),
        QStringLiteral("Speed of the demo model, tokens per second (default 50)."),
        QStringLiteral("TOKENS_PER_S"), QStringLiteral("50"));
    const QCommandLineOption grace(
        QStringLiteral("grace"),
        QStringLiteral("On SIGTERM, seconds the replies in progress may take to end (default "
                       "25); the rest keep their text and are interrupted."),
        QStringLiteral("SECONDS"), QStringLiteral("25"));
    const QCommandLineOption admin(
        QStringLiteral("admin-token"),
        QStringLiteral("A token (by name) whose GET /v1/events sees every conversation, job and "
                       "presence change (repeatable); other tokens see their own conversations."),
        QStringLiteral("NAME"));
    parser.addOptions({db, listen, cert, key, concurrency, rate, grace, admin});
    if (const auto code = parse(parser, QStringLiteral("serve"), args))
        return *code;

    const QString where = parser.value(listen);
    const qsizetype colon = where.lastIndexOf(QLatin1Char(':'));
    QString host = where.left(colon);
    if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
        host = host.mid(1, host.size() - 2);
    const QHostAddress address(host);
    const auto port = wholeNumber(where.mid(colon + 1), 0, 65535);
    if (colon <= 0 || address.isNull() || !port) {
        err() << "arbord serve: --listen takes ADDR:PORT, e.g. 127.0.0.1:8484 or [::1]:8484\n";
        return Usage;
    }
    std::optional<QSslConfiguration> tls;
    if (parser.isSet(cert) != parser.isSet(key)) {
        err() << "arbord serve: --tls-cert and --tls-key go together\n";
        return Usage;
    }
    if (parser.isSet(cert)) {
        QFile certFile(parser.value(cert));
        QFile keyFile(parser.value(key));
        if (!certFile.open(QIODevice::ReadOnly) || !keyFile.open(QIODevice::ReadOnly)) {
            err() << "arbord serve: cannot read the TLS certificate or key\n";
            return Failure;
        }
        const auto chain = QSslCertificate::fromData(certFile.readAll(), QSsl::Pem);
        const QByteArray keyPem = keyFile.readAll();
        QSslKey privateKey(keyPem, QSsl::Rsa, QSsl::Pem);
        if (privateKey.isNull())
            privateKey = QSslKey(keyPem, QSsl::Ec, QSsl::Pem);
        if (chain.isEmpty() || privateKey.isNull()) {
            err() << "arbord serve: the TLS certificate or key is not valid PEM\n";
            return Failure;
        }
        QSslConfiguration config = QSslConfiguration::defaultConfiguration();
        config.setLocalCertificateChain(chain);
        config.setPrivateKey(privateKey);
        config.setPeerVerifyMode(QSslSocket::VerifyNone);
        tls = config;
    } else if (!address.isLoopback()) {
        err() << "arbord serve: " << where
              << " is not a loopback address: give --tls-cert and --tls-key (bearer tokens "
                 "must not cross a network in clear text)\n";
        return Usage;
    }
    const auto jobsAtOnce = wholeOption(parser, concurrency, 1, 1000, QStringLiteral("serve"));
    const auto demoRate = decimalOption(parser, rate, 0, 1'000'000, QStringLiteral("serve"));
    const auto graceSeconds = wholeOption(parser, grace, 0, 3600, QStringLiteral("serve"));
    if (!jobsAtOnce || !demoRate || !graceSeconds)
        return Usage;

    core::BackendOptions options;
    options.dbPath = parser.value(db);
    options.concurrency = int(*jobsAtOnce);
    options.demoRate = *demoRate;
    core::Backend backend(options);
    if (const auto code = openBackend(backend, QStringLiteral("serve")))
        return *code;
    backend.startSync(); // presence and teammates' changes, when a team server is configured

    serve::HttpServer http;
    serve::ApiServer api(backend, http);
    api.setAdminTokens(parser.values(admin));
    api.setLog([](const QString &line) {
        err() << "arbord serve: " << line << "\n";
        err().flush();
    });
    if (const QString e = http.listen(address, quint16(*port), tls); !e.isEmpty()) {
        err() << "arbord serve: cannot listen on " << where << ": " << e << "\n";
        return Failure;
    }
    err() << "arbord serve: listening on " << (tls ? "https" : "http") << "://"
          << (address.protocol() == QAbstractSocket::IPv6Protocol
                  ? QStringLiteral("[%1]").arg(address.toString())
                  : address.toString())
          << ':' << http.port() << " (store " << backend.store().path() << ")\n";
    err().flush();

    bool stopping = false;
    onInterrupt(qApp, [&api, &backend, &stopping, graceMs = int(*graceSeconds * 1000)] {
        if (stopping) { // a second signal: stop now (replies keep their text, interrupted)
            QCoreApplication::quit();
            return;
        }
        stopping = true;
        // Stop accepting and close streams (clients resume by sequence number after the
        // restart); replies already running finish within the grace time, queued ones stay
        // queued for the next start; whatever runs past it keeps its text as interrupted.
        err() << "arbord serve: stopping (replies in progress may take " << graceMs / 1000
              << " s)\n";
        err().flush();
        api.shutDown();
        core::whenReady(qApp, backend.engine().drain(),
                        [](QFuture<void>) { QCoreApplication::quit(); });
        QTimer::singleShot(graceMs, qApp, &QCoreApplication::quit);
    });
    QCoreApplication::exec();
    backend.close();
    err() << "arbord serve: stopped\n";
    return Ok;
}

} // namespace arbor::cli
