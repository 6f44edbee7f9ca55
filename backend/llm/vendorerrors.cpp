#include "vendorerrors.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace arbor::llm::vendorerrors {

qint64 parseDurationMs(QByteArrayView text)
{
    text = text.trimmed();
    if (text.isEmpty())
        return -1;
    bool ok = false;
    const double plain = text.toByteArray().toDouble(&ok);
    if (ok)
        return plain < 0 ? -1 : qint64(plain * 1000.0 + 0.5);
    double totalMs = 0;
    qsizetype i = 0;
    while (i < text.size()) {
        qsizetype j = i;
        while (j < text.size() && ((text[j] >= '0' && text[j] <= '9') || text[j] == '.'))
            ++j;
        if (j == i)
            return -1;
        const double n = text.sliced(i, j - i).toByteArray().toDouble(&ok);
        if (!ok)
            return -1;
        qsizetype k = j;
        while (k < text.size() && !((text[k] >= '0' && text[k] <= '9') || text[k] == '.'))
            ++k;
        const QByteArrayView unit = text.sliced(j, k - j);
        if (unit == "h")
            totalMs += n * 3600000.0;
        else if (unit == "m")
            totalMs += n * 60000.0;
        else if (unit == "s")
            totalMs += n * 1000.0;
        else if (unit == "ms")
            totalMs += n;
        else if (unit == "us" || unit == "\xc2\xb5s")
            totalMs += n / 1000.0;
        else if (unit == "ns")
            totalMs += n / 1e6;
        else
            return -1;
        i = k;
    }
    return qint64(totalMs + 0.5);
}

namespace {

qint64 number(const Headers &h, const char *name)
{
    const auto it = h.constFind(QByteArray(name));
    if (it == h.cend())
        return -1;
    bool ok = false;
    const qint64 v = it->trimmed().toLongLong(&ok);
    return ok ? v : -1;
}

qint64 untilMs(QByteArrayView value, const QDateTime &now)
{
    const QDateTime at =
        QDateTime::fromString(QString::fromLatin1(value.trimmed()), Qt::ISODateWithMs);
    if (!at.isValid())
        return -1;
    return std::max<qint64>(0, now.msecsTo(at));
}

/** Anthropic resets are timestamps, OpenAI's durations; Azure sends plain seconds. */
qint64 reset(const Headers &h, const char *name, const QDateTime &now)
{
    const auto it = h.constFind(QByteArray(name));
    if (it == h.cend())
        return -1;
    if (it->contains('T') && it->contains('-'))
        return untilMs(*it, now);
    return parseDurationMs(*it);
}

} // namespace

qint64 retryAfterMs(const Headers &headers, const QDateTime &now)
{
    if (const auto it = headers.constFind("retry-after-ms"); it != headers.cend()) {
        bool ok = false;
        const double ms = it->trimmed().toDouble(&ok);
        if (ok && ms >= 0)
            return qint64(ms + 0.5);
    }
    const auto it = headers.constFind("retry-after");
    if (it == headers.cend())
        return -1;
    bool ok = false;
    const double seconds = it->trimmed().toDouble(&ok);
    if (ok)
        return seconds < 0 ? -1 : qint64(seconds * 1000.0 + 0.5);
    // An HTTP date (IMF-fixdate) ends in "GMT", which Qt's RFC 2822 parser does not take.
    QString date = QString::fromLatin1(it->trimmed());
    if (date.endsWith(QLatin1String(" GMT")))
        date = date.chopped(3) + QStringLiteral("+0000");
    const QDateTime at = QDateTime::fromString(date, Qt::RFC2822Date);
    return at.isValid() ? std::max<qint64>(0, now.msecsTo(at)) : -1;
}

RateLimitInfo rateLimit(const Headers &h, const QDateTime &now)
{
    RateLimitInfo r;
    r.limitRequests = number(h, "x-ratelimit-limit-requests");
    r.remainingRequests = number(h, "x-ratelimit-remaining-requests");
    r.resetRequestsMs = reset(h, "x-ratelimit-reset-requests", now);
    r.limitTokens = number(h, "x-ratelimit-limit-tokens");
    r.remainingTokens = number(h, "x-ratelimit-remaining-tokens");
    r.resetTokensMs = reset(h, "x-ratelimit-reset-tokens", now);
    if (r.limitRequests < 0)
        r.limitRequests = number(h, "anthropic-ratelimit-requests-limit");
    if (r.remainingRequests < 0)
        r.remainingRequests = number(h, "anthropic-ratelimit-requests-remaining");
    if (r.resetRequestsMs < 0)
        r.resetRequestsMs = reset(h, "anthropic-ratelimit-requests-reset", now);
    if (r.limitTokens < 0)
        r.limitTokens = number(h, "anthropic-ratelimit-tokens-limit");
    if (r.remainingTokens < 0)
        r.remainingTokens = number(h, "anthropic-ratelimit-tokens-remaining");
    if (r.resetTokensMs < 0)
        r.resetTokensMs = reset(h, "anthropic-ratelimit-tokens-reset", now);
    return r;
}

QString shownUrl(const QUrl &url)
{
    return url.adjusted(QUrl::RemoveUserInfo | QUrl::RemoveQuery | QUrl::RemoveFragment).toString();
}

QJsonValue errorMember(const QJsonObject &body)
{
    const QJsonValue e = body.value(QLatin1String("error"));
    if (e.isObject() || (e.isString() && !e.toString().isEmpty()))
        return e;
    return QJsonValue(QJsonValue::Undefined);
}

namespace {

using Kind = ChatError::Kind;

std::optional<Kind> kindOfType(const QString &type)
{
    static const QHash<QString, Kind> kinds = {
        {QStringLiteral("authentication_error"), Kind::Auth},
        {QStringLiteral("permission_error"), Kind::Auth},
        {QStringLiteral("invalid_api_key"), Kind::Auth},
        {QStringLiteral("UNAUTHENTICATED"), Kind::Auth},
        {QStringLiteral("PERMISSION_DENIED"), Kind::Auth},
        {QStringLiteral("not_found_error"), Kind::NotFound},
        {QStringLiteral("model_not_found"), Kind::NotFound},
        {QStringLiteral("NOT_FOUND"), Kind::NotFound},
        {QStringLiteral("invalid_request_error"), Kind::BadRequest},
        {QStringLiteral("INVALID_ARGUMENT"), Kind::BadRequest},
        {QStringLiteral("FAILED_PRECONDITION"), Kind::BadRequest},
        {QStringLiteral("rate_limit_error"), Kind::RateLimited},
        {QStringLiteral("rate_limit_exceeded"), Kind::RateLimited},
        {QStringLiteral("requests"), Kind::RateLimited},
        {QStringLiteral("tokens"), Kind::RateLimited},
        {QStringLiteral("RESOURCE_EXHAUSTED"), Kind::RateLimited},
        {QStringLiteral("insufficient_quota"), Kind::Quota},
        {QStringLiteral("billing_error"), Kind::Quota},
        {QStringLiteral("overloaded_error"), Kind::Overloaded},
        {QStringLiteral("UNAVAILABLE"), Kind::Overloaded},
        {QStringLiteral("api_error"), Kind::Server},
        {QStringLiteral("server_error"), Kind::Server},
        {QStringLiteral("timeout_error"), Kind::Server},
        {QStringLiteral("INTERNAL"), Kind::Server},
        {QStringLiteral("DEADLINE_EXCEEDED"), Kind::Server},
    };
    const auto it = kinds.constFind(type);
    if (it == kinds.cend())
        return std::nullopt;
    return *it;
}

Kind kindOfStatus(int status)
{
    if (status == 401 || status == 403)
        return Kind::Auth;
    if (status == 404)
        return Kind::NotFound;
    if (status == 429)
        return Kind::RateLimited;
    if (status == 529 || status == 503)
        return Kind::Overloaded;
    if (status >= 500 || status == 408 || status == 409)
        return Kind::Server;
    return Kind::BadRequest;
}

QString summary(Kind kind)
{
    switch (kind) {
    case Kind::Auth:
        return QStringLiteral("The API key was refused; check it in Settings");
    case Kind::NotFound:
        return QStringLiteral("The model or endpoint was not found");
    case Kind::BadRequest:
        return QStringLiteral("The vendor rejected the request");
    case Kind::RateLimited:
        return QStringLiteral("Rate limited by the vendor");
    case Kind::Quota:
        return QStringLiteral("The account's quota is used up");
    case Kind::Overloaded:
        return QStringLiteral("The vendor is overloaded");
    case Kind::Server:
        return QStringLiteral("The vendor had a server error");
    case Kind::Network:
        return QStringLiteral("Network error");
    case Kind::Protocol:
        return QStringLiteral("The vendor sent a reply Arbor cannot read");
    case Kind::Interrupted:
        return QStringLiteral("The connection was cut");
    }
    return {};
}

} // namespace

ChatError fromVendor(int httpStatus, const QJsonValue &error, const QString &where)
{
    ChatError e;
    e.httpStatus = httpStatus;
    QString vendorMessage;
    QString type;
    if (error.isString()) {
        vendorMessage = error.toString();
    } else {
        const QJsonObject o = error.toObject();
        vendorMessage = o.value(QLatin1String("message")).toString();
        type = o.value(QLatin1String("type")).toString();
        if (type.isEmpty())
            type = o.value(QLatin1String("status")).toString();
        const QString code = o.value(QLatin1String("code")).toString();
        // OpenAI puts the finer reason in code ("insufficient_quota", "invalid_api_key").
        if (!code.isEmpty() && kindOfType(code))
            type = code;
        const QJsonArray details = o.value(QLatin1String("details")).toArray();
        for (const QJsonValue &d : details) {
            const QJsonObject detail = d.toObject();
            const QString at = detail.value(QLatin1String("@type")).toString();
            if (at.endsWith(QLatin1String("RetryInfo")))
                e.retryAfterMs = parseDurationMs(
                    detail.value(QLatin1String("retryDelay")).toString().toLatin1());
            if (at.endsWith(QLatin1String("QuotaFailure"))) {
                for (const QJsonValue &v : detail.value(QLatin1String("violations")).toArray())
                    if (v.toObject()
                            .value(QLatin1String("quotaId"))
                            .toString()
                            .contains(QLatin1String("PerDay")))
                        type = QStringLiteral("insufficient_quota");
            }
        }
    }
    e.vendorType = type;
    const std::optional<Kind> byType = kindOfType(type);
    if (httpStatus >= 400) {
        e.kind = kindOfStatus(httpStatus);
        // The type refines the status where it tells more: a 429 that is an empty quota.
        if (byType == Kind::Quota || (byType == Kind::Overloaded && e.kind == Kind::Server))
            e.kind = *byType;
    } else {
        e.kind = byType.value_or(Kind::Server);
    }
    QString text = summary(e.kind);
    if (httpStatus >= 400 && !where.isEmpty())
        text += QStringLiteral(" (HTTP %1 from %2)").arg(QString::number(httpStatus), where);
    else if (httpStatus >= 400)
        text += QStringLiteral(" (HTTP %1)").arg(httpStatus);
    if (!vendorMessage.isEmpty())
        text += QStringLiteral(": ") + vendorMessage;
    else if (!type.isEmpty())
        text += QStringLiteral(": ") + type;
    e.message = text;
    return e;
}

ChatError fromHttp(int httpStatus, const QByteArray &body, const Headers &headers,
                   const QDateTime &now, const QString &where)
{
    QJsonParseError err{};
    const QJsonDocument doc = QJsonDocument::fromJson(body, &err);
    QJsonValue value;
    if (doc.isObject())
        value = errorMember(doc.object());
    else if (doc.isArray() && !doc.array().isEmpty()) // Gemini without alt=sse wraps it in [ ]
        value = errorMember(doc.array().first().toObject());
    if (value.isUndefined() || value.isNull()) {
        const QString plain = QString::fromUtf8(body.left(300)).trimmed();
        value = QJsonValue(plain);
    }
    ChatError e = fromVendor(httpStatus, value, where);
    const qint64 header = retryAfterMs(headers, now);
    if (header >= 0)
        e.retryAfterMs = header;
    // The window headers are not a Retry-After: a window's reset is when it is full again, and
    // waiting for it froze the provider for minutes after a tiny request. They pace the queue
    // (jobs::QueueLimiter::applyVendorInfo) in proportion to each request's cost instead.
    e.rateLimit = rateLimit(headers, now);
    return e;
}

} // namespace arbor::llm::vendorerrors
