#include "ollamaprovider.h"

#include "ndjsonparser.h"
#include "toolformats.h"
#include "vendorerrors.h"

#include <QJsonDocument>

namespace arbor::llm {

namespace {

/** One JSON object per line; "done": true ends; {"error": "…"} mid-stream fails. */
class OllamaDecoder : public StreamDecoder
{
protected:
    void feedStream(QByteArrayView bytes) override { handle(m_lines.feed(bytes)); }
    void finishStream() override { handle(m_lines.finish()); }

    /** "stream": false, or a proxy that pretty-printed it: one object, read as one line. */
    bool decodeDocument(const QJsonValue &document) override
    {
        const QJsonObject o = document.toObject();
        if (!o.contains(QLatin1String("message")) && !o.contains(QLatin1String("done")))
            return false;
        handle({QJsonDocument(o).toJson(QJsonDocument::Compact)});
        return true;
    }

private:
    void handle(const QList<QByteArray> &lines)
    {
        for (const QByteArray &line : lines) {
            if (isEnded())
                return;
            const auto o = parseObject(line);
            if (!o)
                return;
            if (const QJsonValue err = vendorerrors::errorMember(*o); !err.isUndefined()) {
                fail(vendorerrors::fromVendor(200, err));
                return;
            }
            const QJsonObject message = o->value(QLatin1String("message")).toObject();
            emitReasoning(message.value(QLatin1String("thinking")).toString());
            emitText(message.value(QLatin1String("content")).toString());
            // Whole calls (arguments already an object), in a done:false line; newer servers
            // give each an id.
            for (const QJsonValue &v : message.value(QLatin1String("tool_calls")).toArray()) {
                const QJsonObject call = v.toObject();
                const QJsonObject function = call.value(QLatin1String("function")).toObject();
                const QJsonValue arguments = function.value(QLatin1String("arguments"));
                wholeToolCall(
                    call.value(QLatin1String("id")).toString(),
                    function.value(QLatin1String("name")).toString(),
                    arguments.isString()
                        ? arguments.toString()
                        : QString::fromUtf8(
                            QJsonDocument(arguments.toObject()).toJson(QJsonDocument::Compact)));
            }
            if (o->value(QLatin1String("done")).toBool()) {
                // The field can be missing (the docs' own example): that is a normal stop.
                QString reason = o->value(QLatin1String("done_reason")).toString();
                if (reason.isEmpty())
                    reason = QStringLiteral("stop");
                setFinishReason(reason,
                                reason == u"stop"         ? FinishReason::Stop
                                    : reason == u"length" ? FinishReason::Length
                                                          : FinishReason::Other);
                m_usage.promptTokens = o->value(QLatin1String("prompt_eval_count")).toInt(-1);
                m_usage.completionTokens = o->value(QLatin1String("eval_count")).toInt(-1);
                complete();
            }
        }
    }

    NdjsonParser m_lines;
};

} // namespace

std::unique_ptr<StreamDecoder> OllamaProvider::makeDecoder()
{
    return std::make_unique<OllamaDecoder>();
}

std::unique_ptr<StreamDecoder> OllamaProvider::createDecoder() const
{
    return makeDecoder();
}

QUrl OllamaProvider::chatUrl(const ChatRequest &) const
{
    return versionedEndpoint({QStringLiteral("/api")}, QStringLiteral("/chat"));
}

QJsonObject OllamaProvider::chatBody(const ChatRequest &request) const
{
    QJsonObject body{
        {QStringLiteral("model"), request.model},
        {QStringLiteral("messages"), toolformats::ollamaMessages(request.turns)},
        {QStringLiteral("stream"), true},
    };
    // Ollama has no tool_choice: "none" offers no tools, any other choice offers them all.
    if (!request.tools.isEmpty() && request.toolChoice.toString() != u"none")
        body.insert(QStringLiteral("tools"), toolformats::openAiTools(request.tools));
    // Ollama's switch has no budget (a level at most, for some models): on or the default.
    if (request.thinkingBudget > 0)
        body.insert(QStringLiteral("think"), true);
    QJsonObject options;
    if (request.temperature >= 0)
        options.insert(QStringLiteral("temperature"), request.temperature);
    if (request.maxTokens > 0)
        options.insert(QStringLiteral("num_predict"), request.maxTokens);
    if (!options.isEmpty())
        body.insert(QStringLiteral("options"), options);
    return body;
}

QUrl OllamaProvider::modelsUrl(const QString &) const
{
    return versionedEndpoint({QStringLiteral("/api")}, QStringLiteral("/tags"));
}

QList<ModelInfo> OllamaProvider::parseModels(const QJsonObject &page, QString *) const
{
    QList<ModelInfo> out;
    for (const QJsonValue &v : page.value(QLatin1String("models")).toArray()) {
        const QJsonObject m = v.toObject();
        QString id = m.value(QLatin1String("model")).toString();
        if (id.isEmpty())
            id = m.value(QLatin1String("name")).toString();
        if (!id.isEmpty())
            out.append({id, m.value(QLatin1String("name")).toString(id)});
    }
    return out;
}

void OllamaProvider::addHeaders(QNetworkRequest &request) const
{
    // Ollama behind a proxy (or Ollama cloud) may want a bearer key.
    if (!config().apiKey.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + config().apiKey.toUtf8());
}

} // namespace arbor::llm
