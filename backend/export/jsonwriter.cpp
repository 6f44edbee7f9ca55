#include "jsonwriter.h"

#include "outputsink.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QLocale>
#include <QVariant>

#include <algorithm>
#include <cmath>

namespace arbor::exports {

namespace {

void appendQuoted(QByteArray &out, QStringView text)
{
    static const char hex[] = "0123456789abcdef";
    const QByteArray utf8 = text.toUtf8();
    out.reserve(out.size() + utf8.size() + 2);
    out.append('"');
    qsizetype run = 0; // start of the bytes copied as they are
    for (qsizetype i = 0; i < utf8.size(); ++i) {
        const auto c = static_cast<unsigned char>(utf8.at(i));
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        out.append(utf8.constData() + run, i - run);
        run = i + 1;
        switch (c) {
        case '"':
            out.append("\\\"");
            break;
        case '\\':
            out.append("\\\\");
            break;
        case '\n':
            out.append("\\n");
            break;
        case '\t':
            out.append("\\t");
            break;
        case '\r':
            out.append("\\r");
            break;
        case '\b':
            out.append("\\b");
            break;
        case '\f':
            out.append("\\f");
            break;
        default: {
            const char u[] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xF]};
            out.append(u, sizeof u);
        }
        }
    }
    out.append(utf8.constData() + run, utf8.size() - run);
    out.append('"');
}

} // namespace

JsonWriter::JsonWriter(OutputSink &sink)
    : m_sink(sink)
{
}

QByteArray JsonWriter::quoted(QStringView text)
{
    QByteArray out;
    appendQuoted(out, text);
    return out;
}

void JsonWriter::newline(int depth)
{
    static const QByteArray spaces(256, ' ');
    m_sink.write('\n');
    qsizetype n = qsizetype(depth) * 2;
    while (n > 0) {
        const qsizetype step = std::min<qsizetype>(n, spaces.size());
        m_sink.write(spaces.constData(), step);
        n -= step;
    }
}

void JsonWriter::beforeValue()
{
    if (m_afterKey) {
        m_afterKey = false;
        return;
    }
    if (m_levels.isEmpty())
        return; // the document's value
    Level &level = m_levels.last();
    if (!level.empty)
        m_sink.write(',');
    level.empty = false;
    newline(int(m_levels.size()));
}

void JsonWriter::key(QStringView name)
{
    Level &level = m_levels.last();
    if (!level.empty)
        m_sink.write(',');
    level.empty = false;
    newline(int(m_levels.size()));
    QByteArray k;
    appendQuoted(k, name);
    k.append(": ");
    m_sink.write(k);
    m_afterKey = true;
}

void JsonWriter::beginObject()
{
    beforeValue();
    m_sink.write('{');
    m_levels.append({true, true});
}

void JsonWriter::endObject()
{
    const bool empty = m_levels.takeLast().empty;
    if (!empty)
        newline(int(m_levels.size()));
    m_sink.write('}');
}

void JsonWriter::beginArray()
{
    beforeValue();
    m_sink.write('[');
    m_levels.append({false, true});
}

void JsonWriter::endArray()
{
    const bool empty = m_levels.takeLast().empty;
    if (!empty)
        newline(int(m_levels.size()));
    m_sink.write(']');
}

void JsonWriter::string(QStringView text)
{
    beforeValue();
    QByteArray out;
    appendQuoted(out, text);
    m_sink.write(out);
}

void JsonWriter::integer(qint64 value)
{
    beforeValue();
    m_sink.write(QByteArray::number(value));
}

void JsonWriter::boolean(bool value)
{
    beforeValue();
    if (value)
        m_sink.write("true");
    else
        m_sink.write("false");
}

void JsonWriter::null()
{
    beforeValue();
    m_sink.write("null");
}

void JsonWriter::stringOrNull(QStringView text)
{
    if (text.isEmpty())
        null();
    else
        string(text);
}

void JsonWriter::integerOrNull(qint64 value)
{
    if (value < 0)
        null();
    else
        integer(value);
}

void JsonWriter::value(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        null();
        return;
    case QJsonValue::Bool:
        boolean(v.toBool());
        return;
    case QJsonValue::String:
        string(v.toString());
        return;
    case QJsonValue::Double: {
        // Qt keeps a whole number it parsed as an integer; a double with no fraction is written
        // as one too (as JSON.stringify does), so a value reads back the same.
        const QVariant variant = v.toVariant();
        if (variant.typeId() == QMetaType::LongLong) {
            integer(variant.toLongLong());
            return;
        }
        const double d = v.toDouble();
        if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9007199254740992.0) {
            integer(qint64(d));
            return;
        }
        beforeValue();
        if (!std::isfinite(d))
            m_sink.write("null");
        else
            m_sink.write(QByteArray::number(d, 'g', QLocale::FloatingPointShortest));
        return;
    }
    case QJsonValue::Array: {
        beginArray();
        for (const QJsonValue &e : v.toArray())
            value(e);
        endArray();
        return;
    }
    case QJsonValue::Object: {
        beginObject();
        const QJsonObject o = v.toObject();
        for (auto it = o.constBegin(); it != o.constEnd(); ++it) {
            key(it.key());
            value(it.value());
        }
        endObject();
        return;
    }
    }
}

void JsonWriter::finish()
{
    m_sink.write('\n');
}

} // namespace arbor::exports
