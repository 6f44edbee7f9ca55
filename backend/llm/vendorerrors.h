#pragma once

#include "provider.h"

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QJsonValue>
#include <QUrl>

namespace arbor::llm::vendorerrors {

/** @brief Response headers by lower-case name. */
using Headers = QHash<QByteArray, QByteArray>;

/** @brief A Go-style duration ("12ms", "1s", "6m0s", "2m59.56s") or plain seconds ("20",
 *  "1.5") in ms; -1 if unreadable. */
qint64 parseDurationMs(QByteArrayView text);

/** @brief retry-after-ms, else retry-after (seconds or an HTTP date, relative to @p now); -1. */
qint64 retryAfterMs(const Headers &headers, const QDateTime &now);

/** @brief OpenAI x-ratelimit-* (durations) and Anthropic anthropic-ratelimit-* (RFC 3339
 *  resets, taken relative to @p now). */
RateLimitInfo rateLimit(const Headers &headers, const QDateTime &now);

/** @brief @p url as error messages show it: without user info, query or fragment, where a key
 *  or a password could hide. */
QString shownUrl(const QUrl &url);

/**
 * @brief Classifies an error the vendor reported: an HTTP error response (@p httpStatus ≥ 400)
 * or an error event inside a 200 stream (@p httpStatus 200, then the vendor's type decides).
 * @p error is the vendor's error value: an object ({message, type|status, code, details}) or a
 * plain string (Ollama). Reads Gemini's RetryInfo.retryDelay. @p where (a shownUrl()) names
 * the URL that failed in the message of an HTTP error.
 */
ChatError fromVendor(int httpStatus, const QJsonValue &error, const QString &where = {});

/** @brief An HTTP error response: status, headers and body in any vendor's shape (or none).
 *  @p where: the shownUrl() of the request, named in the message. */
ChatError fromHttp(int httpStatus, const QByteArray &body, const Headers &headers,
                   const QDateTime &now, const QString &where = {});

/** @brief The "error" member of a decoded body, if it is an error envelope; else undefined. */
QJsonValue errorMember(const QJsonObject &body);

} // namespace arbor::llm::vendorerrors
