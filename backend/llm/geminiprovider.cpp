#include "geminiprovider.h"

#include "reasoningdata.h"
#include "sseparser.h"
#include "toolformats.h"
#include "vendorerrors.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QUrlQuery>

namespace arbor::llm {

namespace {

/** python-genai FinishReason; unknown values are "other". */
QStringView normalizedFinish(const QString &reason)
{
    if (reason == u"STOP")
        return FinishReason::Stop;
    if (reason == u"MAX_TOKENS")
        return FinishReason::Length;
    if (reason == u"SAFETY" || reason == u"RECITATION" || reason == u"BLOCKLIST"
        || reason == u"PROHIBITED_CONTENT" || reason == u"SPII" || reason == u"IMAGE_SAFETY"
        || reason == u"IMAGE_PROHIBITED_CONTENT" || reason == u"IMAGE_RECITATION")
        return FinishReason::ContentFilter;
    if (reason == u"MALFORMED_FUNCTION_CALL" || reason == u"UNEXPECTED_TOOL_CALL"
        || reason == u"TOO_MANY_TOOL_CALLS")
        return FinishReason::Error;
    return FinishReason::Other; // LANGUAGE, OTHER, NO_IMAGE, IMAGE_OTHER, FINISH_REASON_UNSPECIFIED
}

/** CRLF-framed data events with no end marker: the body's end after a finishReason completes.
 *  Google may send an error as raw multi-line JSON without "data:" after some events; it is
 *  read at the end. Without alt=sse the body is one JSON array of the same chunks. */
class GeminiDecoder : public SseStreamDecoder
{
protected:
    void finishStream() override
    {
        handle(m_sse.finish());
        if (isEnded() || !isStream() || m_sse.rawText().trimmed().isEmpty())
            return;
        if (const auto o = parseObject(m_sse.rawText().trimmed())) {
            const QJsonValue err = vendorerrors::errorMember(*o);
            if (!err.isUndefined())
                fail(vendorerrors::fromVendor(200, err));
        }
    }

    bool decodeDocument(const QJsonValue &document) override
    {
        const QJsonArray chunks =
            document.isArray() ? document.toArray() : QJsonArray{document.toObject()};
        QList<SseEvent> events;
        for (const QJsonValue &c : chunks) {
            const QJsonObject chunk = c.toObject();
            if (!chunk.contains(QLatin1String("candidates"))
                && !chunk.contains(QLatin1String("promptFeedback"))
                && !chunk.contains(QLatin1String("error")))
                return false;
            events.append({{}, QJsonDocument(chunk).toJson(QJsonDocument::Compact)});
        }
        if (events.isEmpty())
            return false;
        handle(events);
        if (!isEnded() && finishReason().isEmpty())
            setFinishReason({}, FinishReason::Stop); // the whole reply is here
        return true;
    }

public:
    QJsonObject reasoningState() const override
    {
        if (m_signed.isEmpty())
            return {};
        QJsonArray parts;
        for (const Signed &p : m_signed) {
            if (p.call >= 0) {
                parts.append(QJsonObject{{QStringLiteral("type"), QStringLiteral("function_call")},
                                         {QStringLiteral("call"), p.call},
                                         {QStringLiteral("signature"), p.signature}});
                continue;
            }
            parts.append(
                QJsonObject{{QStringLiteral("type"),
                             p.thought ? QStringLiteral("thought") : QStringLiteral("text")},
                            {QStringLiteral("in"),
                             p.thought ? QStringLiteral("reasoning") : QStringLiteral("content")},
                            {QStringLiteral("start"), p.start},
                            {QStringLiteral("length"), p.length},
                            {QStringLiteral("signature"), p.signature}});
        }
        return {{QStringLiteral("format"), reasoningdata::Gemini},
                {QStringLiteral("parts"), parts}};
    }

private:
    /** A part that carried a thoughtSignature: it goes back as it came, on its own. */
    struct Signed
    {
        bool thought = false;
        qsizetype start = 0;
        qsizetype length = 0;
        QString signature;
        int call = -1; ///< a functionCall part: its tool call in the reply
    };

    /** A functionCall part: a whole call (args already an object; "id" is optional). Its
     *  thoughtSignature, when it has one, must go back with the call (Gemini 3 refuses a
     *  function-calling turn without it). */
    void readCall(const QJsonObject &part, const QJsonObject &call)
    {
        const int index = wholeToolCall(
            call.value(QLatin1String("id")).toString(),
            call.value(QLatin1String("name")).toString(),
            QString::fromUtf8(QJsonDocument(call.value(QLatin1String("args")).toObject())
                                  .toJson(QJsonDocument::Compact)));
        const QString signature = part.value(QLatin1String("thoughtSignature")).toString();
        if (!signature.isEmpty())
            m_signed.append({false, 0, 0, signature, index});
    }

    /** A text or thought part (the text of a streamed reply comes as many parts). */
    void readPart(const QJsonObject &part)
    {
        const bool thought = part.value(QLatin1String("thought")).toBool();
        const QString text = part.value(QLatin1String("text")).toString();
        const qsizetype start = thought ? reasoningLength() : textLength();
        if (thought)
            emitReasoning(text);
        else
            emitText(text);
        const QString signature = part.value(QLatin1String("thoughtSignature")).toString();
        if (!signature.isEmpty())
            m_signed.append({thought, start, (thought ? reasoningLength() : textLength()) - start,
                             signature, -1});
    }

    void handle(const QList<SseEvent> &events) override
    {
        for (const SseEvent &ev : events) {
            if (isEnded())
                return;
            const auto o = parseObject(ev.data);
            if (!o)
                return;
            if (const QJsonValue err = vendorerrors::errorMember(*o); !err.isUndefined()) {
                fail(vendorerrors::fromVendor(200, err));
                return;
            }
            const QJsonArray candidates = o->value(QLatin1String("candidates")).toArray();
            if (candidates.isEmpty()) {
                const QString blocked = o->value(QLatin1String("promptFeedback"))
                                            .toObject()
                                            .value(QLatin1String("blockReason"))
                                            .toString();
                if (!blocked.isEmpty()) {
                    ChatError e{ChatError::Kind::BadRequest,
                                QStringLiteral("The vendor blocked the prompt (%1).").arg(blocked),
                                200, -1};
                    e.vendorType = blocked;
                    fail(e);
                    return;
                }
            }
            if (!candidates.isEmpty()) {
                const QJsonObject c = candidates.first().toObject();
                for (const QJsonValue &p : c.value(QLatin1String("content"))
                                               .toObject()
                                               .value(QLatin1String("parts"))
                                               .toArray()) {
                    const QJsonObject part = p.toObject();
                    const QJsonValue call = part.value(QLatin1String("functionCall"));
                    if (call.isObject())
                        readCall(part, call.toObject());
                    else
                        readPart(part);
                }
                const QString reason = c.value(QLatin1String("finishReason")).toString();
                if (!reason.isEmpty())
                    setFinishReason(reason, normalizedFinish(reason));
            }
            // Running totals on every chunk: keep the last.
            const QJsonObject u = o->value(QLatin1String("usageMetadata")).toObject();
            if (!u.isEmpty()) {
                m_usage.promptTokens = u.value(QLatin1String("promptTokenCount")).toInt(-1);
                if (u.contains(QLatin1String("candidatesTokenCount")))
                    m_usage.completionTokens =
                        u.value(QLatin1String("candidatesTokenCount")).toInt()
                        + u.value(QLatin1String("thoughtsTokenCount")).toInt();
                // promptTokenCount includes the cached part; candidatesTokenCount does not
                // include the thoughts, so output is their sum.
                m_usage.cachedTokens = u.value(QLatin1String("cachedContentTokenCount")).toInt();
                m_usage.reasoningTokens = u.value(QLatin1String("thoughtsTokenCount")).toInt();
            }
        }
    }

    QList<Signed> m_signed;
};

/** The versions a base URL may already end in; the first is the one Arbor speaks. */
QStringList apiVersions()
{
    return {QStringLiteral("/v1beta"), QStringLiteral("/v1"), QStringLiteral("/v1alpha")};
}

QString bareModel(QString model)
{
    if (model.startsWith(QLatin1String("models/")))
        model.remove(0, 7);
    return model;
}

} // namespace

std::unique_ptr<StreamDecoder> GeminiProvider::makeDecoder()
{
    return std::make_unique<GeminiDecoder>();
}

std::unique_ptr<StreamDecoder> GeminiProvider::createDecoder() const
{
    return makeDecoder();
}

QUrl GeminiProvider::chatUrl(const ChatRequest &request) const
{
    QUrl url = versionedEndpoint(apiVersions(),
                                 QStringLiteral("/models/") + bareModel(request.model)
                                     + QStringLiteral(":streamGenerateContent"));
    url.setQuery(QStringLiteral("alt=sse"));
    return url;
}

QJsonObject GeminiProvider::chatBody(const ChatRequest &request) const
{
    QJsonArray contents;
    QJsonArray system;
    for (const ChatTurn &t : request.turns) {
        if (t.role == u"system")
            system.append(QJsonObject{{QStringLiteral("text"), t.content}});
        else if (!t.toolCalls.isEmpty()) {
            // The model's text and functionCall parts, then the functionResponse parts.
            QJsonArray parts = t.content.isEmpty() ? QJsonArray() : partsOf(t);
            for (const QJsonValue &call : toolformats::geminiCallParts(t))
                parts.append(call);
            contents.append(QJsonObject{{QStringLiteral("role"), QStringLiteral("model")},
                                        {QStringLiteral("parts"), parts}});
            contents.append(toolformats::geminiResponses(t));
        } else
            contents.append(QJsonObject{
                {QStringLiteral("role"),
                 t.role == u"assistant" ? QStringLiteral("model") : QStringLiteral("user")},
                {QStringLiteral("parts"), partsOf(t)}});
    }
    QJsonObject body{{QStringLiteral("contents"), contents}};
    if (!request.tools.isEmpty())
        body.insert(QStringLiteral("tools"), toolformats::geminiTools(request.tools));
    if (const QJsonValue choice = toolformats::geminiToolConfig(request.toolChoice);
        !request.tools.isEmpty() && !choice.isUndefined())
        body.insert(QStringLiteral("toolConfig"), choice);
    if (!system.isEmpty())
        body.insert(QStringLiteral("systemInstruction"),
                    QJsonObject{{QStringLiteral("parts"), system}});
    QJsonObject generation;
    if (request.temperature >= 0)
        generation.insert(QStringLiteral("temperature"), request.temperature);
    if (request.maxTokens > 0)
        generation.insert(QStringLiteral("maxOutputTokens"), request.maxTokens);
    if (request.thinkingBudget > 0)
        generation.insert(QStringLiteral("thinkingConfig"),
                          QJsonObject{{QStringLiteral("includeThoughts"), true},
                                      {QStringLiteral("thinkingBudget"), request.thinkingBudget}});
    if (!generation.isEmpty())
        body.insert(QStringLiteral("generationConfig"), generation);
    return body;
}

QJsonArray GeminiProvider::partsOf(const ChatTurn &turn)
{
    const QJsonArray plain{QJsonObject{{QStringLiteral("text"), turn.content}}};
    if (turn.role != u"assistant"
        || turn.reasoningData.value(u"format").toString() != reasoningdata::Gemini)
        return plain;
    // Signed thought parts first (as they came), then the text cut at the signed parts: text
    // between them goes as plain parts, a signed part alone with its signature. Unsigned
    // thought summaries are not sent back.
    QJsonArray parts;
    qsizetype at = 0;
    for (const QJsonValue &v : turn.reasoningData.value(u"parts").toArray()) {
        const QJsonObject part = v.toObject();
        // A function call goes back only with its result (the tools issue), its signature
        // with it.
        if (part.value(u"type").toString() == u"function_call")
            continue;
        const QString signature = part.value(u"signature").toString();
        const QString text = reasoningdata::textOf(part, turn.content, turn.reasoning);
        if (signature.isEmpty() || text.isNull())
            return plain; // not what was stored: send the text without signatures
        if (part.value(u"type").toString() == u"thought") {
            parts.append(QJsonObject{{QStringLiteral("text"), text},
                                     {QStringLiteral("thought"), true},
                                     {QStringLiteral("thoughtSignature"), signature}});
            continue;
        }
        const qsizetype start = part.value(u"start").toInteger();
        if (start < at)
            return plain;
        if (start > at)
            parts.append(
                QJsonObject{{QStringLiteral("text"), turn.content.sliced(at, start - at)}});
        parts.append(QJsonObject{{QStringLiteral("text"), text},
                                 {QStringLiteral("thoughtSignature"), signature}});
        at = start + text.size();
    }
    if (at < turn.content.size() || parts.isEmpty())
        parts.append(QJsonObject{{QStringLiteral("text"), turn.content.sliced(at)}});
    return parts;
}

QUrl GeminiProvider::modelsUrl(const QString &pageToken) const
{
    QUrl url = versionedEndpoint(apiVersions(), QStringLiteral("/models"));
    QUrlQuery q;
    q.addQueryItem(QStringLiteral("pageSize"), QStringLiteral("1000"));
    if (!pageToken.isEmpty())
        q.addQueryItem(QStringLiteral("pageToken"), pageToken);
    url.setQuery(q);
    return url;
}

QList<ModelInfo> GeminiProvider::parseModels(const QJsonObject &page, QString *nextPage) const
{
    QList<ModelInfo> out;
    for (const QJsonValue &v : page.value(QLatin1String("models")).toArray()) {
        const QJsonObject m = v.toObject();
        const QJsonArray methods = m.value(QLatin1String("supportedGenerationMethods")).toArray();
        if (!methods.isEmpty() && !methods.contains(QJsonValue(QStringLiteral("generateContent"))))
            continue;
        const QString id = bareModel(m.value(QLatin1String("name")).toString());
        if (!id.isEmpty())
            out.append({id, m.value(QLatin1String("displayName")).toString(id)});
    }
    *nextPage = page.value(QLatin1String("nextPageToken")).toString();
    return out;
}

void GeminiProvider::addHeaders(QNetworkRequest &request) const
{
    if (!config().apiKey.isEmpty())
        request.setRawHeader("x-goog-api-key", config().apiKey.toUtf8());
}

} // namespace arbor::llm
