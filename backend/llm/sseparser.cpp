#include "sseparser.h"

namespace arbor::llm {

QList<SseEvent> SseParser::feed(QByteArrayView bytes)
{
    QList<SseEvent> out;
    const char *p = bytes.data();
    const char *end = p + bytes.size();
    if (m_skipLf && p < end) {
        m_skipLf = false;
        if (*p == '\n')
            ++p;
    }
    while (p < end) {
        const char *q = p;
        while (q < end && *q != '\n' && *q != '\r')
            ++q;
        if (q == end) {
            m_line.append(p, q - p);
            break;
        }
        // A complete line: skip the copy when nothing of it was buffered (the common case).
        if (m_line.isEmpty()) {
            takeLine(QByteArrayView(p, q - p), out);
        } else {
            m_line.append(p, q - p);
            takeLine(m_line, out);
            m_line.clear();
        }
        if (*q == '\r') {
            if (q + 1 == end) {
                m_skipLf = true;
                p = end;
                break;
            }
            if (q[1] == '\n')
                ++q;
        }
        p = q + 1;
    }
    return out;
}

QList<SseEvent> SseParser::finish()
{
    QList<SseEvent> out;
    if (!m_line.isEmpty()) {
        takeLine(m_line, out);
        m_line.clear();
    }
    dispatch(out);
    m_skipLf = false;
    return out;
}

void SseParser::takeLine(QByteArrayView line, QList<SseEvent> &out)
{
    if (line.isEmpty()) {
        dispatch(out);
        return;
    }
    if (line.front() == ':') {
        m_framed = true;
        return; // comment / keep-alive
    }
    const qsizetype colon = line.indexOf(':');
    const QByteArrayView field = colon < 0 ? line : line.first(colon);
    QByteArrayView value = colon < 0 ? QByteArrayView() : line.sliced(colon + 1);
    if (!value.isEmpty() && value.front() == ' ')
        value = value.sliced(1);
    if (field == "data" || field == "event" || field == "id" || field == "retry")
        m_framed = true;
    if (field == "data") {
        if (m_hasData)
            m_data.append('\n');
        m_data.append(value);
        m_hasData = true;
    } else if (field == "event") {
        m_event = value.toByteArray();
    } else if (field == "id" || field == "retry") {
        // Not needed: Arbor never reconnects a completion stream.
    } else {
        if (!m_raw.isEmpty())
            m_raw.append('\n');
        m_raw.append(line);
    }
}

void SseParser::dispatch(QList<SseEvent> &out)
{
    if (m_hasData)
        out.append({std::exchange(m_event, {}), std::exchange(m_data, {})});
    m_event.clear();
    m_hasData = false;
}

} // namespace arbor::llm
