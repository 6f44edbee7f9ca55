#include "streamdecoder.h"

#include <QJsonDocument>

namespace arbor::llm {

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
    if (err.error == QJsonParseError::NoError && doc.isObject())
        return doc.object();
    const QString why = err.error == QJsonParseError::NoError ? QStringLiteral("not a JSON object")
                                                              : err.errorString();
    fail({ChatError::Kind::Protocol,
          QStringLiteral("The vendor sent malformed data (%1) near “%2”.")
              .arg(why,
                   QString::fromUtf8(
                       json.first(std::min<qsizetype>(json.size(), 80)).toByteArray())),
          200, -1});
    return std::nullopt;
}

} // namespace arbor::llm
