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
    for (qsizetype i = 0; i < m_calls.size(); ++i)
        endToolCall(int(i));
    if (m_toolCallSeen || m_finishReason == FinishReason::ToolCalls) {
        // Gemini and Ollama say "stop" after a tool call; a cut-off call keeps "length".
        if (m_finishReason.isEmpty() || m_finishReason == FinishReason::Stop)
            m_finishReason = FinishReason::ToolCalls.toString();
    }
    m_complete = true;
}

void StreamDecoder::setFinishReason(const QString &vendorValue, QStringView normalized)
{
    m_vendorFinishReason = vendorValue;
    m_finishReason = normalized.toString();
}

QList<ToolCall> StreamDecoder::toolCalls() const
{
    QList<ToolCall> out;
    for (const Call &c : m_calls) {
        if (c.ended)
            out.append(shown(c.call));
    }
    return out;
}

ToolCall StreamDecoder::shown(ToolCall call)
{
    // A tool that takes nothing may come with no arguments at all (Anthropic's first piece is
    // "" and may be the only one): it means the empty object.
    if (call.arguments.trimmed().isEmpty())
        call.arguments = QStringLiteral("{}");
    return call;
}

void StreamDecoder::announceArguments(int index, qsizetype offset, const QString &piece)
{
    if (!onToolArguments)
        return;
    ToolCall head = m_calls.at(index).call;
    head.arguments.clear();
    onToolArguments(index, head, offset, piece);
}

int StreamDecoder::beginToolCall(const QString &id, const QString &name)
{
    m_toolCallSeen = true;
    m_calls.append({{id, name, {}, m_textLength}, false});
    const int index = int(m_calls.size() - 1);
    announceArguments(index, 0, {});
    return index;
}

void StreamDecoder::addToolArguments(int index, const QString &piece, const QString &name,
                                     const QString &id)
{
    if (index < 0 || index >= m_calls.size())
        return;
    Call &c = m_calls[index];
    const qsizetype offset = c.call.arguments.size();
    c.call.arguments += piece;
    if (!name.isEmpty())
        c.call.name = name;
    if (!id.isEmpty())
        c.call.id = id;
    if (!piece.isEmpty() || !name.isEmpty() || !id.isEmpty())
        announceArguments(index, offset, piece);
    if (c.ended && (!piece.isEmpty() || !name.isEmpty() || !id.isEmpty()) && onToolCall)
        onToolCall(index, shown(c.call));
}

void StreamDecoder::endToolCall(int index)
{
    if (index < 0 || index >= m_calls.size() || m_calls.at(index).ended)
        return;
    Call &c = m_calls[index];
    c.ended = true;
    if (onToolCall)
        onToolCall(index, shown(c.call));
}

int StreamDecoder::wholeToolCall(const QString &id, const QString &name, const QString &arguments)
{
    const int index = beginToolCall(id, name);
    m_calls[index].call.arguments = arguments;
    announceArguments(index, 0, arguments);
    endToolCall(index);
    return index;
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
    if (!m_sawText && !m_sawReasoning && !m_toolCallSeen) {
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
