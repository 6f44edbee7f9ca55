#include "localdiscovery.h"

#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QTimer>
#include <QtConcurrent/QtConcurrentRun>

#include <memory>
#include <optional>
#include <vector>

Q_LOGGING_CATEGORY(lcDiscovery, "arbor.llm.discovery", QtInfoMsg)

namespace arbor::llm {

namespace {

QUrl loopback(quint16 port, const QString &path)
{
    QUrl url;
    url.setScheme(QStringLiteral("http"));
    url.setHost(QStringLiteral("127.0.0.1"));
    url.setPort(port);
    url.setPath(path);
    return url;
}

/** @brief The models in a listing, or nothing when the body is not one (another kind of server). */
std::optional<QStringList> parseListing(const QString &kind, const QByteArray &body)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        return std::nullopt;
    const QJsonObject root = doc.object();
    const bool ollama = kind == u"ollama";
    const QJsonValue list = root.value(ollama ? QLatin1String("models") : QLatin1String("data"));
    if (!list.isArray())
        return std::nullopt;
    QStringList models;
    for (const QJsonValue &m : list.toArray()) {
        const QString id =
            m.toObject().value(ollama ? QLatin1String("name") : QLatin1String("id")).toString();
        if (!id.isEmpty())
            models.append(id);
    }
    return models;
}

QList<LocalServer> probeAll(const QList<LocalCandidate> &candidates, int timeoutMs)
{
    QNetworkAccessManager nam;
    // Loopback only, never through a proxy from the environment.
    nam.setProxy(QNetworkProxy::NoProxy);
    QEventLoop loop;
    std::vector<std::optional<LocalServer>> found(static_cast<size_t>(candidates.size()));
    qsizetype pending = candidates.size();
    QList<QNetworkReply *> replies;
    for (qsizetype i = 0; i < candidates.size(); ++i) {
        const LocalCandidate &c = candidates.at(i);
        const bool ollama = c.kind == u"ollama";
        QNetworkRequest request(
            loopback(c.port, ollama ? QStringLiteral("/api/tags") : QStringLiteral("/v1/models")));
        request.setTransferTimeout(timeoutMs);
        request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                             QNetworkRequest::ManualRedirectPolicy);
        QNetworkReply *reply = nam.get(request);
        replies.append(reply);
        QObject::connect(reply, &QNetworkReply::finished, &loop, [&, reply, i, c, ollama] {
            const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            if (reply->error() == QNetworkReply::NoError && status == 200) {
                if (const auto models = parseListing(c.kind, reply->readAll())) {
                    found[static_cast<size_t>(i)] = LocalServer{
                        c.name, c.kind,
                        loopback(c.port, ollama ? QString() : QStringLiteral("/v1")), *models};
                }
            }
            if (--pending == 0)
                loop.quit();
        });
    }
    // The transfer timeout covers a silent server; this covers everything else (a slow body).
    QTimer::singleShot(timeoutMs, &loop, [&] {
        for (QNetworkReply *r : std::as_const(replies))
            if (r->isRunning())
                r->abort();
    });
    if (pending > 0)
        loop.exec();
    qDeleteAll(replies);
    QList<LocalServer> out;
    for (auto &f : found)
        if (f)
            out.append(std::move(*f));
    qCInfo(lcDiscovery) << "local model servers found:" << out.size() << "of" << candidates.size()
                        << "places looked at";
    return out;
}

} // namespace

QList<LocalCandidate> LocalDiscovery::defaultCandidates()
{
    return {
        {QStringLiteral("Ollama"), QStringLiteral("ollama"), 11434},
        {QStringLiteral("LM Studio"), QStringLiteral("openai"), 1234},
        {QStringLiteral("llama.cpp"), QStringLiteral("openai"), 8080},
        {QStringLiteral("Jan"), QStringLiteral("openai"), 1337},
        {QStringLiteral("vLLM"), QStringLiteral("openai"), 8000},
    };
}

QList<LocalCandidate> LocalDiscovery::configuredCandidates()
{
    if (!qEnvironmentVariableIsSet("ARBOR_DISCOVERY_PORTS"))
        return defaultCandidates();
    QList<LocalCandidate> out;
    const QString spec = qEnvironmentVariable("ARBOR_DISCOVERY_PORTS");
    for (const QString &raw : spec.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        QString entry = raw.trimmed();
        QString name;
        if (const qsizetype eq = entry.indexOf(QLatin1Char('=')); eq >= 0) {
            name = entry.left(eq).trimmed();
            entry = entry.mid(eq + 1).trimmed();
        }
        const QStringList parts = entry.split(QLatin1Char(':'));
        bool ok = false;
        const uint port = parts.size() == 2 ? parts.at(1).toUInt(&ok) : 0;
        const QString kind = parts.value(0).trimmed();
        if (!ok || port == 0 || port > 65535 || (kind != u"ollama" && kind != u"openai")) {
            qCWarning(lcDiscovery) << "ARBOR_DISCOVERY_PORTS: skipping" << raw;
            continue;
        }
        if (name.isEmpty())
            name = kind == u"ollama" ? QStringLiteral("Ollama")
                                     : QStringLiteral("OpenAI-compatible server");
        out.append({name, kind, static_cast<quint16>(port)});
    }
    return out;
}

bool LocalDiscovery::sameLocalServer(const QUrl &a, const QUrl &b)
{
    const auto loopbackName = [](const QUrl &u) {
        const QString host = u.host().toLower();
        return host == u"127.0.0.1" || host == u"localhost" || host == u"::1";
    };
    return loopbackName(a) && loopbackName(b) && a.port(80) == b.port(80);
}

QFuture<QList<LocalServer>> LocalDiscovery::discover(QList<LocalCandidate> candidates,
                                                     int timeoutMs)
{
    return QtConcurrent::run([candidates = std::move(candidates), timeoutMs] {
        return probeAll(candidates, timeoutMs);
    });
}

} // namespace arbor::llm
