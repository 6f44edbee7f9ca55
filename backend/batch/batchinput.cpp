#include "batchinput.h"

#include <QFileInfo>
#include <QIODevice>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstring>

namespace arbor::batch {

namespace {

constexpr qint64 ChunkBytes = 1 << 20;

/**
 * @brief RFC 4180: fields separated by commas, records by CRLF or LF; a field in double quotes
 * may hold commas, line breaks and doubled quotes. The first record is the header. A blank line
 * is no record. Lenient where the RFC is silent: a quote inside an unquoted field is text.
 */
class CsvReader : public InputReader
{
public:
    explicit CsvReader(QIODevice *device)
        : InputReader(device)
    {
    }

    bool readHeader(QString &error) override
    {
        QList<QByteArray> fields;
        qint64 line = 0;
        QString bad;
        if (!readRecord(fields, line, bad)) {
            error = QStringLiteral("The file is empty: a CSV file needs a header row.");
            return false;
        }
        if (!bad.isEmpty()) {
            error = QStringLiteral("Line %1: the header row is bad: %2").arg(line).arg(bad);
            return false;
        }
        // A UTF-8 byte order mark before the first name is not part of it.
        if (fields.first().startsWith("\xEF\xBB\xBF"))
            fields.first().remove(0, 3);
        for (const QByteArray &f : std::as_const(fields)) {
            if (!isValidUtf8(f.constData(), f.size())) {
                error = QStringLiteral("Line %1: the header row is not valid UTF-8.").arg(line);
                return false;
            }
            const QString name = QString::fromUtf8(f).trimmed();
            if (name.isEmpty()) {
                error = QStringLiteral("Line %1: column %2 of the header row has no name.")
                            .arg(line)
                            .arg(m_columns.size() + 1);
                return false;
            }
            if (m_columns.contains(name)) {
                error = QStringLiteral("Line %1: the header names the column “%2” twice.")
                            .arg(line)
                            .arg(name);
                return false;
            }
            m_columns.append(name);
        }
        return true;
    }

    bool next(InputRecord &out) override
    {
        QString bad;
        if (!readRecord(m_fields, out.line, bad))
            return false;
        out.input.clear();
        out.error = bad;
        if (!bad.isEmpty())
            return true;
        if (m_fields.size() != m_columns.size()) {
            out.error = QStringLiteral("%1 columns where the header has %2")
                            .arg(m_fields.size())
                            .arg(m_columns.size());
            return true;
        }
        out.input.reserve(64);
        out.input.append('[');
        for (qsizetype i = 0; i < m_fields.size(); ++i) {
            const QByteArray &f = m_fields.at(i);
            if (!isValidUtf8(f.constData(), f.size())) {
                out.error = QStringLiteral("column “%1” is not valid UTF-8").arg(m_columns.at(i));
                out.input.clear();
                return true;
            }
            if (i)
                out.input.append(',');
            appendJsonString(out.input, f.constData(), f.size());
        }
        out.input.append(']');
        return true;
    }

private:
    enum class State { FieldStart, Unquoted, Quoted, QuoteInQuoted };

    /** @brief Reads one record into @p fields; false at the end of the file. */
    bool readRecord(QList<QByteArray> &fields, qint64 &line, QString &bad)
    {
        for (;;) {
            fields.clear();
            QByteArray field;
            State state = State::FieldStart;
            bool any = false; // anything but a bare line end
            line = m_line;
            for (;;) {
                if (m_pos >= m_buffer.size() && !fill()) {
                    // The end of the file ends the record.
                    if (state == State::Quoted) {
                        bad = QStringLiteral("a quoted field is not closed before the end of "
                                             "the file");
                        fields.append(field);
                        return true;
                    }
                    if (!any)
                        return false;
                    fields.append(field);
                    return true;
                }
                const char *data = m_buffer.constData();
                const qsizetype size = m_buffer.size();
                qsizetype i = m_pos;
                bool endRecord = false;
                while (i < size && !endRecord) {
                    const char c = data[i];
                    switch (state) {
                    case State::FieldStart:
                    case State::Unquoted: {
                        if (state == State::FieldStart && c == '"') {
                            state = State::Quoted;
                            any = true;
                            ++i;
                            break;
                        }
                        // A run of plain bytes at once.
                        qsizetype j = i;
                        while (j < size && data[j] != ',' && data[j] != '\n' && data[j] != '\r')
                            ++j;
                        if (j > i) {
                            field.append(data + i, j - i);
                            any = true;
                            state = State::Unquoted;
                            i = j;
                            break;
                        }
                        if (c == ',') {
                            fields.append(std::exchange(field, {}));
                            any = true;
                            state = State::FieldStart;
                        } else if (c == '\n') {
                            ++m_line;
                            endRecord = true;
                        } // '\r' of a CRLF (or a stray one) is dropped
                        ++i;
                        break;
                    }
                    case State::Quoted: {
                        qsizetype j = i;
                        while (j < size && data[j] != '"') {
                            if (data[j] == '\n')
                                ++m_line;
                            ++j;
                        }
                        field.append(data + i, j - i);
                        if (j < size) {
                            state = State::QuoteInQuoted;
                            ++j;
                        }
                        i = j;
                        break;
                    }
                    case State::QuoteInQuoted:
                        if (c == '"') {
                            field.append('"');
                            state = State::Quoted;
                        } else if (c == ',') {
                            fields.append(std::exchange(field, {}));
                            state = State::FieldStart;
                        } else if (c == '\n') {
                            ++m_line;
                            endRecord = true;
                        } else if (c != '\r') {
                            if (bad.isEmpty())
                                bad = QStringLiteral("text after a closing quote");
                            field.append(c);
                            state = State::Unquoted;
                        }
                        ++i;
                        break;
                    }
                }
                m_consumed += i - m_pos;
                m_pos = i;
                if (endRecord) {
                    if (!any) { // a blank line
                        line = m_line;
                        continue;
                    }
                    fields.append(field);
                    return true;
                }
            }
        }
    }

    QList<QByteArray> m_fields;
};

/** @brief One JSON object per line; blank lines are skipped. */
class JsonlReader : public InputReader
{
public:
    explicit JsonlReader(QIODevice *device)
        : InputReader(device)
    {
    }

    bool readHeader(QString &error) override
    {
        // The first good object names the columns; it is read again as the first row.
        InputRecord first;
        while (readLine(first)) {
            if (!first.error.isEmpty()) {
                error = QStringLiteral("Line %1: %2").arg(first.line).arg(first.error);
                return false;
            }
            m_pending = first;
            m_hasPending = true;
            return true;
        }
        error = QStringLiteral("The file holds no JSON object.");
        return false;
    }

    bool next(InputRecord &out) override
    {
        if (m_hasPending) {
            out = std::move(m_pending);
            m_hasPending = false;
            return true;
        }
        return readLine(out);
    }

private:
    bool readLine(InputRecord &out)
    {
        for (;;) {
            // One line, possibly across chunks.
            m_lineBytes.clear();
            bool found = false;
            bool eof = false;
            while (!found) {
                if (m_pos >= m_buffer.size() && !fill()) {
                    eof = true;
                    break;
                }
                const char *start = m_buffer.constData() + m_pos;
                const auto *nl = static_cast<const char *>(
                    std::memchr(start, '\n', size_t(m_buffer.size() - m_pos)));
                const qsizetype n = nl ? nl - start : m_buffer.size() - m_pos;
                m_lineBytes.append(start, n);
                m_pos += n + (nl ? 1 : 0);
                m_consumed += n + (nl ? 1 : 0);
                found = nl != nullptr;
            }
            if (eof && m_lineBytes.isEmpty())
                return false;
            out.line = m_line++;
            out.input.clear();
            out.error.clear();
            if (m_lineBytes.trimmed().isEmpty()) {
                if (eof)
                    return false;
                continue;
            }
            parse(out);
            return true;
        }
    }

    void parse(InputRecord &out)
    {
        if (!isValidUtf8(m_lineBytes.constData(), m_lineBytes.size())) {
            out.error = QStringLiteral("not valid UTF-8");
            return;
        }
        rapidjson::Document doc;
        doc.Parse(m_lineBytes.constData(), size_t(m_lineBytes.size()));
        if (doc.HasParseError()) {
            out.error =
                QStringLiteral("not valid JSON (at character %1)").arg(doc.GetErrorOffset());
            return;
        }
        if (!doc.IsObject()) {
            out.error = QStringLiteral("not a JSON object");
            return;
        }
        m_values.fill(QByteArray(), m_columns.size());
        m_present.fill(false, m_columns.size());
        for (auto it = doc.MemberBegin(); it != doc.MemberEnd(); ++it) {
            const QByteArray key(it->name.GetString(), it->name.GetStringLength());
            auto col = m_index.find(key);
            if (col == m_index.end()) {
                col = m_index.insert(key, int(m_columns.size()));
                m_columns.append(QString::fromUtf8(key));
                m_values.append(QByteArray());
                m_present.append(false);
            }
            QByteArray &v = m_values[*col];
            m_present[*col] = true;
            if (it->value.IsString()) {
                v = QByteArray(it->value.GetString(), it->value.GetStringLength());
            } else if (!it->value.IsNull()) {
                rapidjson::StringBuffer sb;
                rapidjson::Writer<rapidjson::StringBuffer> w(sb);
                it->value.Accept(w);
                v = QByteArray(sb.GetString(), qsizetype(sb.GetSize()));
            }
        }
        for (const QString &name : std::as_const(m_required)) {
            const int col = m_index.value(name.toUtf8(), -1);
            if (col < 0 || !m_present.at(col)) {
                out.error = QStringLiteral("no value for the template's variable “%1”").arg(name);
                return;
            }
        }
        out.input.append('[');
        for (qsizetype i = 0; i < m_values.size(); ++i) {
            if (i)
                out.input.append(',');
            appendJsonString(out.input, m_values.at(i).constData(), m_values.at(i).size());
        }
        out.input.append(']');
    }

    QByteArray m_lineBytes;
    QHash<QByteArray, int> m_index;
    QList<QByteArray> m_values;
    QList<bool> m_present;
    InputRecord m_pending;
    bool m_hasPending = false;
};

} // namespace

InputReader::InputReader(QIODevice *device)
    : m_device(device)
{
}

InputReader::Format InputReader::formatFor(const QString &path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    return suffix == u"jsonl" || suffix == u"ndjson" || suffix == u"json" ? Format::Jsonl
                                                                          : Format::Csv;
}

std::unique_ptr<InputReader> InputReader::create(Format format, QIODevice *device)
{
    if (format == Format::Jsonl)
        return std::make_unique<JsonlReader>(device);
    return std::make_unique<CsvReader>(device);
}

void InputReader::requireColumns(const QStringList &names)
{
    m_required = names;
}

bool InputReader::fill()
{
    m_buffer.resize(ChunkBytes);
    const qint64 n = m_device->read(m_buffer.data(), ChunkBytes);
    m_buffer.resize(std::max<qint64>(0, n));
    m_pos = 0;
    return n > 0;
}

bool isValidUtf8(const char *data, qsizetype size)
{
    const auto *s = reinterpret_cast<const unsigned char *>(data);
    qsizetype i = 0;
    while (i < size) {
        // ASCII eight bytes at a time.
        while (i + 8 <= size) {
            quint64 word;
            std::memcpy(&word, s + i, 8);
            if (word & 0x8080808080808080ULL)
                break;
            i += 8;
        }
        if (i >= size)
            break;
        const unsigned char c = s[i];
        if (c < 0x80) {
            ++i;
            continue;
        }
        int n = 0;
        unsigned lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
            n = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            if (c == 0xE0)
                lo = 0xA0; // no overlongs
            else if (c == 0xED)
                hi = 0x9F; // no surrogates
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            if (c == 0xF0)
                lo = 0x90;
            else if (c == 0xF4)
                hi = 0x8F;
        } else {
            return false;
        }
        if (i + n >= size) // cut off at the end
            return false;
        if (s[i + 1] < lo || s[i + 1] > hi)
            return false;
        for (int k = 2; k <= n; ++k)
            if ((s[i + k] & 0xC0) != 0x80)
                return false;
        i += n + 1;
    }
    return true;
}

void appendJsonString(QByteArray &out, const char *data, qsizetype size)
{
    static const char hex[] = "0123456789abcdef";
    out.append('"');
    qsizetype start = 0;
    for (qsizetype i = 0; i < size; ++i) {
        const auto c = static_cast<unsigned char>(data[i]);
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        out.append(data + start, i - start);
        start = i + 1;
        switch (c) {
        case '"':
            out.append("\\\"", 2);
            break;
        case '\\':
            out.append("\\\\", 2);
            break;
        case '\n':
            out.append("\\n", 2);
            break;
        case '\r':
            out.append("\\r", 2);
            break;
        case '\t':
            out.append("\\t", 2);
            break;
        default: {
            const char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            out.append(esc, 6);
        }
        }
    }
    out.append(data + start, size - start);
    out.append('"');
}

QList<QString> decodeInput(const QByteArray &json)
{
    QList<QString> out;
    rapidjson::Document doc;
    doc.Parse(json.constData(), size_t(json.size()));
    if (doc.HasParseError() || !doc.IsArray())
        return out;
    out.reserve(doc.Size());
    for (const auto &v : doc.GetArray()) {
        if (v.IsString()) {
            out.append(QString::fromUtf8(v.GetString(), v.GetStringLength()));
        } else {
            rapidjson::StringBuffer sb;
            rapidjson::Writer<rapidjson::StringBuffer> w(sb);
            v.Accept(w);
            out.append(QString::fromUtf8(sb.GetString(), qsizetype(sb.GetSize())));
        }
    }
    return out;
}

} // namespace arbor::batch
