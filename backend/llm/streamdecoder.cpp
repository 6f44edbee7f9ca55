#include "streamdecoder.h"

#include "vendorerrors.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace arbor::llm {

namespace {

/** A body this large without a single event is not a reply Arbor reads. */
constexpr qsizetype MaxDocumentBytes = 8 * 1024 * 1024;

/** The start of @p bytes for a person: one line, at most ~100 characters. */
QString opening(QByteArrayView bytes)
{
    QString text =
        QString::fromUtf8(bytes.first(std::min<qsizetype>(bytes.size(), 400))).simplified();
    for (QChar &c : text)
        if (!c.isPrint())
            c = QChar::ReplacementCharacter;
    return text.size() > 100 ? text.left(100) + QStringLiteral("…") : text;
}

} // namespace

void StreamDecoder::feed(QByteArrayView bytes)
{
    if (isEnded())
        return;
    if (m_shape != Shape::Stream) {
        const qsizetype room = std::max<qsizetype>(0, MaxDocumentBytes - m_body.size());
        m_bodyCut = m_bodyCut || bytes.size() > room;
        m_body.append(bytes.first(std::min(bytes.size(), room)));
    }
    if (m_shape != Shape::Document)
        feedStream(bytes);
}

void StreamDecoder::finish()
{
    if (!isEnded() && m_shape != Shape::Document)
        finishStream();
    if (!isEnded() && m_shape != Shape::Stream)
        readWholeBody();
    endOfBody();
}

void StreamDecoder::markStream()
{
    if (m_shape != Shape::Unknown)
        return;
    m_shape = Shape::Stream;
    m_body = {};
}

void StreamDecoder::readWholeBody()
{
    const QByteArray body = m_body.trimmed();
    m_body.clear();
    if (body.isEmpty())
        return; // nothing arrived: endOfBody() says so
    const QString from = m_contentType.isEmpty()
        ? source()
        : QStringLiteral("%1 (%2)").arg(source(), QString::fromLatin1(m_contentType));
    QJsonParseError err{};
    const QJsonDocument doc = m_bodyCut ? QJsonDocument() : QJsonDocument::fromJson(body, &err);
    if (!m_bodyCut && err.error == QJsonParseError::NoError) {
        // An error document is the vendor's error, whatever the status said.
        if (const QJsonValue e = doc.isObject() ? vendorerrors::errorMember(doc.object())
                                                : QJsonValue(QJsonValue::Undefined);
            !e.isUndefined()) {
            fail(vendorerrors::fromVendor(200, e));
            return;
        }
        if (decodeDocument(doc.isObject() ? QJsonValue(doc.object()) : QJsonValue(doc.array())))
            return;
        fail({ChatError::Kind::Protocol,
              QStringLiteral(
                  "Received a malformed reply from %1: JSON that is neither a stream nor a reply: "
                  "“%2”")
                  .arg(from, opening(body)),
              200, -1});
        return;
    }
    fail({ChatError::Kind::Protocol,
          QStringLiteral(
              "Received a malformed reply from %1: neither a stream of events nor a JSON reply; it "
              "begins “%2”")
              .arg(from, opening(body)),
          200, -1});
}

void StreamDecoder::complete()
{
    if (isEnded())
        return;
    if (m_toolCallSeen || m_finishReason == FinishReason::ToolCalls) {
        // Gemini and Ollama say "stop" after a tool call; a cut-off call keeps "length".
        if (m_finishReason.isEmpty() || m_finishReason == FinishReason::Stop)
            m_finishReason = FinishReason::ToolCalls.toString();
        // Arbor sends no tools and runs none, but the user must see why the answer ends here.
        QStringList quoted;
        for (const QString &name : std::as_const(m_toolCalls))
            quoted.append(QLatin1Char('`') + name + QLatin1Char('`'));
        QString what;
        if (quoted.isEmpty())
            what = QStringLiteral("a tool");
        else if (quoted.size() == 1)
            what = QStringLiteral("the tool ") + quoted.first();
        else
            what = QStringLiteral("the tools ")
                + quoted.mid(0, quoted.size() - 1).join(QStringLiteral(", "))
                + QStringLiteral(" and ") + quoted.last();
        emitText(
            (m_sawText ? QStringLiteral("\n\n") : QString())
            + QStringLiteral("*The model asked to call %1 — Arbor does not run tools.*").arg(what));
    }
    m_complete = true;
}

void StreamDecoder::setFinishReason(const QString &vendorValue, QStringView normalized)
{
    m_vendorFinishReason = vendorValue;
    m_finishReason = normalized.toString();
}

void StreamDecoder::noteToolCall(const QString &name)
{
    m_toolCallSeen = true;
    if (!name.isEmpty() && !m_toolCalls.contains(name))
        m_toolCalls.append(name);
}

void StreamDecoder::fail(ChatError error)
{
    if (!isEnded())
        m_error = std::move(error);
}

void StreamDecoder::endOfBody()
{
    if (isEnded())
        return;
    if (!m_finishReason.isEmpty()) {
        complete();
        return;
    }
    // Nothing of the reply arrived: as if the connection had failed before the headers, so
    // the job engine retries it (a retry cannot duplicate text nobody has seen).
    if (!m_sawText && !m_sawReasoning) {
        fail({ChatError::Kind::Network,
              QStringLiteral("The connection to %1 closed before any of the reply arrived.")
                  .arg(source()),
              200, -1});
        return;
    }
    fail({ChatError::Kind::Interrupted,
          m_sawText ? QStringLiteral("The connection to %1 closed before the reply was complete; "
                                     "the text received so far is kept.")
                          .arg(source())
                    : QStringLiteral("The connection to %1 closed before the reply was complete.")
                          .arg(source()),
          200, -1});
}

QString StreamDecoder::source() const
{
    return m_source.isEmpty() ? QStringLiteral("the vendor") : m_source;
}

std::optional<QJsonObject> StreamDecoder::parseObject(QByteArrayView json)
{
    QJsonParseError err{};
    const QJsonDocument doc = QJsonDocument::fromJson(json.toByteArray(), &err);
    if (err.error == QJsonParseError::NoError && doc.isObject()) {
        markStream();
        return doc.object();
    }
    if (m_shape == Shape::Unknown) {
        // The first unit is not the vendor's: the body may be a whole document (read at the end).
        m_shape = Shape::Document;
        return std::nullopt;
    }
    const QString why = err.error == QJsonParseError::NoError ? QStringLiteral("not a JSON object")
                                                              : err.errorString();
    fail({ChatError::Kind::Protocol,
          QStringLiteral("Received malformed data from %1 (%2) near “%3”.")
              .arg(source(), why, opening(json)),
          200, -1});
    return std::nullopt;
}

} // namespace arbor::llm
