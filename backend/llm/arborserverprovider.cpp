#include "arborserverprovider.h"

#include "arborserverstream.h"
#include "openaiprovider.h"

#include <QJsonDocument>

namespace arbor::llm {

std::unique_ptr<StreamDecoder> ArborServerProvider::createDecoder() const
{
    return OpenAiProvider::makeDecoder();
}

QUrl ArborServerProvider::chatUrl(const ChatRequest &) const
{
    return versionedEndpoint({QStringLiteral("/v1")}, QStringLiteral("/responses"));
}

QJsonObject ArborServerProvider::chatBody(const ChatRequest &request) const
{
    QJsonArray input;
    QStringList instructions;
    for (const ChatTurn &t : request.turns) {
        if (t.role == u"system") {
            instructions.append(t.content);
            continue;
        }
        input.append(
            QJsonObject{{QStringLiteral("role"), t.role}, {QStringLiteral("content"), t.content}});
    }
    QJsonObject body{{QStringLiteral("model"), request.model},
                     {QStringLiteral("input"), input},
                     {QStringLiteral("stream"), true},
                     // The server keeps writing it when this client drops: it can resume.
                     {QStringLiteral("background"), true}};
    if (!instructions.isEmpty())
        body.insert(QStringLiteral("instructions"), instructions.join(QStringLiteral("\n\n")));
    if (request.temperature >= 0)
        body.insert(QStringLiteral("temperature"), request.temperature);
    if (request.maxTokens > 0)
        body.insert(QStringLiteral("max_output_tokens"), request.maxTokens);
    return body;
}

ChatStream *ArborServerProvider::startChat(const ChatRequest &request, QObject *parent)
{
    auto self = std::static_pointer_cast<const ArborServerProvider>(shared_from_this());
    auto *stream = new ArborServerStream(
        [self](const QUrl &url) { return self->request(url); }, chatUrl(request),
        QJsonDocument(chatBody(request)).toJson(QJsonDocument::Compact), parent);
    stream->start();
    return stream;
}

QUrl ArborServerProvider::modelsUrl(const QString &) const
{
    return versionedEndpoint({QStringLiteral("/v1")}, QStringLiteral("/models"));
}

QList<ModelInfo> ArborServerProvider::parseModels(const QJsonObject &page, QString *) const
{
    QList<ModelInfo> out;
    for (const QJsonValue &v : page.value(QLatin1String("data")).toArray()) {
        const QJsonObject m = v.toObject();
        const QString id = m.value(QLatin1String("id")).toString();
        if (!id.isEmpty())
            out.append({id, m.value(QLatin1String("name")).toString(id)});
    }
    return out;
}

void ArborServerProvider::addHeaders(QNetworkRequest &request) const
{
    request.setRawHeader("Accept", "text/event-stream, application/json");
    if (!config().apiKey.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + config().apiKey.toUtf8());
}

} // namespace arbor::llm
