#include "jsonvalue.h"

#include <QDateTime>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cmath>

namespace arbor::imports::json {

QString compact(const Value &v)
{
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    v.Accept(writer);
    return QString::fromUtf8(buffer.GetString(), qsizetype(buffer.GetSize()));
}

qint64 isoMs(const QString &text)
{
    if (text.isEmpty())
        return 0;
    QDateTime t = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (!t.isValid()) {
        // Microseconds ("…56.789012Z", Claude, Python's isoformat): keep the milliseconds.
        QString s = text;
        const qsizetype dot = s.indexOf(u'.');
        if (dot > 0) {
            qsizetype end = dot + 1;
            while (end < s.size() && s.at(end).isDigit())
                ++end;
            if (end - dot > 4)
                s.remove(dot + 4, end - dot - 4);
        }
        t = QDateTime::fromString(s, Qt::ISODateWithMs);
    }
    return t.isValid() ? t.toMSecsSinceEpoch() : 0;
}

qint64 epochMs(const Value *v)
{
    double d = 0;
    if (v && v->IsNumber())
        d = v->GetDouble();
    else if (v && v->IsString())
        return isoMs(text(v));
    if (!std::isfinite(d) || d <= 0)
        return 0;
    // Seconds until the year 5138; beyond, the number is already in milliseconds.
    if (d > 1e11)
        return qint64(d);
    return qint64(std::llround(d * 1000.0));
}

} // namespace arbor::imports::json
