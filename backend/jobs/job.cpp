#include "job.h"

namespace arbor::jobs {

QString toString(JobState state)
{
    switch (state) {
    case JobState::Queued:
        return QStringLiteral("queued");
    case JobState::Running:
        return QStringLiteral("running");
    case JobState::Done:
        return QStringLiteral("done");
    case JobState::Failed:
        return QStringLiteral("failed");
    case JobState::Cancelled:
        return QStringLiteral("cancelled");
    }
    return QStringLiteral("failed");
}

JobState jobStateFromString(const QString &text)
{
    if (text == u"queued")
        return JobState::Queued;
    if (text == u"running")
        return JobState::Running;
    if (text == u"done")
        return JobState::Done;
    if (text == u"cancelled")
        return JobState::Cancelled;
    return JobState::Failed;
}

namespace {

struct KindName
{
    ErrorKind kind;
    const char16_t *name;
    const char16_t *description;
};

constexpr KindName kKindNames[] = {
    {ErrorKind::RateLimited, u"rate_limited", u"rate limited by the vendor"},
    {ErrorKind::Network, u"network", u"network error"},
    {ErrorKind::Server, u"server", u"the vendor had a server error"},
    {ErrorKind::Overloaded, u"overloaded", u"the vendor is overloaded"},
    {ErrorKind::Interrupted, u"interrupted", u"the connection was cut"},
    {ErrorKind::Protocol, u"protocol", u"the vendor sent a malformed reply"},
    {ErrorKind::Auth, u"auth", u"the API key was refused"},
    {ErrorKind::NotFound, u"not_found", u"not found"},
    {ErrorKind::BadRequest, u"bad_request", u"the vendor rejected the request"},
    {ErrorKind::Quota, u"quota", u"the account's quota is used up"},
    {ErrorKind::WorkerLost, u"worker_lost", u"the process running it stopped"},
    {ErrorKind::Other, u"other", u"error"},
};

} // namespace

QString toString(ErrorKind kind)
{
    for (const KindName &k : kKindNames)
        if (k.kind == kind)
            return QString::fromUtf16(k.name);
    return {};
}

ErrorKind errorKindFromString(const QString &text)
{
    if (text.isEmpty())
        return ErrorKind::None;
    for (const KindName &k : kKindNames)
        if (text == QStringView(k.name))
            return k.kind;
    return ErrorKind::Other;
}

QString describe(ErrorKind kind)
{
    for (const KindName &k : kKindNames)
        if (k.kind == kind)
            return QString::fromUtf16(k.description);
    return {};
}

QMap<QString, QString> tagsOf(const Job &job)
{
    QMap<QString, QString> tags;
    if (!job.queue.isEmpty() && job.queue != QLatin1String("default"))
        tags.insert(QStringLiteral("provider"), job.queue);
    const QJsonValue run = job.payload.value(QStringLiteral("run"));
    if (run.isDouble())
        tags.insert(QStringLiteral("run"), QString::number(run.toInteger()));
    const QJsonObject extra = job.payload.value(QStringLiteral("tags")).toObject();
    for (auto it = extra.constBegin(); it != extra.constEnd(); ++it)
        if (it.value().isString() && !it.value().toString().isEmpty())
            tags.insert(it.key(), it.value().toString());
    return tags;
}

} // namespace arbor::jobs
