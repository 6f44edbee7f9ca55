#include "streamdecoder.h"

#include <QJsonDocument>

namespace arbor::llm {

void StreamDecoder::complete()
{
    if (!isEnded())
        m_complete = true;
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
    fail({ChatError::Kind::Interrupted,
          QStringLiteral("The connection closed before the reply was complete; the text received "
                         "so far is kept."),
          200, -1});
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
